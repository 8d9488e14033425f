// Time of lint() on generated TypeScript files of growing size (test/helpers/generated-sources.ts):
// the analysis is linear, so doubling the lines should about double the time. Prints a table; run it
// with `npx tsx bench/scaling.ts` (optionally the sizes: `npx tsx bench/scaling.ts 2000 4000 8000`).
// The scaling test (test/scaling.test.ts) proves the same by counting work; this shows the seconds.

import { defaultSettings } from '../server/src/config';
import { loadParser } from '../server/src/languages/sql/parser';
import { lint } from '../server/src/lint';
import { RULES } from '../server/src/rules';
import { GENERATED_SHAPES } from '../test/helpers/generated-sources';

async function main(): Promise<void> {
  await loadParser();
  const settings = defaultSettings(RULES);
  const sizes = process.argv.slice(2).map(Number).filter((size) => size > 0);
  const counts = sizes.length ? sizes : [2000, 4000, 8000, 16000];
  // A first analysis loads the TypeScript compiler; it is not measured.
  lint({ text: 'export const warm = 1;', language: 'typescript', fileName: 'warm.ts', settings, locale: 'en' });
  process.stdout.write(`| shape | ${counts.map((count) => `${count} (KB, ms)`).join(' | ')} |\n|---|${counts.map(() => '---').join('|')}|\n`);
  for (const [name, make] of Object.entries(GENERATED_SHAPES)) {
    const cells: string[] = [];
    // Nesting deeper than the parser's recursion is skipped as too deep: a tenth of the size.
    for (const count of counts.map((count) => (name === 'nested blocks' ? Math.round(count / 10) : count))) {
      const text = make(count);
      const started = performance.now();
      const result = lint({ text, language: 'typescript', fileName: 'generated.ts', settings, locale: 'en' });
      const elapsed = performance.now() - started;
      const skipped = result.findings.some((finding) => finding.ruleId === 'skipped-file') ? ' skipped' : '';
      cells.push(`${count}: ${Math.round(text.length / 1024)} KB, ${Math.round(elapsed)} ms${skipped}`);
    }
    process.stdout.write(`| ${name} | ${cells.join(' | ')} |\n`);
  }
}

void main();
