// The model TypeScript rules run on: imports, what the client objects are (a Stripe client, a Redis
// client, axios, redlock, a database client), the functions with their calls in source order, and
// the SQL embedded in the code.

import type * as TS from 'typescript';
import { NO_PROJECT, type ProjectContext } from '../../project/context';
import { spendWork } from '../../core/budget';
import { kindSet, parseTypeScript, ts } from './project';
import { looksLikeSql } from './sql-start';

export type ClientKind =
  | 'stripe'
  | 'redis'
  | 'redlock'
  | 'axios'
  | 'got'
  | 'undici'
  | 'http'
  | 'pg'
  | 'postgres'
  | 'knex'
  | 'prisma'
  | 'kysely'
  | 'drizzle'
  | 'supabase'
  | 'slonik'
  // PostgreSQL drivers with their own shapes
  | 'neon'
  | 'vercel-postgres'
  | 'pg-promise'
  | 'databases-pg'
  // SQL builders and ORMs that speak several dialects
  | 'sql-template'
  | 'sequelize'
  | 'typeorm'
  | 'mikro-orm'
  // drivers of other databases: their SQL is never judged as PostgreSQL
  | 'mysql'
  | 'sqlite'
  | 'clickhouse'
  | 'mssql';

/** Module specifier → the kind of client its default export or constructor makes. */
const MODULE_KINDS: Array<[RegExp, ClientKind]> = [
  [/^(npm:)?stripe(@.*)?$|esm\.sh\/stripe/, 'stripe'],
  [/^(npm:)?(redis|ioredis|@upstash\/redis|@redis\/client)(@.*)?(\/.*)?$/, 'redis'],
  [/^(npm:)?redlock(@.*)?$/, 'redlock'],
  [/^(npm:)?axios(@.*)?$/, 'axios'],
  [/^(npm:)?got(@.*)?$/, 'got'],
  [/^(npm:)?undici(@.*)?$/, 'undici'],
  [/^(node:)?https?$/, 'http'],
  [/^(npm:)?pg(@.*)?$/, 'pg'],
  [/^(npm:)?postgres(@.*)?$/, 'postgres'],
  [/^(npm:)?knex(@.*)?$/, 'knex'],
  [/^(npm:)?@prisma\/client(@.*)?$/, 'prisma'],
  [/^(npm:)?kysely(@.*)?$/, 'kysely'],
  [/^(npm:)?drizzle-orm(@.*)?(\/.*)?$/, 'drizzle'],
  [/^(npm:|jsr:)?@supabase\/(supabase-js|ssr|auth-helpers-[\w-]+)(@.*)?$|esm\.sh\/@supabase\/supabase-js/, 'supabase'],
  [/^(npm:)?slonik(@.*)?$/, 'slonik'],
  [/^(npm:)?@neondatabase\/serverless(@.*)?$/, 'neon'],
  [/^(npm:)?@vercel\/postgres(@.*)?$/, 'vercel-postgres'],
  [/^(npm:)?pg-promise(@.*)?$/, 'pg-promise'],
  [/^(npm:)?@databases\/pg(@.*)?$/, 'databases-pg'],
  [/^(npm:)?(sql-template-strings|sql-template-tag|@nearform\/sql)(@.*)?$/, 'sql-template'],
  [/^(npm:)?(sequelize|sequelize-typescript|@sequelize\/core|@nestjs\/sequelize)(@.*)?$/, 'sequelize'],
  [/^(npm:)?(typeorm|@nestjs\/typeorm)(@.*)?$/, 'typeorm'],
  [/^(npm:)?@mikro-orm\/(core|postgresql|knex)(@.*)?$/, 'mikro-orm'],
  [/^(npm:)?(mysql|mysql2|@planetscale\/database|serverless-mysql|mariadb)(@.*)?(\/.*)?$/, 'mysql'],
  [/^(npm:|bun:)?(better-sqlite3|sqlite3|sqlite|@libsql\/client|libsql|@tursodatabase\/.*)(@.*)?(\/.*)?$|^bun:sqlite$|^node:sqlite$/, 'sqlite'],
  [/^(npm:)?(@clickhouse\/client(-web)?|clickhouse|@depyronick\/clickhouse-client)(@.*)?$/, 'clickhouse'],
  [/^(npm:)?(mssql|tedious)(@.*)?$/, 'mssql'],
];

