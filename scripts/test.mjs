// Runs every test file under test/ (Node's test runner, TypeScript through tsx). Test files that need
// a real VS Code (test/e2e, test/vscode) have their own scripts and are not run here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = (
  only.length
    ? only
    : readdirSync('test')
        .filter((name) => name.endsWith('.test.ts'))
        .map((name) => `test/${name}`)
).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
