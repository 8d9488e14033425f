// The `armadilha` command (dist/cli.js): loads the CLI bundle (dist/armadilha-cli.js, entry
// cli-main.ts) with V8's code cache, so that a run does not parse and compile the bundle's JavaScript
// again: a fifth of a warm `check --cache`. The cache is written once per bundle, beside it or else in
// the temporary folder; V8 rejects a cache made for another bundle or another Node.js, and the
// bundle is then compiled as usual (and the cache written again). Nothing else happens here.

import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const bundle = path.join(__dirname, 'armadilha-cli.js');
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
if (!cachedData || script.cachedDataRejected) process.once('exit', writeCache);
const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
run.call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, path.dirname(bundle));

// At exit: the functions this run compiled are in the cache too.
function writeCache(): void {
  const data = script.createCachedData();
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
