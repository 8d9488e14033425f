// The TypeScript front end parses with ts-morph, syntax only: no type check, no project load, no lib
// files, so it stays fast on every keystroke. The compiler is loaded once, and only when a TypeScript
// or JavaScript document is first analysed: it is most of the bundle, and SQL-only runs (a CLI check
// of migrations, a worker thread) start several times faster without it. Walks go through the
// compiler API underneath (compilerNode, ts.forEachChild); ts-morph's wrappers are made only for the
// nodes a rule reports or fixes (wrapping every node costs ~30× more).

import type * as TsMorph from 'ts-morph';
import type { Project, SourceFile } from 'ts-morph';

/**
 * The compiler API (ts-morph's copy of TypeScript). Bound when the front end loads; rules use it only
 * while analysing a TypeScript document, after parseTypeScript. Types come from `import type { ts as TS }`.
 */
export let ts: typeof TsMorph.ts = undefined as unknown as typeof TsMorph.ts;

let project: Project | undefined;

/** Loads ts-morph and the TypeScript compiler (once). */
export function loadTypeScript(): void {
  if (project) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsMorph = require('ts-morph') as typeof TsMorph;
  ts = tsMorph.ts;
  project = new tsMorph.Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noLib: true, jsx: ts.JsxEmit.Preserve },
  });
}

/**
 * Parses a document. One in-memory file per extension is reused: a document is analysed from start
 * to end before the next one is parsed, and reusing the path keeps memory flat.
 */
export function parseTypeScript(text: string, fileName: string): SourceFile {
  loadTypeScript();
  const extension = /\.(tsx|jsx|mts|cts|mjs|cjs|ts|js)$/i.exec(fileName)?.[0].toLowerCase() ?? '.ts';
  // .mts/.cts/.mjs/.cjs parse like .ts/.js; JSX needs the x.
  const normalized = extension.replace(/^\.m|^\.c/, '.');
  return project!.createSourceFile(`/armadilha/document${normalized}`, text, { overwrite: true });
}

/** A set of syntax kinds built on first use (module-level constants cannot read `ts` before it loads). */
export function kindSet(kinds: () => number[]): { has(kind: number): boolean } {
  let set: Set<number> | undefined;
  return { has: (kind) => (set ??= new Set(kinds())).has(kind) };
}
