// A database operation written with a client library rather than SQL: supabase.from('payments')
// .insert({...}), prisma.payment.create({...}), db.insert(payments).values({...}). Each call chain of a
// known client becomes one operation — what it does, to which table, which columns it sets and how,
// which rows it targets, its conflict handling and row locks — and is rendered as the SQL it sends,
// so the SQL rules judge it exactly as they judge a statement. The rendered text maps back onto the
// call chain (MappedText.rendered); a fix is written in the library's own terms by the operation.

import type * as TS from 'typescript';
import type { Edit } from '../../../core/rule';
import type { SchemaFact } from '../../../schema/facts';
import type { DeclaredEntity } from '../../../schema/entities';

export type OperationKind = 'insert' | 'update' | 'delete' | 'read';

export type OrmLibrary = 'supabase' | 'prisma' | 'drizzle' | 'knex' | 'kysely' | 'sequelize' | 'typeorm';

/** A column an insert or update writes, and how. */
export interface ColumnWrite {
  column: string;
  /** The value as written in code (undefined when the library computes it). */
  value: TS.Expression | undefined;
  /** Where the column is named in code (a property, an argument). */
  node: TS.Node;
  /** `{ increment: n }`, `.increment('n', 1)`: the database adds to the current value. */
  atomic?: { operator: '+' | '-'; amount: TS.Expression };
}

/** A condition on the rows an operation targets. */
export interface RowCondition {
  column: string;
  operator: '=' | 'in' | 'range' | 'other';
  /** The value compared with; for a condition not read ('other'), its code when the reader keeps it. */
  value: TS.Expression | undefined;
  /** The comparison of a range condition, when the code says it (`lt(t.epoch, n)`, `.where('epoch', '<', n)`). */
  comparison?: '<' | '<=' | '>' | '>=';
}

export interface DbOperation {
  library: OrmLibrary;
  kind: OperationKind;
  /** The table as PostgreSQL knows it (schema-qualified when the code says so). */
  table: string;
  /** The outermost call of the chain: what the code awaits. */
  call: TS.CallExpression;
  /** The node that names what the chain does (`insert`, `create`), where its squiggle goes. */
  verb: TS.Node;
  /** Where the table is named (a string, a model delegate, a table object). */
  tableNode: TS.Node;
  writes: ColumnWrite[];
  /** Values the operation writes that are not spread over known columns (`insert(row)`): bound, columns unknown. */
  opaqueValues: TS.Expression[];
  where: RowCondition[];
  /** ON CONFLICT the library says: on which columns (none: any key), doing nothing or updating. */
  conflict?: { columns: string[]; action: 'nothing' | 'update' };
  /** A row lock on a read (`.forUpdate()`, `.for('update')`, `lock: { mode: 'pessimistic_write' }`). */
  lock?: {
    strength: 'update' | 'no key update' | 'share' | 'key share';
    skipLocked: boolean;
    noWait?: boolean;
    /** Where the code asks for it (`lock: t.LOCK.UPDATE`). */ node?: TS.Node;
  };
  orderBy: string[];
  /** LIMIT n when the code or the library says it (`.first()`, `.limit(1)`, `findOne`). */
  limit?: number;
  /** The table as the code declares it (a Drizzle pgTable), for the schema the rules see when the migrations do not declare it. */
  declaredTable?: SchemaFact;
  /** The model or entity the code declares the table with: its keys join the schema the rules see. */
  entity?: DeclaredEntity;
  /** The written rows come back (supabase's `.select()`, `.returning()`): on a conflict that did nothing, the caller gets no row. */
  returning: boolean;
  fixes: OperationFixes;
}

/** Fixes in the library's own terms; each returns undefined when the library has no way to say it here. */
export interface OperationFixes {
  /** Make an insert do nothing when a row with the same values in `columns` exists. */
  onConflictDoNothing?(columns: string[]): LibraryFix | undefined;
  /** Read the rows with a row lock (FOR UPDATE). */
  lockForUpdate?(): LibraryFix | undefined;
  /** Lock rows in a fixed order. */
  orderBy?(columns: string[]): LibraryFix | undefined;
  /** Write `column = column <operator> amount`, computed by the database, instead of the value read earlier. */
  atomicUpdate?(write: ColumnWrite, operator: '+' | '-', amount: TS.Expression): LibraryFix | undefined;
}

export interface LibraryFix {
  edits: Edit[];
  /** What the fix writes, shown in its title (`.upsert(…, { onConflict: 'stripe_event_id', ignoreDuplicates: true })`). */
  label: string;
  /** False when the change can alter what the caller gets back (a created record becomes a count). */
  keepsResult: boolean;
}
