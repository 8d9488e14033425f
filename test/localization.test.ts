// Every user-visible string exists in English and Brazilian Portuguese: client strings (vscode.l10n
// bundles), manifest strings (package.nls), core strings and rule texts (typed: a missing key does not
// compile; checked here for emptiness and placeholders too).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { coreText, LOCALES } from '../server/src/core/locale';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('localization', () => {
  it('translates every vscode.l10n.t string of the client, with the same placeholders', () => {
    const bundle = JSON.parse(readFileSync('l10n/bundle.l10n.pt-br.json', 'utf8'));
    const english = JSON.parse(readFileSync('l10n/bundle.l10n.json', 'utf8'));
    const sources = readdirSync('client/src')
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(`client/src/${name}`, 'utf8'));
    const strings = sources.flatMap((source) =>
      [...source.matchAll(/l10n\.t\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((match) => match[2].replace(/\\(.)/g, '$1')),
    );
    assert.ok(strings.length >= 5);
    for (const text of strings) {
      assert.ok(typeof bundle[text] === 'string' && bundle[text] !== text, `no Portuguese for: ${text}`);
      assert.deepEqual(placeholders(bundle[text]), placeholders(text), text);
      assert.equal(english[text], text);
    }
    assert.deepEqual(Object.keys(bundle).sort(), [...new Set(strings)].sort(), 'no stale translations');
  });

  it('has every core string in every locale', () => {
    for (const locale of LOCALES) {
      for (const key of ['fixAllOfRule', 'disableForLine', 'configInvalidJson', 'cliSummary', 'fileTooLarge'] as const)
        assert.ok(coreText(locale, key).length > 5);
    }
    assert.notEqual(coreText('pt-BR', 'showDocumentation'), coreText('en', 'showDocumentation'));
  });
});
