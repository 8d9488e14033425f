// Armadilha in a real VS Code (code-server), English: what a user sees in a Supabase project.
// Run with `npm run test:e2e` (after `bash scripts/install-e2e.sh`). Screenshots go to docs/images/.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingPrerequisites, waitFor, Workbench } from './harness';
import {
  BROKEN_FINDINGS,
  BROKEN_SQL,
  CLOCK_FIX_TITLE,
  CLOSED_SQL,
  CONFIG_JSON,
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
  SUPABASE_UPSERT_FIX_TITLE,
  SUPABASE_UPSERT_LINE,
  SUPABASE_WEBHOOK_FINDING,
  SUPABASE_WEBHOOK_TEXT,
  SUPABASE_WEBHOOK_TS,
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

  before(
    async () => {
      expectedAfterFixAll = cliFixedText(TRAPS_SQL);
      workspace = makeWorkspace();
      wb = await Workbench.start({ tag: 'en', workspace });
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await wb?.close();
  });

  it('shows squiggles on the trap lines of the migration', { timeout: 90_000 }, () =>
    wb.step('sql-squiggles', async () => {
      await wb.open(TRAPS_SQL);
      const squiggles = await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS), 60_000);
      assert.ok(
        squiggles.every((squiggle) => squiggle.severity === 'warning'),
        `all warnings: ${JSON.stringify(squiggles)}`,
      );
    }),
  );

  it('shows the Armadilha status bar item, running', { timeout: 60_000 }, () =>
    wb.step('status-item', async () => {
      const item = wb.statusItem();
      await item.first().waitFor({ state: 'visible', timeout: 30_000 });
      // $(shield) is the running state ($(loading~spin) while starting, $(error) when stopped).
      await item.locator('.codicon-shield').first().waitFor({ timeout: 30_000 });
      assert.equal((await item.first().innerText()).trim(), 'Armadilha');
      assert.match((await item.first().getAttribute('aria-label')) ?? '', /Armadilha is running/);
    }),
  );

  it('hover explains the finding in English', { timeout: 60_000 }, () =>
    wb.step('hover-en', async () => {
      const text = await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
      for (const phrase of EN_PHRASES) assert.ok(text.includes(phrase), `hover has "${phrase}":\n${text}`);
      assert.match(text, /no-clock-timestamp-expiry/);
      await wb.screenshot('e2e-hover.png', await wb.clipAround('.monaco-hover:not(.hidden)'));
      await wb.closeWidgets();
    }),
  );

  it('hover: what, why, what to do and a link, no internal labels; it and its Quick Fix link fit on a 1366×768 window', { timeout: 90_000 }, () =>
    wb.step('hover-1366', async () => {
      await wb.page.setViewportSize({ width: 1366, height: 768 });
      try {
        const text = await wb.hover(TRAPS_FINDINGS[0].line, /Armadilha · no-clock-timestamp-expiry/);
        for (const heading of ['Why:', 'What to do:', 'Documentation']) assert.ok(text.includes(heading), `hover has "${heading}":\n${text}`);
        assert.doesNotMatch(text, /REGRA|REQ ARMADILHAS|anti-pattern|Skill|Source:|armadilhas-sistemas/, text);
        const hover = wb.page.locator('.monaco-hover:not(.hidden)').first();
        const box = (await hover.boundingBox())!;
        assert.ok(box.y >= 0 && box.y + box.height <= 768, `the hover is inside the window: ${JSON.stringify(box)}`);
        const overflowing = await hover.evaluate(
          (element) =>
            [...element.querySelectorAll('.monaco-scrollable-element')].filter((scrollable) => scrollable.scrollHeight > scrollable.clientHeight + 1).length,
        );
        assert.equal(overflowing, 0, 'nothing in the hover needs scrolling');
        const quickFix = hover.locator('.hover-row.status-bar .action-container', { hasText: /Quick Fix/ }).first();
        await quickFix.waitFor({ state: 'visible' });
        const link = (await quickFix.boundingBox())!;
        assert.ok(link.y + link.height <= Math.min(768, box.y + box.height), `the Quick Fix link shows without scrolling: ${JSON.stringify(link)}`);
        // The link opens the rule's page offline, in VS Code's Markdown preview.
        await hover.locator('a', { hasText: 'Documentation' }).first().click();
        const page = await wb.markdownPreviewText(/Why it fails in a distributed system/);
        assert.match(page, /no-clock-timestamp-expiry/);
        await wb.page.locator('.tabs-container .tab.active', { hasText: /no-clock-timestamp-expiry/ }).waitFor();
        await wb.page.keyboard.press('Control+W');
        await wb.page.locator('.tabs-container .tab.active', { hasText: path.basename(TRAPS_SQL) }).waitFor();
      } finally {
        await wb.page.setViewportSize({ width: 1280, height: 800 });
        await wb.closeWidgets();
      }
    }),
  );

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
      await wb.clearPanelFilter();
      const markers = panel.locator('.monaco-list-row[aria-level="2"]');
      await waitFor(`${total} rows in the Problems panel`, async () => (await markers.count()) === total);
      const sources = await markers.evaluateAll((rows) =>
        rows.map((row) => `${row.querySelector('.marker-source')?.textContent ?? ''}${row.querySelector('.marker-code')?.textContent ?? ''}`),
      );
      assert.ok(
        sources.every((source) => /armadilha/i.test(source)),
        `every problem is Armadilha's: ${sources.join(' | ')}`,
      );
      // The count on the panel's Problems tab.
      const badge = wb.page.locator('.part.panel .composite-bar .action-item.checked .badge-content');
      await waitFor(`the Problems tab badge to say ${total}`, async () => (await badge.innerText()).trim() === String(total));
      await wb.screenshot('e2e-problems-panel.png');
      // Hide the panel again so that the editor gets its height back.
      await wb.page.keyboard.press('Control+J');
      await panel.waitFor({ state: 'hidden' });
    }),
  );

  it('Ctrl+. lists the fix and applying it rewrites the line', { timeout: 60_000 }, () =>
    wb.step('quick-fix', async () => {
      await wb.open(TRAPS_SQL);
      await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS));
      const items = await wb.openQuickFixes(TRAPS_FINDINGS[0].line);
      assert.ok(items.includes(CLOCK_FIX_TITLE), `quick fixes: ${items.join(' | ')}`);
      assert.ok(
        items.some((item) => item.startsWith('Disable no-clock-timestamp-expiry')),
        `quick fixes: ${items.join(' | ')}`,
      );
      await wb.screenshot('e2e-quick-fix.png', await wb.clipAround('.action-widget:not(.action-list-submenu-panel)'));
      await wb.pickQuickFix(CLOCK_FIX_TITLE);
      await waitFor('the fixed line in the editor', async () => (await wb.lines())[TRAPS_FINDINGS[0].line - 1] === CLOCK_FIXED_LINE);
      await wb.page.locator('.tabs-container .tab.active.dirty').waitFor();
      await wb.waitForSquiggleLines(lineNumbers(TRAPS_FINDINGS.slice(1)));
    }),
  );

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
      assert.equal(
        fs.readFileSync(path.join(workspace, 'supabase/migrations/20240101000000_schema.sql'), 'utf8'),
        fixtureText('supabase/migrations/20240101000000_schema.sql'),
      );
    }),
  );

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
      await waitFor(`the expansion of ${snippet.prefix} ("${snippet.expectedLine}")`, async () =>
        (await wb.lines()).some((line) => line.trim() === snippet.expectedLine),
      );
      assert.ok(!(await wb.lines()).some((line) => line.includes(snippet.prefix)), 'the prefix was replaced');
      await wb.closeWidgets();
    });
  });

  it(
    'a broken armadilha.config.json shows at once: notification with "Open configuration", status warning, diagnostic, log line',
    { timeout: 120_000 },
    async (t) => {
      await wb.step('config-problem', async () => {
        await wb.open(CONFIG_JSON);
        const source = fixtureText(CONFIG_JSON);
        // A typo in a rule id, as a new user makes it: "no-two-phase-commit" → "no-two-phase-commt".
        await wb.goTo(1, source.indexOf('commit') + 'comm'.length + 2);
        await wb.page.keyboard.press('Backspace');
        // Shown as it is typed, on the file.
        await wb.waitForSquiggleLines([1]);
        const saved = Date.now();
        await wb.page.keyboard.press('Control+S');
        const toast = await wb.notification(/has a problem: Unknown rule "no-two-phase-commt"/);
        const elapsed = Date.now() - saved;
        t.diagnostic(`save → notification: ${elapsed} ms`);
        assert.ok(elapsed < 5000, `seen within seconds (${elapsed} ms)`);
        await toast.locator('.monaco-button', { hasText: 'Open configuration' }).waitFor();
        const item = wb.statusItem().first();
        await item.locator('.codicon-warning').waitFor({ timeout: 30_000 });
        assert.match((await item.getAttribute('aria-label')) ?? '', /1 problem\(s\) in the configuration/);
        await wb.screenshot('e2e-config-problem.png');
        // "Open configuration" brings the file back, at the problem.
        await wb.open(TRAPS_SQL);
        await toast.locator('.monaco-button', { hasText: 'Open configuration' }).click();
        await wb.page.locator('.tabs-container .tab.active', { hasText: CONFIG_JSON }).waitFor();
        assert.equal(await wb.caretLine(), 1);
        // The log says it too.
        await wb.runCommand('Armadilha: Show Output');
        await waitFor('the configuration problem in the output channel', async () =>
          /armadilha\.config\.json: 1 problem\(s\): Unknown rule "no-two-phase-commt"/.test(await wb.outputText('problem(s)')),
        );
        // Fixed and saved: the status is fine again.
        await wb.open(CONFIG_JSON);
        await wb.goTo(1, source.indexOf('commit') + 'comm'.length + 1);
        await wb.page.keyboard.type('i');
        await wb.page.keyboard.press('Control+S');
        await item.locator('.codicon-shield').waitFor({ timeout: 30_000 });
        await wb.waitForSquiggleLines([]);
        await wb.clearNotifications();
      });
    },
  );

  it('the output channel says what the server did: start, workspace folder, configuration files', { timeout: 60_000 }, () =>
    wb.step('output', async () => {
      await wb.runCommand('Armadilha: Show Output');
      await waitFor('the start line in the output channel', async () => /Armadilha \d+\.\d+\.\d+ started \(Node v\d+/.test(await wb.outputText('started')));
      await waitFor('the workspace folder in the output channel', async () =>
        /Workspace folders: \S*armadilha-e2e-ws-/.test(await wb.outputText('Workspace folders')),
      );
      await waitFor('the configuration file in the output channel', async () =>
        /Configuration \S*armadilha\.config\.json: no problems\./.test(await wb.outputText('Configuration')),
      );
      await wb.outputText('');
      // From the top: the start, the folders, the configuration.
      await wb.page.locator('.part.panel .monaco-editor .view-lines').first().click();
      await wb.page.keyboard.press('Control+Home');
      await waitFor('the first lines of the output channel', async () =>
        /started/.test(await wb.page.locator('.part.panel .monaco-editor .view-lines').first().innerText()),
      );
      await wb.screenshot('e2e-output.png');
      await wb.page.keyboard.press('Control+J');
    }),
  );

  it('runs the "armadilha: check" task: the Problems panel lists the findings of files never opened', { timeout: 120_000 }, () =>
    wb.step('task', async () => {
      await wb.runCommand('Tasks: Run Task', { keepOpen: true });
      const input = wb.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill('armadilha');
      // The task is listed at once ("armadilha: check"), or under its type.
      const rows = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.first().waitFor();
      const direct = rows.filter({ hasText: 'armadilha: check' });
      if (await direct.count()) await direct.first().click();
      else {
        await rows.filter({ hasText: 'armadilha' }).first().click();
        await rows.filter({ hasText: 'check' }).first().click();
      }
      await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      await wb.page.keyboard.press('Control+Shift+M');
      await wb.clearPanelFilter();
      const closedFile = wb.page.locator('.markers-panel .monaco-list-row[aria-level="1"]', { hasText: path.basename(CLOSED_SQL) });
      await closedFile.waitFor({ timeout: 60_000 });
      await wb.page
        .locator('.markers-panel .monaco-list-row[aria-level="2"]', { hasText: /locked_until/ })
        .first()
        .waitFor();
      await wb.screenshot('e2e-task-problems.png');
      await wb.page.keyboard.press('Control+J');
    }),
  );

  it('the disable action leaves the cursor on the reason; "Show documentation" opens the page offline', { timeout: 120_000 }, () =>
    wb.step('disable-reason', async () => {
      await wb.open(BROKEN_SQL);
      await wb.waitForSquiggleLines(lineNumbers(BROKEN_FINDINGS));
      const items = await wb.openQuickFixes(BROKEN_FINDINGS[1].line);
      assert.ok(items.includes('Show documentation for require-concurrent-refresh'), items.join(' | '));
      await wb.pickQuickFix('Show documentation for require-concurrent-refresh');
      await wb.markdownPreviewText(/require-concurrent-refresh[\s\S]*Why it fails in a distributed system/);
      await wb.page.keyboard.press('Control+W');
      await wb.page.locator('.tabs-container .tab.active', { hasText: BROKEN_SQL }).waitFor();
      await wb.openQuickFixes(BROKEN_FINDINGS[1].line);
      await wb.pickQuickFix('Disable require-concurrent-refresh for this statement');
      // The reason is selected: typing replaces it.
      await wb.page.keyboard.type('readers can wait: it runs at night');
      await waitFor('the suppression comment with the typed reason', async () =>
        (await wb.lines()).includes('-- armadilha-ignore require-concurrent-refresh -- readers can wait: it runs at night'),
      );
      await wb.waitForSquiggleLines([BROKEN_FINDINGS[0].line]);
    }),
  );

  it('the documentation picker shows each rule with its summary', { timeout: 60_000 }, () =>
    wb.step('picker', async () => {
      await wb.runCommand('Armadilha: Show Rule Documentation', { keepOpen: true });
      const row = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'require-on-conflict' }).first();
      await row.waitFor();
      assert.match(await row.innerText(), /Inserts that record once-only facts/);
      await wb.closeWidgets();
    }),
  );

  it('settings: the rule levels come first, the name lists are one setting', { timeout: 60_000 }, () =>
    wb.step('settings', async () => {
      await wb.runCommand('Preferences: Open Settings (UI)');
      const search = wb.page.locator('.settings-editor .suggest-input-container .monaco-editor').first();
      await search.waitFor();
      const titles = wb.page.locator('.setting-item-contents .setting-item-title');
      const shownTitles = async () => (await titles.allInnerTexts()).map((title) => title.replace(/\s+/g, ' ').trim());
      // Until the search applies, the editor shows the commonly used settings; typed again if the
      // search box was not ready for it.
      await waitFor(
        'the Armadilha settings',
        async () => {
          if ((await shownTitles())[0]?.startsWith('Armadilha')) return true;
          await search.click();
          await wb.page.keyboard.press('Control+A');
          await wb.page.keyboard.type('@ext:armadilha.armadilha');
          return false;
        },
        { interval: 1500 },
      );
      const shown = await shownTitles();
      assert.match(shown[0], /Rules$/, shown.join(' | '));
      assert.match(shown[1], /Rule Customizations$/, shown.join(' | '));
      await wb.screenshot('e2e-settings.png');
      // The name lists: one setting.
      await wb.page.keyboard.type(' names');
      await waitFor('the Names setting', async () => (await shownTitles()).some((title) => /Names$/.test(title)));
      assert.ok(!(await shownTitles()).some((title) => /Expiry Columns|Idempotent Tables/.test(title)), 'no setting per name list');
      await wb.page.keyboard.press('Control+W');
    }),
  );

  it('armadilha.run onSave: an edit shows its findings when saved; a slow analysis turns the status to a warning', { timeout: 120_000 }, () =>
    wb.step('run-on-save', async () => {
      const settingsFile = path.join(workspace, '.vscode', 'settings.json');
      const original = fs.readFileSync(settingsFile, 'utf8');
      const withSettings = (extra: Record<string, unknown>) =>
        original.replace(
          /\}\s*$/,
          `,\n${Object.entries(extra)
            .map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
            .join(',\n')}\n}\n`,
        );
      // The server has read the settings once the output channel says so.
      const settingsRead = async () => {
        await wb.runCommand('Armadilha: Show Output');
        return (await wb.outputText('Editor settings changed')).split('Editor settings changed').length - 1;
      };
      try {
        const before = await settingsRead();
        fs.writeFileSync(settingsFile, withSettings({ 'armadilha.run': 'onSave' }));
        await waitFor('the server to read the new settings', async () => (await settingsRead()) > before);
        await wb.outputText('');
        // A file opened now is analysed on opening (its squiggle shows), then only when saved.
        fs.writeFileSync(path.join(workspace, 'on-save.sql'), 'refresh materialized view public.daily_totals;\n');
        // From the explorer: quick open's file list does not know a file created a moment ago.
        await wb.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'on-save.sql' }).dblclick();
        await wb.page.locator('.tabs-container .tab.active', { hasText: 'on-save.sql' }).waitFor();
        await wb.waitForSquiggleLines([1]);
        await wb.editor.locator('.view-lines').click();
        await wb.page.keyboard.press('Control+End');
        await wb.page.keyboard.type('refresh materialized view public.weekly_totals;');
        const line = await wb.caretLine();
        assert.equal(line, 2);
        await wb.goTo(line, 3);
        // The hover needs an analysis of what was typed: once it shows the finding, the squiggle would be there in onType.
        await wb.hoverAtCaret(/Armadilha · require-concurrent-refresh/);
        await wb.closeWidgets();
        assert.ok(!(await wb.squiggles()).some((squiggle) => squiggle.line === line), 'no squiggle before saving');
        await wb.page.keyboard.press('Control+S');
        await waitFor(`the squiggle on line ${line} after saving`, async () => (await wb.squiggles()).some((squiggle) => squiggle.line === line));

        // A time budget of 0 ms: every analysis after an edit is over it.
        fs.writeFileSync(settingsFile, withSettings({ 'armadilha.timeBudget.onValidation': { warn: 0, error: 600000 } }));
        const item = wb.statusItem().first();
        await wb.page.keyboard.press('End');
        await waitFor(
          'the status item warning about the time budget',
          async () => {
            await wb.page.keyboard.type(' ');
            return (await item.locator('.codicon-warning').count()) > 0;
          },
          { interval: 1000 },
        );
        assert.match((await item.getAttribute('aria-label')) ?? '', /Analysing on-save\.sql took [\d.]+ ms, over the 0 ms budget.*"onSave"/);
        await item.hover();
        // The status bar's tooltip (a workbench hover; the output channel, below, says it too).
        await wb.page
          .locator('.monaco-hover, .workbench-hover')
          .filter({ hasText: /Analysing on-save\.sql took [\d.]+ ms, over the 0 ms budget/ })
          .first()
          .waitFor();
        await wb.screenshot('e2e-time-budget.png');
      } finally {
        fs.writeFileSync(settingsFile, original);
      }
      await waitFor(
        'the status item fine again',
        async () => {
          await wb.page.mouse.move(2, 2);
          await wb.page.keyboard.type(' ');
          return (await wb.statusItem().first().locator('.codicon-shield').count()) > 0;
        },
        { interval: 1000 },
      );
      await wb.page.keyboard.press('Control+S');
    }),
  );

  it('the walkthrough has three steps, and its first button opens a migration with a trap', { timeout: 90_000 }, () =>
    wb.step('walkthrough', async () => {
      await wb.runCommand('Welcome: Open Walkthrough...', { keepOpen: true });
      await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Get started with Armadilha' }).first().click();
      const steps = wb.page.locator('.gettingStartedContainer .getting-started-step .step-title');
      await waitFor('three walkthrough steps', async () => (await steps.count()) === 3);
      assert.deepEqual(await steps.allInnerTexts(), ['Find a trap and fix it', 'Fix all on save', 'Write the right pattern with a snippet']);
      // The step's page beside it (docs/walkthrough/en/trap.md).
      await wb.markdownPreviewText(/A migration with a trap[\s\S]*Ctrl\+\./);
      await wb.screenshot('e2e-walkthrough.png');
      await wb.page.locator('.gettingStartedContainer').getByText('Open a migration with a trap', { exact: true }).first().click();
      await wb.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor();
      await wb.waitForSquiggleLines([9]);
    }),
  );

  it('reports syntax errors in .sql files when no other PostgreSQL extension does (see the pt-BR suite for the other case)', { timeout: 60_000 }, () =>
    wb.step('coexistence-alone', async () => {
      await wb.runCommand('Armadilha: Show Output');
      await waitFor('the start line in the output channel', async () => /started/.test(await wb.outputText('started')));
      assert.doesNotMatch(await wb.outputText('installed'), /installed: it reports syntax errors/);
      await wb.page.keyboard.press('Control+J');
    }),
  );

  it('reads a supabase-js insert as the INSERT it sends, and fixes it in supabase-js terms', { timeout: 150_000 }, () =>
    wb.step('orm-fix', async () => {
      // Written now, not in the fixture: the workspace-wide counts asserted above stay those of the fixture.
      const file = path.join(workspace, SUPABASE_WEBHOOK_TS);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, SUPABASE_WEBHOOK_TEXT);
      await wb.open(SUPABASE_WEBHOOK_TS);
      await wb.waitForSquiggleLines([SUPABASE_WEBHOOK_FINDING.line]);
      const text = await wb.hover(SUPABASE_WEBHOOK_FINDING.line, /Armadilha · require-on-conflict/);
      assert.match(text, /INSERT into payments has no ON CONFLICT/);
      await wb.closeWidgets();
      const items = await wb.openQuickFixes(SUPABASE_WEBHOOK_FINDING.line);
      assert.ok(items.includes(SUPABASE_UPSERT_FIX_TITLE), `quick fixes: ${items.join(' | ')}`);
      await wb.pickQuickFix(SUPABASE_UPSERT_FIX_TITLE);
      await waitFor('the supabase-js upsert in the editor', async () => (await wb.lines())[SUPABASE_WEBHOOK_FINDING.line - 1] === SUPABASE_UPSERT_LINE);
      await wb.waitForSquiggleLines([]);
    }),
  );

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