/** Clients whose SQL is certainly PostgreSQL. */
export const POSTGRES_CLIENTS: ReadonlySet<ClientKind> = new Set<ClientKind>([
  'pg',
  'postgres',
  'slonik',
  'neon',
  'vercel-postgres',
  'pg-promise',
  'databases-pg',
  'supabase',
]);
/** Clients that send SQL to whatever database the project configures. */
export const MULTI_DIALECT_CLIENTS: ReadonlySet<ClientKind> = new Set<ClientKind>([
  'knex',
  'kysely',
  'drizzle',
  'prisma',
  'sequelize',
  'typeorm',
  'mikro-orm',
  'sql-template',
]);
/** Clients of other databases. */
export const FOREIGN_SQL_CLIENTS: ReadonlySet<ClientKind> = new Set<ClientKind>(['mysql', 'sqlite', 'clickhouse', 'mssql']);

export function moduleKind(specifier: string): ClientKind | undefined {
  return MODULE_KINDS.find(([pattern]) => pattern.test(specifier))?.[1];
}

export interface ImportBinding {
  module: string;
  /** 'default', '*' (namespace) or the exported name. */
  imported: string;
}

export interface CallSite {
  node: TS.CallExpression | TS.TaggedTemplateExpression | TS.NewExpression;
  /** Dotted callee as written, without `this.`/`await`: "stripe.charges.create", "fetch", "sql". */
  callee: string;
  /** Last name of the callee: "create". */
  method: string;
  /** What the callee's root object is, when known. */
  kind: ClientKind | undefined;
}

export interface FunctionScope {
  node: TS.Node;
  /** Calls inside this function in source order, not counting nested functions. */
  calls: CallSite[];
}

export class TsModel {
  readonly node: TS.SourceFile;
  readonly imports = new Map<string, ImportBinding>();
  /** Variable, parameter and property names bound to a known client kind. */
  readonly bindings = new Map<string, ClientKind>();
  readonly functions: FunctionScope[] = [];
  /** The document's file name or path as given to parse() ('' when unknown), e.g. to tell test code. */
  fileName = '';

  /** Tagged templates, calls, template literals and SQL-like strings in document order: where SQL may be embedded. */
  readonly sqlCarriers: TS.Node[] = [];
  /** The names of every parameter declared in the file (kindOfCallbackParameter looks only for those). */
  private readonly parameterNames = new Set<string>();

  private readonly scopes = new Map<TS.Node, FunctionScope>();
  /** The scope of each call and template, noted during the walk (scopeOf is asked once per embedded query). */
  private readonly carrierScopes = new Map<TS.Node, FunctionScope>();
  private readonly scopeIndexes = new Map<FunctionScope, number>();
  /** The nodes of the last statementStartAt descent, each with the innermost statement down to it. */
  private readonly anchorPath: Array<{ node: TS.Node; statement: TS.Node }>;

  constructor(
    readonly text: string,
    node: TS.SourceFile,
    fileName = '',
    readonly project: ProjectContext = NO_PROJECT,
  ) {
    this.node = node;
    this.fileName = fileName;
    this.anchorPath = [{ node, statement: node }];
    this.collect();
    this.functions.forEach((scope, index) => {
      this.scopes.set(scope.node, scope);
      this.scopeIndexes.set(scope, index);
    });
  }

  /** With the tree of the document's previous version (see parseTypeScript), which must not be used afterwards. */
  static parse(text: string, fileName: string, previous?: TS.SourceFile, project?: ProjectContext): TsModel {
    return new TsModel(text, parseTypeScript(text, fileName, previous), fileName, project);
  }

  /** The kind of client an expression's root refers to: `stripe` in stripe.charges.create (`dottedNameOfExpression`: its dottedName, when known). */
  kindOf(expression: TS.Expression, dottedNameOfExpression?: string): ClientKind | undefined {
    const root = rootIdentifier(expression);
    if (root) {
      // A transaction callback's parameter is what the transaction's client is (null: not one).
      const callback = this.kindOfCallbackParameter(root);
      if (callback !== null) return callback;
    }
    const modelClass = staticThisClass(expression);
    if (modelClass) {
      const kind = this.bindings.get(modelClass);
      if (kind && ORM_CLASS_KINDS.has(kind)) return kind;
    }
    // Asked of every call of the file at each keystroke: the dotted name is built once.
    const dotted = dottedNameOfExpression ?? dottedName(expression);
    if (!dotted) return undefined;
    const parts = dotted.split('.', 2);
    // prisma-extension-kysely: prisma.$kysely is a Kysely instance on Prisma's connection.
    if (parts[1] === '$kysely') return 'kysely';
    return this.kindOfName(parts[0]);
  }

