// The workspace schema model: what the migrations say about tables, keys, materialized views,
// sequences and revoked privileges. Rules ask it questions; nothing ever connects to a database.

import type { ColumnFact, KeyFact, SchemaFact } from './facts';

export interface TableInfo {
  /** Qualified: "public.payments" (names as PostgreSQL resolves them). */
  name: string;
  columns: Map<string, ColumnFact>;
  primaryKey: string[] | undefined;
  /** Unique constraints and plain unique indexes, in declaration order. */
  uniqueKeys: string[][];
  /** True when some unique index exists, even a partial or expression one. */
  hasAnyUniqueIndex: boolean;
  hasExclusion: boolean;
  isMaterializedView: boolean;
  /** Role → privileges revoked from it. */
  revoked: Map<string, Set<string>>;
}

export class SchemaModel {
  readonly tables = new Map<string, TableInfo>();
  readonly sequences = new Set<string>();

  /** Replays facts in order. */
  static fromFacts(factLists: Iterable<readonly SchemaFact[]>): SchemaModel {
    const model = new SchemaModel();
    for (const facts of factLists) for (const fact of facts) model.apply(fact);
    return model;
  }

  /** A table or materialized view by qualified or bare name ("payments" finds "public.payments" or a unique match). */
  table(name: string): TableInfo | undefined {
    const exact = this.tables.get(name.includes('.') ? name : `public.${name}`);
    if (exact || name.includes('.')) return exact;
    let found: TableInfo | undefined;
    for (const table of this.tables.values()) {
      if (table.name.endsWith(`.${name}`)) {
        if (found) return undefined; // ambiguous across schemas
        found = table;
      }
    }
    return found;
  }

  /** Keys (primary first) a conflict target may name. */
  keysOf(table: TableInfo): string[][] {
    const keys = table.primaryKey ? [table.primaryKey] : [];
    for (const key of table.uniqueKeys) if (!keys.some((existing) => sameColumns(existing, key))) keys.push(key);
    return keys;
  }

  /** True when a REVOKE removed the privilege from the role (or from PUBLIC for 'public'). */
  isRevoked(table: TableInfo, privilege: string, role: string): boolean {
    const privileges = table.revoked.get(role);
    return !!privileges && (privileges.has(privilege) || privileges.has('all'));
  }

  private apply(fact: SchemaFact): void {
    switch (fact.op) {
      case 'createTable': {
        const table = this.ensure(fact.table, false);
        for (const column of fact.columns) table.columns.set(column.name, column);
        for (const key of fact.keys) this.addKey(table, key);
        table.hasExclusion ||= fact.hasExclusion;
        return;
      }
      case 'createMaterializedView': {
        const view = this.ensure(fact.table, true);
        for (const column of fact.columns) if (column) view.columns.set(column, { name: column, type: '', generated: false });
        return;
      }
      case 'addColumn':
        this.tables.get(fact.table)?.columns.set(fact.column.name, fact.column);
        return;
      case 'addKey': {
        const table = this.tables.get(fact.table);
        if (table) this.addKey(table, fact.key);
        return;
      }
      case 'addExclusion': {
        const table = this.tables.get(fact.table);
        if (table) table.hasExclusion = true;
        return;
      }
      case 'createIndex': {
        const table = this.tables.get(fact.table);
        if (!table || !fact.key) return;
        table.hasAnyUniqueIndex = true;
        if (fact.key.columns.length) this.addKey(table, fact.key);
        return;
      }
      case 'dropTable':
        this.tables.delete(fact.table);
        return;
      case 'renameTable': {
        const table = this.tables.get(fact.table);
        if (!table) return;
        this.tables.delete(fact.table);
        table.name = fact.newName;
        this.tables.set(fact.newName, table);
        return;
      }
      case 'createSequence':
        this.sequences.add(fact.sequence);
        return;
      case 'revoke': {
        const table = this.tables.get(fact.table);
        if (!table) return;
        for (const role of fact.roles) {
          const privileges = table.revoked.get(role) ?? new Set<string>();
          for (const privilege of fact.privileges) privileges.add(privilege);
          table.revoked.set(role, privileges);
        }
        return;
      }
    }
  }

  private ensure(name: string, isMaterializedView: boolean): TableInfo {
    const table: TableInfo = {
      name,
      columns: new Map(),
      primaryKey: undefined,
      uniqueKeys: [],
      hasAnyUniqueIndex: false,
      hasExclusion: false,
      isMaterializedView,
      revoked: new Map(),
    };
    this.tables.set(name, table);
    return table;
  }

  private addKey(table: TableInfo, key: KeyFact): void {
    if (key.kind === 'primary') table.primaryKey = key.columns;
    else if (!table.uniqueKeys.some((existing) => sameColumns(existing, key.columns))) table.uniqueKeys.push(key.columns);
    table.hasAnyUniqueIndex = true;
  }
}

function sameColumns(left: string[], right: string[]): boolean {
  return left.length === right.length && left.every((column) => right.includes(column));
}

export const EMPTY_SCHEMA = new SchemaModel();
