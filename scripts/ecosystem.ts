// The ecosystem check (after Ruff's): lints each folder of ../shared/wild as its own workspace, as a
// user would (`armadilha check .` through the built CLI), prints the findings per folder and per rule,
// and compares them with the reviewed ledger test/ecosystem/verdicts.json (folder, file, line, rule,
// verdict, reason): findings missing from the ledger and ledger entries no longer found are listed,
// and the reviewed precision of each rule is printed.
//
//   npm run ecosystem                 report (exit 1 when the ledger and the findings disagree)
//   npm run ecosystem -- --update     also add missing findings to the ledger as "unreviewed" and drop
//                                     entries no longer found, for a reviewer to fill in
//   npm run ecosystem -- --folder dub only one folder (the ledger's other folders are left alone)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { keyOf, LEDGER_FILE, readLedger, type LedgerEntry, type Verdict } from '../test/ecosystem/ledger';

const WILD = path.resolve('..', 'shared', 'wild');
const CLI = path.resolve('dist', 'cli.js');

interface Finding {
  folder: string;
  file: string;
  line: number;
  rule: string;
  severity: string;
  message: string;
}

function lintFolder(folder: string): { findings: Finding[]; seconds: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', '--fail-on', 'none'], {
    cwd: path.join(WILD, folder),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${folder}: exit ${result.status}\n${result.stderr}`);
  const findings = (JSON.parse(result.stdout).findings as Array<Omit<Finding, 'folder'>>).map((finding) => ({ ...finding, folder }));
  return { findings, seconds: (performance.now() - started) / 1000 };
}

function main(): number {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
  const update = process.argv.includes('--update');
  const only = process.argv.includes('--folder') ? process.argv[process.argv.indexOf('--folder') + 1] : undefined;
  const folders = readdirSync(WILD)
    .filter((name) => !name.includes('.') && (!only || name === only))
    .sort();
  const ledger = readLedger();
  const all: Finding[] = [];
  console.log('folder'.padEnd(18) + 'findings'.padStart(9) + 'seconds'.padStart(9) + '  by rule');
  for (const folder of folders) {
    const { findings, seconds } = lintFolder(folder);
    all.push(...findings);
    const byRule = countBy(findings, (finding) => finding.rule);
    console.log(
      folder.padEnd(18) +
        String(findings.length).padStart(9) +
        seconds.toFixed(1).padStart(9) +
        '  ' +
        [...byRule].map(([rule, count]) => `${rule} ${count}`).join(', '),
    );
  }

  const inScope = (entry: LedgerEntry) => folders.includes(entry.folder);
  const found = new Map(all.map((finding) => [keyOf(finding), finding]));
  const recorded = new Map(ledger.filter(inScope).map((entry) => [keyOf(entry), entry]));
  const missing = all.filter((finding) => !recorded.has(keyOf(finding)));
  const stale = [...recorded.values()].filter((entry) => !found.has(keyOf(entry)));

  console.log(
    '\nrule'.padEnd(32) +
      'findings'.padStart(9) +
      'true'.padStart(6) +
      'false'.padStart(6) +
      'debat.'.padStart(7) +
      'unrev.'.padStart(7) +
      'precision'.padStart(11),
  );
  const rules = [...countBy(all, (finding) => finding.rule).keys()].sort();
  for (const rule of rules) {
    const verdicts = countBy(
      all.filter((finding) => finding.rule === rule),
      (finding) => recorded.get(keyOf(finding))?.verdict ?? 'missing',
    );
    const count = (verdict: Verdict | 'missing') => verdicts.get(verdict) ?? 0;
    const judged = count('true') + count('false');
    const precision = judged ? (count('true') / judged).toFixed(2) : '–';
    const total = [...verdicts.values()].reduce((sum, value) => sum + value, 0);
    console.log(
      rule.padEnd(31) +
        String(total).padStart(9) +
        String(count('true')).padStart(6) +
        String(count('false')).padStart(6) +
        String(count('debatable')).padStart(7) +
        String(count('unreviewed') + count('missing')).padStart(7) +
        precision.padStart(11),
    );
  }

  if (missing.length) {
    console.log(`\n${missing.length} finding(s) missing from ${LEDGER_FILE}:`);
    for (const finding of missing)
      console.log(`  ${finding.folder}/${finding.file}:${finding.line} ${finding.rule} (${finding.severity}) ${finding.message.slice(0, 160)}`);
  }
  if (stale.length) {
    console.log(`\n${stale.length} ledger entr(y/ies) no longer found:`);
    for (const entry of stale) console.log(`  ${entry.folder}/${entry.file}:${entry.line} ${entry.rule} (${entry.verdict}) ${entry.reason}`);
  }
  if (update && (missing.length || stale.length)) {
    const kept = ledger.filter((entry) => !inScope(entry) || found.has(keyOf(entry)));
    const added: LedgerEntry[] = missing.map((finding) => ({
      folder: finding.folder,
      file: finding.file,
      line: finding.line,
      rule: finding.rule,
      verdict: 'unreviewed',
      reason: '',
    }));
    const next = [...kept, ...added].sort((left, right) => keyOf(left).localeCompare(keyOf(right), 'en'));
    writeFileSync(LEDGER_FILE, `${JSON.stringify(next, null, 1)}\n`);
    console.log(`\n${LEDGER_FILE}: ${added.length} added as unreviewed, ${ledger.length - kept.length} removed.`);
  }
  return missing.length || stale.length ? 1 : 0;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return new Map([...counts].sort(([left], [right]) => left.localeCompare(right)));
}

process.exitCode = main();