  /** The kind of client a name of this file refers to: a binding, an import of a client package, or a client another module of the project exports. */
  kindOfName(name: string): ClientKind | undefined {
    const bound = this.bindings.get(name);
    if (bound) return bound;
    const imported = this.imports.get(name);
    if (!imported) return Object.hasOwn(NAMED_CLIENTS, name) ? NAMED_CLIENTS[name] : undefined;
    return (
      moduleKind(imported.module) ??
      (isProjectModule(imported.module) ? this.project.importedKind(this.fileName, imported.module, imported.imported) : undefined)
    );
  }

  /** The kinds of client this module exports, by exported name ('default' for the default export). */
  exportedKinds(): Map<string, ClientKind> {
    const exported = new Map<string, ClientKind>();
    const add = (name: string, kind: ClientKind | undefined) => {
      if (kind && !exported.has(name)) exported.set(name, kind);
    };
    for (const statement of this.node.statements) {
      const exportedHere = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
      const isDefault = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(statement) && exportedHere) {
        for (const declaration of statement.declarationList.declarations)
          if (ts.isIdentifier(declaration.name)) add(declaration.name.text, this.bindings.get(declaration.name.text));
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && exportedHere && statement.name) {
        add(isDefault ? 'default' : statement.name.text, this.bindings.get(statement.name.text));
      } else if (ts.isExportAssignment(statement)) {
        add(
          'default',
          this.kindOfInitializer(statement.expression) ?? (ts.isIdentifier(statement.expression) ? this.kindOfName(statement.expression.text) : undefined),
        );
      } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
        for (const element of statement.exportClause.elements) {
          const local = (element.propertyName ?? element.name).text;
          add(
            element.name.text,
            from ? (moduleKind(from) ?? (isProjectModule(from) ? this.project.importedKind(this.fileName, from, local) : undefined)) : this.kindOfName(local),
          );
        }
      }
    }
    return exported;
  }

  /** Modules `export * from` re-exports (their names are this module's too). */
  starExports(): string[] {
    return this.node.statements
      .filter(
        (statement): statement is TS.ExportDeclaration =>
          ts.isExportDeclaration(statement) && !statement.exportClause && !!statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier),
      )
      .map((statement) => (statement.moduleSpecifier as TS.StringLiteral).text);
  }

  /** Start of the innermost statement containing an offset (suppression comments go on the line before it). */
  statementStartAt(offset: number): number {
    // Called once per finding, mostly in document order: the path of the previous descent is kept,
    // and only the part that no longer holds the offset is left and descended again, so that a
    // thousand findings a thousand blocks deep do not each descend from the top.
    const path = this.anchorPath;
    while (path.length > 1 && !holdsFromStart(path[path.length - 1].node, offset, this.node)) path.pop();
    for (let node = childAt(path[path.length - 1].node, offset); node && holdsFromStart(node, offset, this.node); node = childAt(node, offset)) {
      path.push({ node, statement: isStatementLike(node) ? node : path[path.length - 1].statement });
    }
    const found = path[path.length - 1].statement;
    return found === this.node ? offset : found.getStart(this.node);
  }

  /** The function scope whose body directly contains a node. */
  scopeOf(node: TS.Node): FunctionScope {
    const known = this.carrierScopes.get(node);
    if (known) return known;
    for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
      spendWork();
      if (isFunctionLike(current)) return this.scopes.get(current) ?? this.functions[0];
    }
    return this.functions[0];
  }

  /** The position of a scope in `functions` (SQL of one function forms one script). */
  indexOfScope(scope: FunctionScope): number {
    return this.scopeIndexes.get(scope) ?? -1;
  }

  // One walk over the tree (it is most of the cost of a keystroke). What depends on names bound
  // anywhere in the file — a binding's kind, a call's kind — is settled after it, in document order.
  private collect(): void {
    for (const statement of this.node.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const module = statement.moduleSpecifier.text;
        const clause = statement.importClause;
        if (clause?.name) this.imports.set(clause.name.text, { module, imported: 'default' });
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) this.imports.set(bindings.name.text, { module, imported: '*' });
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) this.imports.set(element.name.text, { module, imported: (element.propertyName ?? element.name).text });
        }
      }
    }
    const binders: TS.Node[] = [];
    const factories: TS.Node[] = [];
    const calls: Array<{ site: CallSite; target: TS.Expression }> = [];
    let scope: FunctionScope = { node: this.node, calls: [] };
    this.functions.push(scope);
    const visit = (node: TS.Node): void => {
      const kind = node.kind;
      if (kind === ts.SyntaxKind.VariableDeclaration) this.collectRequire(node as TS.VariableDeclaration);
      else if (kind === ts.SyntaxKind.Parameter && ts.isIdentifier((node as TS.ParameterDeclaration).name))
        this.parameterNames.add(((node as TS.ParameterDeclaration).name as TS.Identifier).text);
      if (BINDERS.has(kind)) binders.push(node);
      if (
        kind === ts.SyntaxKind.FunctionDeclaration ||
        (kind === ts.SyntaxKind.VariableDeclaration &&
          (node as TS.VariableDeclaration).initializer &&
          isFunctionLike((node as TS.VariableDeclaration).initializer!))
      )
        factories.push(node);
      const call = kind === ts.SyntaxKind.CallExpression || kind === ts.SyntaxKind.TaggedTemplateExpression || kind === ts.SyntaxKind.NewExpression;
      if (call || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral || kind === ts.SyntaxKind.TemplateExpression) {
        this.sqlCarriers.push(node);
        this.carrierScopes.set(node, scope);
      } else if (
        kind === ts.SyntaxKind.StringLiteral &&
        (node as TS.StringLiteral).text.length >= MIN_PLAIN_SQL &&
        looksLikeSql((node as TS.StringLiteral).text)
      ) {
        // A plain string is a carrier only when it reads like SQL (most strings are not, and there are many).
        this.sqlCarriers.push(node);
        this.carrierScopes.set(node, scope);
      }
      const outer = scope;
      if (FUNCTIONS.has(kind)) {
        scope = { node, calls: [] };
        this.functions.push(scope);
      }
      // Children first for calls (arguments are evaluated before the call itself).
      ts.forEachChild(node, visit);
      scope = outer;
      if (call) {
        const callNode = node as CallSite['node'];
        const target = ts.isTaggedTemplateExpression(callNode) ? callNode.tag : callNode.expression;
        const callee = dottedName(target);
        if (callee) {
          const site: CallSite = { node: callNode, callee, method: callee.slice(callee.lastIndexOf('.') + 1), kind: undefined };
          scope.calls.push(site);
          calls.push({ site, target });
        }
      }
    };
    ts.forEachChild(this.node, visit);
    for (const binder of binders) this.collectBinding(binder);
    // Factories return what the first pass bound; what their results initialise is bound in a second pass.
    if (factories.length) {
      for (const factory of factories) this.collectFactory(factory);
      for (const binder of binders) this.collectBinding(binder);
    }
    for (const { site, target } of calls) site.kind = this.kindOf(target, site.callee);
  }

  // const x = require('m'), const { a } = require('m')
  private collectRequire(node: TS.VariableDeclaration): void {
    const call = node.initializer;
    if (!call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'require') return;
    const argument = call.arguments[0];
    if (!argument || !ts.isStringLiteral(argument)) return;
    const module = argument.text;
    if (ts.isIdentifier(node.name)) this.imports.set(node.name.text, { module, imported: 'default' });
    else if (ts.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements)
        if (ts.isIdentifier(element.name))
          this.imports.set(element.name.text, {
            module,
            imported: element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text,
          });
    }
  }

  // const stripe = new Stripe(key); const redis = createClient(); this.redis = new Redis();
  // constructor(private readonly sql: postgres.Sql) {}; function f(redis: Redis) {}
  private collectBinding(node: TS.Node): void {
    const bind = (name: TS.Node | undefined, kind: ClientKind | undefined) => {
      if (!kind || !name) return;
      const key = ts.isIdentifier(name) || ts.isPrivateIdentifier(name) ? name.text : ts.isPropertyAccessExpression(name) ? name.name.text : undefined;
      if (key && !this.bindings.has(key)) this.bindings.set(key, kind);
    };
    if (ts.isVariableDeclaration(node) && node.initializer) bind(node.name, this.kindOfInitializer(node.initializer) ?? this.kindOfType(node.type));
    else if (ts.isPropertyDeclaration(node))
      bind(node.name, (node.initializer && this.kindOfInitializer(node.initializer)) ?? this.kindOfType(node.type) ?? this.kindOfInjection(node));
    else if (ts.isParameter(node)) bind(node.name, this.kindOfType(node.type) ?? this.kindOfInjection(node));
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) bind(node.left, this.kindOfInitializer(node.right));
    else if (ts.isClassDeclaration(node) && node.name) {
      // class Payment extends Model (Sequelize), class Payment extends BaseEntity (TypeORM), also through a
      // base class of the project: the class is the client its static methods query with.
      const base = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const kind = base && this.kindOf(base);
      if (kind && ORM_CLASS_KINDS.has(kind)) bind(node.name, kind);
    }
  }

  // prisma.$transaction(async (tx) => …), knex.transaction((trx) => …), sql.begin((tx) => …): the
  // callback's first parameter is a client of the same kind as the one that opened the transaction.
  // Resolved where the name is used (the nearest function declaring it), not file-wide: `tx` may be
  // a postgres.js transaction in one function and a Prisma one in the next.
  private kindOfCallbackParameter(name: TS.Identifier): ClientKind | undefined | null {
    // Most roots (imports, module variables, globals) are no function's parameter: no walk up to the file.
    if (!this.parameterNames.has(name.text)) return null;
    let fn: TS.Node | undefined = name.parent;
    while (fn && !(isFunctionLike(fn) && fn.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === name.text)))
      fn = fn.parent;
    if (!fn || !isFunctionLike(fn)) return null;
    const parameter = fn.parameters[0];
    if (!parameter || !ts.isIdentifier(parameter.name) || parameter.name.text !== name.text || parameter.type) return null;
    const call = fn.parent;
    if (!call || !ts.isCallExpression(call) || !call.arguments.includes(fn as unknown as TS.Expression) || !ts.isPropertyAccessExpression(call.expression))
      return null;
    if (!TRANSACTION_CALLBACK_METHODS.has(call.expression.name.text)) return null;
    let receiver: TS.Expression = call.expression.expression;
    // kysely: db.transaction().execute((trx) => …)
    if (call.expression.name.text === 'execute' && ts.isCallExpression(receiver) && ts.isPropertyAccessExpression(receiver.expression))
      receiver = receiver.expression.expression;
    // A call's own name is cut from its dotted name (`db.transaction()` has none): ask of its callee.
    return this.kindOf(ts.isCallExpression(receiver) ? receiver.expression : receiver);
  }

  private kindOfInitializer(expression: TS.Expression): ClientKind | undefined {
    let current = expression;
    while (ts.isAwaitExpression(current) || ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current))
      current = current.expression;
    if (ts.isNewExpression(current) || ts.isCallExpression(current)) {
      // new Stripe(), createClient(), Redis.fromEnv(), axios.create(), postgres(), knex(), drizzle(),
      // stripeClient() (a factory of this file or of another module of the project)
      const kind = this.kindOf(current.expression);
      if (kind) return kind;
      // remember('prisma', () => new PrismaClient()), memoize(() => createClient(…)): a wrapper that
      // builds the client once returns what its factory argument returns.
      if (ts.isCallExpression(current)) {
        for (const argument of current.arguments) {
          if (!ts.isArrowFunction(argument) && !ts.isFunctionExpression(argument)) continue;
          const built = ts.isBlock(argument.body) ? this.kindReturnedBy(argument.body) : this.kindOfInitializer(argument.body);
          if (built) return built;
        }
      }
    }
    // globalThis.prisma ?? new PrismaClient(), cached || createClient(), dev ? new Redis(a) : new Redis(b)
    if (
      ts.isBinaryExpression(current) &&
      (current.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || current.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      return this.kindOfInitializer(current.right) ?? this.kindOfInitializer(current.left);
    }
    if (ts.isConditionalExpression(current)) return this.kindOfInitializer(current.whenTrue) ?? this.kindOfInitializer(current.whenFalse);
    return undefined;
  }

  // function stripeClient() { return new Stripe(key) }, const db = () => drizzle(pool): the function's
  // name is bound to the kind of client it returns, so that `stripeClient().charges.create()` and
  // `const stripe = stripeClient()` are Stripe calls.
  private collectFactory(node: TS.Node): void {
    let name: string | undefined;
    let body: TS.ConciseBody | undefined;
    if (ts.isFunctionDeclaration(node) && node.name) {
      name = node.name.text;
      body = node.body;
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    ) {
      name = node.name.text;
      body = node.initializer.body;
    }
    if (!name || !body || this.bindings.has(name)) return;
    const kind = ts.isBlock(body) ? this.kindReturnedBy(body) : this.kindOfInitializer(body);
    if (kind) this.bindings.set(name, kind);
  }

  private kindReturnedBy(block: TS.Block): ClientKind | undefined {
    let found: ClientKind | undefined;
    const visit = (node: TS.Node): void => {
      if (found || isFunctionLike(node)) return;
      if (ts.isReturnStatement(node) && node.expression)
        found = this.kindOfInitializer(node.expression) ?? (ts.isIdentifier(node.expression) ? this.bindings.get(node.expression.text) : undefined);
      else ts.forEachChild(node, visit);
    };
    ts.forEachChild(block, visit);
    return found;
  }

  // NestJS: @InjectRepository(Payment) (TypeORM), @InjectModel(Payment) (Sequelize), whatever the type says.
  private kindOfInjection(node: TS.ParameterDeclaration | TS.PropertyDeclaration): ClientKind | undefined {
    for (const decorator of ts.getDecorators(node) ?? []) {
      const call = decorator.expression;
      const kind =
        ts.isCallExpression(call) && /^Inject(Repository|Model|EntityManager|DataSource|Connection)$/.test(call.expression.getText(this.node))
          ? this.kindOf(call.expression)
          : undefined;
      if (kind && ORM_CLASS_KINDS.has(kind)) return kind;
    }
    return undefined;
  }

  private kindOfType(type: TS.TypeNode | undefined): ClientKind | undefined {
    // typeof Payment: the model class itself (Sequelize).
    if (type && ts.isTypeQueryNode(type)) return this.kindOfName(rootOfQualified(type.exprName));
    if (!type || !ts.isTypeReferenceNode(type)) return undefined;
    const root = ts.isIdentifier(type.typeName) ? type.typeName.text : rootOfQualified(type.typeName);
    return this.kindOfName(root);
  }
}

