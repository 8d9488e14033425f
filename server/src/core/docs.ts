// Rule documentation, generated from the rule objects so that it can never drift from them: the pages
// under docs/rules (scripts/generate-docs.ts), `armadilha explain <id>`, the documentation the editor
// shows, and the README rules table all come from here.

import { coreText, type Locale } from './locale';
import type { Rule, RuleExample } from './rule';

export const REPOSITORY_URL = 'https://github.com/armadilha-dev/armadilha';

export function docsPath(ruleId: string, locale: Locale): string {
  return locale === 'pt-BR' ? `docs/rules/pt-BR/${ruleId}.md` : `docs/rules/${ruleId}.md`;
}

export function docsUrl(ruleId: string, locale: Locale): string {
  return `${REPOSITORY_URL}/blob/main/${docsPath(ruleId, locale)}`;
}

const SEVERITY_KEY = { error: 'severity_error', warning: 'severity_warning', info: 'severity_info', hint: 'severity_hint' } as const;

/** The Markdown page of a rule. `examples` are the rule's own, with their fixed forms. */
export function ruleDocument(rule: Rule, locale: Locale): string {
  const text = rule.text[locale];
  const t = (key: Parameters<typeof coreText>[1]) => coreText(locale, key);
  const lines: string[] = [`# ${rule.id}`, '', `> ${text.summary}`, ''];
  lines.push(`- **${t('docsSeverity')}:** ${t(SEVERITY_KEY[rule.severity])}`);
  lines.push(`- **${t('docsLanguages')}:** ${rule.languages.map((language) => (language === 'sql' ? 'SQL' : 'TypeScript/JavaScript')).join(', ')}`);
  lines.push(`- **${t('docsFix')}:** ${rule.fix === 'safe' ? t('docsFixSafe') : rule.fix === 'unsafe' ? t('docsFixUnsafe') : t('docsFixNone')}`);
  lines.push(`- **${t('docsSkill')}:** \`${rule.skill.name}\` — ${rule.skill.section}`);
  if (rule.sources?.length) lines.push(`- ${rule.sources.join('; ')}`);
  lines.push('', `## ${locale === 'pt-BR' ? 'Por que isso falha num sistema distribuído' : 'Why it fails in a distributed system'}`, '', text.rationale, '');
  lines.push(`## ${t('hoverRemedy')}`, '', text.remedy, '');
  const invalid = rule.examples.invalid;
  if (invalid.length) {
    lines.push(`## ${t('docsWrong')}`, '');
    for (const example of invalid) {
      lines.push(...codeBlock(example));
      if (example.fixed) lines.push(`${t('docsFixed')}:`, '', ...codeBlock({ ...example, code: example.fixed }));
    }
  }
  const valid = rule.examples.valid.map((example) => (typeof example === 'string' ? { code: example } : example));
  if (valid.length) {
    lines.push(`## ${t('docsRight')}`, '');
    for (const example of valid) lines.push(...codeBlock(example));
  }
  if (rule.settings?.length) {
    lines.push(`## ${t('docsSettings')}`, '');
    for (const setting of rule.settings) {
      const key = Array.isArray(setting.default)
        ? `armadilha.names.${setting.key}`
        : typeof setting.default === 'string'
          ? `armadilha.levels.${setting.key}`
          : `armadilha.${setting.key}`;
      lines.push(`- \`${key}\` (${JSON.stringify(setting.default)}): ${setting.description[locale]}`);
    }
    lines.push('');
  }
  if (!rule.builtIn) {
    const marker = rule.languages.includes('sql') ? '--' : '//';
    lines.push(`## ${t('docsSuppress')}`, '', '```', `${marker} armadilha-ignore ${rule.id} -- <${t('ignoreReasonPlaceholder')}>`, '```', '');
  }
  return lines.join('\n');
}

function codeBlock(example: RuleExample): string[] {
  const fence = example.language === 'ts' ? 'ts' : 'sql';
  return ['```' + fence, example.code, '```', ''];
}
