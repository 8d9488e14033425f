// Parse trees are typed (languages/sql/parser.ts types libpg-query's nodes from @pgsql/types): an
// explicit `any` hides a misspelled field from the compiler. This counts them with the compiler: none
// is left in server/src, the rules included (they read statements through SqlStatement.bodyOf and the
// typed accessors of languages/sql/ast.ts). JSON of unknown shape is `unknown`, narrowed where read. A
// file that truly needs one goes in ALLOWED with its count and the reason.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type * as TS from 'typescript';
import { loadTypeScript, ts } from '../server/src/languages/typescript/project';

/** The total; never raise it. */
const CEILING = 0;
/** Files allowed an explicit `any`, with how many: none (the parser boundary types its JSON as AstNode). */
const ALLOWED = new Map<string, number>([]);

before(() => loadTypeScript());

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name).split(path.sep).join('/'));
}

function explicitAnys(file: string): number {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let count = 0;
  const visit = (node: TS.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) count++;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return count;
}

describe('explicit any in server/src', () => {
  const counts = new Map(sourceFiles('server/src').map((file) => [file, explicitAnys(file)]));

  it(`stays at or below ${CEILING}`, () => {
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    assert.ok(
      total <= CEILING,
      `${total} explicit any (ceiling ${CEILING}): ${[...counts]
        .filter(([, count]) => count)
        .map(([file, count]) => `${file} ${count}`)
        .join(', ')}`,
    );
  });

  it('none in any file, rules/ included, beyond what ALLOWED lists', () => {
    const over = [...counts].filter(([file, count]) => count > (ALLOWED.get(file) ?? 0));
    assert.deepEqual(over, []);
  });

  it('counts the rules too', () => {
    // A guard on the guard: the walk must see the rules' folders, where the explicit `any`s used to be.
    assert.ok([...counts.keys()].some((file) => file.startsWith('server/src/rules/sql/')));
    assert.ok([...counts.keys()].some((file) => file.startsWith('server/src/rules/typescript/')));
  });
});
