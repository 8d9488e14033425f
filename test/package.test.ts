// What the .vsix holds: `vsce ls` lists exactly the bundled client and server, the parser's
// WebAssembly, snippets, grammar, localization, the config schema, the rule and walkthrough pages,
// icon, README, CHANGELOG, LICENSE.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ALLOWED = [
  /^package\.json$/,
  /^package\.nls(\.pt-br)?\.json$/,
  /^dist\/(client|server|ts-morph)\.js$/,
  /^dist\/libpg-query\.wasm$/,
  /^snippets\/(en|pt-br)\/[a-z]+\.json$/,
  /^syntaxes\/[a-z.-]+\.json$/,
  /^l10n\/bundle\.l10n(\.pt-br)?\.json$/,
  /^schemas\/armadilha\.config\.schema\.json$/,
  /^docs\/rules\/(pt-BR\/)?[a-z-]+\.md$/,
  /^docs\/walkthrough\/(en|pt-br)\/[a-z-]+\.md$/,
  /^images\/icon\.png$/,
  /^(README|CHANGELOG)\.md$/,
  /^LICENSE$/,
];

describe('package contents', () => {
  it('vsce ls lists the bundle and nothing else', () => {
    const result = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'ls', '--no-dependencies'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const files = result.stdout.split('\n').map((line) => line.trim()).filter(Boolean);
    for (const file of files) assert.ok(ALLOWED.some((pattern) => pattern.test(file)), `unexpected file in the package: ${file}`);
    // The rule pages ship: documentation opens offline, in either language.
    for (const required of ['package.json', 'dist/client.js', 'dist/server.js', 'dist/ts-morph.js', 'dist/libpg-query.wasm', 'images/icon.png', 'README.md', 'CHANGELOG.md', 'LICENSE', 'package.nls.pt-br.json', 'docs/rules/require-on-conflict.md', 'docs/rules/pt-BR/require-on-conflict.md', 'docs/walkthrough/pt-br/trap.md']) {
      assert.ok(files.includes(required), `missing ${required}`);
    }
  });
});
