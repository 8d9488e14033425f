// Following a name back to where it was declared, for rules that read the value a variable was
// given (`const init = { signal }; fetch(url, init)`) or must know whether a name is the global one
// (a local `function fetch()` is not the platform's fetch). Looks only at the scopes that enclose
// the use (their statements, a function's parameters, a `for` head), so no walk of the whole file.

import type { ts as TS } from 'ts-morph';
import { ts } from '../../languages/typescript/project';

export type Declaration =
  | { kind: 'variable'; node: TS.VariableDeclaration }
  | { kind: 'other'; node: TS.Node }; // a function, a class, a parameter, a destructured variable, an import

/** The innermost declaration of `name` in the scopes enclosing `use`. */
export function findDeclaration(use: TS.Node, name: string): Declaration | undefined {
  for (let current: TS.Node | undefined = use.parent; current; current = current.parent) {
    if (ts.isBlock(current) || ts.isSourceFile(current) || ts.isModuleBlock(current) || ts.isCaseClause(current) || ts.isDefaultClause(current)) {
      const found = declarationIn(current.statements, name);
      if (found) return found;
    } else if (ts.isForStatement(current) || ts.isForOfStatement(current) || ts.isForInStatement(current)) {
      const list = current.initializer;
      if (list && ts.isVariableDeclarationList(list)) for (const declaration of list.declarations) if (binds(declaration.name, name)) return of(declaration);
    } else if (isFunctionLike(current)) {
      if (current.parameters.some((parameter) => binds(parameter.name, name))) return { kind: 'other', node: current };
      if (ts.isFunctionExpression(current) && current.name?.text === name) return { kind: 'other', node: current };
    } else if (ts.isCatchClause(current) && current.variableDeclaration && binds(current.variableDeclaration.name, name)) {
      return { kind: 'other', node: current };
    }
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

/** The expression without parentheses, type assertions, `satisfies` and `!`. */
export function unwrap(expression: TS.Expression | undefined): TS.Expression | undefined {
  let current = expression;
  while (current && (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current))) {
    current = current.expression;
  }
  return current;
}

function declarationIn(statements: readonly TS.Statement[], name: string): Declaration | undefined {
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (binds(declaration.name, name)) return of(declaration);
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === name) {
      return { kind: 'other', node: statement };
    } else if (ts.isImportDeclaration(statement) && statement.importClause && importBinds(statement.importClause, name)) {
      return { kind: 'other', node: statement };
    }
  }
  return undefined;
}

function of(declaration: TS.VariableDeclaration): Declaration {
  return ts.isIdentifier(declaration.name) ? { kind: 'variable', node: declaration } : { kind: 'other', node: declaration };
}

function binds(name: TS.BindingName, wanted: string): boolean {
  if (ts.isIdentifier(name)) return name.text === wanted;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && binds(element.name, wanted));
}

function importBinds(clause: TS.ImportClause, name: string): boolean {
  if (clause.name?.text === name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  if (ts.isNamespaceImport(bindings)) return bindings.name.text === name;
  return bindings.elements.some((element) => element.name.text === name);
}

function isFunctionLike(node: TS.Node): node is TS.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node);
}
