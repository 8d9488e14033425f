// Entry point of the bundled CLI (dist/cli.js, the package's `armadilha` bin). The same file runs the
// worker threads of `check --jobs` (cli/workers.ts).
import { main } from './cli';
import { isCheckWorker, runCheckWorker } from './workers';

if (isCheckWorker()) runCheckWorker();
else {
  main(process.argv.slice(2)).then(
    (code) => {
      // -1: the language server took over the process.
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`armadilha: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
