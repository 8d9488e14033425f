// The workspace schema model: what the migrations say about tables, keys, materialized views,
// sequences and revoked privileges. Rules ask it questions; nothing ever connects to a database.

import type { ColumnFact, KeyFact, SchemaFact, ViewKeyFact } from './facts';

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
  /** Materialized views: output columns that identify a row, when the view's query proves one. */
  viewKey?: string[];
  /** Materialized views created WITH NO DATA (unpopulated until a first, non-concurrent refresh). */
  createdWithNoData?: boolean;
  /** Materialized views: top-level REFRESH statements (not WITH NO DATA) that populate it. */
  populatingRefreshes?: number;
  /** Events (update, delete, …) that some BEFORE trigger on the table intercepts. */
  beforeTriggers?: Set<string>;
  /** Keys by constraint or index name, so that a later DROP removes them. */
  keyNames?: Map<string, string[]>;
  /** DEFERRABLE keys: unique, but an ON CONFLICT cannot name them. */
  deferrableKeys?: string[][];
  /** A dropped constraint or index that may have been a key the model cannot name: its keys are not proven. */
  keysUncertain?: boolean;
}

const layered = new WeakMap<SchemaModel, WeakMap<readonly SchemaFact[], SchemaModel>>();

// What REVOKE ALL / GRANT ALL on a table stands for.
const TABLE_PRIVILEGES = ['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain'];

export class SchemaModel {
  readonly tables = new Map<string, TableInfo>();
  readonly sequences = new Set<string>();
  /** Roles the workspace names in GRANT, REVOKE, policies and default privileges, or creates: they exist where it runs. */
  readonly roles = new Set<string>();
  /** Functions and procedures by name (bare and schema-qualified): true when the body changes data. */
  readonly functionWrites = new Map<string, boolean>();
  private readonly defaultPrivileges: Array<Extract<SchemaFact, { op: 'defaultPrivileges' }>> = [];

  /** Replays facts in order. */
  static fromFacts(factLists: Iterable<readonly SchemaFact[]>): SchemaModel {
    const model = new SchemaModel();
    for (const facts of factLists) for (const fact of facts) model.apply(fact);
    return model;
  }

