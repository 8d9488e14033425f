// Which SQL a TypeScript/JavaScript file speaks when a query's client is not known by name: what the
// file imports decides (a PostgreSQL driver, a MySQL or SQLite one, drizzle's pg-core or mysql-core,
// kysely's PostgresDialect or MysqlDialect), else the project's dependencies do.

import { FOREIGN_SQL_CLIENTS, moduleKind, POSTGRES_CLIENTS, type TsModel } from './ts-file';
import { property, stringValue, unwrapExpression } from './operations/chain';
import { ts } from './project';

export type CodeDialect = 'postgres' | 'other' | 'unknown';

const DRIZZLE_POSTGRES =
  /^(npm:)?drizzle-orm(@[^/]*)?\/(node-postgres|postgres-js|pg-core|neon-http|neon-serverless|vercel-postgres|pglite|aws-data-api\/pg|xata-http|supabase|pg-proxy)\b/;
const DRIZZLE_OTHER =
  /^(npm:)?drizzle-orm(@[^/]*)?\/(mysql\w*|planetscale\w*|tidb\w*|singlestore\w*|sqlite\w*|better-sqlite3|bun-sqlite|libsql|d1|expo-sqlite|op-sqlite|durable-sqlite|sql-js|gel)\b/;
const KYSELY_POSTGRES = new Set(['PostgresDialect', 'PostgresAdapter', 'PostgresQueryCompiler']);
const KYSELY_OTHER = new Set(['MysqlDialect', 'SqliteDialect', 'MssqlDialect', 'MysqlAdapter', 'SqliteAdapter']);

const dialects = new WeakMap<TsModel, CodeDialect>();

/** fileSqlDialect, computed once per model. */
export function sqlDialectOf(model: TsModel): CodeDialect {
  let dialect = dialects.get(model);
  if (!dialect) {
    dialect = fileSqlDialect(model);
    dialects.set(model, dialect);
  }
  return dialect;
}

/**
 * The databases the ORM connections the file makes name: `new Sequelize('mysql://…')`, `new
 * Sequelize(db, user, password, { dialect: 'sqlite' })`, `new DataSource({ type: 'mysql' })`.
 */
function constructedDialects(model: TsModel): Array<'postgres' | 'other'> {
  const found: Array<'postgres' | 'other'> = [];
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      if (!ts.isNewExpression(site.node) || (site.kind !== 'sequelize' && site.kind !== 'typeorm')) continue;
      for (const argument of site.node.arguments ?? []) {
        const value = unwrapExpression(argument);
        const text = ts.isStringLiteralLike(value)
          ? /^(\w+):/.exec(value.text)?.[1]
          : stringValue(property(value, site.kind === 'sequelize' ? 'dialect' : 'type'));
        if (text) found.push(POSTGRES_DIALECTS.has(text.toLowerCase()) ? 'postgres' : 'other');
      }
    }
  }
  return found;
}

const POSTGRES_DIALECTS = new Set(['postgres', 'postgresql', 'cockroachdb', 'aurora-postgres']);

export function fileSqlDialect(model: TsModel): CodeDialect {
  let postgres = false;
  let other = false;
  for (const binding of model.imports.values()) {
    const kind = moduleKind(binding.module);
    if ((kind && POSTGRES_CLIENTS.has(kind)) || DRIZZLE_POSTGRES.test(binding.module) || (kind === 'kysely' && KYSELY_POSTGRES.has(binding.imported)))
      postgres = true;
    if ((kind && FOREIGN_SQL_CLIENTS.has(kind)) || DRIZZLE_OTHER.test(binding.module) || (kind === 'kysely' && KYSELY_OTHER.has(binding.imported)))
      other = true;
  }
  for (const dialect of constructedDialects(model)) {
    if (dialect === 'postgres') postgres = true;
    else other = true;
  }
  if (postgres !== other) return postgres ? 'postgres' : 'other';
  if (postgres) return 'unknown';
  const project = model.project.dialectOf(model.fileName);
  return project === 'postgres' || project === 'other' ? project : 'unknown';
}
