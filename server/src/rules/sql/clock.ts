// Where wall-clock readings (clock_timestamp(), timeofday(), statement_timestamp()) end up, shared by
// no-clock-timestamp-expiry and no-clock-timestamp-persisted so that a call is reported by one of
// them at most. A reading is:
//   expiry      — it sets or is compared with an expiry-like column (`vt <= clock_timestamp()`), or
//                 it is shifted by an interval and that value reaches a row or a WHERE;
//   persisted   — clock_timestamp()/timeofday() written into any other column;
//   measurement — anything else (elapsed time `clock_timestamp() - t0`, RAISE arguments, select-list
//                 arithmetic, a deadline of a loop kept in a variable): silent;
//   entropy     — hashed or mixed with random() to make an id (`md5(random()::text ||
//                 clock_timestamp()::text)`): not a time at all, silent.
// PL/pgSQL variables carry a reading from their assignment (`v_now := clock_timestamp()`, also as
// epoch numbers) to where the variable is used, and through further assignments.

import { functionBaseName, walk, type AstNode, type NodeFields, type Visit, type VisitOf } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';
import type { RuleContext } from '../../core/rule';
import { matchesAnyExactly } from '../../core/names';
import { ROW_WRITES, valueSinks, type ValueSink } from './sinks';

export type ClockKind = 'expiry' | 'persisted';

/** Why replacing the reading by now() might change what the code does, if it might. */
export type Repetition = 'once' | 'loop' | 'poll';

export interface ClockUse {
  statement: SqlStatement;
  /** The FuncCall node (unwrapped). */
  call: NodeFields<'FuncCall'>;
  function: string;
  kind: ClockKind;
  /** Column the value reaches or is compared with, when known. */
  column: string | undefined;
  /**
   * How often the reading is taken within one transaction: 'loop' in a PL/pgSQL loop, 'poll' in a
   * loop of a routine that sleeps (pg_sleep) between readings. now() stands still in both.
   */
  repetition: Repetition;
}

const CLOCK_FUNCTIONS = new Set(['clock_timestamp', 'timeofday', 'statement_timestamp']);
const PERSISTED_FUNCTIONS = new Set(['clock_timestamp', 'timeofday']);
const COMPARISONS = new Set(['<', '>', '<=', '>=', '=', '<>', '!=']);
/** Functions whose result hides their input: a clock reading passed to them is entropy, not a time. */
const HASH_FUNCTIONS = new Set([
  'md5',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
  'digest',
  'hmac',
  'hashtext',
  'hashtextextended',
  'crypt',
  'uuid_generate_v3',
  'uuid_generate_v5',
]);
/** Random sources: a clock reading mixed with one of them makes a unique value. */
const RANDOM_FUNCTIONS = new Set(['random', 'gen_random_uuid', 'gen_random_bytes', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'random_normal']);
const SLEEPS = /pg_sleep/i;

interface Reading {
  statement: SqlStatement;
  call: NodeFields<'FuncCall'>;
  function: string;
  shifted: boolean;
}

export function clockUses(context: RuleContext): ClockUse[] {
  return context.memo('clockUses', () => classify(context));
}

