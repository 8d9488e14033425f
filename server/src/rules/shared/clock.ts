// Where wall-clock readings (clock_timestamp(), timeofday(), statement_timestamp()) end up, shared by
// no-clock-timestamp-expiry and no-clock-timestamp-persisted so that a call is reported by one of
// them at most. A reading is:
//   expiry     — it sets or is compared with an expiry-like column, or it is shifted by an interval
//                and that value reaches a row or a WHERE;
//   persisted  — clock_timestamp()/timeofday() written into any other column;
//   measurement — anything else (elapsed time, RAISE arguments, select-list arithmetic): silent.
// PL/pgSQL variables carry a reading from its assignment to where the variable is used.

import { functionBaseName, walk, type Visit } from '../../languages/sql/ast';
import type { SqlStatement } from '../../languages/sql/statement';
import type { RuleContext } from '../../rule';
import { matchesAny } from './names';
import { referencedNames, ROW_WRITES, valueSinks, type ValueSink } from './sinks';

export type ClockKind = 'expiry' | 'persisted';

export interface ClockUse {
  statement: SqlStatement;
  /** The FuncCall node (unwrapped). */
  call: any;
  function: string;
  kind: ClockKind;
  /** Column the value reaches, when known. */
  column: string | undefined;
}

const CLOCK_FUNCTIONS = new Set(['clock_timestamp', 'timeofday', 'statement_timestamp']);
const PERSISTED_FUNCTIONS = new Set(['clock_timestamp', 'timeofday']);
const COMPARISONS = new Set(['<', '>', '<=', '>=', '=', '<>', '!=']);

interface Reading {
  statement: SqlStatement;
  call: any;
  function: string;
  shifted: boolean;
}

export function clockUses(context: RuleContext): ClockUse[] {
  return context.memo('clockUses', () => classify(context));
}

function classify(context: RuleContext): ClockUse[] {
  const expiryColumns = context.names('expiryColumns');
  const uses = new Map<any, ClockUse>();
  const record = (reading: Reading, kind: ClockKind, column: string | undefined) => {
    const existing = uses.get(reading.call);
    if (!existing || (existing.kind === 'persisted' && kind === 'expiry')) {
      uses.set(reading.call, { statement: reading.statement, call: reading.call, function: reading.function, kind, column });
    }
  };
  // Variables holding a reading, per routine.
  const tainted = new Map<string, Reading>();
  const taintKey = (statement: SqlStatement, name: string) => `${statement.routine?.header.start ?? -1}:${name}`;

  for (const statement of context.sql.statements) {
    if (!statement.matches(CLOCK_WORDS)) continue;
    const sinks = valueSinks(statement);
    const sinkOf = new Map<any, ValueSink>();
    for (const sink of sinks) {
      walk(sink.expression, (visit) => {
        if (visit.type === 'FuncCall' && !sinkOf.has(visit.node)) sinkOf.set(visit.node, sink);
      });
    }
    walk(statement.body, (visit) => {
      if (visit.type !== 'FuncCall') return;
      const name = functionBaseName(visit.node);
      if (!CLOCK_FUNCTIONS.has(name)) return;
      const reading: Reading = { statement, call: visit.node, function: name, shifted: shiftedByInterval(visit) };
      const sink = sinkOf.get(visit.node);
      const kind = kindOf(reading, sink, comparedWithExpiry(visit, expiryColumns), expiryColumns);
      if (kind) record(reading, kind, sink?.column);
      else for (const target of statement.plpgsql?.targets ?? []) tainted.set(taintKey(statement, target), reading);
    });
  }

  // Second pass: statements that use a variable holding a reading.
  if (tainted.size) {
    for (const statement of context.sql.statements) {
      if (!statement.routine) continue;
      for (const sink of valueSinks(statement)) {
        for (const name of referencedNames(sink.expression)) {
          const reading = tainted.get(taintKey(statement, name));
          if (!reading || reading.statement === statement) continue;
          const kind = kindOf(reading, sink, sink.kind === 'where' && comparesVariableWithExpiry(sink.expression, name, expiryColumns), expiryColumns);
          if (kind) record(reading, kind, sink.column);
        }
      }
      if (statement.plpgsql?.kind === 'condition') {
        const expression = statement.body.targetList?.[0]?.ResTarget?.val;
        for (const name of referencedNames(expression)) {
          const reading = tainted.get(taintKey(statement, name));
          if (reading && comparesVariableWithExpiry(expression, name, expiryColumns)) record(reading, 'expiry', undefined);
        }
      }
    }
  }
  return [...uses.values()];
}

