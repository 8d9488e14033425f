// The TypeScript front end parses with the TypeScript compiler, syntax only: no type check,
// no project, no lib files, so it stays fast on every keystroke. The compiler is loaded once, and
// only when a TypeScript or JavaScript document is first analysed: it is most of the bundle, and
// SQL-only runs (a CLI check of migrations) start several times faster without it. Walks go through
// the compiler API (ts.forEachChild), never through a wrapper that allocates an object per node.

import type * as TS from 'typescript';

/**
 * The compiler API. Bound when the front end loads; rules use it only while analysing a TypeScript
 * document, after parseTypeScript. Types come from `import type * as TS from 'typescript'`: a value
 * import would load the compiler with the module that names it.
 */
export let ts: typeof TS = undefined as unknown as typeof TS;

/**
 * Loads the TypeScript compiler (once). A require call, not an import: the build turns it into a
 * require of dist/typescript.js (scripts/build.mjs), so the bundles start without the compiler.
 */
export function loadTypeScript(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!ts) ts = require('typescript') as typeof TS;
}

/**
 * Parses a document. With the tree of the document's previous version, only what changed is parsed
 * again (the compiler's incremental parser, as editors use it); that tree must not be used afterwards.
 */
export function parseTypeScript(text: string, fileName: string, previous?: TS.SourceFile): TS.SourceFile {
  loadTypeScript();
  const extension = /\.(tsx|jsx|mts|cts|mjs|cjs|ts|js)$/i.exec(fileName)?.[0].toLowerCase() ?? '.ts';
  // .mts/.cts/.mjs/.cjs parse like .ts/.js; JSX needs the x.
  const name = `/armadilha/document${extension.replace(/^\.m|^\.c/, '.')}`;
  if (previous?.fileName === name) return ts.updateSourceFile(previous, text, changeRange(previous.text, text));
  // Rules read no JSDoc: skipping it is a fifth of the parse.
  return ts.createSourceFile(name, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true);
}

/** The span of the old text that was replaced, and the length of its replacement. */
function changeRange(before: string, after: string): TS.TextChangeRange {
  const shorter = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < shorter && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return ts.createTextChangeRange(ts.createTextSpan(prefix, before.length - prefix - suffix), after.length - prefix - suffix);
}

/** A set of syntax kinds built on first use (module-level constants cannot read `ts` before it loads). */
export function kindSet(kinds: () => number[]): { has(kind: number): boolean } {
  let set: Set<number> | undefined;
  return { has: (kind) => (set ??= new Set(kinds())).has(kind) };
}
