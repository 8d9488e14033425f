// The project around the files being analysed, read from the disk: the package.json files above a
// file (which SQL drivers the project uses) and the project's own modules (what a name imported from
// `./db`, `@/lib/stripe` or a monorepo package `@acme/db` is, and the Drizzle tables they declare). Used by the CLI and the language
// server; the analysis core only sees the ProjectContext interface.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { ClientKind } from '../languages/typescript/ts-file';
import { moduleKind, TsModel } from '../languages/typescript/ts-file';
import { loadTypeScript, parseTypeScript, ts } from '../languages/typescript/project';
import type { ProjectContext, ProjectDialect } from './context';
import { ModuleResolver } from './module-resolver';
import { readPrismaSchema, type PrismaSchema } from '../schema/prisma';
import { readDrizzleTables, type DrizzleTable } from '../schema/drizzle';
import { exportedEntity, type DeclaredEntity } from '../schema/entities';

/** Drivers whose presence says the project talks to PostgreSQL. */
const POSTGRES_PACKAGES = new Set([
  'pg',
  'postgres',
  '@neondatabase/serverless',
  '@vercel/postgres',
  'slonik',
  'pg-promise',
  '@databases/pg',
  '@supabase/supabase-js',
  'pg-boss',
  'graphile-worker',
  '@electric-sql/pglite',
  'kysely-postgres-js',
  '@prisma/adapter-pg',
  '@prisma/adapter-neon',
]);
/** Drivers of other databases. */
const OTHER_PACKAGES = new Set([
  'mysql',
  'mysql2',
  '@planetscale/database',
  'serverless-mysql',
  'mariadb',
  'better-sqlite3',
  'sqlite3',
  'sqlite',
  '@libsql/client',
  '@clickhouse/client',
  'clickhouse',
  'mssql',
  'tedious',
  'oracledb',
  'duckdb',
  '@duckdb/node-api',
  '@prisma/adapter-planetscale',
  '@prisma/adapter-libsql',
]);
const PRISMA_POSTGRES = new Set(['postgresql', 'postgres', 'cockroachdb']);

/** Modules larger than this are not read for their exports (a generated client, a bundle). */
const MAX_MODULE_BYTES = 512 * 1024;
/** How many modules deep a re-export or a factory is followed. */
const MAX_DEPTH = 4;

/** A module read from the disk is trusted this long before its modification time is checked again. */
const RECHECK_MS = 2000;

interface ModuleEntry {
  mtimeMs: number;
  checkedAt: number;
  exports: Map<string, ClientKind>;
  stars: string[];
  /** Drizzle tables the module exports, by exported name. */
  tables: Map<string, DrizzleTable>;
  /** `export { payments } from './schema'`: exported name → where it comes from. */
  reexports: Map<string, { module: string; imported: string }>;
}

export class DiskProject implements ProjectContext {
  private readonly packageDeps = new Map<string, Set<string> | null>();
  private readonly dialects = new Map<string, ProjectDialect>();
  private readonly modules = new Map<string, ModuleEntry | null>();
  private readonly resolver = new ModuleResolver();
  private readonly inProgress = new Set<string>();
  private readonly prismaSchemas = new Map<string, PrismaSchema | null>();
  /** Module file → its exported entities by name, read when first asked (null: none by that name). */
  private readonly entities = new Map<string, { mtimeMs: number; byName: Map<string, DeclaredEntity | null> }>();

  /** Forgets what was read (a package.json, tsconfig.json or module changed). */
  forget(): void {
    this.packageDeps.clear();
    this.dialects.clear();
    this.modules.clear();
    this.resolver.forget();
    this.prismaSchemas.clear();
    this.entities.clear();
  }

  importedEntity(fromFile: string, specifier: string, imported: string): DeclaredEntity | undefined {
    const file = this.resolver.resolve(path.resolve(fromFile), specifier);
    return file ? this.exportedEntityOf(file, imported, 0) : undefined;
  }

  prismaSchema(fileName: string): PrismaSchema | undefined {
    return this.prismaSchemaAbove(path.dirname(path.resolve(fileName)));
  }

  // Each folder is looked at once: the answer of a folder is its own schema, or its parent's.
  private prismaSchemaAbove(directory: string): PrismaSchema | undefined {
    if (this.prismaSchemas.has(directory)) return this.prismaSchemas.get(directory) ?? undefined;
    let found = prismaSchemaIn(directory);
    if (!found) {
      const parent = path.dirname(directory);
      const root = parent === directory || fs.existsSync(path.join(directory, '.git'));
      found =
        root || fs.existsSync(path.join(directory, 'pnpm-workspace.yaml')) || hasWorkspaces(directory)
          ? packagesPrismaSchema(directory)
          : this.prismaSchemaAbove(parent);
    }
    this.prismaSchemas.set(directory, found ?? null);
    return found;
  }

