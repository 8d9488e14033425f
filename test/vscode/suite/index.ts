// Entry point that @vscode/test-electron loads in the extension host (--extensionTestsPath): runs the
// compiled tests next to this file with mocha and rejects when one fails.

import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: true, timeout: 120_000 });
  mocha.addFile(path.join(__dirname, 'armadilha.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
