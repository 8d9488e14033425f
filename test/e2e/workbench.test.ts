// Armadilha in a real VS Code (code-server), English: what a user sees in a Supabase project.
// Run with `npm run test:e2e` (after `bash scripts/install-e2e.sh`). Screenshots go to docs/images/.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingPrerequisites, waitFor, Workbench } from './harness';
import {
  CLOCK_FIX_TITLE,
  CLOCK_FIXED_LINE,
  cliFixedText,
  EDGE_FETCH_FINDING,
  EDGE_FINDINGS,
  EDGE_TS,
  EN_PHRASES,
  fetchRuleStatus,
  FIX_ALL_FRAGMENTS,
  fixtureText,
  makeWorkspace,
  SCRATCH_SQL,
  sqlSnippetCase,
  TRAPS_FINDINGS,
  TRAPS_SQL,
} from './workspace';

const missing = missingPrerequisites();
if (missing) throw new Error(`end-to-end tests cannot run: ${missing}`);

const fetchRule = fetchRuleStatus();
const edgeFindings = fetchRule.active ? [...EDGE_FINDINGS, EDGE_FETCH_FINDING] : EDGE_FINDINGS;
const lineNumbers = (findings: Array<{ line: number }>) => findings.map((finding) => finding.line);

describe('Armadilha in code-server (English)', { timeout: 300_000 }, () => {
  let wb: Workbench;
  let workspace: string;
  // What `armadilha check --fix` writes: computed before the editor changes anything.
  let expectedAfterFixAll: string;

  before(async () => {
    expectedAfterFixAll = cliFixedText(TRAPS_SQL);
    workspace = makeWorkspace();
    wb = await Workbench.start({ tag: 'en', workspace });
  }, { timeout: 180_000 });

  after(async () => {
    await wb?.close();
  });

  it('shows squiggles on the trap lines of the migration', { timeout: 90_000 }, () =>
    wb.step('sql-squiggles', async () => {
      await wb.open(TRAPS_SQL);
      const squiggles = await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS), 60_000);
      assert.ok(squiggles.every((squiggle) => squiggle.severity === 'warning'), `all warnings: ${JSON.stringify(squiggles)}`);
    }));

  it('shows the Armadilha status bar item, running', { timeout: 60_000 }, () =>
    wb.step('status-item', async () => {
      const item = wb.statusItem();
      await item.first().waitFor({ state: 'visible', timeout: 30_000 });
      // $(shield) is the running state ($(loading~spin) while starting, $(error) when stopped).
      await item.locator('.codicon-shield').first().waitFor({ timeout: 30_000 });
      assert.equal((await item.first().innerText()).trim(), 'Armadilha');
      assert.match((await item.first().getAttribute('aria-label')) ?? '', /Armadilha is running/);
    }));

  it('hover explains the finding in English', { timeout: 60_000 }, () =>
    wb.step('hover-en', async () => {
      const text = await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
      for (const phrase of EN_PHRASES) assert.ok(text.includes(phrase), `hover has "${phrase}":\n${text}`);
      assert.match(text, /no-clock-timestamp-expiry/);
      await wb.screenshot('e2e-hover.png', await wb.clipAround('.monaco-hover:not(.hidden)'));
      await wb.closeWidgets();
    }));

  it('shows squiggles in the Edge Function (embedded SQL and fetch)', { timeout: 90_000 }, async (t) => {
    if (!fetchRule.active) t.diagnostic(`fetch(url) not asserted: ${fetchRule.reason}`);
    await wb.step('ts-squiggles', async () => {
      await wb.open(EDGE_TS);
      await wb.waitForSquiggleLines(lineNumbers(edgeFindings), 60_000);
      const text = await wb.hover(EDGE_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
      assert.ok(text.includes(EN_PHRASES[0]), text);
      await wb.closeWidgets();
    });
  });

  it('counts the problems in the Problems panel and the status bar', { timeout: 60_000 }, () =>
    wb.step('problems', async () => {
      const total = TRAPS_FINDINGS.length + edgeFindings.length;
      await waitForStatusCounts(wb, { errors: 0, warnings: total });
      await wb.page.keyboard.press('Control+Shift+M');
      const panel = wb.page.locator('.markers-panel');
      await panel.waitFor({ state: 'visible' });
      const markers = panel.locator('.monaco-list-row[aria-level="2"]');
      await waitFor(`${total} rows in the Problems panel`, async () => (await markers.count()) === total);
      const sources = await markers.evaluateAll((rows) => rows.map((row) => `${row.querySelector('.marker-source')?.textContent ?? ''}${row.querySelector('.marker-code')?.textContent ?? ''}`));
      assert.ok(sources.every((source) => /armadilha/i.test(source)), `every problem is Armadilha's: ${sources.join(' | ')}`);
      // The count on the panel's Problems tab.
      const badge = wb.page.locator('.part.panel .composite-bar .action-item.checked .badge-content');
      await waitFor(`the Problems tab badge to say ${total}`, async () => (await badge.innerText()).trim() === String(total));
      await wb.screenshot('e2e-problems-panel.png');
      // Hide the panel again so that the editor gets its height back.
      await wb.page.keyboard.press('Control+J');
      await panel.waitFor({ state: 'hidden' });
    }));

  it('Ctrl+. lists the fix and applying it rewrites the line', { timeout: 60_000 }, () =>
    wb.step('quick-fix', async () => {
      await wb.open(TRAPS_SQL);
      await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS));
      const items = await wb.openQuickFixes(TRAPS_FINDINGS[0].line);
      assert.ok(items.includes(CLOCK_FIX_TITLE), `quick fixes: ${items.join(' | ')}`);
      assert.ok(items.some((item) => item.startsWith('Disable no-clock-timestamp-expiry')), `quick fixes: ${items.join(' | ')}`);
      await wb.screenshot('e2e-quick-fix.png', await wb.clipAround('.action-widget:not(.action-list-submenu-panel)'));
      await wb.pickQuickFix(CLOCK_FIX_TITLE);
      await waitFor('the fixed line in the editor', async () => (await wb.lines())[TRAPS_FINDINGS[0].line - 1] === CLOCK_FIXED_LINE);
      await wb.page.locator('.tabs-container .tab.active.dirty').waitFor();
      await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS.slice(1)));
    }));

  it('fix-all on save applies every safe fix (editor.codeActionsOnSave)', { timeout: 60_000 }, () =>
    wb.step('fix-all-on-save', async () => {
      const file = path.join(workspace, TRAPS_SQL);
      assert.ok(fs.readFileSync(file, 'utf8').includes('clock_timestamp()'), 'the quick fix is not on disk before saving');
      const onDisk = await wb.save(file, (text) => !text.includes('clock_timestamp()'));
      for (const fragment of FIX_ALL_FRAGMENTS) assert.ok(onDisk.includes(fragment), `saved file has "${fragment}":\n${onDisk}`);
      assert.equal(onDisk, expectedAfterFixAll, 'the saved file is what `armadilha check --fix` writes');
      await waitFor('the editor to show the saved text', async () => (await wb.lines()).join('\n') === onDisk);
      await wb.waitForSquiggleLines([]);
      await waitForStatusCounts(wb, { errors: 0, warnings: edgeFindings.length });
      // The schema migration was not touched.
      assert.equal(fs.readFileSync(path.join(workspace, 'supabase/migrations/20240101000000_schema.sql'), 'utf8'), fixtureText('supabase/migrations/20240101000000_schema.sql'));
    }));

  it('colors the SQL inside sql`…` as SQL', { timeout: 60_000 }, async (t) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(wb.installedExtensionDir(), 'package.json'), 'utf8')) as { contributes?: { grammars?: unknown[] } };
    if (!manifest.contributes?.grammars?.length) {
      t.skip('the extension contributes no grammar yet (syntaxes/, package.json contributes.grammars)');
      return;
    }
    await wb.step('embedded-sql-colors', async () => {
      await wb.open(EDGE_TS);
      const line = EDGE_FINDINGS[0].line;
      const source = fixtureText(EDGE_TS).split('\n')[line - 1];
      const keywordColumn = source.indexOf('sql`update') + 'sql`'.length + 1;
      const tokens = await waitFor(`tokens of line ${line}`, async () => {
        const found = await wb.tokens(line);
        return found.some((token) => token.text.includes('update')) && found;
      });
      const keyword = tokens.find((token) => /^\s*update\s*$/.test(token.text));
      const plainString = (await wb.tokens(line + 3)).find((token) => token.text.includes("'renewed'"));
      assert.ok(keyword, `"update" is a token of its own: ${JSON.stringify(tokens)}`);
      assert.ok(plainString, 'the plain string on the last line');
      assert.notEqual(keyword.color, plainString.color, `"update" is colored as an SQL keyword, not as string text (${keyword.color})`);
      // The scope inspector: the token is SQL.
      await wb.goTo(line, keywordColumn + 1);
      await wb.runCommand('Developer: Inspect Editor Tokens and Scopes');
      const widget = wb.page.locator('.token-inspect-widget');
      await widget.waitFor({ timeout: 30_000 });
      const scopes = await widget.locator('.tiw-metadata-scopes').innerText();
      const language = await widget.locator('tr', { hasText: 'language' }).locator('.tiw-metadata-value').first().innerText();
      assert.equal(language.trim(), 'sql', `token language (scopes: ${scopes})`);
      assert.match(scopes, /keyword[\w.-]*sql/, 'a SQL keyword scope');
      assert.match(scopes, /source\.ts/, 'inside the TypeScript file');
      await wb.closeWidgets();
    });
  });

  it('expands an Armadilha snippet prefix', { timeout: 60_000 }, async (t) => {
    const { snippet, reason } = sqlSnippetCase(wb.installedExtensionDir());
    if (!snippet) {
      t.skip(`no snippet to expand: ${reason}`);
      return;
    }
    await wb.step('snippet', async () => {
      await wb.open(SCRATCH_SQL);
      await wb.page.keyboard.press('Control+End');
      await wb.page.keyboard.type(snippet.prefix);
      await wb.page.keyboard.press('Control+Space');
      const row = wb.page.locator('.editor-widget.suggest-widget.visible .monaco-list-row', { hasText: snippet.prefix }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const focused = wb.page.locator('.editor-widget.suggest-widget.visible .monaco-list-row.focused');
      if (!((await focused.getAttribute('aria-label')) ?? '').includes(snippet.prefix)) await row.click();
      else await wb.page.keyboard.press('Enter');
      await waitFor(`the expansion of ${snippet.prefix} ("${snippet.expectedLine}")`, async () => (await wb.lines()).some((line) => line.trim() === snippet.expectedLine));
      assert.ok(!(await wb.lines()).some((line) => line.includes(snippet.prefix)), 'the prefix was replaced');
      await wb.closeWidgets();
    });
  });

  it('made no request outside 127.0.0.1', () => {
    assert.deepEqual([...wb.externalRequests], []);
  });
});

/** Waits for the status bar's problem counts (⊗ errors ⚠ warnings). */
async function waitForStatusCounts(wb: Workbench, want: { errors: number; warnings: number }): Promise<void> {
  let seen = { errors: NaN, warnings: NaN };
  try {
    await waitFor(`the status bar to count ${want.errors} errors, ${want.warnings} warnings`, async () => {
      seen = await wb.problemsStatus();
      return seen.errors === want.errors && seen.warnings === want.warnings;
    });
  } catch (error) {
    (error as Error).message += ` (it counts ${seen.errors} errors, ${seen.warnings} warnings)`;
    throw error;
  }
}
