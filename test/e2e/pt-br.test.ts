// Armadilha in a real VS Code (code-server) with the display language set to pt-BR: the language
// server receives "pt-br" and answers in Portuguese. A hand-made minimal language pack
// (fixtures/langpack-pt-br) makes VS Code accept the locale offline.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingPrerequisites, packageFixtureExtension, packageLanguagePack, waitFor, Workbench } from './harness';
import { BROKEN_FINDINGS, BROKEN_SQL, CLOSED_SQL, EN_PHRASES, makeWorkspace, PT_BR_PHRASES, TRAPS_FINDINGS, TRAPS_SQL } from './workspace';

const missing = missingPrerequisites();
if (missing) throw new Error(`end-to-end tests cannot run: ${missing}`);

describe('Armadilha in code-server (pt-BR)', { timeout: 240_000 }, () => {
  let wb: Workbench;
  let scratch: string;

  before(
    async () => {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-e2e-langpack-'));
      const langpack = packageLanguagePack(scratch);
      // A stand-in with squawk's id: Armadilha leaves syntax errors in .sql files to it.
      const squawk = packageFixtureExtension('fake-squawk', scratch);
      wb = await Workbench.start({ tag: 'pt-br', workspace: makeWorkspace(), locale: 'pt-br', extraVsix: [langpack, squawk] });
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await wb?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the workbench runs in pt-br (language pack active)', { timeout: 60_000 }, () =>
    wb.step('ui-pt-br', async () => {
      // One of the three strings the minimal language pack translates.
      await wb.page.locator('.sidebar .title-label', { hasText: 'Explorador' }).waitFor({ timeout: 30_000 });
    }),
  );

  it('hover explains the finding in Portuguese', { timeout: 90_000 }, () =>
    wb.step('hover-pt-br', async () => {
      await wb.open(TRAPS_SQL);
      await wb.waitForSquiggleLines(
        TRAPS_FINDINGS.map((finding) => finding.line),
        60_000,
      );
      const text = await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
      for (const phrase of PT_BR_PHRASES) assert.ok(text.includes(phrase), `hover has "${phrase}":\n${text}`);
      for (const phrase of EN_PHRASES) assert.ok(!text.includes(phrase), `hover has no English "${phrase}":\n${text}`);
      assert.doesNotMatch(text, /REGRA|REQ ARMADILHAS|anti-pattern|Skill|Fonte:|armadilhas-sistemas/, text);
      await wb.screenshot('e2e-hover-pt-br.png', await wb.clipAround('.monaco-hover:not(.hidden)'));
    }),
  );

  it('the hover fits on a 1366×768 window, and its link opens the Portuguese page offline', { timeout: 90_000 }, () =>
    wb.step('hover-docs-pt-br', async () => {
      await wb.page.setViewportSize({ width: 1366, height: 768 });
      try {
        const hover = wb.page.locator('.monaco-hover:not(.hidden)').first();
        await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
        const box = (await hover.boundingBox())!;
        assert.ok(box.y >= 0 && box.y + box.height <= 768, JSON.stringify(box));
        const overflowing = await hover.evaluate(
          (element) =>
            [...element.querySelectorAll('.monaco-scrollable-element')].filter((scrollable) => scrollable.scrollHeight > scrollable.clientHeight + 1).length,
        );
        assert.equal(overflowing, 0, 'nothing in the hover needs scrolling');
        await hover.locator('a', { hasText: 'Documentação' }).first().click();
        const page = await wb.markdownPreviewText(/Por que isso falha num sistema distribuído/);
        assert.match(page, /relógio de parede/);
        await wb.page.keyboard.press('Control+W');
      } finally {
        await wb.page.setViewportSize({ width: 1280, height: 800 });
        await wb.closeWidgets();
      }
    }),
  );

  it('leaves syntax errors in .sql files to squawk when it is installed, and says so in the log', { timeout: 90_000 }, () =>
    wb.step('coexistence', async () => {
      await wb.open(BROKEN_SQL);
      // Only the refresh: the syntax error on line 2 is squawk's to report.
      await wb.waitForSquiggleLines([BROKEN_FINDINGS[1].line], 60_000);
      await wb.runCommand('Armadilha: Mostrar saída');
      await waitFor('the coexistence line in the output channel', async () =>
        /Squawk instalado: ele reporta erros de sintaxe em arquivos \.sql/.test(await wb.outputText('Squawk')),
      );
      await wb.outputText('');
      await wb.page.keyboard.press('Control+J');
    }),
  );

  it('"Analisar o workspace" lists the findings of files never opened in the Problems panel', { timeout: 120_000 }, () =>
    wb.step('analyse-workspace', async () => {
      await wb.runCommand('Armadilha: Analisar o workspace');
      const toast = await wb.notification(/O Armadilha analisou \d+ arquivo\(s\) do workspace: \d+ achado\(s\)/, 60_000);
      await toast.locator('.monaco-button', { hasText: 'Mostrar problemas' }).click();
      const panel = wb.page.locator('.markers-panel');
      await panel.waitFor({ state: 'visible' });
      await wb.clearPanelFilter();
      await panel.locator('.monaco-list-row[aria-level="1"]', { hasText: path.basename(CLOSED_SQL) }).waitFor({ timeout: 30_000 });
      await panel
        .locator('.monaco-list-row[aria-level="2"]', { hasText: /relógio de parede/ })
        .first()
        .waitFor();
      await wb.screenshot('e2e-workspace-problems-pt-br.png');
      await wb.page.keyboard.press('Control+J');
    }),
  );

  it('the walkthrough speaks Portuguese', { timeout: 60_000 }, () =>
    wb.step('walkthrough-pt-br', async () => {
      await wb.runCommand('Welcome: Open Walkthrough...', { keepOpen: true });
      await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Primeiros passos com o Armadilha' }).first().click();
      const steps = wb.page.locator('.gettingStartedContainer .getting-started-step .step-title');
      await waitFor('three walkthrough steps', async () => (await steps.count()) === 3);
      assert.deepEqual(await steps.allInnerTexts(), ['Encontre uma armadilha e corrija', 'Corrigir tudo ao salvar', 'Escreva o padrão certo com um snippet']);
      await wb.markdownPreviewText(/Uma migration com uma armadilha/);
      await wb.page.keyboard.press('Control+W');
    }),
  );

  it('Ctrl+. lists the actions in Portuguese', { timeout: 60_000 }, () =>
    wb.step('quick-fix-pt-br', async () => {
      await wb.open(TRAPS_SQL);
      const items = await wb.openQuickFixes(TRAPS_FINDINGS[0].line);
      assert.ok(items.includes('Desativar no-clock-timestamp-expiry nesta instrução'), `quick fixes: ${items.join(' | ')}`);
      await wb.closeWidgets();
    }),
  );
});
