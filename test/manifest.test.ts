// The extension manifest and everything generated from the rules are current and complete.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SERVER_VERSION } from '../server/src/core/version';
import { staleFiles } from '../scripts/generate';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

describe('manifest', () => {
  it('generated files (docs pages, README rules table, settings, schema, nls, SQL-in-templates grammar) are current', () => {
    assert.deepEqual(staleFiles(), [], 'run npm run generate');
  });

  it('declares what the marketplace and VS Code need', () => {
    assert.equal(manifest.name, 'armadilha');
    assert.ok(manifest.displayName && manifest.publisher && manifest.icon && manifest.engines.vscode);
    assert.deepEqual(manifest.categories, ['Linters', 'Snippets']);
    assert.equal(manifest.bin.armadilha, 'dist/cli.js');
    assert.equal(manifest.main, './dist/client.js');
    for (const language of ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'])
      assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
    assert.equal(manifest.version, SERVER_VERSION);
  });

  it('lets an untrusted workspace set none of the settings that steer the analysis', () => {
    const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    const settings = Object.keys(manifest.contributes.configuration.properties);
    const expected = settings.filter(
      (key) => key.startsWith('armadilha.names') || key === 'armadilha.rules' || key === 'armadilha.ruleCustomizations' || key === 'armadilha.maxFileSizeMb',
    );
    assert.deepEqual([...restricted].sort(), expected.sort());
    assert.deepEqual(expected.sort(), ['armadilha.maxFileSizeMb', 'armadilha.names', 'armadilha.ruleCustomizations', 'armadilha.rules']);
  });

  it('puts the rule levels first in the settings editor, and the name lists in one object setting with every list', () => {
    const properties: Record<string, { order?: number; properties?: Record<string, { default?: unknown }> }> = manifest.contributes.configuration.properties;
    const byOrder = Object.entries(properties)
      .sort(([, left], [, right]) => (left.order ?? 99) - (right.order ?? 99))
      .map(([key]) => key);
    assert.deepEqual(byOrder.slice(0, 2), ['armadilha.rules', 'armadilha.ruleCustomizations']);
    assert.ok(
      Object.values(properties).every((property) => typeof property.order === 'number'),
      'every setting has an order',
    );
    assert.ok(!Object.keys(properties).some((key) => key.startsWith('armadilha.names.')), 'no setting per name list');
    const names = properties['armadilha.names'].properties!;
    assert.ok(Object.keys(names).length > 30);
    assert.ok(
      Object.values(names).every((list) => Array.isArray(list.default)),
      'each list documents its default',
    );
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