/**
 * A module that may belong to the project: relative, an alias (`@/lib/db`) or a package of a monorepo
 * (`@acme/db`). The project context resolves it or says it does not know it.
 */
export function isProjectModule(specifier: string): boolean {
  return !/^(npm:|jsr:|node:|bun:|https?:)/.test(specifier);
}

const TRANSACTION_CALLBACK_METHODS = new Set(['$transaction', 'transaction', 'begin', 'tx', 'task', 'execute']);

/**
 * Names that say what client they are when nothing in the file binds them (a global, a parameter
 * without a type): `supabase.from('t').insert(…)`, `prisma.payment.create(…)`.
 */
const NAMED_CLIENTS: Record<string, ClientKind> = { supabase: 'supabase', supabaseAdmin: 'supabase', supabaseClient: 'supabase', prisma: 'prisma' };

/** Shorter plain strings are labels and words, not queries ("select x from t" has 15 characters). */
const MIN_PLAIN_SQL = 12;

const FUNCTIONS = kindSet(() => [
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);
const BINDERS = kindSet(() => [
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.Parameter,
  ts.SyntaxKind.BinaryExpression,
  ts.SyntaxKind.ClassDeclaration,
]);
/** Libraries whose model classes are clients: `Payment.create(…)` (Sequelize), `Payment.save(…)` (TypeORM's BaseEntity). */
const ORM_CLASS_KINDS: ReadonlySet<ClientKind> = new Set<ClientKind>(['sequelize', 'typeorm']);

export function isFunctionLike(node: TS.Node): node is TS.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessor(node) ||
    ts.isSetAccessor(node)
  );
}

