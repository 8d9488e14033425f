// Splits a PL/pgSQL body into the SQL pieces PostgreSQL would hand to its SQL parser, with exact
// offsets. libpg-query also ships PL/pgSQL's own parser, but it reports statements by line number
// only, and it rejects valid bodies because it has no catalog (a multi-target SELECT … INTO with an
// enum-typed variable, %TYPE in signatures). This splitter never rejects a body: a piece it cannot
// classify is left out of the analysis, never reported as a syntax error.

import { Token, tokenize } from './lexer';
import type { Block, BodyStatementInfo, BodyStatementKind } from './plpgsql-model';

export interface BodyPiece {
  info: BodyStatementInfo;
  /** Range of the SQL text in the body. */
  start: number;
  end: number;
  /** Synthetic text placed before the piece so that it parses ("select " before an expression). */
  prefix: string;
  /** Ranges inside [start, end) replaced by spaces before parsing (the INTO clause). */
  blanks: Array<[number, number]>;
  /** For EXECUTE '<literal>': the literal token. */
  literal?: Token;
}

export interface SplitBody {
  pieces: BodyPiece[];
  /** Lower-cased declared variable names with their lower-cased type text. */
  variables: Map<string, string>;
}

interface Frame {
  type: 'block' | 'if' | 'loop' | 'case';
  block?: Block;
  inHandlers?: boolean;
  /** Where a statement directly inside this frame stands; computed when the frame opens. */
  context: PieceContext;
}

type PieceContext = Pick<BodyStatementInfo, 'block' | 'handlerOf' | 'loopDepth'>;

const LOOP_STARTERS = new Set(['loop', 'while', 'for', 'foreach']);
const OUTSIDE_EVERY_FRAME: PieceContext = { block: undefined, handlerOf: undefined, loopDepth: 0 };

/**
 * Blocks, IFs, loops and CASEs nested deeper than this are not analysed: no real routine comes near,
 * and a generated body thousands of levels deep must not hold the editor. Thrown as a RangeError, like
 * the parsers' stack overflows, so the file gets one skipped-file finding.
 */
export const MAX_BODY_NESTING = 1000;

export class BodyNestingError extends RangeError {
  constructor() {
    super(`PL/pgSQL blocks nested more than ${MAX_BODY_NESTING} levels deep`);
  }
}

