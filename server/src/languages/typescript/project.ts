// The TypeScript front end parses with ts-morph, syntax only: no type check, no project load, no lib
// files, so it stays fast on every keystroke. The compiler is loaded once. Walks go through the
// compiler API underneath (compilerNode, ts.forEachChild); ts-morph's wrappers are made only for the
// nodes a rule reports or fixes (wrapping every node costs ~30× more).

import { Project, ts, type SourceFile } from 'ts-morph';

let project: Project | undefined;

function sharedProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noLib: true, jsx: ts.JsxEmit.Preserve },
  });
  return project;
}

const EXTENSIONS: Record<string, string> = { typescript: '.ts', typescriptreact: '.tsx', javascript: '.js', javascriptreact: '.jsx' };

/**
 * Parses a document. One in-memory file per extension is reused: a document is analysed from start
 * to end before the next one is parsed, and reusing the path keeps memory flat.
 */
export function parseTypeScript(text: string, fileName: string): SourceFile {
  const extension = /\.(tsx|jsx|mts|cts|mjs|cjs|ts|js)$/i.exec(fileName)?.[0].toLowerCase() ?? EXTENSIONS.typescript;
  // .mts/.cts/.mjs/.cjs parse like .ts/.js; JSX needs the x.
  const normalized = extension.replace(/^\.m|^\.c/, '.');
  return sharedProject().createSourceFile(`/armadilha/document${normalized}`, text, { overwrite: true });
}

export { ts };
