// `armadilha-ignore <id>[, <id>] -- <reason>` on the line before a statement, and
// `armadilha-ignore-file <id>…` among a file's leading comments, in `--`, `//` or `/* */` comments.

import { LineIndex } from './text/positions';

export interface Directive {
  scope: 'line' | 'file';
  /** Rule ids with their document ranges. */
  ids: Array<{ id: string; start: number; end: number }>;
  /** The comment's range. */
  start: number;
  end: number;
  /** 0-based line of the comment (for line directives: the statement starts on the next line). */
  line: number;
  /** Offset just after the last id: where another id is appended. */
  appendAt: number;
}

export interface CommentRange {
  start: number;
  end: number;
}

const DIRECTIVE = /armadilha-ignore(-file)?[ \t]+([A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*)/g;

/**
 * Whether a directive turns a rule off for a finding on the given (0-based) lines: a file directive, or
 * a line directive on the line before one of them. `using` is told each directive that applies.
 */
export function suppresses(
  directives: readonly Directive[],
  ruleId: string,
  findingLines: ReadonlySet<number>,
  using?: (directive: Directive) => void,
): boolean {
  let suppressed = false;
  for (const directive of directives) {
    if (directive.scope !== 'file' && !findingLines.has(directive.line + 1)) continue;
    if (!directive.ids.some((id) => id.id === ruleId)) continue;
    suppressed = true;
    using?.(directive);
  }
  return suppressed;
}

/**
 * Directives found in the given comments. `leadingEnd` is the offset of the first token that is not a
 * comment: file directives count only before it.
 */
export function findDirectives(text: string, comments: readonly CommentRange[], lines: LineIndex, leadingEnd: number): Directive[] {
  const directives: Directive[] = [];
  for (const comment of comments) {
    const body = text.slice(comment.start, comment.end);
    if (!body.includes('armadilha-ignore')) continue;
    DIRECTIVE.lastIndex = 0;
    for (let match = DIRECTIVE.exec(body); match; match = DIRECTIVE.exec(body)) {
      const scope = match[1] ? 'file' : 'line';
      if (scope === 'file' && comment.start >= leadingEnd) continue;
      const listStart = comment.start + match.index + match[0].length - match[2].length;
      const ids: Directive['ids'] = [];
      const idPattern = /[A-Za-z0-9_-]+/g;
      for (let id = idPattern.exec(match[2]); id; id = idPattern.exec(match[2])) {
        ids.push({ id: id[0], start: listStart + id.index, end: listStart + id.index + id[0].length });
      }
      const start = comment.start + match.index;
      directives.push({
        scope,
        ids,
        start,
        end: start + match[0].length,
        line: lines.positionAt(Math.max(comment.start, comment.end - 1)).line,
        appendAt: ids[ids.length - 1].end,
      });
    }
  }
  return directives;
}