function classify(context: RuleContext): ClockUse[] {
  const expiryColumns = context.names('expiryColumns');
  const uses = new Map<NodeFields<'FuncCall'>, ClockUse>();
  const record = (reading: Reading, kind: ClockKind, column: string | undefined) => {
    const existing = uses.get(reading.call);
    if (!existing || (existing.kind === 'persisted' && kind === 'expiry')) {
      uses.set(reading.call, {
        statement: reading.statement,
        call: reading.call,
        function: reading.function,
        kind,
        column,
        repetition: repetitionOf(reading.statement),
      });
    }
  };
  // Variables holding a reading, per routine.
  const tainted = new Map<string, Reading>();
  const taintKey = (statement: SqlStatement, name: string) => `${statement.routine?.header.start ?? -1}:${name}`;

  for (const statement of context.sql.statements) {
    // In SQL run by EXECUTE, names are columns: PL/pgSQL variables are not visible there.
    const readsVariables = tainted.size > 0 && !!statement.routine && statement.origin !== 'execute';
    if (!statement.matches(CLOCK_WORDS) && !readsVariables) continue;
    const variables = statement.origin === 'execute' ? new Set<string>() : new Set(statement.routine?.variables.keys() ?? []);
    const sinkOf = sinksByNode(valueSinks(statement));
    const follow = (reading: Reading, visit: Visit) => {
      if (usedAsEntropy(visit)) return;
      const sink = sinkOf.get(visit.node);
      const compared = comparedWithExpiry(visit, expiryColumns, variables);
      if (compared) return record(reading, 'expiry', compared);
      // Elapsed time (clock_timestamp() - t0) is a duration, and a comparison a truth value: neither
      // is a reading of the clock any more.
      if (inDifference(visit) || inComparison(visit)) return;
      const kind = kindOf(reading, sink, expiryColumns);
      if (kind) return record(reading, kind, sink?.column);
      for (const target of statement.plpgsql?.targets ?? []) tainted.set(taintKey(statement, target), reading);
    };
    walk(statement.body, (visit) => {
      if (visit.type === 'FuncCall') {
        const name = functionBaseName(visit.node);
        if (CLOCK_FUNCTIONS.has(name)) follow({ statement, call: visit.node, function: name, shifted: shiftedByInterval(visit) }, visit);
      } else if (readsVariables && visit.type === 'ColumnRef' && visit.node.fields?.length === 1) {
        const name = String(visit.node.fields[0]?.String?.sval ?? '').toLowerCase();
        const reading = name ? tainted.get(taintKey(statement, name)) : undefined;
        if (reading && reading.statement !== statement) follow({ ...reading, shifted: reading.shifted || shiftedByInterval(visit) }, visit);
      }
    });
  }
  return [...uses.values()];
}

function kindOf(reading: Reading, sink: ValueSink | undefined, expiryColumns: readonly string[]): ClockKind | undefined {
  if (sink && sink.column && ROW_WRITES.has(sink.kind) && matchesAnyExactly(sink.column, expiryColumns)) return 'expiry';
  if (sink && reading.shifted) return 'expiry';
  if (sink && ROW_WRITES.has(sink.kind) && PERSISTED_FUNCTIONS.has(reading.function)) return 'persisted';
  return undefined;
}

const CLOCK_WORDS = /clock_timestamp|timeofday|statement_timestamp/i;

/** The sink each node of a sink's expression belongs to (the first one that holds it). */
function sinksByNode(sinks: ValueSink[]): Map<unknown, ValueSink> {
  const sinkOf = new Map<unknown, ValueSink>();
  for (const sink of sinks) {
    walk(sink.expression, (visit) => {
      if ((visit.type === 'FuncCall' || visit.type === 'ColumnRef') && !sinkOf.has(visit.node)) sinkOf.set(visit.node, sink);
    });
  }
  return sinkOf;
}

// A statement that runs again within one transaction sees now() stand still: a loop that polls
// `vt <= clock_timestamp()` between pg_sleep calls would never see a message become visible.
function repetitionOf(statement: SqlStatement): Repetition {
  if ((statement.plpgsql?.loopDepth ?? 0) === 0) return 'once';
  return statement.routine?.statements.some((each) => each.matches(SLEEPS)) ? 'poll' : 'loop';
}

// clock_timestamp() + interval '1 hour', interval '…' + clock_timestamp(), clock_timestamp() - '5 min'::interval
function shiftedByInterval(visit: Visit): boolean {
  for (let ancestor = visit.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type !== 'A_Expr') continue;
    const operator = operatorOf(ancestor);
    if ((operator === '+' || operator === '-') && (isInterval(ancestor.node.lexpr) || isInterval(ancestor.node.rexpr))) return true;
  }
  return false;
}

