// Armadilha in a real VS Code (code-server) with the display language set to pt-BR: the language
// server receives "pt-br" and answers in Portuguese. A hand-made minimal language pack
// (fixtures/langpack-pt-br) makes VS Code accept the locale offline.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingPrerequisites, packageLanguagePack, Workbench } from './harness';
import { EN_PHRASES, makeWorkspace, PT_BR_PHRASES, TRAPS_FINDINGS, TRAPS_SQL } from './workspace';

const missing = missingPrerequisites();
if (missing) throw new Error(`end-to-end tests cannot run: ${missing}`);

describe('Armadilha in code-server (pt-BR)', { timeout: 240_000 }, () => {
  let wb: Workbench;
  let scratch: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-e2e-langpack-'));
    const langpack = packageLanguagePack(scratch);
    wb = await Workbench.start({ tag: 'pt-br', workspace: makeWorkspace(), locale: 'pt-br', extraVsix: [langpack] });
  }, { timeout: 180_000 });

  after(async () => {
    await wb?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the workbench runs in pt-br (language pack active)', { timeout: 60_000 }, () =>
    wb.step('ui-pt-br', async () => {
      // One of the three strings the minimal language pack translates.
      await wb.page.locator('.sidebar .title-label', { hasText: 'Explorador' }).waitFor({ timeout: 30_000 });
    }));

  it('hover explains the finding in Portuguese', { timeout: 90_000 }, () =>
    wb.step('hover-pt-br', async () => {
      await wb.open(TRAPS_SQL);
      await wb.waitForSquiggleLines(TRAPS_FINDINGS.map((finding) => finding.line), 60_000);
      const text = await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
      for (const phrase of PT_BR_PHRASES) assert.ok(text.includes(phrase), `hover has "${phrase}":\n${text}`);
      for (const phrase of EN_PHRASES) assert.ok(!text.includes(phrase), `hover has no English "${phrase}":\n${text}`);
      await wb.screenshot('e2e-hover-pt-br.png', await wb.clipAround('.monaco-hover:not(.hidden)'));
      await wb.closeWidgets();
    }));

  it('Ctrl+. lists the actions in Portuguese', { timeout: 60_000 }, () =>
    wb.step('quick-fix-pt-br', async () => {
      const items = await wb.openQuickFixes(TRAPS_FINDINGS[0].line);
      assert.ok(items.includes('Desativar no-clock-timestamp-expiry nesta instrução'), `quick fixes: ${items.join(' | ')}`);
      await wb.closeWidgets();
    }));
});
