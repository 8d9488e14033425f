// Scaling: whole-CLI runs (`armadilha check --format json`) on generated inputs of growing size — one
// SQL file of 1k to 1M lines, folders of 10 to 10,000 migration files, TypeScript projects of 10 to
// 5,000 files — with wall time, CPU time and peak RSS per size, CPU per 1,000 lines, and squawk's on
// the same SQL. A size step whose CPU grows more than 1.3× faster than the input is flagged: the
// analysis must stay linear. Part of `npm run bench`; alone: `npm run bench:scaling [-- --quick]`
// (`--dist <folder>` measures another build, default the repository's dist/; `--only sql|files|ts`).
// `--shapes` prints instead the in-process table of TypeScript shapes that were once quadratic;
// `--parses <folder>` counts the parse calls of an in-process check of a folder (and their repeats).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultSettings } from '../server/src/core/config';
import { main as cliMain } from '../server/src/cli/cli';
import { countParses, loadParser, type ParseCounts } from '../server/src/languages/sql/parser';
import { lint } from '../server/src/core/lint';
import { RULES } from '../server/src/rules';
import { GENERATED_SHAPES } from '../test/helpers/generated-sources';
import { loadAverage } from './machine';
import { ensureGnuTime, killAll, runTimed, type TimedRun } from './proc';
import { installPeers, PEERS, REPO, WORK } from './setup';
import { round } from './stats';

/** A size step flagged as super-linear: CPU grew more than this much faster than the input. */
export const GROWTH_LIMIT = 1.3;

export interface ScalingRun {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  status: 'ok' | 'failed';
  reason?: string;
  findings?: number;
  /** Files that got a skipped-file finding (the time budget ran out, or too large): their rules did not all run. */
  skippedFiles?: number;
}

export interface ScalingRow {
  series: 'sql-file' | 'migration-files' | 'typescript-files';
  /** Statement blocks or files: what the series grows. */
  size: number;
  lines: number;
  files: number;
  armadilha: ScalingRun;
  squawk?: ScalingRun;
  /** CPU milliseconds per 1,000 input lines. */
  cpuPerKiloLine?: number;
  /** (CPU growth) / (line growth) from the previous size of the series; flagged above GROWTH_LIMIT. */
  growth?: number;
  superLinear?: boolean;
  loadAverage: number[];
}

export interface ScalingOptions {
  dist: string;
  quick: boolean;
  gnuTime: boolean;
  squawk?: string;
  only?: string;
  log: (line: string) => void;
}

export const SQL_LINE_SIZES = { full: [1_000, 10_000, 100_000, 1_000_000], quick: [1_000, 10_000, 100_000] };
export const MIGRATION_FILE_SIZES = { full: [10, 100, 1_000, 10_000], quick: [10, 100, 1_000] };
export const TS_FILE_SIZES = { full: [10, 100, 1_000, 5_000], quick: [10, 100, 500] };

