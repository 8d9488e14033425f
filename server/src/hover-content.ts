// What a hover shows, as Markdown: the documentation of the findings under the cursor, or the short
// documentation of the SQL keyword, phrase or function under it (also inside dollar-quoted bodies and
// strings).

import { keywordHover, type KeywordHover } from './hovers';
import { lex, type Token } from './languages/sql/lexer';
import type { Finding } from './lint';
import { coreText, type Locale } from './locale';
import { ruleById } from './rules';
import { MappedText } from './text/mapped-text';

/**
 * The documentation of the findings at an offset. Their messages are not repeated: editors show the
 * diagnostic's message above the hover already.
 */
export function findingHover(findings: readonly Finding[], offset: number, locale: Locale): string | undefined {
  const here = findings.filter((finding) => finding.start <= offset && offset <= finding.end);
  if (!here.length) return undefined;
  return here.map((finding) => ruleMarkdown(finding.ruleId, locale, undefined, finding.docsUrl)).join('\n\n---\n\n');
}

export function ruleMarkdown(ruleId: string, locale: Locale, message: string | undefined, docsUrl: string): string {
  const rule = ruleById(ruleId);
  if (!rule) return message ?? ruleId;
  const text = rule.text[locale];
  const parts = [`**Armadilha · ${rule.id}** — ${text.summary}`];
  if (message) parts.push(message);
  parts.push(`**${coreText(locale, 'hoverWhy')}:** ${text.rationale}`);
  parts.push(`**${coreText(locale, 'hoverRemedy')}:** ${text.remedy}`);
  parts.push(`${coreText(locale, 'hoverSkill')}: \`${rule.skill.name}\` — ${rule.skill.section} · [${coreText(locale, 'hoverDocs')}](${docsUrl})`);
  return parts.join('\n\n');
}

/** Keyword documentation for the SQL word at `offset` of a SQL text, or undefined. */
export function sqlKeywordHover(text: string, offset: number, locale: Locale): string | undefined {
  const entry = hoverAt(MappedText.document(text), offset, 0, true);
  if (!entry) return undefined;
  return `**${entry.title}**\n\n${entry.text[locale]}\n\n${coreText(locale, 'hoverSkill')}: \`${entry.skill}\``;
}

// Finds the entry for the word at a document offset, descending into string literals (function
// bodies, cron commands, EXECUTE strings, setting values) up to three levels deep. The words around it
// decide which phrase, if any, it belongs to.
function hoverAt(text: MappedText, documentOffset: number, depth: number, psql: boolean): KeywordHover | undefined {
  const offset = text.fromDocument(documentOffset);
  if (offset === undefined) return undefined;
  const tokens: Token[] = [];
  lex(text.text, (token) => {
    if (token.kind !== 'comment') tokens.push(token);
  }, { psql });
  const index = tokens.findIndex((token) => token.start <= offset && offset <= token.end && (token.kind === 'word' || token.kind === 'string'));
  if (index < 0) return undefined;
  const token = tokens[index];
  if (token.kind === 'string') {
    if (depth >= 3 || token.unterminated) return undefined;
    const inner = MappedText.unquoted(text, token.contentStart!, token.contentEnd!, token.quoting ?? 'standard');
    return hoverAt(inner, documentOffset, depth + 1, false);
  }
  const texts = tokens.map((each) => (each.kind === 'string' ? '' : text.text.slice(each.start, each.end).toLowerCase()));
  return keywordHover(texts, index);
}

/** Keyword documentation at a document offset inside SQL embedded in another language (a TypeScript template), mapped by `sql`. */
export function embeddedSqlKeywordHover(sql: MappedText, offset: number, locale: Locale): string | undefined {
  const entry = hoverAt(sql, offset, 0, false);
  return entry && `**${entry.title}**\n\n${entry.text[locale]}\n\n${coreText(locale, 'hoverSkill')}: \`${entry.skill}\``;
}
