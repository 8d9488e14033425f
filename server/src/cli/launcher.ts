// The `armadilha` command (dist/cli.js). A `check --cache` run whose inputs have not changed since
// the same command last ran is replayed without loading the analysis (cli/replay.ts). Otherwise it
// loads the CLI bundle (dist/armadilha-cli.js, entry cli-main.ts) with V8's code cache, so that a run
// does not parse and compile the bundle's JavaScript again. The code cache is written once per
// bundle, beside it or else in the temporary folder; V8 rejects a cache made for another bundle or
// another Node.js, and the bundle is then compiled as usual (and the cache written again).

import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { tryReplay } from './replay';

const bundle = path.join(__dirname, 'armadilha-cli.js');
if (!tryReplay(process.argv.slice(2), bundle, __filename)) load();

function load(): void {
  const source = fs.readFileSync(bundle, 'utf8');
  const stat = fs.statSync(bundle);
  const places = [`${bundle}.v8-cache`, path.join(os.tmpdir(), `armadilha-cli-${stat.size}-${Math.round(stat.mtimeMs)}.v8-cache`)];
  let cachedData: Buffer | undefined;
  for (const place of places) {
    try {
      cachedData = fs.readFileSync(place);
      break;
    } catch {
      // not there
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  // At exit, so that the functions this run compiled are in the cache too.
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script.createCachedData(), places));
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  run.call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
}

function writeCache(data: Buffer, places: string[]): void {
  for (const place of places) {
    const temporary = `${place}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temporary, data);
      fs.renameSync(temporary, place);
      return;
    } catch {
      fs.rmSync(temporary, { force: true });
    }
  }
}
