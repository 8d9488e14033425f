// The edits behind "disable for this statement" and "disable for this file": a new ignore comment,
// or the rule id appended to the ignore comment that is already there.

import type * as TS from 'typescript';
import { lex } from '../languages/sql/lexer';
import { firstTokenStart, typescriptComments } from '../languages/typescript/comments';
import { parseTypeScript } from '../languages/typescript/project';
import type { DocumentLanguage } from './lint';
import type { Edit } from './rule';
import { findDirectives, type CommentRange } from './suppressions';
import { LineIndex } from './text/positions';

/** `fileName` (or URI) tells a TypeScript document with JSX from one without. */
export function lineSuppressionEdit(text: string, language: DocumentLanguage, ruleId: string, anchorLine: number, reason: string, fileName?: string): Edit {
  const lines = new LineIndex(text);
  const marker = language === 'sql' ? '--' : '//';
  if (anchorLine > 0) {
    const previousStart = lines.lineStart(anchorLine - 1);
    const previousEnd = lines.lineEndWithoutBreak(anchorLine - 1);
    const comment = directiveComments(text, language, fileName).comments.filter((range) => range.end >= previousStart && range.start <= previousEnd);
    const existing = findDirectives(text, comment, lines, 0).find((directive) => directive.scope === 'line' && directive.line === anchorLine - 1);
    if (existing)
      return appendId(
        existing.ids.map((id) => id.id),
        existing.appendAt,
        ruleId,
      );
  }
  const lineStart = lines.lineStart(anchorLine);
  const indent = /^[ \t]*/.exec(lines.lineText(anchorLine))?.[0] ?? '';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  return { start: lineStart, end: lineStart, text: `${indent}${marker} armadilha-ignore ${ruleId} -- ${reason}${newline}` };
}

export function fileSuppressionEdit(text: string, language: DocumentLanguage, ruleId: string, reason: string, fileName?: string): Edit {
  const lines = new LineIndex(text);
  const { comments } = directiveComments(text, language, fileName);
  const existing = findDirectives(text, comments, lines, Number.MAX_SAFE_INTEGER).find((directive) => directive.scope === 'file');
  if (existing)
    return appendId(
      existing.ids.map((id) => id.id),
      existing.appendAt,
      ruleId,
    );
  const marker = language === 'sql' ? '--' : '//';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  // After a shebang line, which must stay first.
  const start = text.startsWith('#!') ? lines.lineStart(1) : 0;
  return { start, end: start, text: `${marker} armadilha-ignore-file ${ruleId} -- ${reason}${newline}` };
}

function appendId(ids: string[], at: number, ruleId: string): Edit {
  return ids.includes(ruleId) ? { start: at, end: at, text: '' } : { start: at, end: at, text: `, ${ruleId}` };
}

export interface DirectiveComments {
  /** The comments that may hold directives (in TypeScript, only those that mention armadilha-ignore). */
  comments: CommentRange[];
  /** The offset of the first token that is not a comment: file directives count only before it. */
  leadingEnd: number;
}

/**
 * Where a document's suppression comments can be. `source`: the document's syntax tree when it is
 * already parsed, or its file name (or URI), which says whether TypeScript has JSX.
 */
export function directiveComments(text: string, language: DocumentLanguage, source?: TS.SourceFile | string): DirectiveComments {
  if (language !== 'sql') {
    const tree = typeof source === 'object' ? source : parseTypeScript(text, source ?? (language === 'javascript' ? 'document.js' : 'document.ts'));
    return { comments: typescriptComments(tree, 'armadilha-ignore'), leadingEnd: firstTokenStart(tree) };
  }
  const comments: CommentRange[] = [];
  const inBodies: CommentRange[] = [];
  lex(
    text,
    (token) => {
      if (token.kind === 'comment') comments.push({ start: token.start, end: token.end });
      else if (token.quoting === 'dollar') bodyComments(text, token.contentStart!, token.contentEnd!, inBodies);
    },
    { psql: true },
  );
  let leadingEnd = 0;
  for (const comment of comments) {
    if (text.slice(leadingEnd, comment.start).trim()) break;
    leadingEnd = comment.end;
  }
  const firstCode = text.slice(leadingEnd).search(/\S/);
  return {
    comments: inBodies.length ? [...comments, ...inBodies].sort((a, b) => a.start - b.start) : comments,
    leadingEnd: firstCode < 0 ? text.length : leadingEnd + firstCode,
  };
}

/**
 * The comments inside a dollar-quoted body (a function or DO block, and the bodies nested in it): a
 * finding on a statement of a routine is suppressed by a comment on the line before that statement,
 * inside the body, where the disable action writes it.
 */
function bodyComments(text: string, start: number, end: number, into: CommentRange[]): void {
  if (!text.slice(start, end).includes('armadilha-ignore')) return;
  lex(
    text,
    (token) => {
      if (token.kind === 'comment') into.push({ start: token.start, end: token.end });
      else if (token.quoting === 'dollar') bodyComments(text, token.contentStart!, token.contentEnd!, into);
    },
    {},
    start,
    end,
  );
}
