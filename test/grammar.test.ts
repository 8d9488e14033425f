// SQL highlighting inside TypeScript/JavaScript templates: the injection grammar that the manifest
// contributes (syntaxes/sql-template.injection.json) passes the scope assertions of
// test/grammar/*.test.{ts,tsx,js}, run by vscode-tmgrammar-test with VS Code's own TypeScript,
// JavaScript and SQL grammars (test inputs in test/grammar/grammars, see NOTICE.md there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const HOSTS = ['source.ts', 'source.tsx', 'source.js', 'source.js.jsx'];

describe('SQL-in-templates grammar', () => {
  const contribution = (manifest.contributes.grammars ?? []).find((grammar: { scopeName: string }) => grammar.scopeName === 'inline.armadilha.sql');

  it('is contributed as an injection into TypeScript and JavaScript, with SQL as the embedded language', () => {
    assert.ok(contribution, 'contributes.grammars has inline.armadilha.sql');
    assert.ok(existsSync(contribution.path), contribution.path);
    assert.deepEqual(contribution.injectTo, HOSTS);
    assert.deepEqual(contribution.embeddedLanguages, { 'meta.embedded.block.sql': 'sql' });
    const grammar = JSON.parse(readFileSync(contribution.path, 'utf8'));
    assert.equal(grammar.scopeName, contribution.scopeName);
    for (const host of HOSTS)
      assert.ok(
        grammar.injectionSelector.split(',').some((selector: string) => selector.trim().startsWith(`L:${host} `)),
        host,
      );
  });

  it('refers only to rules that exist', () => {
    const grammar = JSON.parse(readFileSync(contribution.path, 'utf8'));
    const includes = [...JSON.stringify(grammar).matchAll(/"include":"([^"]+)"/g)].map((match) => match[1]);
    const hosts = Object.fromEntries(
      readdirSync('test/grammar/grammars')
        .filter((name) => name.endsWith('.json'))
        .map((name) => JSON.parse(readFileSync(`test/grammar/grammars/${name}`, 'utf8')))
        .map((host) => [host.scopeName, host]),
    );
    for (const include of includes) {
      const [scope, rule] = include.split('#');
      if (scope === '') assert.ok(grammar.repository[rule], include);
      else if (rule) assert.ok(hosts[scope]?.repository?.[rule], include);
      else assert.ok(hosts[scope], include);
    }
  });

  it('passes the scope assertions of test/grammar (vscode-tmgrammar-test)', () => {
    const cases = readdirSync('test/grammar').filter((name) => /\.test\.(ts|tsx|js)$/.test(name));
    assert.ok(cases.length >= 3, 'test cases for .ts, .tsx and .js');
    const grammars = readdirSync('test/grammar/grammars')
      .filter((name) => name.endsWith('.tmLanguage.json'))
      .flatMap((name) => ['-g', `test/grammar/grammars/${name}`]);
    // The project's package.json is the configuration: it adds the injection grammar with its injectTo.
    const result = spawnSync(
      process.execPath,
      [
        require.resolve('vscode-tmgrammar-test/dist/unit.js'),
        '--compact',
        '--config',
        'package.json',
        ...grammars,
        ...cases.map((name) => `test/grammar/${name}`),
      ],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    assert.equal(result.status, 0, output);
    for (const name of cases) assert.match(result.stdout, new RegExp(`test/grammar/${name.replace(/\./g, '\\.')} run successfuly`), output);
  });
});
