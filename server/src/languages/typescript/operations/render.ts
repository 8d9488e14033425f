// An operation rendered as the SQL its library sends, for the SQL rules. Values become bind parameters
// $1, $2, … in the order of `parameters`; identifiers are quoted where PostgreSQL would fold them.
// Every piece of the text (the statement, the table, each column and value) maps back onto the code
// that says it, so a finding lands on the call, the table argument or the property.

import type * as TS from 'typescript';
import type { RenderedPiece } from '../../../core/text/mapped-text';
import type { DbOperation } from './operation';

export interface RenderedOperation {
  text: string;
  pieces: RenderedPiece[];
  /** The value of $n is parameters[n - 1]. */
  parameters: TS.Expression[];
}

export function renderOperation(operation: DbOperation, source: TS.SourceFile): RenderedOperation {
  const writer = new Writer(source);
  const table = () => writer.piece(identifierPath(operation.table), operation.tableNode);
  const whereClause = () => {
    const conditions = operation.where.filter((condition) => condition.operator !== 'other');
    if (!conditions.length) return;
    writer.text(' WHERE ');
    conditions.forEach((condition, index) => {
      if (index) writer.text(' AND ');
      writer.text(`${quote(condition.column)} `);
      if (condition.operator === 'in') {
        writer.text('= ANY(');
        writer.value(condition.value);
        writer.text(')');
      } else if (condition.operator === 'range') {
        writer.text(`${condition.comparison ?? '>='} `);
        writer.value(condition.value);
      } else {
        writer.text('= ');
        writer.value(condition.value);
      }
    });
  };
  writer.open(operation.call);
  switch (operation.kind) {
    case 'insert': {
      writer.text('INSERT INTO ');
      table();
      const columns = operation.writes;
      if (columns.length) {
        writer.text(' (');
        columns.forEach((write, index) => {
          if (index) writer.text(', ');
          writer.piece(quote(write.column), write.node);
        });
        writer.text(') VALUES (');
        columns.forEach((write, index) => {
          if (index) writer.text(', ');
          writer.value(write.value);
        });
        writer.text(')');
      } else {
        // insert(row): the columns are not written out; what the row holds is still bound.
        writer.text(' SELECT ');
        if (operation.opaqueValues.length)
          operation.opaqueValues.forEach((value, index) => {
            if (index) writer.text(', ');
            writer.value(value);
          });
        else writer.text('1');
      }
      if (operation.conflict) {
        writer.text(' ON CONFLICT');
        if (operation.conflict.columns.length) writer.text(` (${operation.conflict.columns.map(quote).join(', ')})`);
        if (operation.conflict.action === 'nothing' || !columns.length || !operation.conflict.columns.length) writer.text(' DO NOTHING');
        else writer.text(` DO UPDATE SET ${columns.map((write) => `${quote(write.column)} = excluded.${quote(write.column)}`).join(', ')}`);
      }
      if (operation.returning) writer.text(' RETURNING *');
      break;
    }
    case 'update': {
      writer.text('UPDATE ');
      table();
      writer.text(' SET ');
      const writes = operation.writes.length ? operation.writes : [];
      if (!writes.length) writer.text('"?" = "?"');
      writes.forEach((write, index) => {
        if (index) writer.text(', ');
        writer.piece(quote(write.column), write.node);
        writer.text(' = ');
        if (write.atomic) {
          writer.text(`${quote(write.column)} ${write.atomic.operator} `);
          writer.value(write.atomic.amount);
        } else writer.value(write.value);
      });
      whereClause();
      if (operation.returning) writer.text(' RETURNING *');
      break;
    }
    case 'delete':
      writer.text('DELETE FROM ');
      table();
      whereClause();
      break;
    case 'read':
      writer.text('SELECT * FROM ');
      table();
      whereClause();
      if (operation.orderBy.length) writer.text(` ORDER BY ${operation.orderBy.map(quote).join(', ')}`);
      if (operation.limit !== undefined) writer.text(` LIMIT ${operation.limit}`);
      if (operation.lock) {
        const lock = `FOR ${operation.lock.strength.toUpperCase()}${operation.lock.skipLocked ? ' SKIP LOCKED' : operation.lock.noWait ? ' NOWAIT' : ''}`;
        writer.text(' ');
        if (operation.lock.node) writer.piece(lock, operation.lock.node);
        else writer.text(lock);
      }
      break;
  }
  writer.close(operation.call);
  return { text: writer.result, pieces: writer.pieces, parameters: writer.parameters };
}

class Writer {
  result = '';
  readonly pieces: RenderedPiece[] = [];
  readonly parameters: TS.Expression[] = [];
  private readonly open_: RenderedPiece[] = [];

  constructor(private readonly source: TS.SourceFile) {}

  open(node: TS.Node): void {
    const piece = { textStart: this.result.length, textEnd: -1, parentStart: node.getStart(this.source), parentEnd: node.getEnd() };
    this.pieces.push(piece);
    this.open_.push(piece);
  }

  /** A trailing space: the statement's end is then no inner piece's end, and maps to the call's end. */
  close(_node: TS.Node): void {
    this.result += ' ';
    this.open_.pop()!.textEnd = this.result.length;
  }

  text(text: string): void {
    this.result += text;
  }

  piece(text: string, node: TS.Node): void {
    const start = this.result.length;
    this.result += text;
    this.pieces.push({ textStart: start, textEnd: this.result.length, parentStart: node.getStart(this.source), parentEnd: node.getEnd() });
  }

  /** A bind parameter for a value of the code (NULL when the library supplies none). */
  value(expression: TS.Expression | undefined): void {
    if (!expression) {
      this.result += 'NULL';
      return;
    }
    this.parameters.push(expression);
    this.piece(`$${this.parameters.length}`, expression);
  }
}

/** "payments", "public.payments", "Payment" → quoted where PostgreSQL would otherwise fold case. */
function identifierPath(table: string): string {
  return table.split('.').map(quote).join('.');
}

function quote(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set([
  'user',
  'order',
  'group',
  'table',
  'select',
  'from',
  'where',
  'limit',
  'offset',
  'end',
  'default',
  'check',
  'column',
  'references',
  'primary',
  'unique',
  'all',
  'analyse',
  'analyze',
  'and',
  'any',
  'array',
  'as',
  'asc',
  'desc',
  'case',
  'cast',
  'collate',
  'constraint',
  'create',
  'current_date',
  'current_user',
  'distinct',
  'do',
  'else',
  'except',
  'false',
  'fetch',
  'for',
  'foreign',
  'grant',
  'having',
  'in',
  'initially',
  'intersect',
  'into',
  'leading',
  'not',
  'null',
  'on',
  'only',
  'or',
  'placing',
  'returning',
  'session_user',
  'some',
  'symmetric',
  'then',
  'to',
  'trailing',
  'true',
  'union',
  'using',
  'variadic',
  'when',
  'window',
  'with',
]);