export async function measureScaling(options: ScalingOptions): Promise<ScalingRow[]> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-scaling-'));
  // The 1M-line file is about 40 MB: over the default maxFileSizeMb (2), which would skip it.
  fs.writeFileSync(path.join(temp, 'armadilha.config.json'), '{ "maxFileSizeMb": 200 }\n');
  const rows: ScalingRow[] = [];
  const sizes = (table: { full: number[]; quick: number[] }) => (options.quick ? table.quick : table.full);
  try {
    if (!options.only || options.only === 'sql') {
      options.log('\nScaling: one SQL file');
      for (const lines of sizes(SQL_LINE_SIZES)) {
        const file = path.join(temp, `migration-${lines}.sql`);
        fs.writeFileSync(file, sqlFile(lines));
        rows.push(await measure(options, temp, 'sql-file', lines, lines, 1, [file], [file]));
      }
    }
    if (!options.only || options.only === 'files') {
      options.log('\nScaling: migration folders');
      for (const count of sizes(MIGRATION_FILE_SIZES)) {
        const dir = path.join(temp, `migrations-${count}`);
        const files = migrationFolder(dir, count);
        const lines = files.reduce((total, file) => total + lineCount(fs.readFileSync(file, 'utf8')), 0);
        rows.push(await measure(options, temp, 'migration-files', count, lines, count, [dir], files));
      }
    }
    if (!options.only || options.only === 'ts') {
      options.log('\nScaling: TypeScript projects');
      for (const count of sizes(TS_FILE_SIZES)) {
        const dir = path.join(temp, `project-${count}`);
        const lines = typescriptProject(dir, count);
        rows.push(await measure(options, temp, 'typescript-files', count, lines, count, [dir]));
      }
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return rows;
}

async function measure(
  options: ScalingOptions,
  cwd: string,
  series: ScalingRow['series'],
  size: number,
  lines: number,
  files: number,
  paths: string[],
  squawkFiles?: string[],
): Promise<ScalingRow> {
  const outDir = path.join(cwd, 'out');
  const command = [process.execPath, path.join(options.dist, 'cli.js'), 'check', ...paths, '--format', 'json', '--fail-on', 'none', '--no-baseline'];
  const armadilha = summarizeRun(
    await runTimed(command, { cwd, outDir, name: `armadilha-${series}-${size}`, timeoutMs: 900_000, gnuTime: options.gnuTime }),
    [0],
    (out) => (JSON.parse(out) as { findings: unknown[] }).findings.length,
  );
  if (armadilha.status === 'ok') {
    const report = JSON.parse(fs.readFileSync(path.join(outDir, `armadilha-${series}-${size}.out`), 'utf8')) as { findings: Array<{ rule: string }> };
    armadilha.skippedFiles = report.findings.filter((finding) => finding.rule === 'skipped-file').length;
  }
  let squawk: ScalingRun | undefined;
  if (options.squawk && squawkFiles) {
    squawk = summarizeRun(
      await runTimed([options.squawk, ...squawkFiles, '--reporter', 'json'], {
        cwd,
        outDir,
        name: `squawk-${series}-${size}`,
        timeoutMs: 900_000,
        gnuTime: options.gnuTime,
      }),
      [0, 1],
      (out) => (JSON.parse(out) as unknown[]).length,
    );
  }
  const row: ScalingRow = { series, size, lines, files, armadilha, squawk, loadAverage: loadAverage() };
  if (armadilha.status === 'ok') row.cpuPerKiloLine = round((armadilha.cpuSeconds * 1000 * 1000) / lines, 2);
  options.log(`  ${describeRow(row)}`);
  return row;
}

export interface StartupResult {
  runs: number;
  /** `node -e 0`: the floor any Node.js command pays. */
  nodeMs: { median: number; min: number };
  /** `armadilha check` in an empty folder (exit 2: nothing analysed). */
  checkMs: { median: number; min: number };
  checkPeakRssMb: number;
  loadAverage: number[];
}

/** `armadilha check` on an empty folder against `node -e 0`, interleaved, wall time of the whole process. */
export async function measureStartup(options: ScalingOptions, runs = options.quick ? 5 : 15): Promise<StartupResult> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-startup-'));
  const empty = path.join(temp, 'empty');
  fs.mkdirSync(empty);
  const node: number[] = [];
  const check: number[] = [];
  const rss: number[] = [];
  try {
    // A first run writes the launcher's code cache; it is not measured.
    await runTimed([process.execPath, path.join(options.dist, 'cli.js'), 'check', '.'], {
      cwd: empty,
      outDir: path.join(temp, 'out'),
      name: 'warm',
      timeoutMs: 60_000,
      gnuTime: options.gnuTime,
    });
    for (let index = 0; index < runs; index++) {
      node.push(
        (
          await runTimed([process.execPath, '-e', '0'], {
            cwd: empty,
            outDir: path.join(temp, 'out'),
            name: 'node',
            timeoutMs: 60_000,
            gnuTime: options.gnuTime,
          })
        ).wallSeconds * 1000,
      );
      const run = await runTimed([process.execPath, path.join(options.dist, 'cli.js'), 'check', '.'], {
        cwd: empty,
        outDir: path.join(temp, 'out'),
        name: 'check',
        timeoutMs: 60_000,
        gnuTime: options.gnuTime,
      });
      check.push(run.wallSeconds * 1000);
      rss.push(run.peakRssMb);
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: Math.round(sorted[Math.floor(sorted.length / 2)]), min: Math.round(sorted[0]) };
  };
  const result = { runs, nodeMs: summary(node), checkMs: summary(check), checkPeakRssMb: Math.round(Math.max(...rss)), loadAverage: loadAverage() };
  options.log(
    `\nStartup: armadilha check on an empty folder ${result.checkMs.median} ms (min ${result.checkMs.min}), node -e 0 ${result.nodeMs.median} ms (min ${result.nodeMs.min}); ${result.checkPeakRssMb} MB; load ${result.loadAverage.join(' ')}`,
  );
  return result;
}

