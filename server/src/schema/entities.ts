// Tables a project declares in TypeScript rather than in migrations: Sequelize models (`Model.init`,
// `sequelize.define`, sequelize-typescript's `@Table`) and TypeORM entities (`@Entity`). Each becomes
// a DeclaredEntity — its table, the column each attribute maps to, its keys — read only where the code
// says it literally. Library calls name an entity by its class (`Payment.create(…)`,
// `dataSource.getRepository(Payment)`), in the file or imported from another module of the project:
// `entityNamed` resolves a name either way, through ProjectContext.importedEntity for imports.

import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { isProjectModule, type TsModel } from '../languages/typescript/ts-file';
import type { ColumnFact, KeyFact, SchemaFact } from './facts';
import { sequelizeEntity } from './sequelize';
import { typeormEntity } from './typeorm';

export interface DeclaredEntity {
  library: 'sequelize' | 'typeorm';
  /** The class (or `define`d model) name as the code writes it. */
  name: string;
  /** The table, schema-qualified ("public.payments"). */
  table: string;
  /** Attribute (property) name → column name. */
  columns: Map<string, string>;
  /** Columns the database or the library fills when the code gives no value (defaults, generated keys, timestamps). */
  generated: Set<string>;
  /** Primary key attributes. */
  primaryKey: string[];
  /** Unique keys (constraints and unique indexes), in attribute names. */
  uniqueKeys: string[][];
  /**
   * Code the library runs around each write of a row: hooks and listeners (`@AfterCreate`, `hooks: {…}`,
   * `@BeforeInsert`) or validators (`validate: {…}`, `@IsEmail`). A fix that changes which method
   * writes (create → bulkCreate, update → decrement) changes whether it runs.
   */
  writeHooks: boolean;
}

/** The entity a name refers to where it is used: a class or `define` of this file, or one imported from the project. */
export function entityNamed(model: TsModel, name: string, depth = 0): DeclaredEntity | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let known = entitiesByModel.get(model);
  if (!known) entitiesByModel.set(model, (known = new Map<string, DeclaredEntity | null>()));
  if (!known.has(name)) {
    known.set(name, null); // a class that extends itself through a cycle of modules finds nothing
    known.set(name, findEntity(model, name, depth) ?? null);
  }
  return known.get(name) ?? undefined;
}

const entitiesByModel = new WeakMap<TsModel, Map<string, DeclaredEntity | null>>();

function findEntity(model: TsModel, name: string, depth: number): DeclaredEntity | undefined {
  const local = localDeclaration(model, name);
  if (local) return entityOfDeclaration(model, local, depth);
  const imported = model.imports.get(name);
  if (!imported || !isProjectModule(imported.module) || imported.imported === '*') return undefined;
  return model.project.importedEntity(model.fileName, imported.module, imported.imported);
}

/** The entity a module exports under a name ('default' for its default export), for ProjectContext. */
export function exportedEntity(model: TsModel, exported: string): DeclaredEntity | undefined | 'elsewhere' {
  for (const statement of model.node.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const isExported = modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
    if (ts.isClassDeclaration(statement) && isExported && (isDefault ? exported === 'default' : statement.name?.text === exported)) {
      return entityOfDeclaration(model, statement, 0);
    }
    if (ts.isVariableStatement(statement) && isExported) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name) && declaration.name.text === exported) return entityOfDeclaration(model, declaration, 0);
    }
    if (ts.isExportAssignment(statement) && exported === 'default' && ts.isIdentifier(statement.expression))
      return entityNamed(model, statement.expression.text);
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      const element = statement.exportClause.elements.find((candidate) => candidate.name.text === exported);
      if (!element) continue;
      const local = (element.propertyName ?? element.name).text;
      const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      if (!from) return entityNamed(model, local);
      return isProjectModule(from) ? model.project.importedEntity(model.fileName, from, local) : undefined;
    }
  }
  return 'elsewhere';
}

/** The schema fact of an entity: a table with its columns and keys, merged into the schema the rules see. */
export function entityFact(entity: DeclaredEntity): SchemaFact {
  const column = (attribute: string) => entity.columns.get(attribute) ?? attribute;
  const columns: ColumnFact[] = [...new Set(entity.columns.values())].map((name) => ({ name, type: '', generated: entity.generated.has(name) }));
  const keys: KeyFact[] = [];
  if (entity.primaryKey.length) keys.push({ kind: 'primary', columns: entity.primaryKey.map(column) });
  for (const key of entity.uniqueKeys) keys.push({ kind: 'unique', columns: key.map(column) });
  return { op: 'createTable', table: entity.table, columns, keys, hasExclusion: false };
}

/** The attribute of a column (the inverse of `columns`), for fixes written in attribute names. */
export function attributeOf(entity: DeclaredEntity, column: string): string | undefined {
  for (const [attribute, name] of entity.columns) if (name === column) return attribute;
  return undefined;
}

/** A base class's entity, for one that extends it (its columns, keys and hooks are inherited). */
export function baseEntity(model: TsModel, declaration: TS.ClassDeclaration, depth: number): DeclaredEntity | undefined {
  const heritage = declaration.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
  if (!heritage || !ts.isIdentifier(heritage.expression)) return undefined;
  return entityNamed(model, heritage.expression.text, depth + 1);
}

export interface Decorator {
  /** The decorator's name as the library exports it (an alias is resolved through the imports). */
  name: string;
  args: readonly TS.Expression[];
}

/** The decorators of a node that come from a module (`@Column`, `@Column({ … })`, an aliased import). */
export function decoratorsOf(model: TsModel, node: TS.Node, module: RegExp): Decorator[] {
  const found: Decorator[] = [];
  for (const each of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    const expression = each.expression;
    const callee = ts.isCallExpression(expression) ? expression.expression : expression;
    if (!ts.isIdentifier(callee)) continue;
    const imported = model.imports.get(callee.text);
    if (!imported || !module.test(imported.module)) continue;
    found.push({ name: imported.imported, args: ts.isCallExpression(expression) ? expression.arguments : [] });
  }
  return found;
}

/** How many classes deep an inheritance chain (or a chain of re-exports) is followed. */
const MAX_DEPTH = 6;

function localDeclaration(model: TsModel, name: string): TS.ClassDeclaration | TS.VariableDeclaration | undefined {
  for (const statement of model.node.statements) {
    if (ts.isClassDeclaration(statement) && statement.name?.text === name) return statement;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration;
    }
  }
  return undefined;
}

function entityOfDeclaration(model: TsModel, declaration: TS.ClassDeclaration | TS.VariableDeclaration, depth: number): DeclaredEntity | undefined {
  if (depth > MAX_DEPTH) return undefined;
  return sequelizeEntity(model, declaration, depth) ?? (ts.isClassDeclaration(declaration) ? typeormEntity(model, declaration, depth) : undefined);
}