  dialectOf(fileName: string): ProjectDialect {
    const directory = path.dirname(path.resolve(fileName));
    let dialect = this.dialects.get(directory);
    if (dialect === undefined) {
      dialect = this.computeDialect(directory);
      this.dialects.set(directory, dialect);
    }
    return dialect;
  }

  importedKind(fromFile: string, specifier: string, imported: string): ClientKind | undefined {
    const file = this.resolver.resolve(path.resolve(fromFile), specifier);
    return file ? this.exportedKind(file, imported, 0) : undefined;
  }

  tableDefinition(fromFile: string, specifier: string, imported: string): DrizzleTable | undefined {
    const file = this.resolver.resolve(path.resolve(fromFile), specifier);
    return file ? this.exportedTable(file, imported, 0) : undefined;
  }

  private exportedTable(file: string, name: string, depth: number): DrizzleTable | undefined {
    if (depth > MAX_DEPTH || this.inProgress.has(file)) return undefined;
    const entry = this.moduleEntry(file);
    if (!entry) return undefined;
    const direct = entry.tables.get(name);
    if (direct || name === 'default') return direct;
    this.inProgress.add(file);
    try {
      const follow = (specifier: string, imported: string) => {
        const target = this.resolver.resolve(file, specifier);
        return target ? this.exportedTable(target, imported, depth + 1) : undefined;
      };
      const reexport = entry.reexports.get(name);
      if (reexport) return follow(reexport.module, reexport.imported);
      for (const star of entry.stars) {
        const table = follow(star, name);
        if (table) return table;
      }
    } finally {
      this.inProgress.delete(file);
    }
    return undefined;
  }

  private exportedKind(file: string, name: string, depth: number): ClientKind | undefined {
    if (depth > MAX_DEPTH || this.inProgress.has(file)) return undefined;
    const entry = this.moduleEntry(file);
    if (!entry) return undefined;
    const direct = entry.exports.get(name);
    if (direct || name === 'default') return direct;
    this.inProgress.add(file);
    try {
      for (const star of entry.stars) {
        const kind =
          moduleKind(star) ??
          (() => {
            const target = this.resolver.resolve(file, star);
            return target ? this.exportedKind(target, name, depth + 1) : undefined;
          })();
        if (kind) return kind;
      }
    } finally {
      this.inProgress.delete(file);
    }
    return undefined;
  }

  // Read when asked (most modules are never asked for an entity), kept per file while it is unchanged.
  private exportedEntityOf(file: string, name: string, depth: number): DeclaredEntity | undefined {
    const key = `entity\u0000${file}`;
    if (depth > MAX_DEPTH || this.inProgress.has(key)) return undefined;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    let known = this.entities.get(file);
    if (!known || known.mtimeMs !== stat.mtimeMs) this.entities.set(file, (known = { mtimeMs: stat.mtimeMs, byName: new Map() }));
    const cached = known.byName.get(name);
    if (cached !== undefined) return cached ?? undefined;
    if (!stat.isFile() || stat.size > MAX_MODULE_BYTES) return undefined;
    this.inProgress.add(key);
    let found: DeclaredEntity | undefined;
    try {
      loadTypeScript();
      const text = fs.readFileSync(file, 'utf8');
      const model = new TsModel(text, parseTypeScript(text, file), file, this);
      const exported = exportedEntity(model, name);
      if (exported !== 'elsewhere') found = exported;
      else if (name !== 'default') {
        for (const star of model.starExports()) {
          const target = this.resolver.resolve(file, star);
          found = target ? this.exportedEntityOf(target, name, depth + 1) : undefined;
          if (found) break;
        }
      }
    } catch {
      found = undefined;
    } finally {
      this.inProgress.delete(key);
    }
    known.byName.set(name, found ?? null);
    return found;
  }