function summarizeRun(run: TimedRun, okCodes: number[], count: (stdout: string) => number): ScalingRun {
  const base = { wallSeconds: round(run.wallSeconds, 2), cpuSeconds: round(run.cpuSeconds, 2), peakRssMb: Math.round(run.peakRssMb) };
  if (run.timedOut || run.signal || !okCodes.includes(run.exitCode ?? -1))
    return { ...base, status: 'failed', reason: run.timedOut ? 'timed out' : (run.signal ?? `exit ${run.exitCode}: ${run.stderrHead.slice(0, 160)}`) };
  try {
    return { ...base, status: 'ok', findings: count(fs.readFileSync(run.stdoutFile, 'utf8')) };
  } catch {
    return { ...base, status: 'failed', reason: 'no JSON report' };
  }
}

/** Marks, per series, each step whose CPU grew more than GROWTH_LIMIT times faster than its lines. */
export function flagGrowth(rows: ScalingRow[]): ScalingRow[] {
  const previous = new Map<string, ScalingRow>();
  for (const row of rows) {
    const before = previous.get(row.series);
    // Steps from under a second are dominated by startup; they are not judged.
    if (before && row.armadilha.status === 'ok' && before.armadilha.status === 'ok' && before.armadilha.cpuSeconds >= 1) {
      row.growth = round(row.armadilha.cpuSeconds / before.armadilha.cpuSeconds / (row.lines / before.lines), 2);
      row.superLinear = row.growth > GROWTH_LIMIT;
    }
    previous.set(row.series, row);
  }
  return rows;
}

function describeRow(row: ScalingRow): string {
  const ours = row.armadilha;
  const theirs = row.squawk;
  const what = `${row.series} ${row.size.toLocaleString('en')} (${row.lines.toLocaleString('en')} lines, ${row.files} files)`;
  if (ours.status !== 'ok') return `${what}: FAILED (${ours.reason}), after ${ours.wallSeconds} s, ${ours.peakRssMb} MB`;
  const peer = theirs
    ? theirs.status === 'ok'
      ? `; squawk ${theirs.wallSeconds} s wall, ${theirs.cpuSeconds} s CPU, ${theirs.peakRssMb} MB`
      : `; squawk failed (${theirs.reason})`
    : '';
  return `${what}: ${ours.wallSeconds} s wall, ${ours.cpuSeconds} s CPU, ${ours.peakRssMb} MB, ${row.cpuPerKiloLine} ms CPU per 1k lines, ${ours.findings} findings${ours.skippedFiles ? ` (${ours.skippedFiles} files SKIPPED: budget or size)` : ''}${peer}; load ${row.loadAverage.join(' ')}`;
}