  /**
   * This model with the tables an ORM schema declares (schema.prisma) that the migrations do not: what
   * the migrations say wins, as they are what the database runs. Remembered per pair of inputs.
   */
  withDeclaredTables(facts: readonly SchemaFact[]): SchemaModel {
    if (!facts.length) return this;
    let byFacts = layered.get(this);
    if (!byFacts) layered.set(this, (byFacts = new WeakMap()));
    let model = byFacts.get(facts);
    if (!model) {
      model = SchemaModel.fromFacts([facts]);
      for (const [name, table] of this.tables) model.tables.set(name, table);
      for (const sequence of this.sequences) model.sequences.add(sequence);
      for (const role of this.roles) model.roles.add(role);
      for (const [name, writes] of this.functionWrites) model.functionWrites.set(name, writes);
      byFacts.set(facts, model);
    }
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

  /**
   * Keys an ON CONFLICT (columns) may name without PostgreSQL rejecting it (42P10): primary and
   * unique keys proven by the migrations, not DEFERRABLE; none when a later DROP may have removed one.
   */
  conflictKeysOf(table: TableInfo): string[][] {
    if (table.keysUncertain) return [];
    return this.keysOf(table).filter((key) => key.length > 0 && !table.deferrableKeys?.some((deferrable) => sameColumns(deferrable, key)));
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
        for (const defaults of this.defaultPrivileges) {
          if (defaults.schemas.length && !defaults.schemas.some((schema) => fact.table.startsWith(`${schema}.`))) continue;
          this.apply({ op: defaults.grant ? 'grant' : 'revoke', table: fact.table, privileges: defaults.privileges, roles: defaults.roles });
        }
        return;
      }
      case 'createMaterializedView': {
        const view = this.ensure(fact.table, true);
        for (const column of fact.columns) if (column) view.columns.set(column, { name: column, type: '', generated: false });
        view.viewKey = this.viewKeyOf(fact.key);
        if (fact.withNoData) view.createdWithNoData = true;
        return;
      }
      case 'grant': {
        const table = this.tables.get(fact.table);
        if (!table) return;
        for (const role of fact.roles) {
          const privileges = table.revoked.get(role);
          if (!privileges) continue;
          if (privileges.delete('all')) for (const privilege of TABLE_PRIVILEGES) privileges.add(privilege);
          for (const privilege of fact.privileges) {
            if (privilege === 'all') privileges.clear();
            else privileges.delete(privilege);
          }
        }
        return;
      }
      case 'schemaPrivileges':
        for (const table of [...this.tables.values()]) {
          if (!table.name.startsWith(`${fact.schema}.`)) continue;
          this.apply({ op: fact.grant ? 'grant' : 'revoke', table: table.name, privileges: fact.privileges, roles: fact.roles });
        }
        return;
      case 'defaultPrivileges':
        this.defaultPrivileges.push(fact);
        return;
      case 'roles':
        for (const role of fact.roles) this.roles.add(role);
        return;
      case 'refreshMaterializedView': {
        const view = this.tables.get(fact.table);
        if (view?.isMaterializedView && !fact.withNoData) view.populatingRefreshes = (view.populatingRefreshes ?? 0) + 1;
        return;
      }
      case 'createFunction': {
        this.functionWrites.set(fact.name, fact.writes);
        this.functionWrites.set(fact.name.slice(fact.name.lastIndexOf('.') + 1), fact.writes);
        return;
      }
      case 'createTrigger': {
        const table = this.tables.get(fact.table);
        if (!table || !fact.before) return;
        table.beforeTriggers ??= new Set();
        for (const event of fact.events) table.beforeTriggers.add(event);
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
      case 'dropConstraint': {
        const table = this.tables.get(fact.table);
        if (!table) return;
        const columns = table.keyNames?.get(fact.name.toLowerCase());
        if (columns) this.removeKey(table, fact.name.toLowerCase(), columns);
        // A default key name the model computed differently (truncated, deduplicated): not proven any more.
        else if (/_(pkey|key)\d*$/i.test(fact.name)) table.keysUncertain = true;
        return;
      }
      case 'dropIndex':
        for (const name of fact.names) {
          for (const table of this.tables.values()) {
            const columns = table.keyNames?.get(name.toLowerCase());
            if (columns) this.removeKey(table, name.toLowerCase(), columns);
          }
        }
        return;
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

  // A GROUP BY key is the view's own columns; a table's key carried through holds only when the table
  // and every joined table (with a key of its own equated in the join) are known at this point.
  private viewKeyOf(key: ViewKeyFact | undefined): string[] | undefined {
    if (!key) return undefined;
    if (key.kind === 'groupBy') return key.columns;
    const base = this.tables.get(key.table);
    if (!base) return undefined;
    for (const lookup of key.lookups) {
      const joined = this.tables.get(lookup.table);
      if (!joined || !this.keysOf(joined).some((columns) => columns.length > 0 && columns.every((column) => lookup.columns.includes(column)))) return undefined;
    }
    for (const columns of this.keysOf(base)) {
      const mapped = columns.map((column) => key.columns.find(([source]) => source === column)?.[1] ?? (key.star ? column : undefined));
      if (columns.length > 0 && mapped.every((column) => column !== undefined)) return mapped;
    }
    return undefined;
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
    if (key.name) (table.keyNames ??= new Map()).set(key.name.toLowerCase(), key.columns);
    if (key.deferrable) (table.deferrableKeys ??= []).push(key.columns);
  }

  private removeKey(table: TableInfo, name: string, columns: string[]): void {
    table.keyNames?.delete(name);
    // Another name for the same columns (a unique index next to a constraint) keeps the key.
    if ([...(table.keyNames?.values() ?? [])].some((other) => sameColumns(other, columns))) return;
    if (table.primaryKey && sameColumns(table.primaryKey, columns)) table.primaryKey = undefined;
    table.uniqueKeys = table.uniqueKeys.filter((key) => !sameColumns(key, columns));
    table.deferrableKeys = table.deferrableKeys?.filter((key) => !sameColumns(key, columns));
  }
}

function sameColumns(left: string[], right: string[]): boolean {
  return left.length === right.length && left.every((column) => right.includes(column));
}