// clock_timestamp() - t0, t1 - v_start, age(clock_timestamp(), t0): a duration. A difference with an
// interval (clock_timestamp() - interval '1 day') is a shifted instant instead.
function inDifference(visit: Visit): boolean {
  for (let ancestor = visit.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type === 'FuncCall' && functionBaseName(ancestor.node) === 'age') return true;
    if (ancestor.type !== 'A_Expr' || operatorOf(ancestor) !== '-') continue;
    if (!isInterval(ancestor.node.lexpr) && !isInterval(ancestor.node.rexpr) && ancestor.node.lexpr && ancestor.node.rexpr) return true;
  }
  return false;
}

// md5(random()::text || clock_timestamp()::text), 'job-' || clock_timestamp() || random(): an id.
function usedAsEntropy(visit: Visit): boolean {
  for (let ancestor = visit.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type === 'FuncCall') {
      const name = functionBaseName(ancestor.node);
      if (HASH_FUNCTIONS.has(name)) return true;
      if ((name === 'concat' || name === 'concat_ws') && callsRandom(ancestor)) return true;
    }
    if (ancestor.type === 'A_Expr' && operatorOf(ancestor) === '||' && callsRandom(ancestor)) return true;
  }
  return false;
}

function callsRandom(expression: Visit): boolean {
  let found = false;
  walk({ [expression.type]: expression.node }, (visit) => {
    if (!found && visit.type === 'FuncCall' && RANDOM_FUNCTIONS.has(functionBaseName(visit.node))) found = true;
  });
  return found;
}

function isInterval(node: AstNode | undefined): boolean {
  const cast = node?.TypeCast;
  if (cast) return (cast.typeName?.names ?? []).some((part) => part.String?.sval === 'interval');
  const call = node?.FuncCall;
  return !!call && functionBaseName(call) === 'make_interval';
}

function operatorOf(visit: VisitOf<'A_Expr'>): string | undefined {
  const name = visit.node.name;
  return name?.[name.length - 1]?.String?.sval;
}

/**
 * The expiry-like column on the other side of a comparison the reading is part of, or undefined.
 * PL/pgSQL variables are not columns: `clock_timestamp() > v_wait_until` is a loop's own deadline.
 */
function inComparison(visit: Visit): boolean {
  for (let ancestor = visit.parent; ancestor; ancestor = ancestor.parent) if (ancestor.type === 'A_Expr' && isComparison(ancestor)) return true;
  return false;
}

function isComparison(expression: VisitOf<'A_Expr'>): boolean {
  return COMPARISONS.has(operatorOf(expression) ?? '') || expression.node.kind === 'AEXPR_BETWEEN' || expression.node.kind === 'AEXPR_NOT_BETWEEN';
}

function comparedWithExpiry(visit: Visit, expiryColumns: readonly string[], variables: ReadonlySet<string>): string | undefined {
  let child: Visit = visit;
  for (let ancestor = visit.parent; ancestor; child = ancestor, ancestor = ancestor.parent) {
    if (ancestor.type !== 'A_Expr' || !isComparison(ancestor)) continue;
    const other = child.key === 'lexpr' ? ancestor.node.rexpr : ancestor.node.lexpr;
    const column = expiryColumnIn(other, expiryColumns, variables);
    if (column) return column;
  }
  return undefined;
}

function expiryColumnIn(expression: AstNode | undefined, patterns: readonly string[], variables: ReadonlySet<string>): string | undefined {
  let found: string | undefined;
  walk(expression, (visit) => {
    if (found || visit.type !== 'ColumnRef') return;
    const fields = visit.node.fields ?? [];
    const last = fields[fields.length - 1]?.String?.sval;
    if (!last || (fields.length === 1 && variables.has(String(last).toLowerCase()))) return;
    if (matchesAnyExactly(last, patterns)) found = last;
  });
  return found;
}