/** for, for…of, for…in, while, do…while. */
export function isLoop(node: TS.Node): boolean {
  return ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node);
}

/** A function's name: function f(), method f(), const f = () => …, const f = function () …, { f: () => … }. */
export function functionName(fn: TS.FunctionLikeDeclaration): string | undefined {
  if (
    (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) &&
    fn.name &&
    (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))
  )
    return fn.name.text;
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name))
    return parent.name.text;
  return undefined;
}

/** The same value without the syntax around it that only types or groups it: parentheses, `as`, `<T>`, `satisfies`, `!`. */
export function withoutTypeSyntax(expression: TS.Expression): TS.Expression;
export function withoutTypeSyntax(expression: TS.Expression | undefined): TS.Expression | undefined;
export function withoutTypeSyntax(expression: TS.Expression | undefined): TS.Expression | undefined {
  let current = expression;
  while (
    current &&
    (ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isTypeAssertionExpression(current))
  ) {
    current = current.expression;
  }
  return current;
}

function isStatementLike(node: TS.Node): boolean {
  return (
    ts.isExpressionStatement(node) ||
    ts.isVariableStatement(node) ||
    ts.isReturnStatement(node) ||
    ts.isIfStatement(node) ||
    ts.isThrowStatement(node) ||
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isExportAssignment(node) ||
    ts.isPropertyDeclaration(node) ||
    ts.isForOfStatement(node) ||
    ts.isForStatement(node) ||
    ts.isWhileStatement(node)
  );
}

