// What `armadilha check` loads at startup: never the language server's stack (vscode-languageserver and the
// handlers), which only `armadilha lsp` needs, and the TypeScript compiler only once a TypeScript file is
// read. The CLI's sources are run as modules (through tsx) with a hook that notes every module required,
// so that an import added on the check path is caught; the bundle keeps the same laziness (esbuild runs a
// module's body when it is first required, and scripts/build.mjs turns the compiler's require into one
// of dist/typescript.js).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { coverageLine } from '../server/src/cli/coverage';

const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-startup-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// Notes each request for the language-server packages, the server's own modules and the compiler on stderr.
const HOOK = `
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (/vscode-languageserver|vscode-jsonrpc|[\\\\/]server\\.ts$|[\\\\/]handlers[\\\\/]|(^|[\\\\/])state(\\.ts)?$|(^|[\\\\/])server$|^typescript$/.test(request)) process.stderr.write('LOADED ' + request + '\\n');
  return load.apply(this, arguments);
};
`;

// Run from the repository (where tsx resolves); the folders are given as paths.
function runCli(args: string[]): { stderr: string; status: number | null } {
  const hook = path.join(folder, 'hook.cjs');
  writeFileSync(hook, HOOK);
  const result = spawnSync(process.execPath, ['--require', hook, '--import', 'tsx', path.resolve('server/src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    input: '',
  });
  return { stderr: result.stderr, status: result.status };
}

describe('check does not load the language server', () => {
  it('on an empty folder and on a SQL file', () => {
    const empty = path.join(folder, 'empty');
    mkdirSync(empty);
    const emptyRun = runCli(['check', empty]);
    assert.equal(emptyRun.status, 2, emptyRun.stderr);
    assert.doesNotMatch(emptyRun.stderr, /LOADED/);

    const project = path.join(folder, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'jobs.sql'), 'select pg_advisory_lock(1);\nupdate jobs set status = 1 where id = 2;\n');
    const sqlRun = runCli(['check', project, '--format', 'json', '--fail-on', 'none']);
    assert.equal(sqlRun.status, 0, sqlRun.stderr);
    assert.doesNotMatch(sqlRun.stderr, /LOADED/);
  });

  it('loads the compiler for a TypeScript file (the hook sees it)', () => {
    const project = path.join(folder, 'typescript');
    mkdirSync(project);
    writeFileSync(path.join(project, 'jobs.ts'), 'export const jobs = 1;\n');
    const run = runCli(['check', project, '--format', 'json', '--fail-on', 'none']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /LOADED typescript\n/);
    assert.doesNotMatch(run.stderr, /LOADED (?!typescript\n)/);
  });

  it('while `lsp` does (the hook sees it)', () => {
    const run = runCli(['lsp', '--stdio']);
    assert.match(run.stderr, /LOADED .*vscode-languageserver/);
  });
});

describe('the coverage line', () => {
  it('groups counts as Intl.NumberFormat does in both languages (without loading it)', () => {
    for (const [locale, intl] of [
      ['en', 'en-US'],
      ['pt-BR', 'pt-BR'],
    ] as const) {
      const format = new Intl.NumberFormat(intl);
      for (const value of [0, 7, 999, 1000, 1234, 12_345, 123_456, 1_234_567, 98_765_432]) {
        const line = coverageLine(
          { sql: { files: value, statements: 0 }, typescript: { files: 0, embeddedQueries: 0 }, skipped: { files: 0, byReason: {} } },
          locale,
          false,
        );
        assert.ok(line.includes(` ${format.format(value)} `) || line.startsWith(`${format.format(value)} `), `${locale} ${value}: ${line}`);
      }
    }
  });
});
