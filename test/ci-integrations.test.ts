// The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml), run locally: the
// Action's shell steps run as the runner runs them (bash -eo pipefail, $GITHUB_OUTPUT, the step's env
// with its ${{ }} expressions filled in) on a pull request in a temporary repository, with Armadilha
// installed from the packed tarball and no registry; steps that use other actions are checked for
// what they would be given. The hook's entry runs on staged files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitRepository, git, writeFiles as write } from './helpers/git-repository';

// js-yaml comes with the test tooling (mocha); it has no type declarations here.
const yaml = require('js-yaml') as { load(text: string): unknown };

interface Step {
  name: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string | number>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const CLI = path.resolve('dist/cli.js');
const work = mkdtempSync(path.join(tmpdir(), 'armadilha-action-'));
after(() => rmSync(work, { recursive: true, force: true }));

function repository(name: string, files: Record<string, string>): string {
  return commitRepository(path.join(work, name), files);
}

/** The value of a ${{ }} expression: a context path, a quoted string, ==, !=, &&, always(). */
function evaluate(expression: string, context: Record<string, unknown>): unknown {
  const source = expression.trim();
  if (source.includes('&&')) return source.split('&&').every((part) => truthy(evaluate(part, context)));
  const comparison = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(source);
  if (comparison) {
    const equal = String(evaluate(comparison[1], context) ?? '') === String(evaluate(comparison[3], context) ?? '');
    return comparison[2] === '==' ? equal : !equal;
  }
  if (source === 'always()') return true;
  if (/^'.*'$/.test(source)) return source.slice(1, -1);
  return source.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], context);
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

function substitute(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_whole, expression: string) => String(evaluate(expression, context) ?? ''));
}

interface StepRun {
  step: Step;
  ran: boolean;
  code?: number | null;
  stdout?: string;
  stderr?: string;
  /** What a `uses` step would be given. */
  with?: Record<string, string>;
}

/** Runs the Action's steps in `workspace` the way the runner does; `uses` steps are not run. */
function runAction(action: Action, workspace: string, inputs: Record<string, string>, github: Record<string, unknown>, env: Record<string, string>): StepRun[] {
  const temp = mkdtempSync(path.join(work, 'runner-'));
  const context: Record<string, unknown> = {
    inputs: { ...Object.fromEntries(Object.entries(action.inputs).map(([key, input]) => [key, input.default ?? ''])), ...inputs },
    github,
    runner: { temp, os: 'Linux' },
    steps: {},
  };
  const runs: StepRun[] = [];
  for (const step of action.runs.steps) {
    const ran = step.if === undefined || truthy(evaluate(step.if.replace(/^\$\{\{|\}\}$/g, ''), context));
    if (step.uses) {
      runs.push({ step, ran, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, substitute(String(value), context)])) });
      continue;
    }
    if (!ran) {
      runs.push({ step, ran });
      continue;
    }
    assert.equal(step.shell, 'bash', `${step.name}: shell`);
    const output = path.join(temp, `output-${runs.length}`);
    writeFileSync(output, '');
    const script = path.join(temp, `step-${runs.length}.sh`);
    writeFileSync(script, step.run!);
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(String(value), context)]));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, ...env, GITHUB_OUTPUT: output, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp, ...stepEnv },
    });
    runs.push({ step, ran, code: result.status, stdout: result.stdout, stderr: result.stderr });
    if (step.id) {
      const outputs = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      (context.steps as Record<string, { outputs: Record<string, string> }>)[step.id] = { outputs };
    }
    if (result.status !== 0) break; // the runner stops at a failing step
  }
  return runs;
}

const EXPIRY = "update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";

