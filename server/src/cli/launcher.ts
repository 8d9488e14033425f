// The `armadilha` command (dist/cli.js). A `check --cache` run whose inputs have not changed since
// the same command last ran is replayed without loading the analysis (cli/replay.ts). Otherwise it
// loads the CLI bundle (dist/armadilha-cli.js, entry cli-main.ts) with V8's code cache, so that a run
// does not parse and compile the bundle's JavaScript again. The code cache is written once per
// bundle, beside it or else in the temporary folder; V8 rejects a cache made for another bundle or
// another Node.js, and the bundle is then compiled as usual (and the cache written again).

import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type Module from 'node:module';
import { dirname, join } from 'node:path';
import { tryReplay } from './replay';

const bundle = join(__dirname, 'armadilha-cli.js');
if (!tryReplay(process.argv.slice(2), bundle, __filename)) load();

function load(): void {
  // Required here, not imported: a replay needs none of them (named imports of fs and path, for the
  // same reason: esbuild copies every export of a namespace import when the launcher starts).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const ModuleClass = require('node:module') as typeof Module;
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const vm = require('node:vm') as typeof import('node:vm');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const source = readFileSync(bundle, 'utf8');
  const stat = statSync(bundle);
  const places = [`${bundle}.v8-cache`, join(tmpdir(), `armadilha-cli-${stat.size}-${Math.round(stat.mtimeMs)}.v8-cache`)];
  let cachedData: Buffer | undefined;
  for (const place of places) {
    try {
      cachedData = readFileSync(place);
      break;
    } catch {
      // not there
    }
  }
  const script = new vm.Script(ModuleClass.wrap(source), { filename: bundle, cachedData });
  // At exit, so that the functions this run compiled are in the cache too.
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script.createCachedData(), places));
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const bundleModule = new ModuleClass(bundle, module);
  bundleModule.filename = bundle;
  run.call(bundleModule.exports, bundleModule.exports, ModuleClass.createRequire(bundle), bundleModule, bundle, dirname(bundle));
}

function writeCache(data: Buffer, places: string[]): void {
  for (const place of places) {
    const temporary = `${place}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, data);
      renameSync(temporary, place);
      return;
    } catch {
      rmSync(temporary, { force: true });
    }
  }
}
