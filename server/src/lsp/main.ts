// Entry point of the bundled language server (dist/server.js). `server.js check …` runs the CLI's
// check instead: the VS Code task "armadilha: check" uses it, so the package ships one bundle.
import { main } from '../cli/cli';
import { startServer } from './server';

if (process.argv[2] === 'check') {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`armadilha: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
} else startServer();
