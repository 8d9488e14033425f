// What the packages hold. The .vsix: `vsce ls` lists exactly the bundled client and server, the parser's
// WebAssembly, snippets, grammar, localization, the config schema, the rule and walkthrough pages,
// icon, README, CHANGELOG, LICENSE. The npm package: see below.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const ALLOWED = [
  /^package\.json$/,
  /^package\.nls(\.pt-br)?\.json$/,
  /^dist\/(client|server|typescript)\.js$/,
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
    const files = result.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    for (const file of files)
      assert.ok(
        ALLOWED.some((pattern) => pattern.test(file)),
        `unexpected file in the package: ${file}`,
      );
    // The rule pages ship: documentation opens offline, in either language.
    for (const required of [
      'package.json',
      'dist/client.js',
      'dist/server.js',
      'dist/typescript.js',
      'dist/libpg-query.wasm',
      'images/icon.png',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'package.nls.pt-br.json',
      'docs/rules/require-on-conflict.md',
      'docs/rules/pt-BR/require-on-conflict.md',
      'docs/walkthrough/pt-br/trap.md',
    ]) {
      assert.ok(files.includes(required), `missing ${required}`);
    }
  });
});

// The npm package: what `npx armadilha` runs, and nothing else (.npmignore). Installed from the packed
// tarball into an empty folder with no registry (the package has no dependencies: everything is
// bundled), it checks a fixture and explains a rule.
describe('npm package', () => {
  const NPM_FILES = [
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'dist/armadilha-cli.js',
    'dist/cli.js',
    'dist/libpg-query.wasm',
    'dist/typescript.js',
    'package.json',
  ];
  const work = mkdtempSync(path.join(tmpdir(), 'armadilha-pack-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const tool = (name: 'npm' | 'npx', args: string[], cwd: string) =>
    spawnSync(process.platform === 'win32' ? `${name}.cmd` : name, args, {
      cwd,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false', NO_COLOR: '1', LANG: 'C' },
    });
  let packed: { filename: string; files: Array<{ path: string }> };
  before(() => {
    // --ignore-scripts: pack the bundle the tests built (prepack would rebuild dist/ under other tests).
    const result = tool('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], process.cwd());
    assert.equal(result.status, 0, result.stderr);
    [packed] = JSON.parse(result.stdout) as Array<typeof packed>;
  });

  it('npm pack holds the CLI bundle and its launcher, the TypeScript bundle, the parser WebAssembly and the documents, and declares no dependency', () => {
    assert.deepEqual(packed.files.map((file) => file.path).sort(), NPM_FILES);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    assert.equal(manifest.dependencies, undefined, 'everything the CLI needs is bundled: npx installs nothing else');
    assert.equal(manifest.bin.armadilha, 'dist/cli.js');
  });

  it('installed from the tarball into an empty folder, without the registry, npx armadilha checks a fixture and explains a rule', () => {
    const tarball = path.join(work, packed.filename);
    const consumer = path.join(work, 'consumer');
    mkdirSync(path.join(consumer, 'db'), { recursive: true });
    mkdirSync(path.join(consumer, 'src'), { recursive: true });
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(path.join(consumer, 'db', '001.sql'), "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n");
    writeFileSync(path.join(consumer, 'src', 'client.ts'), "export const load = () => fetch('https://api.example.com/items');\n");
    const install = tool('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], consumer);
    assert.equal(install.status, 0, install.stderr);
    const check = tool('npx', ['--offline', 'armadilha', 'check', 'db', 'src', '--format', 'json'], consumer);
    assert.equal(check.status, 1, check.stderr);
    const findings = (JSON.parse(check.stdout) as { findings: Array<{ file: string; rule: string }> }).findings;
    assert.deepEqual(
      findings.map((finding) => [finding.file, finding.rule]),
      [
        ['db/001.sql', 'no-clock-timestamp-expiry'],
        ['src/client.ts', 'require-network-timeout'],
      ],
    );
    const explain = tool('npx', ['--offline', 'armadilha', 'explain', 'require-on-conflict', '--locale', 'pt-BR'], consumer);
    assert.equal(explain.status, 0, explain.stderr);
    assert.match(explain.stdout, /^# require-on-conflict/);
    assert.match(explain.stdout, /Por que isso falha/);
  });
});