  private moduleEntry(file: string): ModuleEntry | undefined {
    const cached = this.modules.get(file);
    const now = performance.now();
    if (cached && now - cached.checkedAt < RECHECK_MS) return cached;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    const known = this.modules.get(file);
    if (known && known.mtimeMs === stat.mtimeMs) {
      known.checkedAt = now;
      return known;
    }
    if (!stat.isFile() || stat.size > MAX_MODULE_BYTES) return undefined;
    this.inProgress.add(file);
    try {
      loadTypeScript();
      const text = fs.readFileSync(file, 'utf8');
      // The module's own imports are resolved through this project too (a factory that returns a
      // client made in a third module).
      const model = new TsModel(text, parseTypeScript(text, file), file, this);
      const declared = readDrizzleTables(model.node, model.imports);
      const tables = new Map<string, DrizzleTable>();
      for (const [exported, local] of declared.exported) {
        const table = declared.tables.get(local);
        if (table) tables.set(exported, table);
      }
      const entry: ModuleEntry = {
        mtimeMs: stat.mtimeMs,
        checkedAt: now,
        exports: model.exportedKinds(),
        stars: model.starExports(),
        tables,
        reexports: namedReexports(model.node),
      };
      this.modules.set(file, entry);
      return entry;
    } catch {
      return undefined;
    } finally {
      this.inProgress.delete(file);
    }
  }

  private computeDialect(directory: string): ProjectDialect {
    let postgres = false;
    let other = false;
    for (let current = directory; ; current = path.dirname(current)) {
      const deps = this.dependenciesIn(current);
      if (deps) {
        for (const dependency of deps) {
          if (POSTGRES_PACKAGES.has(dependency)) postgres = true;
          if (OTHER_PACKAGES.has(dependency)) other = true;
        }
        if (deps.has('prisma') || deps.has('@prisma/client')) {
          const provider = prismaSchemaIn(current)?.provider;
          if (provider) {
            if (PRISMA_POSTGRES.has(provider)) postgres = true;
            else other = true;
          }
        }
      }
      if (fs.existsSync(path.join(current, '.git')) || path.dirname(current) === current) break;
    }
    if (postgres && other) return 'mixed';
    return postgres ? 'postgres' : other ? 'other' : 'unknown';
  }

  private dependenciesIn(directory: string): Set<string> | undefined {
    if (this.packageDeps.has(directory)) return this.packageDeps.get(directory) ?? undefined;
    let deps: Set<string> | null;
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as Record<string, unknown>;
      deps = new Set();
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        const value = manifest[field];
        if (value && typeof value === 'object') for (const name of Object.keys(value)) deps.add(name);
      }
    } catch {
      deps = null;
    }
    this.packageDeps.set(directory, deps);
    return deps ?? undefined;
  }
}

// export { payments, accounts as account } from './schema'
function namedReexports(source: TS.SourceFile): Map<string, { module: string; imported: string }> {
  const found = new Map<string, { module: string; imported: string }>();
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    for (const element of statement.exportClause.elements)
      found.set(element.name.text, { module: statement.moduleSpecifier.text, imported: (element.propertyName ?? element.name).text });
  }
  return found;
}

/**
 * At a repository or monorepo root, the Prisma schema of one of its packages (apps/*, packages/*,
 * libs/*): the schema a package imports its client from (`@acme/prisma`). The nearest schema above
 * a file is looked for first (prisma/schema.prisma, schema.prisma, prisma/schema/*.prisma).
 */
function packagesPrismaSchema(root: string): PrismaSchema | undefined {
  for (const group of ['packages', 'apps', 'libs']) {
    let children: string[];
    try {
      children = fs.readdirSync(path.join(root, group));
    } catch {
      continue;
    }
    for (const child of children.sort()) {
      const nested = prismaSchemaIn(path.join(root, group, child));
      if (nested) return nested;
    }
  }
  return undefined;
}

function hasWorkspaces(directory: string): boolean {
  try {
    return 'workspaces' in JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8'));
  } catch {
    return false;
  }
}

const parsedSchemas = new Map<string, PrismaSchema>();

function prismaSchemaIn(directory: string): PrismaSchema | undefined {
  const texts: string[] = [];
  for (const file of [path.join(directory, 'prisma', 'schema.prisma'), path.join(directory, 'schema.prisma')]) {
    try {
      texts.push(fs.readFileSync(file, 'utf8'));
      break;
    } catch {
      // not here
    }
  }
  try {
    const folder = path.join(directory, 'prisma', 'schema');
    for (const name of fs.readdirSync(folder).sort()) if (name.endsWith('.prisma')) texts.push(fs.readFileSync(path.join(folder, name), 'utf8'));
  } catch {
    // no multi-file schema
  }
  if (!texts.length) return undefined;
  // The same schema is found from many folders (a package's, the monorepo root's): read it once.
  const text = texts.join('\n');
  let schema = parsedSchemas.get(text);
  if (!schema) parsedSchemas.set(text, (schema = readPrismaSchema(text)));
  return schema;
}