export function scalingMarkdown(rows: ScalingRow[]): string {
  const cell = (run?: ScalingRun) =>
    !run
      ? '—'
      : run.status !== 'ok'
        ? `failed (${run.reason})`
        : `${run.wallSeconds} / ${run.cpuSeconds} s, ${run.peakRssMb} MB${run.skippedFiles ? `, ${run.skippedFiles} skipped ⚠` : ''}`;
  const ratio = (row: ScalingRow) =>
    row.squawk?.status === 'ok' && row.armadilha.status === 'ok' && row.squawk.cpuSeconds > 0
      ? `${round(row.armadilha.cpuSeconds / row.squawk.cpuSeconds, 1)}×`
      : '—';
  return [
    '| input | lines | armadilha wall / CPU, peak RSS | CPU ms per 1k lines | growth vs previous size | squawk wall / CPU, peak RSS | CPU ratio | load |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (row) =>
        `| ${row.series} ${row.size.toLocaleString('en')} | ${row.lines.toLocaleString('en')} | ${cell(row.armadilha)} | ${row.cpuPerKiloLine ?? '—'} | ${row.growth === undefined ? '—' : `${row.growth}×${row.superLinear ? ' ⚠ super-linear' : ''}`} | ${cell(row.squawk)} | ${ratio(row)} | ${row.loadAverage[0]} |`,
    ),
    '',
    `Growth: (CPU of this size / CPU of the previous) / (lines of this size / lines of the previous); above ${GROWTH_LIMIT}× is flagged (steps from under 1 s CPU are not judged).`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Generated inputs. A block is what a migration or a script of functions holds: a table, an upsert,
// a transaction with a row lock, a session advisory lock with its unlock, a PL/pgSQL function with a
// transaction-level advisory lock and a read-modify-write, a lease taken and a write that relies on it.

const lineCount = (text: string) => text.split('\n').length - 1;

function sqlBlock(index: number): string {
  const table = `orders_${index}`;
  return `-- block ${index}
create table if not exists ${table} (
  id bigint primary key,
  account_id bigint not null,
  status text not null default 'new',
  amount numeric(12, 2) not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists ${table}_account on ${table} (account_id);
insert into ${table} (id, account_id, status) values (${index}, ${index % 97}, 'new')
  on conflict (id) do update set status = excluded.status;
begin;
select id, amount from ${table} where id = ${index} for update;
update ${table} set amount = amount + 10, status = 'paid' where id = ${index};
commit;
select pg_advisory_lock(${index});
update ${table} set status = 'settled' where id = ${index};
select pg_advisory_unlock(${index});
create or replace function settle_${index}(p_id bigint) returns void language plpgsql as $$
declare
  v_amount numeric;
begin
  perform pg_advisory_xact_lock(p_id);
  select amount into v_amount from ${table} where id = p_id;
  if v_amount > 0 then
    update ${table} set amount = v_amount - 1 where id = p_id;
  end if;
end;
$$;
update ${table} set locked_until = now() + interval '5 minutes' where id = ${index + 1};
select count(*) from ${table} where status = 'paid';
`;
}

const BLOCK_LINES = lineCount(sqlBlock(0));

/** One SQL file of exactly `lines` lines: whole blocks, the remainder in comment lines. */
export function sqlFile(lines: number): string {
  const parts: string[] = [];
  let total = 0;
  for (let index = 0; total + BLOCK_LINES <= lines; index++) {
    parts.push(sqlBlock(index));
    total += BLOCK_LINES;
  }
  while (total < lines) {
    parts.push('-- padding\n');
    total++;
  }
  return parts.join('');
}

/** `count` migration files of one block each (and an ALTER of the previous migration's table). */
export function migrationFolder(dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let index = 0; index < count; index++) {
    const file = path.join(dir, `${String(index).padStart(6, '0')}_orders_${index}.sql`);
    const alter = index ? `alter table orders_${index - 1} add column if not exists note_${index} text;\n` : '';
    fs.writeFileSync(file, `${alter}${sqlBlock(index)}`);
    files.push(file);
  }
  return files;
}

