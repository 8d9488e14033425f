// Where a rule's documentation lives. The pages are generated from the rule objects
// (scripts/generate-docs.ts), so the URL pattern below is the only thing to keep stable.

import type { Locale } from './locale';

export const REPOSITORY_URL = 'https://github.com/armadilha-dev/armadilha';

export function docsPath(ruleId: string, locale: Locale): string {
  return locale === 'pt-BR' ? `docs/rules/pt-BR/${ruleId}.md` : `docs/rules/${ruleId}.md`;
}

export function docsUrl(ruleId: string, locale: Locale): string {
  return `${REPOSITORY_URL}/blob/main/${docsPath(ruleId, locale)}`;
}
