// The workspace both real-VS-Code suites open (test/e2e with code-server, test/vscode with
// @vscode/test-electron), and what a user must see in it. Kept free of playwright so that the
// test-electron suite can bundle it.
//
// The fixture lives in test/e2e/fixtures/workspace/. Files named *.fixture lose that suffix when the
// workspace is copied: the Edge Function is a Deno file that the project's type check must not see.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository: the nearest folder above this file (or its bundle) whose package.json is Armadilha's. */
export const ROOT = findRoot(__dirname);
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'armadilha') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Armadilha package.json above ${from}`);
  }
}
export const FIXTURES = path.join(ROOT, 'test', 'e2e', 'fixtures');

export const SCHEMA_SQL = 'supabase/migrations/20240101000000_schema.sql';
export const TRAPS_SQL = 'supabase/migrations/20240102000000_traps.sql';
export const EDGE_TS = 'supabase/functions/renew-session/index.ts';
export const SCRATCH_SQL = 'scratch.sql';
export const CONFIG_JSON = 'armadilha.config.json';
/** A syntax error (line 2) and a refresh without CONCURRENTLY (line 4). */
export const BROKEN_SQL = 'broken.sql';
export const BROKEN_FINDINGS: ExpectedFinding[] = [
  { line: 2, rule: 'syntax-error' },
  { line: 4, rule: 'require-concurrent-refresh' },
];
/** Never opened: its finding shows only once the whole workspace is analysed. */
export const CLOSED_SQL = 'supabase/migrations/20240103000000_jobs.sql';

export interface ExpectedFinding {
  /** 1-based line. */
  line: number;
  rule: string;
}

/** Findings in the trap migration, as published when the file is opened. */
export const TRAPS_FINDINGS: ExpectedFinding[] = [
  { line: 5, rule: 'no-clock-timestamp-expiry' },
  { line: 12, rule: 'require-fencing-token' },
  { line: 19, rule: 'require-on-conflict' },
];
/** Findings in the Edge Function (sql`…` template). */
export const EDGE_FINDINGS: ExpectedFinding[] = [{ line: 9, rule: 'no-clock-timestamp-expiry' }];
/** The fetch(url) without a timeout; asserted only when the rule is implemented (see fetchRuleStatus). */
export const EDGE_FETCH_FINDING: ExpectedFinding = { line: 11, rule: 'require-network-timeout' };

/**
 * A Stripe webhook that records a payment with supabase-js (written into the workspace by its test):
 * the insert is read as the INSERT it sends, and the fix is supabase-js's own upsert.
 */
export const SUPABASE_WEBHOOK_TS = 'supabase/functions/stripe-webhook/index.ts';
export const SUPABASE_WEBHOOK_TEXT = [
  '// Stripe webhook: records the payment intent the event is about.',
  "import { createClient } from 'npm:@supabase/supabase-js@2';",
  "import type Stripe from 'npm:stripe@17';",
  '',
  "const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!);",
  '',
  'export async function handleWebhook(event: Stripe.Event) {',
  '  const intent = event.data.object as Stripe.PaymentIntent;',
  "  await supabase.from('payments').insert({ stripe_payment_intent_id: intent.id, amount_cents: intent.amount });",
  '}',
  '',
].join('\n');
export const SUPABASE_WEBHOOK_FINDING: ExpectedFinding = { line: 9, rule: 'require-on-conflict' };
export const SUPABASE_UPSERT_FIX_TITLE =
  "Do nothing on a duplicate stripe_payment_intent_id: .upsert(…, { onConflict: 'stripe_payment_intent_id', ignoreDuplicates: true })";
export const SUPABASE_UPSERT_LINE =
  "  await supabase.from('payments').upsert({ stripe_payment_intent_id: intent.id, amount_cents: intent.amount }, { onConflict: 'stripe_payment_intent_id', ignoreDuplicates: true });";

/** The quick fix of the clock_timestamp() finding, and the line it produces. */
export const CLOCK_FIX_TITLE = 'Replace clock_timestamp() with now()';
export const CLOCK_FIXED_LINE = "set expires_at = now() + interval '1 hour'";

/** What fix-all (on save) must write into the trap migration, besides the clock fix. */
export const FIX_ALL_FRAGMENTS = [
  "set expires_at = now() + interval '1 hour'",
  "last_token = currval('public.fencing_tokens_seq') where id = 42 and last_token <= currval('public.fencing_tokens_seq')",
  'on conflict (stripe_payment_intent_id) do nothing',
];

/** Portuguese phrases of the clock rule's texts (message and hover). */
export const PT_BR_PHRASES = ['relógio de parede', 'Por quê'];
export const EN_PHRASES = ['reads the wall clock', 'Why'];

/** Copies the fixture workspace into a new temporary folder and returns its path. */
export function makeWorkspace(prefix = 'armadilha-e2e-ws-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  copyFixture(path.join(FIXTURES, 'workspace'), dir);
  return dir;
}

function copyFixture(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyFixture(source, path.join(to, entry.name));
    else fs.copyFileSync(source, path.join(to, entry.name.replace(/\.fixture$/, '')));
  }
}

/** The original text of a workspace file (from the fixture). */
export function fixtureText(relative: string): string {
  const file = path.join(FIXTURES, 'workspace', relative);
  return fs.readFileSync(fs.existsSync(file) ? file : `${file}.fixture`, 'utf8');
}

/** Text that `armadilha check --fix` writes for a workspace file: what fix-all on save must produce. */
export function cliFixedText(relative: string): string {
  const workspace = makeWorkspace('armadilha-e2e-fix-');
  try {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', '--fix', '--fail-on', 'none', workspace], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`armadilha check --fix failed: ${result.stderr || result.stdout}`);
    return fs.readFileSync(path.join(workspace, relative), 'utf8');
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * Whether require-network-timeout exists with a real summary in the built CLI (`armadilha rules`).
 * Another engineer writes it; until it is there, the fetch assertion is skipped with `reason`.
 */
export function fetchRuleStatus(): { active: boolean; reason: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'rules', '--format', 'json'], { encoding: 'utf8' });
  if (result.status !== 0) return { active: false, reason: `armadilha rules failed: ${result.stderr}` };
  const rules = (JSON.parse(result.stdout) as { rules: Array<{ id: string; summary?: string }> }).rules;
  const rule = rules.find((each) => each.id === EDGE_FETCH_FINDING.rule);
  if (!rule) return { active: false, reason: `${EDGE_FETCH_FINDING.rule} is not in \`armadilha rules\` yet` };
  if (!rule.summary || /^\s*$|\b(TODO|TBD|FIXME)\b/i.test(rule.summary))
    return { active: false, reason: `${EDGE_FETCH_FINDING.rule} has a placeholder summary ("${rule.summary ?? ''}")` };
  return { active: true, reason: '' };
}