/** The node's text (from its first token, without leading trivia) holds the offset. */
function holdsFromStart(node: TS.Node, offset: number, file: TS.SourceFile): boolean {
  return offset < node.end && offset >= node.getStart(file);
}

/**
 * The child of a node whose range (with its leading trivia) holds an offset. A binary search in lists
 * of children (statements, arguments, members), so that descending to an offset costs the depth of
 * the tree times the logarithm of its width.
 */
export function childAt(node: TS.Node, offset: number): TS.Node | undefined {
  let found: TS.Node | undefined;
  const holds = (child: TS.Node) => child.pos <= offset && offset < child.end;
  ts.forEachChild(
    node,
    (child) => (holds(child) ? (found = child) : undefined),
    (children) => {
      let low = 0;
      let high = children.length - 1;
      while (low <= high) {
        spendWork();
        const middle = (low + high) >> 1;
        const child = children[middle];
        if (offset < child.pos) high = middle - 1;
        else if (offset >= child.end) low = middle + 1;
        else return (found = child);
      }
      return undefined;
    },
  );
  spendWork();
  return found;
}

/** "a.b.c" for an identifier/property-access chain (through this., calls' results are cut), else undefined. */
export function dottedName(expression: TS.Expression): string | undefined {
  const parts: string[] = [];
  let current: TS.Expression = expression;
  for (;;) {
    while (ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current)) current = current.expression;
    if (ts.isPropertyAccessExpression(current)) {
      parts.unshift(current.name.text);
      current = current.expression;
    } else if (ts.isIdentifier(current)) {
      parts.unshift(current.text);
      return parts.join('.');
    } else if (current.kind === ts.SyntaxKind.ThisKeyword) {
      return parts.length ? parts.join('.') : undefined;
    } else if (ts.isCallExpression(current) || ts.isElementAccessExpression(current)) {
      // stripe.charges.create(...).then → keep what follows the call
      current = current.expression;
      if (!parts.length) return undefined;
    } else return parts.length ? parts.join('.') : undefined;
  }
}

