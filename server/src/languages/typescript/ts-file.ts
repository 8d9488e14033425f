// The model TypeScript rules run on: imports, what the client objects are (a Stripe client, a Redis
// client, axios, redlock, a database client), the functions with their calls in source order, and
// the SQL embedded in the code.

import type { ts as TS } from 'ts-morph';
import { spendWork } from '../../budget';
import { kindSet, parseTypeScript, ts } from './project';

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
  | 'slonik';

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
  [/^(npm:|jsr:)?@supabase\/supabase-js(@.*)?$|esm\.sh\/@supabase\/supabase-js/, 'supabase'],
  [/^(npm:)?slonik(@.*)?$/, 'slonik'],
];

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

  /** Tagged templates, calls and template literals in document order: where SQL may be embedded. */
  readonly sqlCarriers: TS.Node[] = [];

  private readonly scopes = new Map<TS.Node, FunctionScope>();
  /** The scope of each call and template, noted during the walk (scopeOf is asked once per embedded query). */
  private readonly carrierScopes = new Map<TS.Node, FunctionScope>();
  private readonly scopeIndexes = new Map<FunctionScope, number>();
  /** The nodes of the last statementStartAt descent, each with the innermost statement down to it. */
  private readonly anchorPath: Array<{ node: TS.Node; statement: TS.Node }>;

  constructor(
    readonly text: string,
    node: TS.SourceFile,
  ) {
    this.node = node;
    this.anchorPath = [{ node, statement: node }];
    this.collect();
    this.functions.forEach((scope, index) => {
      this.scopes.set(scope.node, scope);
      this.scopeIndexes.set(scope, index);
    });
  }

  /** With the tree of the document's previous version (see parseTypeScript), which must not be used afterwards. */
  static parse(text: string, fileName: string, previous?: TS.SourceFile): TsModel {
    const model = new TsModel(text, parseTypeScript(text, fileName, previous));
    model.fileName = fileName;
    return model;
  }

  /** The kind of client an expression's root refers to: `stripe` in stripe.charges.create. */
  kindOf(expression: TS.Expression): ClientKind | undefined {
    const root = rootName(expression);
    if (!root) return undefined;
    const bound = this.bindings.get(root);
    if (bound) return bound;
    const imported = this.imports.get(root);
    return imported ? moduleKind(imported.module) : undefined;
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
    const calls: Array<{ site: CallSite; target: TS.Expression }> = [];
    let scope: FunctionScope = { node: this.node, calls: [] };
    this.functions.push(scope);
    const visit = (node: TS.Node): void => {
      const kind = node.kind;
      if (kind === ts.SyntaxKind.VariableDeclaration) this.collectRequire(node as TS.VariableDeclaration);
      if (BINDERS.has(kind)) binders.push(node);
      const call = kind === ts.SyntaxKind.CallExpression || kind === ts.SyntaxKind.TaggedTemplateExpression || kind === ts.SyntaxKind.NewExpression;
      if (call || kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral || kind === ts.SyntaxKind.TemplateExpression) {
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
    for (const { site, target } of calls) site.kind = this.kindOf(target);
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
      for (const element of node.name.elements) if (ts.isIdentifier(element.name)) this.imports.set(element.name.text, { module, imported: element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text });
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
    else if (ts.isPropertyDeclaration(node)) bind(node.name, (node.initializer && this.kindOfInitializer(node.initializer)) ?? this.kindOfType(node.type));
    else if (ts.isParameter(node)) bind(node.name, this.kindOfType(node.type));
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) bind(node.left, this.kindOfInitializer(node.right));
  }

  private kindOfInitializer(expression: TS.Expression): ClientKind | undefined {
    let current = expression;
    while (ts.isAwaitExpression(current) || ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    if (ts.isNewExpression(current) || ts.isCallExpression(current)) {
      // new Stripe(), createClient(), Redis.fromEnv(), axios.create(), postgres(), knex(), drizzle()
      const kind = this.kindOf(current.expression);
      if (kind) return kind;
    }
    return undefined;
  }

  private kindOfType(type: TS.TypeNode | undefined): ClientKind | undefined {
    if (!type || !ts.isTypeReferenceNode(type)) return undefined;
    const root = ts.isIdentifier(type.typeName) ? type.typeName.text : rootOfQualified(type.typeName);
    const imported = this.imports.get(root);
    return imported ? moduleKind(imported.module) : undefined;
  }
}

const FUNCTIONS = kindSet(() => [
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);
const BINDERS = kindSet(() => [ts.SyntaxKind.VariableDeclaration, ts.SyntaxKind.PropertyDeclaration, ts.SyntaxKind.Parameter, ts.SyntaxKind.BinaryExpression]);

export function isFunctionLike(node: TS.Node): node is TS.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
}

function isStatementLike(node: TS.Node): boolean {
  return ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node) || ts.isIfStatement(node) || ts.isThrowStatement(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isExportAssignment(node) || ts.isPropertyDeclaration(node) || ts.isForOfStatement(node) || ts.isForStatement(node) || ts.isWhileStatement(node);
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

/** The first name of an expression chain: "stripe" in stripe.charges.create, "redis" in this.redis.set. */
export function rootName(expression: TS.Expression): string | undefined {
  const name = dottedName(expression);
  return name ? name.split('.')[0] : undefined;
}

function rootOfQualified(name: TS.EntityName): string {
  return ts.isIdentifier(name) ? name.text : rootOfQualified(name.left);
}
