// Whether a TypeScript/JavaScript document is browser code: a React component (a .tsx/.jsx file that
// renders JSX), a "use client" module, a module that imports react, react-dom, client-only or one of
// Next's client modules, a module in a `client-only/` or `browser/` folder, code that touches the
// page's globals (window.…, document.…) or handles DOM-only types (ClipboardEvent, HTMLElement).
// Server signals win: "use server", `server-only`, next/server, next/headers, next/og, and Next.js
// route handlers (`route.tsx` renders images on the server). In a browser
// a request is bounded by the user, who can reload the page, and by the browser's own limits; a
// missing deadline there costs far less than in a server, where it holds a worker and its pool.

import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { childAt, isFunctionLike } from '../languages/typescript/ts-file';
import type { RuleContext } from '../core/rule';
import { findDeclaration } from './typescript/ts-declarations';

const CLIENT_MODULES = /^(npm:)?(react|react-dom|preact|client-only)(@[^/]*)?(\/|$)|^next\/(link|image|router|dynamic|script|head)$/;
/** Modules that only servers import (a React server component or a route that renders an image may import react too). */
const SERVER_MODULES = /^(npm:)?(server-only|next\/server|next\/headers|next\/cache|next\/og|@vercel\/og)$/;
/** Next.js route handlers: server code whatever they render. */
const SERVER_FILES = /(^|[\\/])route\.[cm]?[jt]sx?$/;
/** React exports that only server components use. */
const SERVER_REACT_EXPORTS = new Set(['cache']);
const PAGE_GLOBALS = /\b(window|document|localStorage|sessionStorage)\s*(\?\.|\.|\[)/g;
/** Types only the DOM has (a handler of clipboard or drag events, an element). */
const DOM_TYPES = /\b((Clipboard|Drag|Mouse|Keyboard|Pointer|Touch|Focus|Wheel|Composition)Event|DataTransfer|HTML[A-Za-z]*Element)\b/g;
/** Folders that hold only browser code by convention. */
const CLIENT_FOLDERS = /(^|[\\/])(client-only|browser)[\\/]/;

export function isBrowserCode(context: RuleContext): boolean {
  return context.memo('isBrowserCode', () => {
    const model = context.typescript;
    if (!model) return false;
    const directives = directivesOf(model.node);
    if (directives.has('use server') || SERVER_FILES.test(model.fileName)) return false;
    if (directives.has('use client')) return true;
    let clientImport = false;
    for (const statement of model.node.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const module = statement.moduleSpecifier.text;
      if (SERVER_MODULES.test(module)) return false;
      if (CLIENT_MODULES.test(module) && !isTypeOnly(statement) && !importsOnly(statement, SERVER_REACT_EXPORTS)) clientImport = true;
    }
    if (clientImport || CLIENT_FOLDERS.test(model.fileName)) return true;
    if (/\.[jt]sx$/i.test(model.fileName) && containsJsx(model.node)) return true;
    return touchesPageGlobals(context) || usesDomTypes(context);
  });
}

/** The directive prologue: "use client", "use server", "use strict". */
function directivesOf(file: TS.SourceFile): Set<string> {
  const found = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    found.add(statement.expression.text);
  }
  return found;
}

/** import type { X } from 'react', import { type X } from 'react': nothing of the module runs. */
function isTypeOnly(statement: TS.ImportDeclaration): boolean {
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** import { cache } from 'react': only names of the given set (and types) are imported. */
function importsOnly(statement: TS.ImportDeclaration, names: Set<string>): boolean {
  const clause = statement.importClause;
  const bindings = clause?.namedBindings;
  if (!clause || clause.name || !bindings || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.every((element) => element.isTypeOnly || names.has((element.propertyName ?? element.name).text));
}

// The parser marks every node that holds JSX (the flag the compiler's JSX transform reads), so the
// whole file need not be walked; older compilers without the flag get the walk.
function containsJsx(file: TS.SourceFile): boolean {
  const flag = (ts as unknown as { TransformFlags?: { ContainsJsx?: number } }).TransformFlags?.ContainsJsx;
  if (flag) return ((file as unknown as { transformFlags: number }).transformFlags & flag) !== 0;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** A type annotation naming a DOM-only type: `(view, event: ClipboardEvent) => …`, `ref: HTMLDivElement`. */
function usesDomTypes(context: RuleContext): boolean {
  const model = context.typescript!;
  for (const match of context.text.matchAll(DOM_TYPES)) {
    context.spend();
    let node: TS.Node = model.node;
    for (let next = childAt(node, match.index); next; next = childAt(node, match.index)) node = next;
    if (ts.isIdentifier(node) && ts.isTypeReferenceNode(node.parent) && !findDeclaration(node, node.text)) return true;
  }
  return false;
}

/**
 * window.location, document.cookie, localStorage.getItem(…) on the global objects. A local variable
 * or parameter of that name (a server's `document` record) does not count, nor `typeof window` checks,
 * which isomorphic code makes precisely because it may run on a server.
 */
function touchesPageGlobals(context: RuleContext): boolean {
  const model = context.typescript!;
  for (const match of context.text.matchAll(PAGE_GLOBALS)) {
    context.spend();
    let node: TS.Node = model.node;
    for (let next = childAt(node, match.index); next; next = childAt(node, match.index)) node = next;
    if (!ts.isIdentifier(node) || node.getStart(model.node) !== match.index) continue;
    const parent = node.parent;
    const accessed = (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node;
    if (accessed && !findDeclaration(node, node.text)) return true;
  }
  return false;
}

/** Framework entry points that run on the server even in a module that also renders a component. */
const SERVER_ENTRIES = new Set([
  'loader',
  'action',
  'getServerSideProps',
  'getStaticProps',
  'getStaticPaths',
  'generateMetadata',
  'generateStaticParams',
  'generateImageMetadata',
]);

/**
 * The function (a FunctionScope's node) is, or is inside, a server entry of a route module: Remix's
 * `loader`/`action`, Next's `getServerSideProps`, `generateMetadata`. Remembered per function.
 */
export function inServerEntry(context: RuleContext, scope: TS.Node): boolean {
  const known = context.memo('serverEntries', () => new Map<TS.Node, boolean>());
  const path: TS.Node[] = [];
  let answer = false;
  for (let current: TS.Node | undefined = scope; current; current = current.parent) {
    context.spend();
    if (!isFunctionLike(current)) continue;
    const remembered = known.get(current);
    if (remembered !== undefined) {
      answer = remembered;
      break;
    }
    path.push(current);
    const name = entryName(current);
    if (name && SERVER_ENTRIES.has(name)) {
      answer = true;
      break;
    }
  }
  for (const fn of path) known.set(fn, answer);
  return answer;
}

function entryName(fn: TS.FunctionLikeDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return fn.name.text;
  const parent = fn.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
}