/** The identifier an expression chain starts from (`tx` in tx.payment.create(…)), when it starts from one. */
function rootIdentifier(expression: TS.Expression): TS.Identifier | undefined {
  let current: TS.Expression = expression;
  while (
    ts.isPropertyAccessExpression(current) ||
    ts.isCallExpression(current) ||
    ts.isElementAccessExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isAwaitExpression(current)
  )
    current = current.expression;
  return ts.isIdentifier(current) ? current : undefined;
}

/** `this.findAll` in a static method of a named class: that class's name (`this` is the class there). */
export function staticThisClass(expression: TS.Expression): string | undefined {
  let current: TS.Expression = expression;
  while (ts.isPropertyAccessExpression(current) || ts.isCallExpression(current) || ts.isNonNullExpression(current) || ts.isParenthesizedExpression(current))
    current = current.expression;
  if (current.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let fn: TS.Node | undefined = current.parent;
  while (fn && (!isFunctionLike(fn) || ts.isArrowFunction(fn))) fn = fn.parent;
  if (!fn || !ts.isMethodDeclaration(fn) || !fn.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword)) return undefined;
  return ts.isClassDeclaration(fn.parent) && fn.parent.name ? fn.parent.name.text : undefined;
}

/** The first name of an expression chain: "stripe" in stripe.charges.create, "redis" in this.redis.set. */
export function rootName(expression: TS.Expression): string | undefined {
  const name = dottedName(expression);
  return name ? name.split('.')[0] : undefined;
}

function rootOfQualified(name: TS.EntityName): string {
  return ts.isIdentifier(name) ? name.text : rootOfQualified(name.left);
}
