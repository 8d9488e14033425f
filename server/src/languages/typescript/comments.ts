// Comments of a TypeScript or JavaScript document, as the compiler sees them. A regular expression
// cannot tell a comment from `//` inside a regular-expression literal, a template, a string or JSX
// text; the parser knows which it is, and the compiler's scanner reads the trivia between its tokens.

import type * as TS from 'typescript';
import { ts } from './project';

export interface CommentRange {
  start: number;
  end: number;
}

/**
 * The comments of a parsed document whose text includes `needle` (every comment when it is empty), in
 * document order. Only the subtrees that contain the needle are walked token by token.
 */
export function typescriptComments(tree: TS.SourceFile, needle = ''): CommentRange[] {
  const text = tree.text;
  const needles: number[] = [];
  if (needle) for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) needles.push(at);
  if (needle && !needles.length) return [];
  const containsNeedle = (node: TS.Node): boolean => !needle || needles.some((at) => at >= node.pos && at < node.end);
  const comments = new Map<number, CommentRange>();
  const visit = (node: TS.Node): void => {
    if (!containsNeedle(node)) return;
    const children = node.getChildren(tree);
    if (children.length) {
      for (const child of children) visit(child);
      return;
    }
    // A token: comments are in the trivia before it. JSX text has no trivia (its `//` is text).
    if (node.kind === ts.SyntaxKind.JsxText) return;
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      const body = text.slice(range.pos, range.end);
      if (!needle || body.includes(needle)) comments.set(range.pos, { start: range.pos, end: range.end });
    }
  };
  visit(tree);
  return [...comments.values()].sort((left, right) => left.start - right.start);
}

/** The offset of the document's first token (its end when it has none): where its leading comments end. */
export function firstTokenStart(tree: TS.SourceFile): number {
  return tree.statements.length ? tree.statements[0].getStart(tree) : tree.text.length;
}