function kindOf(reading: Reading, sink: ValueSink | undefined, compared: boolean, expiryColumns: string[]): ClockKind | undefined {
  if (compared) return 'expiry';
  if (sink && sink.column && ROW_WRITES.has(sink.kind) && matchesAny(sink.column, expiryColumns)) return 'expiry';
  if (sink && reading.shifted) return 'expiry';
  if (sink && ROW_WRITES.has(sink.kind) && PERSISTED_FUNCTIONS.has(reading.function)) return 'persisted';
  return undefined;
}

const CLOCK_WORDS = /clock_timestamp|timeofday|statement_timestamp/i;

// clock_timestamp() + interval '1 hour', interval '…' + clock_timestamp(), clock_timestamp() - '5 min'::interval
function shiftedByInterval(visit: Visit): boolean {
  for (let ancestor = visit.parent; ancestor; ancestor = ancestor.parent) {
    if (ancestor.type !== 'A_Expr') continue;
    const operator = ancestor.node.name?.[0]?.String?.sval;
    if ((operator === '+' || operator === '-') && (isInterval(ancestor.node.lexpr) || isInterval(ancestor.node.rexpr))) return true;
  }
  return false;
}

function isInterval(node: any): boolean {
  const cast = node?.TypeCast;
  if (cast) return (cast.typeName?.names ?? []).some((part: any) => part.String?.sval === 'interval');
  const call = node?.FuncCall;
  return !!call && functionBaseName(call) === 'make_interval';
}

// The reading is one side of a comparison whose other side mentions an expiry-like column.
function comparedWithExpiry(visit: Visit, expiryColumns: string[]): boolean {
  let child: Visit = visit;
  for (let ancestor = visit.parent; ancestor; child = ancestor, ancestor = ancestor.parent) {
    if (ancestor.type !== 'A_Expr') continue;
    const operator = ancestor.node.name?.[0]?.String?.sval;
    const isComparison = COMPARISONS.has(operator) || ancestor.node.kind === 'AEXPR_BETWEEN' || ancestor.node.kind === 'AEXPR_NOT_BETWEEN';
    if (!isComparison) continue;
    const other = child.key === 'lexpr' ? ancestor.node.rexpr : ancestor.node.lexpr;
    if (mentionsColumn(other, expiryColumns)) return true;
  }
  return false;
}

function comparesVariableWithExpiry(expression: any, variable: string, expiryColumns: string[]): boolean {
  let found = false;
  walk(expression, (visit) => {
    if (found || visit.type !== 'A_Expr') return;
    const operator = visit.node.name?.[0]?.String?.sval;
    if (!COMPARISONS.has(operator)) return;
    const left = referencedNames(visit.node.lexpr);
    const right = referencedNames(visit.node.rexpr);
    if ((left.has(variable) && mentionsColumn(visit.node.rexpr, expiryColumns)) || (right.has(variable) && mentionsColumn(visit.node.lexpr, expiryColumns))) found = true;
  });
  return found;
}

function mentionsColumn(expression: any, patterns: string[]): boolean {
  let found = false;
  walk(expression, (visit) => {
    if (found || visit.type !== 'ColumnRef') return;
    const fields = visit.node.fields ?? [];
    const last = fields[fields.length - 1]?.String?.sval;
    if (last && matchesAny(last, patterns)) found = true;
  });
  return found;
}
