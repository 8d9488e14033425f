// The variables and parameters a function declares, and where each is visible: enough to know whether
// a name written in one statement can be used in a later one (for fixes that reuse a variable).

import type * as TS from 'typescript';
import { ts } from './project';
import { isFunctionLike, type TsModel } from './ts-file';

export interface Declared {
  name: string;
  /** Where the name is visible: the block or statement holding the declaration, or the function. */
  container: TS.Node;
  end: number;
  initializer: TS.Expression | undefined;
}

/** Variables and parameters of a function (not of the functions nested in it). */
export function declarationsIn(scope: TS.Node): Declared[] {
  const declared: Declared[] = [];
  const bind = (name: TS.BindingName, container: TS.Node, end: number, initializer: TS.Expression | undefined) => {
    if (ts.isIdentifier(name)) declared.push({ name: name.text, container, end, initializer });
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name, container, end, initializer);
  };
  if (isFunctionLike(scope)) for (const parameter of scope.parameters) bind(parameter.name, scope, parameter.getEnd(), undefined);
  const visit = (node: TS.Node): void => {
    if (isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isVariableDeclaration(node)) {
      // const x in a block is visible in the block; in a for (…) or catch (…), in that statement.
      const holder = ts.isVariableDeclarationList(node.parent) ? node.parent.parent : node.parent;
      bind(node.name, ts.isVariableStatement(holder) ? holder.parent : holder, node.getEnd(), node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(isFunctionLike(scope) ? (scope.body ?? scope) : scope, visit);
  return declared;
}

/** True when a declared name is in scope at a document offset after its declaration. */
export function isVisibleAt(model: TsModel, declared: Declared, offset: number): boolean {
  return declared.end <= offset && offset >= declared.container.getStart(model.node) && offset <= declared.container.getEnd();
}
