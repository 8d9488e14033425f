// Entry point of the bundled CLI (dist/cli.js, the package's `armadilha` bin).
import { main } from './cli';

main(process.argv.slice(2)).then(
  (code) => {
    // -1: the language server took over the process.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`armadilha: ${(error as Error)?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
