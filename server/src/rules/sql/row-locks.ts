// Row-level locking clauses (FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE) of SELECTs, wherever
// they sit in a statement (the statement itself, a CTE, a subquery), and where their clauses are
// written in the source.

import { visitLocation, walk, type NodeFields } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';

export type LockStrength = 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR SHARE' | 'FOR KEY SHARE';

const STRENGTHS: Record<string, LockStrength> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

export interface LockingSelect {
  /** The SelectStmt fields. */
  select: NodeFields<'SelectStmt'>;
  /** Its LockingClause nodes (unwrapped). */
  clauses: Array<NodeFields<'LockingClause'>>;
}

/** SELECTs with a locking clause in a statement. A BEGIN ATOMIC function body counts as its own statements. */
export function lockingSelects(statement: SqlStatement): readonly LockingSelect[] {
  // Statements are reused across keystrokes (and asked by several rules): their tree is walked once.
  let found = lockingSelectsByStatement.get(statement);
  if (!found) {
    found = findLockingSelects(statement);
    lockingSelectsByStatement.set(statement, found);
  }
  return found;
}

const lockingSelectsByStatement = new WeakMap<SqlStatement, readonly LockingSelect[]>();

function findLockingSelects(statement: SqlStatement): LockingSelect[] {
  if (statement.kind === 'CreateFunctionStmt') return [];
  const found: LockingSelect[] = [];
  const visit = (select: NodeFields<'SelectStmt'> | undefined) => {
    const clauses = (select?.lockingClause ?? []).map((clause) => clause.LockingClause).filter((clause) => clause !== undefined);
    if (select && clauses.length) found.push({ select, clauses });
  };
  if (statement.kind === 'SelectStmt') visit(statement.bodyOf('SelectStmt'));
  walk(statement.body, (each) => {
    if (each.type === 'SelectStmt') visit(each.node);
  });
  return found;
}

/** The strongest lock of the clauses. */
export function strengthOf(clauses: ReadonlyArray<NodeFields<'LockingClause'>>): LockStrength {
  const order: LockStrength[] = ['FOR UPDATE', 'FOR NO KEY UPDATE', 'FOR SHARE', 'FOR KEY SHARE'];
  const strengths = clauses.map((clause) => STRENGTHS[clause.strength ?? ''] ?? 'FOR UPDATE');
  return order.find((strength) => strengths.includes(strength)) ?? 'FOR UPDATE';
}

/** True when a clause never waits for a lock (SKIP LOCKED or NOWAIT). */
export function neverWaits(clauses: ReadonlyArray<NodeFields<'LockingClause'>>): boolean {
  return clauses.some((clause) => clause.waitPolicy === 'LockWaitSkip' || clause.waitPolicy === 'LockWaitError');
}

/**
 * Locks that stop concurrent writers of the rows read: FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE.
 * FOR KEY SHARE does not (an UPDATE that leaves the key alone takes a lock it does not conflict with).
 */
export function blocksWriters(clauses: ReadonlyArray<NodeFields<'LockingClause'>>): boolean {
  return clauses.some((clause) => clause.strength !== 'LCS_FORKEYSHARE');
}

export interface SelectTail {
  /** Source offset just after the last token before LIMIT/OFFSET/FETCH/FOR: where ORDER BY goes. */
  insertAt: number;
  /** Source range of the first locking clause's keywords (FOR … UPDATE/SHARE). */
  lock: { start: number; end: number };
  /** Whether the keyword after insertAt is written in upper case. */
  upperCase: boolean;
}

const LOCK_WORDS = new Set(['update', 'no', 'key', 'share']);
const TAIL_WORDS = new Set(['limit', 'offset', 'fetch']);

/**
 * Where the tail of a SELECT (LIMIT, OFFSET, FETCH, locking clauses) starts, found by scanning the
 * tokens from the select's first target at its own parenthesis depth.
 */
export function selectTail(statement: SqlStatement, select: NodeFields<'SelectStmt'>): SelectTail | undefined {
  const first = select.targetList?.[0]?.ResTarget?.location ?? firstFromLocation(select);
  if (typeof first !== 'number') return undefined;
  const tokens = statement.tokens();
  const text = statement.source.text;
  const word = (index: number) => statement.word(index);
  let depth = 0;
  let insertAt: number | undefined;
  let upperCase = false;
  for (let index = statement.tokenIndexAt(statement.sourceOffset(first)); index < tokens.length; index++) {
    const token = tokens[index];
    if (token.kind === 'punct') {
      const char = text[token.start];
      if (char === '(' || char === '[') depth++;
      else if (char === ')' || char === ']') depth--;
      else if (char === ';') return undefined;
      if (depth < 0) return undefined;
      continue;
    }
    if (depth !== 0 || index === 0) continue;
    const current = word(index);
    const isLock = current === 'for' && LOCK_WORDS.has(word(index + 1) ?? '');
    if (insertAt === undefined && (isLock || TAIL_WORDS.has(current ?? ''))) {
      insertAt = tokens[index - 1].end;
      const written = text.slice(token.start, token.end);
      upperCase = written === written.toUpperCase();
    }
    if (isLock) {
      let last = index + 1;
      while (last + 1 < tokens.length && LOCK_WORDS.has(word(last + 1) ?? '') && word(last) !== 'update' && word(last) !== 'share') last++;
      return { insertAt: insertAt!, lock: { start: token.start, end: tokens[last].end }, upperCase };
    }
  }
  return undefined;
}

function firstFromLocation(select: NodeFields<'SelectStmt'>): number | undefined {
  let location: number | undefined;
  walk(select.fromClause, (visit) => {
    if (location === undefined) location = visitLocation(visit);
  });
  return location;
}

/** Source offset just after the last token of a SELECT (before a closing parenthesis, `;` or LOOP). */
export function selectEnd(statement: SqlStatement, select: NodeFields<'SelectStmt'>): number | undefined {
  const first = select.targetList?.[0]?.ResTarget?.location ?? firstFromLocation(select);
  if (typeof first !== 'number') return undefined;
  const tokens = statement.tokens();
  const text = statement.source.text;
  const start = statement.tokenIndexAt(statement.sourceOffset(first));
  let depth = 0;
  let index = start;
  for (; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.kind !== 'punct') continue;
    const char = text[token.start];
    if (char === '(' || char === '[') depth++;
    else if ((char === ')' || char === ']') && --depth < 0) break;
    else if (char === ';' && depth === 0) break;
  }
  return index > start ? tokens[index - 1].end : undefined;
}
