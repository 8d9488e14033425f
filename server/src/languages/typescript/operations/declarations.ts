// Where a name a library call starts from was declared, for readers that learn what it is from its
// declaration: `const account = await Account.findByPk(id)` (an instance read from a model),
// `constructor(@InjectRepository(Payment) private repo: Repository<Payment>)`, `const repo =
// dataSource.getRepository(Payment)`. Only the scopes enclosing the use are searched.

import type * as TS from 'typescript';
import { ts } from '../project';
import { isFunctionLike } from '../ts-file';

export type NameDeclaration = TS.VariableDeclaration | TS.ParameterDeclaration | TS.PropertyDeclaration;

/** The innermost declaration of `name` in the scopes enclosing `use` (a variable, a parameter). */
export function declarationOfName(use: TS.Node, name: string): NameDeclaration | undefined {
  for (let current: TS.Node | undefined = use.parent; current; current = current.parent) {
    if (ts.isBlock(current) || ts.isSourceFile(current) || ts.isCaseClause(current) || ts.isDefaultClause(current) || ts.isModuleBlock(current)) {
      for (const statement of current.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const found = statement.declarationList.declarations.find((declaration) => binds(declaration.name, name));
        if (found) return found;
      }
    } else if (ts.isForOfStatement(current) || ts.isForStatement(current) || ts.isForInStatement(current)) {
      const list = current.initializer;
      const found = list && ts.isVariableDeclarationList(list) ? list.declarations.find((declaration) => binds(declaration.name, name)) : undefined;
      if (found) return found;
    } else if (isFunctionLike(current)) {
      const parameter = current.parameters.find((candidate) => binds(candidate.name, name));
      if (parameter) return parameter;
    }
  }
  return undefined;
}

/** The declaration of `this.name` in the enclosing class: a property, or a constructor parameter property. */
export function memberDeclaration(access: TS.PropertyAccessExpression): NameDeclaration | undefined {
  if (access.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let owner: TS.Node | undefined = access.parent;
  while (owner && !ts.isClassDeclaration(owner) && !ts.isClassExpression(owner)) owner = owner.parent;
  if (!owner) return undefined;
  const name = access.name.text;
  for (const member of owner.members) {
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member;
    if (ts.isConstructorDeclaration(member)) {
      const parameter = member.parameters.find(
        (candidate) => ts.isIdentifier(candidate.name) && candidate.name.text === name && ts.getModifiers(candidate)?.length,
      );
      if (parameter) return parameter;
    }
  }
  return undefined;
}

/** What a chain's root names: a plain name or `this.name`, with its declaration. */
export function rootDeclaration(root: TS.Expression): NameDeclaration | undefined {
  if (ts.isIdentifier(root)) return declarationOfName(root, root.text);
  return ts.isPropertyAccessExpression(root) ? memberDeclaration(root) : undefined;
}

function binds(name: TS.BindingName, wanted: string): boolean {
  if (ts.isIdentifier(name)) return name.text === wanted;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && binds(element.name, wanted));
}
