// The extension manifest and everything generated from the rules are current and complete.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SERVER_VERSION } from '../server/src/version';
import { staleFiles } from '../scripts/generate';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

describe('manifest', () => {
  it('generated files (docs pages, README rules table, settings, schema, nls) are current', () => {
    assert.deepEqual(staleFiles(), [], 'run npm run generate');
  });

  it('declares what the marketplace and VS Code need', () => {
    assert.equal(manifest.name, 'armadilha');
    assert.ok(manifest.displayName && manifest.publisher && manifest.icon && manifest.engines.vscode);
    assert.deepEqual(manifest.categories, ['Linters', 'Snippets']);
    assert.equal(manifest.bin.armadilha, 'dist/cli.js');
    assert.equal(manifest.main, './dist/client.js');
    for (const language of ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact']) assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
    assert.equal(manifest.version, SERVER_VERSION);
  });

  it('lets an untrusted workspace set none of the settings that steer the analysis', () => {
    const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    const settings = Object.keys(manifest.contributes.configuration.properties);
    const expected = settings.filter((key) => key.startsWith('armadilha.names.') || key === 'armadilha.rules' || key === 'armadilha.maxFileSizeMb');
    assert.ok(expected.length > 10);
    assert.deepEqual([...restricted].sort(), expected.sort());
  });

  it('has every %placeholder% of the manifest in English and Portuguese', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((match) => match[1]);
    assert.ok(keys.length > 10);
    for (const file of ['package.nls.json', 'package.nls.pt-br.json']) {
      const strings = JSON.parse(readFileSync(file, 'utf8'));
      for (const key of keys) assert.ok(typeof strings[key] === 'string' && strings[key].length > 0, `${file} lacks ${key}`);
    }
  });
});