describe('the GitHub Action', () => {
  const action = yaml.load(readFileSync('action.yml', 'utf8')) as Action;
  let tarball: string;
  let npmEnv: Record<string, string>;

  before(() => {
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    assert.equal(pack.status, 0, pack.stderr);
    tarball = path.join(work, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0].filename);
    // `npm install --global` goes to a folder of the test, from the tarball alone (no registry).
    const prefix = path.join(work, 'npm-prefix');
    npmEnv = {
      npm_config_prefix: prefix,
      npm_config_offline: 'true',
      npm_config_cache: path.join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`,
      LANG: 'C',
      NO_COLOR: '1',
    };
  });

  it('is a composite action whose version input installs the version package.json declares', () => {
    assert.equal(action.runs.using, 'composite');
    assert.equal(action.inputs.version.default, JSON.parse(readFileSync('package.json', 'utf8')).version);
    const uses = action.runs.steps.filter((step) => step.uses).map((step) => step.uses);
    assert.deepEqual(uses, ['actions/setup-node@v4', 'actions/cache@v4', 'github/codeql-action/upload-sarif@v3']);
  });

  it('on a pull request: installs, checks only the changed files (SARIF), annotates the diff, uploads, and fails on a new finding', () => {
    const folder = repository('pull-request', {
      'db/001_payments.sql': 'create table public.payments (id bigint primary key, stripe_payment_id text unique, amount int);\n',
      'db/002_old.sql': EXPIRY,
    });
    const base = git(folder, 'rev-parse', 'HEAD');
    git(folder, 'checkout', '-q', '-b', 'feature');
    write(folder, { 'db/003_new.sql': "insert into public.payments (stripe_payment_id, amount) values ('pi_1', 100);\n" });
    git(folder, 'add', '-A');
    git(folder, 'commit', '-q', '-m', 'new migration');
    const runs = runAction(
      action,
      folder,
      { version: tarball },
      { event_name: 'pull_request', sha: git(folder, 'rev-parse', 'HEAD'), event: { pull_request: { base: { sha: base } } } },
      npmEnv,
    );
    const byName = (name: string) => runs.find((each) => each.step.name === name)!;

    assert.equal(byName('Set up Node.js').ran, true);
    const install = byName('Install Armadilha');
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout!, /^0\.1\.0$/m);
    const cache = byName('Restore the result cache');
    assert.equal(cache.ran, true);
    assert.match(cache.with!.path, /armadilha-cache$/);
    assert.match(cache.with!.key, new RegExp(`^armadilha-Linux-.*-${git(folder, 'rev-parse', 'HEAD')}$`));

    const scope = byName('Choose the files');
    assert.equal(scope.code, 0, scope.stderr);
    const check = byName('Check');
    assert.equal(check.code, 0, check.stderr);
    const sarif = JSON.parse(readFileSync(path.join(folder, 'armadilha.sarif'), 'utf8'));
    const results = sarif.runs[0].results as Array<{
      ruleId: string;
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
      partialFingerprints: Record<string, string>;
    }>;
    assert.deepEqual(
      results.map((result) => [result.ruleId, result.locations[0].physicalLocation.artifactLocation.uri]),
      [['require-on-conflict', 'db/003_new.sql']],
      'only the changed file, with the schema of 001',
    );
    assert.ok(results[0].partialFingerprints['armadilha/v1']);

    const annotate = byName('Annotate the diff');
    assert.equal(annotate.code, 0, annotate.stderr);
    assert.deepEqual(
      annotate
        .stdout!.split('\n')
        .filter((line) => /^::(error|warning|notice) /.test(line))
        .map((line) => line.slice(0, line.indexOf(','))),
      ['::warning file=db/003_new.sql'],
    );

    const upload = byName('Upload to code scanning');
    assert.equal(upload.ran, true);
    assert.deepEqual(upload.with, { sarif_file: 'armadilha.sarif', category: 'armadilha' });
    assert.equal(byName('Result').code, 1, 'the job fails on the new finding');
  });

  it('on a push: checks every file, and passes when the findings are recorded in the baseline', () => {
    const folder = repository('push', { 'db/001.sql': EXPIRY });
    assert.equal(spawnSync(process.execPath, [CLI, 'check', '--update-baseline'], { cwd: folder }).status, 0);
    const runs = runAction(action, folder, { version: tarball, 'upload-sarif': 'false' }, { event_name: 'push', sha: 'abc' }, npmEnv);
    const byName = (name: string) => runs.find((each) => each.step.name === name)!;
    assert.equal(byName('Upload to code scanning').ran, false);
    assert.equal(byName('Result').code, 0, byName('Check').stderr);
    const sarif = JSON.parse(readFileSync(path.join(folder, 'armadilha.sarif'), 'utf8'));
    assert.deepEqual(sarif.runs[0].results, []);
    assert.equal(sarif.runs[0].properties.summary.baseline.recorded, 1);
  });
});

describe('the pre-commit hook', () => {
  const hooks = yaml.load(readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Array<{
    id: string;
    entry: string;
    language: string;
    pass_filenames: boolean;
    files: string;
  }>;

  it('checks what is staged, and only when a file Armadilha reads is staged', () => {
    assert.equal(hooks.length, 1);
    const [hook] = hooks;
    assert.equal(hook.id, 'armadilha');
    assert.equal(hook.language, 'node');
    assert.equal(hook.pass_filenames, false);
    const files = new RegExp(hook.files);
    for (const name of ['db/001.sql', 'src/a.ts', 'src/b.tsx', 'lib/c.mjs', 'd.cjs', 'e.jsx', 'f.mts']) assert.ok(files.test(name), name);
    for (const name of ['README.md', 'package.json', 'a.sqlx']) assert.ok(!files.test(name), name);

    // `armadilha` on PATH, as pre-commit's node environment provides it.
    const bin = path.join(work, 'hook-bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'armadilha'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(path.join(bin, 'armadilha'), 0o755);
    const folder = repository('hook', { 'db/001.sql': 'select 1;\n' });
    write(folder, { 'db/002.sql': EXPIRY, 'db/003.sql': EXPIRY });
    git(folder, 'add', 'db/002.sql');
    const staged = spawnSync('sh', ['-c', hook.entry], {
      cwd: folder,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1', LANG: 'C' },
    });
    assert.equal(staged.status, 1, staged.stderr);
    assert.match(staged.stdout, /^db\/002\.sql:1:34: warning/m);
    assert.doesNotMatch(staged.stdout, /db\/003\.sql/);
  });
});
