// Other PostgreSQL tools in the same editor. Supabase's Postgres language server and squawk's
// extension report syntax errors in .sql files too: when the client says one of them is installed,
// Armadilha leaves those to it rather than show each error twice. Everything else stays (the
// non-concurrent REFRESH MATERIALIZED VIEW, for one, is reported with a fix neither offers).

import type { Settings } from './config';
import type { DocumentLanguage } from './lint';

/** The settings for a document given the peers installed: syntax-error off in .sql files, unless a setting names it. */
export function withPeers(settings: Settings, language: DocumentLanguage, peers: readonly string[]): Settings {
  if (!peers.length || language !== 'sql' || settings.rules['syntax-error'] !== undefined) return settings;
  return { ...settings, rules: { ...settings.rules, 'syntax-error': 'off' } };
}
