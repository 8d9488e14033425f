// Bundles the client, the server and the CLI (with its launcher) with esbuild, and copies the
// libpg-query WebAssembly next to them (the parser loads it from its own folder).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
// Some dependencies ship ES modules that read import.meta.url; in a CommonJS bundle it is derived from __filename.
const importMetaUrl = 'const import_meta_url = require("url").pathToFileURL(__filename).href;';
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'import.meta.url': 'import_meta_url' },
  banner: { js: importMetaUrl },
};

// The TypeScript compiler (most of what the server and the CLI would weigh) gets a bundle of its own
// that they require only when they first analyse a TypeScript document (languages/typescript/project.ts).
// Only a require call is redirected: an `import` of 'typescript' would be bundled, and loaded at startup.
const lazyTypeScript = {
  name: 'lazy-typescript',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, (args) => (args.kind === 'require-call' ? { path: './typescript.js', external: true } : undefined));
  },
};

mkdirSync('dist', { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js', plugins: [lazyTypeScript] }),
  // dist/cli.js (the `armadilha` bin) loads dist/armadilha-cli.js with V8's code cache (cli-launcher.ts).
  build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/armadilha-cli.js', plugins: [lazyTypeScript] }),
  build({ ...common, entryPoints: ['server/src/cli/launcher.ts'], outfile: 'dist/cli.js', sourcemap: false, banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: [require.resolve('typescript')], outfile: 'dist/typescript.js' }),
]);
copyFileSync(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), 'dist/libpg-query.wasm');
chmodSync('dist/cli.js', 0o755);