export function splitPlpgsqlBody(text: string): SplitBody {
  const tokens = tokenize(text).filter((token) => token.kind !== 'comment');
  const pieces: BodyPiece[] = [];
  const variables = new Map<string, string>();
  const frames: Frame[] = [];
  let inDeclare = false;
  let index = 0;

  const word = (at: number): string | undefined => {
    const token = tokens[at];
    return token && token.kind === 'word' ? text.slice(token.start, token.end).toLowerCase() : undefined;
  };
  const isPunct = (at: number, char: string) => tokens[at]?.kind === 'punct' && text[tokens[at].start] === char && tokens[at].end - tokens[at].start === 1;
  const isOp = (at: number, op: string) => tokens[at]?.kind === 'op' && text.slice(tokens[at].start, tokens[at].end) === op;

  // The block whose protected part we are in, whether we are inside one of its handlers, and how
  // many loops enclose us: kept on each frame, so that it costs the same at any depth.
  const context = (): PieceContext => (frames.length ? frames[frames.length - 1].context : OUTSIDE_EVERY_FRAME);
  const contextInside = (frame: Omit<Frame, 'context'>, outer: PieceContext): PieceContext => {
    if (frame.type === 'loop') return { ...outer, loopDepth: outer.loopDepth + 1 };
    if (frame.type !== 'block' || !frame.block) return outer;
    return frame.inHandlers
      ? { block: frame.block.parent, handlerOf: frame.block, loopDepth: outer.loopDepth }
      : { block: frame.block, handlerOf: undefined, loopDepth: outer.loopDepth };
  };
  const open = (frame: Omit<Frame, 'context'>) => {
    if (frames.length >= MAX_BODY_NESTING) throw new BodyNestingError();
    frames.push({ ...frame, context: contextInside(frame, context()) });
  };

  const emit = (
    kind: BodyStatementKind,
    start: number,
    end: number,
    targets: string[] = [],
    prefix = '',
    blanks: Array<[number, number]> = [],
    literal?: Token,
  ) => {
    if (end <= start && !literal) return;
    pieces.push({ info: { kind, targets, ...context() }, start, end, prefix, blanks, literal });
  };

  // Index of the first token at depth 0 (from `from`) that satisfies `stop`, or tokens.length.
  const scanTo = (from: number, stop: (at: number) => boolean): number => {
    let depth = 0;
    for (let at = from; at < tokens.length; at++) {
      if (isPunct(at, '(') || isPunct(at, '[')) depth++;
      else if (isPunct(at, ')') || isPunct(at, ']')) depth--;
      else if (depth <= 0 && stop(at)) return at;
    }
    return tokens.length;
  };
  const statementEnd = (from: number) => scanTo(from, (at) => isPunct(at, ';'));
  const span = (from: number, to: number): [number, number] => (from < to ? [tokens[from].start, tokens[to - 1].end] : [0, 0]);

  while (index < tokens.length) {
    const current = word(index);
    // <<label>>
    if (isOp(index, '<<')) {
      index = scanTo(index, (at) => isOp(at, '>>')) + 1;
      continue;
    }
    if (current === 'declare') {
      inDeclare = true;
      index++;
      continue;
    }
    if (current === 'begin') {
      inDeclare = false;
      const protector = context().block;
      open({ type: 'block', block: { handlers: [], parent: protector } });
      index++;
      continue;
    }
    if (inDeclare) {
      index = declaration(index);
      continue;
    }
    if (current === 'exception' && frames.length && frames[frames.length - 1].type === 'block') {
      const top = frames[frames.length - 1];
      top.inHandlers = true;
      top.context = contextInside(top, frames.length > 1 ? frames[frames.length - 2].context : OUTSIDE_EVERY_FRAME);
      index++;
      continue;
    }
    if (current === 'end') {
      frames.pop();
      index++;
      // END IF / END LOOP / END CASE, an optional label, then an optional semicolon.
      if (['if', 'loop', 'case'].includes(word(index) ?? '')) index++;
      if ((tokens[index]?.kind === 'word' || tokens[index]?.kind === 'ident') && isPunct(index + 1, ';')) index++;
      if (isPunct(index, ';')) index++;
      continue;
    }
    if (current === 'when') {
      const top = frames[frames.length - 1];
      const then = scanTo(index + 1, (at) => word(at) === 'then');
      if (top?.type === 'block' && top.inHandlers && top.block) {
        for (let at = index + 1; at < then; at++) {
          const condition = word(at);
          if (condition && condition !== 'or' && condition !== 'sqlstate') top.block.handlers.push(condition);
          if (tokens[at].kind === 'string' && word(at - 1) === 'sqlstate')
            top.block.handlers.push(`sqlstate:${text.slice(tokens[at].contentStart, tokens[at].contentEnd)}`);
        }
      } else {
        emit('condition', ...span(index + 1, then), [], 'select ');
      }
      index = then + 1;
      continue;
    }
    if (current === 'if' || current === 'elsif' || current === 'elseif') {
      const then = scanTo(index + 1, (at) => word(at) === 'then');
      emit('condition', ...span(index + 1, then), [], 'select ');
      if (current === 'if') open({ type: 'if' });
      index = then + 1;
      continue;
    }
    if (current === 'else') {
      index++;
      continue;
    }
    if (current === 'case') {
      open({ type: 'case' });
      const firstWhen = scanTo(index + 1, (at) => word(at) === 'when');
      emit('condition', ...span(index + 1, firstWhen), [], 'select ');
      index = firstWhen;
      continue;
    }
    if (current && LOOP_STARTERS.has(current)) {
      index = loopHeader(index, current);
      continue;
    }
    index = simpleStatement(index);
  }
  return { pieces, variables };

  function declaration(at: number): number {
    const end = statementEnd(at);
    const name = word(at) ?? (tokens[at]?.kind === 'ident' ? text.slice(tokens[at].start + 1, tokens[at].end - 1).toLowerCase() : undefined);
    if (word(at + 1) === 'cursor' || (word(at + 1) === 'no' && word(at + 3) === 'cursor') || word(at + 1) === 'scroll') {
      const forOrIs = scanTo(at, (position) => word(position) === 'for' || word(position) === 'is');
      emit('cursor', ...span(forOrIs + 1, end));
      return end + 1;
    }
    const assign = scanTo(at + 1, (position) => position < end && (isOp(position, ':=') || isOp(position, '=') || word(position) === 'default'));
    const typeEnd = Math.min(assign, end);
    if (name && name !== 'begin')
      variables.set(
        name,
        text
          .slice(tokens[at + 1]?.start ?? 0, tokens[typeEnd - 1]?.end ?? 0)
          .toLowerCase()
          .trim(),
      );
    if (assign < end && name) emit('declare', ...span(assign + 1, end), [name], 'select ');
    return end + 1;
  }

  function loopHeader(at: number, keyword: string): number {
    const loop = keyword === 'loop' ? at : scanTo(at + 1, (position) => word(position) === 'loop');
    if (keyword === 'while') emit('condition', ...span(at + 1, loop), [], 'select ');
    if (keyword === 'for') {
      const inIndex = scanTo(at + 1, (position) => word(position) === 'in');
      let queryStart = inIndex + 1;
      if (word(queryStart) === 'reverse') queryStart++;
      const isRange = scanTo(queryStart, (position) => position < loop && isOp(position, '..')) < loop;
      const first = word(queryStart);
      if (!isRange && (first === 'select' || first === 'with' || first === 'values' || first === 'table')) {
        const targets = [];
        for (let position = at + 1; position < inIndex; position++) if (word(position)) targets.push(word(position)!);
        emit('loop-query', ...span(queryStart, loop), targets);
      } else if (!isRange && first === 'execute') dynamicCommand(queryStart + 1, loop);
    }
    open({ type: 'loop' });
    return loop + 1;
  }

  function simpleStatement(at: number): number {
    const end = statementEnd(at);
    const first = word(at);
    switch (first) {
      case 'return':
        if (word(at + 1) === 'query') {
          if (word(at + 2) !== 'execute') emit('return-query', ...span(at + 2, end));
          else dynamicCommand(at + 3, end);
        } else if (word(at + 1) !== 'next') emit('return', ...span(at + 1, end), [], 'select ');
        return end + 1;
      case 'perform':
        // Parsed as "select" followed by the expression, with the word PERFORM blanked.
        emit('perform', ...span(at, end), [], 'select', [[tokens[at].start, tokens[at].end]]);
        return end + 1;
      case 'execute':
        dynamicCommand(at + 1, end);
        return end + 1;
      case 'open': {
        const forIndex = scanTo(at + 1, (position) => position < end && word(position) === 'for');
        if (forIndex < end && word(forIndex + 1) !== 'execute') emit('cursor', ...span(forIndex + 1, end));
        else if (forIndex < end) dynamicCommand(forIndex + 2, end);
        return end + 1;
      }
      case 'exit':
      case 'continue': {
        const when = scanTo(at + 1, (position) => position < end && word(position) === 'when');
        if (when < end) emit('condition', ...span(when + 1, end), [], 'select ');
        return end + 1;
      }
      case 'raise':
      case 'get':
      case 'fetch':
      case 'move':
      case 'close':
      case 'null':
      case 'assert':
      case 'commit':
      case 'rollback':
        return end + 1;
      default:
        break;
    }
    if (end === at) return end + 1;
    // Assignment: target [.field | [subscript]] := expression
    const assignment = assignmentOperator(at, end);
    if (assignment >= 0) {
      const target = text
        .slice(tokens[at].start, tokens[assignment - 1].end)
        .replace(/["\s]/g, '')
        .toLowerCase();
      emit('assign', ...span(assignment + 1, end), [target], 'select ');
      return end + 1;
    }
    const { targets, blank } = intoClause(at, end);
    emit('sql', ...span(at, end), targets, '', blank ? [blank] : []);
    return end + 1;
  }

  // EXECUTE <command> [INTO [STRICT] targets] [USING …] (also RETURN QUERY EXECUTE, FOR … IN EXECUTE,
  // OPEN … FOR EXECUTE). A literal command is SQL to parse; any other command (format(…), a variable)
  // is handed over as "select <command>", for nested.ts to follow to the SQL it runs.
  function dynamicCommand(from: number, end: number): void {
    const clause = Math.min(
      end,
      scanTo(from, (position) => position < end && (word(position) === 'into' || word(position) === 'using')),
    );
    const into = scanTo(clause, (position) => position < end && word(position) === 'into');
    const targets: string[] = [];
    if (into < end)
      for (let position = into + 1; position < end && word(position) !== 'using'; position++)
        if (word(position) && word(position) !== 'strict') targets.push(word(position)!);
    const literal = tokens[from];
    if (literal?.kind === 'string' && clause === from + 1) emit('execute', literal.start, literal.end, targets, '', [], literal);
    else emit('execute', ...span(from, clause), targets, 'select ');
  }

  function assignmentOperator(at: number, end: number): number {
    if (!(tokens[at]?.kind === 'word' || tokens[at]?.kind === 'ident')) return -1;
    let position = at + 1;
    while (position < end) {
      if (isPunct(position, '.') && (tokens[position + 1]?.kind === 'word' || tokens[position + 1]?.kind === 'ident')) position += 2;
      else if (isPunct(position, '[')) position = scanTo(position + 1, (candidate) => isPunct(candidate, ']')) + 1;
      else break;
    }
    return position < end && (isOp(position, ':=') || isOp(position, '=')) ? position : -1;
  }

  // SELECT … INTO targets, and INSERT/UPDATE/DELETE … RETURNING … INTO targets.
  function intoClause(at: number, end: number): { targets: string[]; blank?: [number, number] } {
    let insertTargetPending = false;
    let depth = 0;
    for (let position = at; position < end; position++) {
      if (isPunct(position, '(')) depth++;
      else if (isPunct(position, ')')) depth--;
      if (depth !== 0) continue;
      const current = word(position);
      if (current === 'insert') insertTargetPending = true;
      if (current !== 'into') continue;
      if (insertTargetPending) {
        insertTargetPending = false;
        continue;
      }
      const targets: string[] = [];
      let last = position;
      let cursor = position + 1;
      if (word(cursor) === 'strict') cursor++;
      while (cursor < end && (tokens[cursor].kind === 'word' || tokens[cursor].kind === 'ident')) {
        let name = text.slice(tokens[cursor].start, tokens[cursor].end).replace(/"/g, '').toLowerCase();
        last = cursor;
        while (isPunct(last + 1, '.') && tokens[last + 2]) {
          last += 2;
          name = text.slice(tokens[last].start, tokens[last].end).replace(/"/g, '').toLowerCase();
        }
        targets.push(name);
        if (!isPunct(last + 1, ',')) break;
        cursor = last + 2;
      }
      return { targets, blank: [tokens[position].start, tokens[last].end] };
    }
    return { targets: [] };
  }
}
