// What the bench needs before it measures: the corpus (read in place, never copied), the two peer
// tools installed from npm into bench/.work (once), and armadilha's production bundle.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..');
export const WORK = path.join(REPO, 'bench', '.work');
export const CORPUS = path.resolve(REPO, '..', 'shared', 'corpus');

// Pinned: the versions studied in /work/scratch/peers/NOTES.md.
export const PEERS = {
  squawk: { package: 'squawk-cli', version: '2.66.0', binary: 'node_modules/@squawk-cli/linux-x64/bin/squawk' },
  pgls: {
    package: '@postgres-language-server/cli',
    version: '0.25.5',
    binary: 'node_modules/@postgres-language-server/cli-x86_64-linux-gnu/postgres-language-server',
  },
} as const;

export type PeerId = keyof typeof PEERS;

/** A problem the bench explains in one message (no stack trace). */
export class SetupError extends Error {}

export interface Peer {
  id: PeerId;
  label: string;
  binary?: string;
  version?: string;
  error?: string;
}

export function checkCorpus(): { sql: string; ts: string } {
  const sql = path.join(CORPUS, 'sql');
  const ts = path.join(CORPUS, 'ts');
  for (const dir of [sql, ts]) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new SetupError(
        `The benchmark corpus is missing: ${dir} does not exist.\n` + `npm run bench reads ../shared/corpus/{sql,ts} next to the repository (${CORPUS}).`,
      );
    }
  }
  return { sql, ts };
}

function versionOf(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.status !== 0) return undefined;
  return (result.stdout + result.stderr).match(/\d+\.\d+\.\d+/)?.[0];
}

function npmInstall(specs: string[], log: (line: string) => void): string | undefined {
  log(`installing ${specs.join(' ')} into bench/.work`);
  fs.mkdirSync(WORK, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', WORK, ...specs], {
    encoding: 'utf8',
    timeout: 300_000,
    cwd: WORK,
  });
  if (result.status === 0) return undefined;
  return `npm install failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr || '').trim().split('\n').slice(-3).join(' ')}`;
}

/** Installs the peers on first run; a peer that cannot be installed is returned with its error. */
export function installPeers(log: (line: string) => void): Record<PeerId, Peer> {
  const ids = Object.keys(PEERS) as PeerId[];
  const label = (id: PeerId) => `${PEERS[id].package}@${PEERS[id].version}`;
  const ready = (id: PeerId) => {
    const binary = path.join(WORK, PEERS[id].binary);
    return fs.existsSync(binary) && versionOf(binary) === PEERS[id].version;
  };
  const missing = ids.filter((id) => !ready(id));
  const errors = new Map<PeerId, string>();
  if (missing.length) {
    const failure = npmInstall(missing.map(label), log);
    // Together failed: one at a time, so that one broken peer does not take the other with it.
    if (failure) for (const id of missing) if (!ready(id)) errors.set(id, npmInstall([label(id)], log) ?? failure);
  }
  const peers = {} as Record<PeerId, Peer>;
  for (const id of ids) {
    const binary = path.join(WORK, PEERS[id].binary);
    const version = fs.existsSync(binary) ? versionOf(binary) : undefined;
    peers[id] = version
      ? { id, label: label(id), binary, version }
      : { id, label: label(id), error: errors.get(id) ?? `${binary} is missing or does not run (${process.platform}-${process.arch})` };
  }
  return peers;
}

/**
 * Builds the production bundle with scripts/build.mjs into bench/.work/build/dist, from a folder that
 * links to the sources. The shared dist/ is left alone: tests rebuild it (dev bundles) at any time, which
 * would otherwise swap the bundle under a running measurement.
 */
export function buildProduction(log: (line: string) => void): string {
  const root = path.join(WORK, 'build');
  fs.mkdirSync(root, { recursive: true });
  for (const entry of ['server', 'client', 'node_modules', 'package.json', 'tsconfig.json']) {
    const link = path.join(root, entry);
    fs.rmSync(link, { force: true, recursive: false });
    fs.symlinkSync(path.join(REPO, entry), link);
  }
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  log('building the production bundle (scripts/build.mjs --production)');
  const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs'), '--production'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new SetupError(`production build failed:\n${result.stderr || result.stdout}`);
  const dist = path.join(root, 'dist');
  for (const file of ['cli.js', 'armadilha-cli.js', 'server.js', 'typescript.js', 'libpg-query.wasm']) {
    if (!fs.existsSync(path.join(dist, file))) throw new SetupError(`production build did not produce ${file}`);
  }
  return dist;
}

/** The commit measured, and whether the sources differ from it. */
export function sourceVersion(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']).stdout.trim() || 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'server', 'package.json', 'scripts/build.mjs']).stdout.trim();
  return dirty ? `${head} + uncommitted changes in server/` : head;
}

/**
 * A git repository over a corpus folder, for `check --changed`: its .git is `gitDir` (the corpus is
 * the work tree and is never written), every file committed, then `changed` taken out of the index
 * and committed again, so that git reports them as new, untracked files (a pull request adding them).
 */
export function changedRepository(gitDir: string, workTree: string, changed: string[]): { gitDir: string; workTree: string } {
  fs.rmSync(gitDir, { recursive: true, force: true });
  const env = {
    ...process.env,
    GIT_DIR: gitDir,
    GIT_WORK_TREE: workTree,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@armadilha.invalid',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@armadilha.invalid',
  };
  const git = (args: string[]) => {
    const result = spawnSync('git', args, { cwd: workTree, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new SetupError(`git ${args[0]} over the corpus failed: ${result.stderr}`);
  };
  git(['init', '-q']);
  git(['add', '-A']);
  git(['commit', '-q', '--no-gpg-sign', '-m', 'corpus']);
  git(['rm', '-q', '--cached', '--', ...changed.map((file) => path.relative(workTree, file))]);
  git(['commit', '-q', '--no-gpg-sign', '-m', 'without the changed files']);
  return { gitDir, workTree };
}
