// Keystroke latency in a real VS Code (code-server + headless Chromium, the end-to-end harness), with
// Armadilha off and on, on the same file in the same run: from the keydown event to the frame that
// shows the typed character, measured in the page. Files of 1,000 and 10,000 lines composed from
// ../shared/corpus/sql; keys are typed at a typist's pace (one every --interval ms) at the end of a
// line in the middle of the file, in alternating blocks (off, on, off, on …) so that a change in the
// machine's load affects both sides alike. "Off" is armadilha.enable: false, which a user would set.
//
//   npm run bench:keystroke -- [--lines 1000,10000] [--keys 40] [--blocks 4] [--interval 200] [--json file]
//
// Needs the end-to-end tools (bash scripts/install-e2e.sh) and the packaged extension (the npm script
// packages it first).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { missingPrerequisites, waitFor, Workbench } from '../test/e2e/harness';
import { composeDocument, listFiles } from './inputs';
import { loadAverage, machineInfo } from './machine';
import { CORPUS } from './setup';
import { distribution, type Distribution } from './stats';

interface Options {
  lines: number[];
  keys: number;
  blocks: number;
  interval: number;
  json?: string;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    lines: (value('--lines') ?? '1000,10000').split(',').map(Number),
    keys: Number(value('--keys') ?? 40),
    blocks: Number(value('--blocks') ?? 4),
    interval: Number(value('--interval') ?? 200),
    json: value('--json'),
  };
}

const SETTINGS = { 'workbench.editor.enablePreview': false, 'files.autoSave': 'off' };

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const missing = missingPrerequisites();
  if (missing) {
    process.stderr.write(`bench:keystroke cannot run: ${missing}\n`);
    return 2;
  }
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-e2e-ws-keystroke-'));
  fs.mkdirSync(path.join(workspace, '.vscode'));
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const corpus = listFiles(path.join(CORPUS, 'sql'), '.sql');
  // A trap at the top, so that "on" always has findings to show.
  const trap = "update public.sessions set expires_at = clock_timestamp() + interval '1 hour' where id = 1;\n";
  for (const lines of options.lines) fs.writeFileSync(path.join(workspace, `bench-${lines}.sql`), trap + composeDocument(corpus, lines - 1, '--'));
  const load = loadAverage();
  const wb = await Workbench.start({ tag: 'bench-keystroke', workspace });
  const results: Record<string, { off: Distribution; on: Distribution }> = {};
  try {
    await instrument(wb);
    for (const lines of options.lines) {
      const file = `bench-${lines}.sql`;
      const samples = { off: [] as number[], on: [] as number[] };
      await setEnabled(wb, settingsFile, true);
      await wb.open(file);
      await waitForProblems(wb, true);
      const middle = Math.floor(lines / 2);
      for (let block = 0; block < options.blocks; block++) {
        const mode = block % 2 === 0 ? 'off' : 'on';
        await setEnabled(wb, settingsFile, mode === 'on');
        await waitForProblems(wb, mode === 'on');
        await wb.goTo(middle, 1);
        await wb.page.keyboard.press('End');
        samples[mode].push(...(await typeAndMeasure(wb, options.keys, options.interval)));
      }
      results[`${lines} lines`] = { off: distribution(samples.off), on: distribution(samples.on) };
      process.stdout.write(`${lines} lines: off p50 ${results[`${lines} lines`].off.p50} ms, on p50 ${results[`${lines} lines`].on.p50} ms\n`);
      await wb.page.keyboard.press('Control+K');
      await wb.page.keyboard.press('U'); // close the unmodified editors
    }
  } finally {
    await wb.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const report = { measured: new Date().toISOString(), machine: machineInfo(), loadAverage: { start: load, end: loadAverage() }, options, results };
  process.stdout.write(`\n${table(results)}\n`);
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

/** Records, for every keydown, the time until the frame after the editor's text changed. */
async function instrument(wb: Workbench): Promise<void> {
  // A script string: the page's globals (MutationObserver, requestAnimationFrame) are not Node's.
  await wb.page.evaluate(`(() => {
    window.armadilhaLatencies = [];
    window.armadilhaKeyAt = 0;
    addEventListener('keydown', () => (window.armadilhaKeyAt = performance.now()), true);
    new MutationObserver(() => {
      const start = window.armadilhaKeyAt;
      if (!start) return;
      window.armadilhaKeyAt = 0;
      // The frame that shows the change: the callback after the next animation frame.
      requestAnimationFrame(() => setTimeout(() => window.armadilhaLatencies.push(performance.now() - start), 0));
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
}

async function typeAndMeasure(wb: Workbench, keys: number, interval: number): Promise<number[]> {
  await wb.page.evaluate(() => ((globalThis as unknown as { armadilhaLatencies: number[] }).armadilhaLatencies = []));
  // Letters, then as many backspaces: the file ends the block as it began.
  const sequence = [...Array.from({ length: keys / 2 }, (_, index) => 'abcdefghij'[index % 10]), ...Array.from({ length: keys / 2 }, () => 'Backspace')];
  for (const key of sequence) {
    await wb.page.keyboard.press(key);
    await new Promise((resolve) => setTimeout(resolve, interval)); // a typist's pace, not a wait for a condition
  }
  return wb.page.evaluate(() => (globalThis as unknown as { armadilhaLatencies: number[] }).armadilhaLatencies.slice());
}

async function setEnabled(wb: Workbench, settingsFile: string, enabled: boolean): Promise<void> {
  fs.writeFileSync(settingsFile, JSON.stringify({ ...SETTINGS, 'armadilha.enable': enabled }, null, 2));
  void wb;
}

/** Waits until the status bar counts problems (Armadilha on) or none (off). */
async function waitForProblems(wb: Workbench, present: boolean): Promise<void> {
  await waitFor(
    `problems ${present ? 'shown' : 'gone'}`,
    async () => {
      const { errors, warnings } = await wb.problemsStatus();
      const total = (Number.isNaN(errors) ? 0 : errors) + (Number.isNaN(warnings) ? 0 : warnings);
      return present ? total > 0 : total === 0;
    },
    { timeout: 120_000 },
  );
}

function table(results: Record<string, { off: Distribution; on: Distribution }>): string {
  const rows = Object.entries(results).map(
    ([name, { off, on }]) => `| ${name} | ${off.p50} / ${off.p95} ms | ${on.p50} / ${on.p95} ms | ${(on.p50 - off.p50).toFixed(1)} ms |`,
  );
  return ['| File | Armadilha off: p50 / p95 | Armadilha on: p50 / p95 | p50 difference |', '|---|---:|---:|---:|', ...rows].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
