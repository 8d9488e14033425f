// Following a name back to where it was declared, for rules that read the value a variable was
// given (`const init = { signal }; fetch(url, init)`) or must know whether a name is the global one
// (a local `function fetch()` is not the platform's fetch). Looks only at the scopes that enclose
// the use (their statements, a function's parameters, a `for` head), so no walk of the whole file.
// The names a block declares are indexed once per block, so that a lookup costs the depth of the use
// and not the length of the blocks around it (a file of 8,000 calls made 8,000 searches of 8,000
// statements).

import type * as TS from 'typescript';
import { documentMemo, spendWork } from '../../core/budget';
import { ts } from '../../languages/typescript/project';
import { isFunctionLike, withoutTypeSyntax as unwrap } from '../../languages/typescript/ts-file';

export type Declaration = { kind: 'variable'; node: TS.VariableDeclaration } | { kind: 'other'; node: TS.Node }; // a function, a class, a parameter, a destructured variable, an import

/** The innermost declaration of `name` in the scopes enclosing `use`. */
export function findDeclaration(use: TS.Node, name: string): Declaration | undefined {
  // During an analysis, what a name means at a block is remembered: a lookup then stops at the first
  // block already asked about, so that calls nested a thousand blocks deep do not each climb them all.
  const resolved = documentMemo('resolvedNames', () => new Map<TS.Node, Map<string, Declaration | null>>());
  const climbed: TS.Node[] = [];
  let found: Declaration | null = null;
  for (let current: TS.Node | undefined = use.parent; current; current = current.parent) {
    spendWork();
    const known = resolved?.get(current)?.get(name);
    if (known !== undefined) {
      found = known;
      break;
    }
    const own = ownDeclaration(current, name);
    if (ts.isBlock(current) || ts.isSourceFile(current) || isFunctionLike(current)) climbed.push(current);
    if (own) {
      found = own;
      break;
    }
  }
  if (resolved) {
    for (const scope of climbed) {
      let names = resolved.get(scope);
      if (!names) resolved.set(scope, (names = new Map<string, Declaration | null>()));
      names.set(name, found);
    }
  }
  return found ?? undefined;
}

/** A declaration of `name` that a node itself makes for the code inside it. */
function ownDeclaration(current: TS.Node, name: string): Declaration | undefined {
  if (ts.isBlock(current) || ts.isSourceFile(current) || ts.isModuleBlock(current) || ts.isCaseClause(current) || ts.isDefaultClause(current)) {
    return declarationsIn(current).get(name);
  }
  if (ts.isForStatement(current) || ts.isForOfStatement(current) || ts.isForInStatement(current)) {
    const list = current.initializer;
    if (list && ts.isVariableDeclarationList(list)) for (const declaration of list.declarations) if (binds(declaration.name, name)) return of(declaration);
  } else if (isFunctionLike(current)) {
    if (current.parameters.some((parameter) => binds(parameter.name, name))) return { kind: 'other', node: current };
    if (ts.isFunctionExpression(current) && current.name?.text === name) return { kind: 'other', node: current };
  } else if (ts.isCatchClause(current) && current.variableDeclaration && binds(current.variableDeclaration.name, name)) {
    return { kind: 'other', node: current };
  }
  return undefined;
}

/** The variable declaration an identifier refers to, when it is a plain `const/let/var name = …`. */
export function declarationOf(identifier: TS.Identifier): TS.VariableDeclaration | undefined {
  const found = findDeclaration(identifier, identifier.text);
  return found?.kind === 'variable' ? found.node : undefined;
}

/** Follows identifiers (and parentheses, `as`, `satisfies`) to the expression that was written. */
export function resolveValue(expression: TS.Expression | undefined, depth = 0): TS.Expression | undefined {
  const value = unwrap(expression);
  if (!value || depth > 3 || !ts.isIdentifier(value)) return value;
  const declaration = declarationOf(value);
  return declaration?.initializer ? resolveValue(declaration.initializer, depth + 1) : value;
}

/** The expression without parentheses, type assertions, `satisfies` and `!` (one home: ts-file.ts). */
export { withoutTypeSyntax as unwrap } from '../../languages/typescript/ts-file';

// Index of the names each block declares, built on first use. Keyed by the block node: the
// incremental parser reuses a node only when its text did not change, so an index stays true for as
// long as its node lives.
const blockDeclarations = new WeakMap<TS.Node, Map<string, Declaration>>();

/** The names the statements of a block declare (the first declaration of a name wins). */
function declarationsIn(block: TS.Block | TS.SourceFile | TS.ModuleBlock | TS.CaseOrDefaultClause): Map<string, Declaration> {
  let index = blockDeclarations.get(block);
  if (index) return index;
  index = new Map();
  const add = (name: string, declaration: Declaration) => {
    if (!index.has(name)) index.set(name, declaration);
  };
  for (const statement of block.statements) {
    spendWork();
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) for (const name of boundNames(declaration.name)) add(name, of(declaration));
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      add(statement.name.text, { kind: 'other', node: statement });
    } else if (ts.isImportDeclaration(statement) && statement.importClause) {
      for (const name of importedNames(statement.importClause)) add(name, { kind: 'other', node: statement });
    }
  }
  blockDeclarations.set(block, index);
  return index;
}

function of(declaration: TS.VariableDeclaration): Declaration {
  return ts.isIdentifier(declaration.name) ? { kind: 'variable', node: declaration } : { kind: 'other', node: declaration };
}

function binds(name: TS.BindingName, wanted: string): boolean {
  if (ts.isIdentifier(name)) return name.text === wanted;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && binds(element.name, wanted));
}

function boundNames(name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : boundNames(element.name)));
}

function importedNames(clause: TS.ImportClause): string[] {
  const names = clause.name ? [clause.name.text] : [];
  const bindings = clause.namedBindings;
  if (!bindings) return names;
  if (ts.isNamespaceImport(bindings)) return [...names, bindings.name.text];
  return [...names, ...bindings.elements.map((element) => element.name.text)];
}