export interface SnippetCase {
  /** The snippet's name (its key in the snippets file). */
  name: string;
  prefix: string;
  /** A line of the expansion, placeholders replaced by their defaults. */
  expectedLine: string;
}

/**
 * The SQL snippet to expand: the shortest `arm-` snippet that the extension's manifest contributes
 * for sql. Undefined (with the reason) while there is none.
 */
export function sqlSnippetCase(extensionDir = ROOT): { snippet?: SnippetCase; reason: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as {
    contributes?: { snippets?: Array<{ language: string; path: string }> };
  };
  const entry = manifest.contributes?.snippets?.find((each) => each.language === 'sql');
  if (!entry) return { reason: 'the extension contributes no SQL snippets yet (package.json contributes.snippets)' };
  // The path may be a %key% of package.nls.json (one snippet file per display language); English here.
  const placeholder = /^%(.+)%$/.exec(entry.path);
  const nlsFile = path.join(extensionDir, 'package.nls.json');
  const nls = placeholder && fs.existsSync(nlsFile) ? (JSON.parse(fs.readFileSync(nlsFile, 'utf8')) as Record<string, string>) : {};
  const relative = placeholder ? nls[placeholder[1]] : entry.path;
  if (!relative) return { reason: `${entry.path} is not in package.nls.json` };
  const file = path.join(extensionDir, relative);
  if (!fs.existsSync(file)) return { reason: `${relative} does not exist yet` };
  const snippets = Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { prefix: string | string[]; body: string | string[] }>);
  const candidates = snippets
    .map(([name, snippet]) => ({
      name,
      prefix: ([] as string[]).concat(snippet.prefix).find((prefix) => prefix.startsWith('arm-')),
      body: ([] as string[]).concat(snippet.body),
    }))
    .filter((snippet): snippet is { name: string; prefix: string; body: string[] } => Boolean(snippet.prefix))
    .sort((a, b) => a.body.length - b.body.length);
  if (!candidates.length) return { reason: `${relative} has no snippet with an arm- prefix yet` };
  const { name, prefix, body } = candidates[0];
  const lines = expandSnippet(body.join('\n'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 3);
  // A line with words (not only punctuation), as the editor renders it.
  const expectedLine = lines.find((line) => /[a-z]{3}/i.test(line) && !line.startsWith('--')) ?? lines[0];
  return { snippet: { name, prefix, expectedLine }, reason: '' };
}

/** Resolves a snippet body the way VS Code inserts it when no placeholder is edited. */
export function expandSnippet(body: string): string {
  const defaults = new Map<string, string>();
  let text = body;
  // Innermost placeholders first: ${1:default}, then ${1|a,b|} choices, ${1} and $1.
  for (let guard = 0; guard < 20 && /\$\{\d+:[^${}]*\}/.test(text); guard++) {
    text = text.replace(/\$\{(\d+):([^${}]*)\}/g, (_whole, index: string, value: string) => {
      if (!defaults.has(index)) defaults.set(index, value);
      return value;
    });
  }
  text = text.replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_whole, index: string, choices: string) => {
    const first = choices.split(',')[0];
    if (!defaults.has(index)) defaults.set(index, first);
    return first;
  });
  text = text.replace(/\$\{(\d+)\}|\$(\d+)/g, (_whole, braced: string | undefined, plain: string | undefined) => defaults.get(braced ?? plain ?? '') ?? '');
  return text.replace(/\\([$}\\])/g, '$1');
}
