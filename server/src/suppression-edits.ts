// The edits behind "disable for this statement" and "disable for this file": a new ignore comment,
// or the rule id appended to the ignore comment that is already there.

import { lex } from './languages/sql/lexer';
import type { DocumentLanguage } from './lint';
import type { Edit } from './rule';
import { findDirectives, type CommentRange } from './suppressions';
import { LineIndex } from './text/positions';

export function lineSuppressionEdit(text: string, language: DocumentLanguage, ruleId: string, anchorLine: number, reason: string): Edit {
  const lines = new LineIndex(text);
  const marker = language === 'sql' ? '--' : '//';
  if (anchorLine > 0) {
    const previousStart = lines.lineStart(anchorLine - 1);
    const previousEnd = lines.lineEndWithoutBreak(anchorLine - 1);
    const comment = commentRanges(text, language).filter((range) => range.end >= previousStart && range.start <= previousEnd);
    const existing = findDirectives(text, comment, lines, 0).find((directive) => directive.scope === 'line' && directive.line === anchorLine - 1);
    if (existing) return appendId(existing.ids.map((id) => id.id), existing.appendAt, ruleId);
  }
  const lineStart = lines.lineStart(anchorLine);
  const indent = /^[ \t]*/.exec(lines.lineText(anchorLine))?.[0] ?? '';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { start: lineStart, end: lineStart, text: `${indent}${marker} armadilha-ignore ${ruleId} -- ${reason}${newline}` };
}

export function fileSuppressionEdit(text: string, language: DocumentLanguage, ruleId: string, reason: string): Edit {
  const lines = new LineIndex(text);
  const comments = commentRanges(text, language);
  const existing = findDirectives(text, comments, lines, Number.MAX_SAFE_INTEGER).find((directive) => directive.scope === 'file');
  if (existing) return appendId(existing.ids.map((id) => id.id), existing.appendAt, ruleId);
  const marker = language === 'sql' ? '--' : '//';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  // After a shebang line, which must stay first.
  const start = text.startsWith('#!') ? lines.lineStart(1) : 0;
  return { start, end: start, text: `${marker} armadilha-ignore-file ${ruleId} -- ${reason}${newline}` };
}

function appendId(ids: string[], at: number, ruleId: string): Edit {
  return ids.includes(ruleId) ? { start: at, end: at, text: '' } : { start: at, end: at, text: `, ${ruleId}` };
}

export function commentRanges(text: string, language: DocumentLanguage): CommentRange[] {
  const comments: CommentRange[] = [];
  if (language === 'sql') {
    lex(text, (token) => {
      if (token.kind === 'comment') comments.push({ start: token.start, end: token.end });
    }, { psql: true });
    return comments;
  }
  const pattern = /\/\/[^\n\r]*|\/\*[\s\S]*?\*\/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0].startsWith('//') || match[0].startsWith('/*')) comments.push({ start: match.index, end: match.index + match[0].length });
  }
  return comments;
}