/** A TypeScript project of `count` modules using pg, fetch and retries; returns its line count. */
export function typescriptProject(dir: string, count: number): number {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const db = "import { Pool } from 'pg';\n\nexport const pool = new Pool();\n";
  fs.writeFileSync(path.join(dir, 'src', 'db.ts'), db);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "scaling-project", "dependencies": { "pg": "8.11.0" } }\n');
  let lines = lineCount(db);
  for (let index = 0; index < count; index++) {
    const text = `import { pool } from './db';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function settle${index}(orderId: string, amount: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query('select amount from orders where id = $1 for update', [orderId]);
    await client.query('update orders set amount = $2 where id = $1', [orderId, rows[0].amount + amount]);
    await client.query('commit');
  } finally {
    client.release();
  }
}

export async function notify${index}(orderId: string): Promise<unknown> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await fetch(\`https://hooks.example.com/orders/\${orderId}\`, { method: 'POST', signal: AbortSignal.timeout(5000) });
      return await response.json();
    } catch {
      await sleep(2 ** attempt * 100);
    }
  }
  return undefined;
}

export async function upsert${index}(id: string, name: string): Promise<void> {
  await pool.query('insert into customers (id, name) values ($1, $2) on conflict (id) do update set name = excluded.name', [id, name]);
}
`;
    fs.writeFileSync(path.join(dir, 'src', `module${index}.ts`), text);
    lines += lineCount(text);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------

async function shapes(): Promise<void> {
  // The in-process table of TypeScript shapes (test/helpers/generated-sources.ts).
  await loadParser();
  const settings = defaultSettings(RULES);
  const counts = [2000, 4000, 8000, 16000];
  lint({ text: 'export const warm = 1;', language: 'typescript', fileName: 'warm.ts', settings, locale: 'en' });
  process.stdout.write(`| shape | ${counts.map((count) => `${count} (KB, ms)`).join(' | ')} |\n|---|${counts.map(() => '---').join('|')}|\n`);
  for (const [name, make] of Object.entries(GENERATED_SHAPES)) {
    const cells: string[] = [];
    for (const count of counts.map((count) => (name === 'nested blocks' ? Math.round(count / 10) : count))) {
      const text = make(count);
      const started = performance.now();
      lint({ text, language: 'typescript', fileName: 'generated.ts', settings, locale: 'en' });
      cells.push(`${count}: ${Math.round(text.length / 1024)} KB, ${Math.round(performance.now() - started)} ms`);
    }
    process.stdout.write(`| ${name} | ${cells.join(' | ')} |\n`);
  }
}

/**
 * Parse calls of one in-process `check` run (one thread) over a folder: how many texts libpg-query
 * parsed, and how many of those it had parsed before in the same run.
 */
export async function measureParses(folder: string): Promise<ParseCounts> {
  await loadParser();
  const read = countParses();
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    await cliMain(['check', folder, '--format', 'json', '--fail-on', 'none', '--no-baseline', '--jobs', '1']);
  } finally {
    process.stdout.write = write;
  }
  return read();
}

async function standalone(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--shapes')) return shapes();
  if (argv.includes('--parses')) {
    const folder = argv[argv.indexOf('--parses') + 1];
    const counts = await measureParses(folder);
    process.stdout.write(
      `parse calls on ${folder}: ${counts.calls} calls, ${counts.parsed} parsed by libpg-query, ${counts.repeated} of them repeats (${round((100 * counts.repeated) / Math.max(1, counts.parsed), 1)}%), ${counts.reused} taken from the schema pass\n`,
    );
    return;
  }
  const value = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const dist = path.resolve(value('--dist') ?? path.join(REPO, 'dist'));
  log(`armadilha scaling${argv.includes('--quick') ? ' (quick)' : ''}: ${dist}, ${os.cpus().length} cores, load ${loadAverage().join(' ')}`);
  const gnuTime = ensureGnuTime(log);
  const installed = path.join(WORK, PEERS.squawk.binary);
  const squawk = argv.includes('--no-squawk') ? undefined : fs.existsSync(installed) ? installed : installPeers(log).squawk.binary;
  const options = { dist, quick: argv.includes('--quick'), gnuTime, squawk, only: value('--only'), log };
  const startup = !options.only || options.only === 'startup' ? await measureStartup(options) : undefined;
  const rows = flagGrowth(options.only === 'startup' ? [] : await measureScaling(options));
  log(`\n${scalingMarkdown(rows)}`);
  const out = value('--json');
  if (out) fs.writeFileSync(out, `${JSON.stringify({ startup, rows }, null, 2)}\n`);
}

if (require.main === module) {
  standalone().then(
    () => killAll(),
    (error) => {
      killAll();
      process.stderr.write(`scaling failed: ${(error as Error)?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
