// Drives a real VS Code headless: code-server on 127.0.0.1 with the packaged .vsix installed into a
// fresh extensions folder, and Debian's Chromium through playwright-core. Every wait is a condition
// with a timeout (no fixed sleeps); code-server and Chromium are stopped in close(), and on exit or a
// signal if the test process goes away first.
//
// Install what it needs first: `bash scripts/install-e2e.sh` (code-server into .e2e/tools, chromium).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from './workspace';

export const TOOLS = path.resolve(process.env.ARMADILHA_E2E_TOOLS ?? path.join(ROOT, '.e2e', 'tools'));
export const CODE_SERVER = path.join(TOOLS, 'bin', 'code-server');
export const CHROMIUM = process.env.ARMADILHA_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const IMAGES = path.join(ROOT, 'docs', 'images');
const RUNS = path.join(ROOT, '.e2e', 'runs');

/** Why the suite cannot run here (missing tools), or undefined. */
export function missingPrerequisites(): string | undefined {
  const missing = [CODE_SERVER, CHROMIUM].filter((file) => !fs.existsSync(file));
  if (missing.length) return `missing ${missing.join(', ')}: run \`bash scripts/install-e2e.sh\` first`;
  if (!fs.existsSync(vsixFile())) return `missing ${path.basename(vsixFile())}: run \`npm run package\` first (npm run test:e2e does)`;
  return undefined;
}

export function vsixFile(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
  return path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`);
}

export function extensionId(): { id: string; version: string } {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
  return { id: `${manifest.publisher}.${manifest.name}`, version: manifest.version };
}

/** Polls `condition` until it returns a truthy value; the error names `what` and the last value seen. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(what: string, condition: () => Promise<T> | T, { timeout = 30_000, interval = 100 } = {}): Promise<Truthy<T>> {
  const end = Date.now() + timeout;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > end) {
      const detail = lastError
        ? ` (last error: ${String((lastError as Error).message ?? lastError).split('\n')[0]})`
        : last !== undefined
          ? ` (last value: ${JSON.stringify(last)})`
          : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval)); // the polling interval, not a wait for time to pass
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Every code-server process group this test process started; killed on exit whatever happens.
const running = new Set<ChildProcess>();
function killAll(signal: NodeJS.Signals): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }
}
process.on('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll('SIGKILL');
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.accessibilitySupport': 'off',
  'editor.minimap.enabled': false,
  'editor.cursorBlinking': 'solid',
  'editor.fontSize': 14,
  'files.autoSave': 'off',
  'editor.hover.delay': 150,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // Token colors depend on the theme: pin it.
  'workbench.colorTheme': 'Default Light Modern',
};

export interface WorkbenchOptions {
  /** Names the sandbox folder .e2e/runs/<tag>. */
  tag: string;
  workspace: string;
  /** Display language, e.g. pt-br (needs a language pack in extraVsix). */
  locale?: string;
  extraVsix?: string[];
}

export interface Squiggle {
  line: number;
  severity: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export class Workbench {
  readonly sandbox: string;
  readonly userData: string;
  readonly extensions: string;
  page!: Page;
  private context?: BrowserContext;
  private server?: ChildProcess;
  private readonly config: string;
  private readonly env: NodeJS.ProcessEnv;
  readonly consoleErrors: string[] = [];
  readonly externalRequests = new Set<string>();

  private constructor(readonly options: WorkbenchOptions) {
    this.sandbox = path.join(RUNS, options.tag);
    fs.rmSync(this.sandbox, { recursive: true, force: true });
    this.userData = path.join(this.sandbox, 'user-data');
    this.extensions = path.join(this.sandbox, 'extensions');
    for (const dir of [path.join(this.userData, 'User'), this.extensions, path.join(this.sandbox, 'tmp'), path.join(this.sandbox, 'logs')])
      fs.mkdirSync(dir, { recursive: true });
    this.config = path.join(this.sandbox, 'config.yaml');
    fs.writeFileSync(this.config, ''); // keeps code-server away from ~/.config/code-server/config.yaml
    fs.writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    // TMPDIR: the server's IPC sockets stay in the sandbox. EXTENSIONS_GALLERY={}: no marketplace
    // queries (the server and the page would ask open-vsx.org at every start).
    this.env = { ...process.env, TMPDIR: path.join(this.sandbox, 'tmp'), EXTENSIONS_GALLERY: '{}' };
  }

  /** Installs the extension(s), starts code-server and opens the workspace in Chromium. */
  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const workbench = new Workbench(options);
    try {
      workbench.install();
      await workbench.launch();
    } catch (error) {
      await workbench.close();
      throw error;
    }
    return workbench;
  }

  log(file: string): string {
    return path.join(this.sandbox, 'logs', file);
  }

  private cli(args: string[]): string {
    const result = spawnSync(CODE_SERVER, ['--config', this.config, '--user-data-dir', this.userData, '--extensions-dir', this.extensions, ...args], {
      encoding: 'utf8',
      env: this.env,
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`code-server ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  private install(): void {
    const vsixes = [vsixFile(), ...(this.options.extraVsix ?? [])];
    this.cli([...vsixes.flatMap((vsix) => ['--install-extension', vsix]), '--force']);
    const listed = this.cli(['--list-extensions', '--show-versions']);
    const { id, version } = extensionId();
    if (!listed.split('\n').some((line) => line.trim().toLowerCase() === `${id}@${version}`.toLowerCase()))
      throw new Error(`${id}@${version} is not installed; code-server lists:\n${listed}`);
    // Installing a language pack from the command line does not register it: the server reads
    // <user-data-dir>/languagepacks.json at start, which only a running server writes. Write it as the
    // server would.
    if (this.options.extraVsix?.length) writeLanguagePacks(this.userData, this.extensions);
  }

  /** The installed extension's folder (to read its manifest). */
  installedExtensionDir(): string {
    const { id, version } = extensionId();
    const dir = path.join(this.extensions, `${id}-${version}`.toLowerCase());
    if (!fs.existsSync(dir)) throw new Error(`not installed: ${dir}`);
    return dir;
  }

  private async launch(): Promise<void> {
    const port = await freePort();
    const args = [
      '--config',
      this.config,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir',
      this.userData,
      '--extensions-dir',
      this.extensions,
    ];
    if (this.options.locale) args.push('--locale', this.options.locale);
    args.push(this.options.workspace);
    const logFile = fs.openSync(this.log('code-server.log'), 'w');
    const server = spawn(CODE_SERVER, args, { detached: true, stdio: ['ignore', logFile, logFile], env: this.env });
    fs.closeSync(logFile);
    this.server = server;
    running.add(server);
    server.once('exit', () => running.delete(server));

    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'code-server /healthz',
      async () => {
        if (server.exitCode !== null || server.signalCode !== null)
          throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}); see ${this.log('code-server.log')}`);
        const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      },
      { timeout: 60_000 },
    );

    this.context = await chromium.launchPersistentContext(path.join(this.sandbox, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      // The display language comes from --locale, else from Accept-Language: pin the browser's.
      locale: 'en-US',
      // Chromium's crash reports and caches stay in the sandbox, not in $HOME.
      env: { ...process.env, XDG_CONFIG_HOME: path.join(this.sandbox, 'xdg-config'), XDG_CACHE_HOME: path.join(this.sandbox, 'xdg-cache') },
      timeout: 60_000,
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.setDefaultTimeout(30_000);
    this.page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text().slice(0, 300));
    });
    const external = (address: string) => {
      const url = new URL(address);
      return !['127.0.0.1', 'localhost'].includes(url.hostname) && /^https?:$/.test(url.protocol) ? url : undefined;
    };
    // Webview resources (the Markdown preview's page and styles) have this host name, but VS Code's
    // webview service worker answers them from the local server: they count only if they do not come
    // from it (a response from elsewhere, or a failure other than the preview closing).
    const webviewResource = (url: URL) => url.hostname.endsWith('.vscode-resource.vscode-cdn.net');
    this.page.on('request', (request) => {
      const url = external(request.url());
      if (url && !webviewResource(url)) this.externalRequests.add(url.host);
    });
    this.page.on('response', (response) => {
      const url = external(response.url());
      if (url && webviewResource(url) && !response.fromServiceWorker()) this.externalRequests.add(url.host);
    });
    this.page.on('requestfailed', (request) => {
      const url = external(request.url());
      if (url && webviewResource(url) && request.failure()?.errorText !== 'net::ERR_ABORTED') this.externalRequests.add(url.host);
    });
    await this.page.goto(`${base}/?folder=${encodeURIComponent(this.options.workspace)}`, { timeout: 60_000 });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await this.page.locator('#status\\.problems').waitFor({ timeout: 60_000 });
  }

  /** Closes Chromium and stops code-server (its whole process group); safe to call twice. */
  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    if (context) await Promise.race([context.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    const server = this.server;
    this.server = undefined;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-server.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (server) {
      // Helpers of the group that outlived the leader (the extension host, the language server).
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {
        // none left
      }
      running.delete(server);
    }
    if (this.options.workspace.includes('armadilha-e2e-ws-')) fs.rmSync(this.options.workspace, { recursive: true, force: true });
  }

  /** Runs a test step; on failure saves a screenshot next to the logs and rethrows. */
  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const file = this.log(`fail-${name.replace(/\W+/g, '-')}.png`);
      await this.page?.screenshot({ path: file }).catch(() => undefined);
      (error as Error).message += `\n(screenshot: ${file}; code-server log: ${this.log('code-server.log')})`;
      throw error;
    }
  }

  // ------------------------------------------------------------------ editor helpers

  get editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Ctrl+P, type the file's path, Enter; resolves when its tab is active and the editor focused. */
  async open(relative: string): Promise<void> {
    const name = path.basename(relative);
    await this.closeWidgets();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relative);
    // The focused row, not any row: until the filter applies, the list shows recently opened files.
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.editor.locator('.view-lines').waitFor();
    await this.page.waitForFunction('Boolean(document.activeElement && document.activeElement.closest(".monaco-editor"))');
  }

  /** The rendered lines of the active editor, top to bottom (small files: all of them). */
  async lines(): Promise<string[]> {
    return this.editor.locator('.view-lines .view-line').evaluateAll((elements) =>
      elements
        .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text),
    );
  }

  /** Squiggles of the active editor with the (1-based) line each one is on. */
  async squiggles(): Promise<Squiggle[]> {
    return this.editor.evaluate((editor) => {
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((element) => ({
        line: Number(element.textContent),
        rect: element.getBoundingClientRect(),
      }));
      return [...editor.querySelectorAll('.view-overlays [class*="squiggly-"]')].map((element) => {
        const rect = element.getBoundingClientRect();
        const middle = rect.top + rect.height / 2;
        const line = numbers.find((number) => middle >= number.rect.top && middle < number.rect.bottom)?.line ?? -1;
        const severity = /squiggly-(\w+)/.exec(element.className)?.[1] ?? '';
        return { line, severity, x: rect.left, y: rect.top, width: rect.width, height: rect.height };
      });
    });
  }

  /** Waits until the squiggled lines of the active editor are exactly `lines`; returns the squiggles. */
  async waitForSquiggleLines(lines: number[], timeout = 60_000): Promise<Squiggle[]> {
    const want = [...new Set(lines)].sort((a, b) => a - b).join(',');
    let seen = '';
    try {
      return await waitFor(
        `squiggles on lines ${want}`,
        async () => {
          const squiggles = await this.squiggles();
          seen = [...new Set(squiggles.map((each) => each.line))].sort((a, b) => a - b).join(',');
          return seen === want && squiggles;
        },
        { timeout },
      );
    } catch (error) {
      (error as Error).message += ` — squiggles were on lines [${seen}]`;
      throw error;
    }
  }

  async squiggleOn(line: number): Promise<Squiggle> {
    const squiggle = (await this.squiggles()).find((each) => each.line === line);
    if (!squiggle) throw new Error(`no squiggle on line ${line}`);
    return squiggle;
  }

  /**
   * Moves the mouse onto the squiggle of `line` and returns the hover's text once it contains
   * `expected`. A hover can be dismissed before it is read (the editor re-renders when diagnostics
   * arrive, and only a mouse move shows it again): each attempt moves away and back onto the
   * squiggle's current position, then waits a few seconds for the hover.
   */
  async hover(line: number, expected: RegExp, timeout = 30_000): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: expected }).first();
    const end = Date.now() + timeout;
    let attempts = 0;
    for (;;) {
      attempts++;
      await this.page.mouse.move(2, 2);
      const squiggle = await this.squiggleOn(line);
      await this.page.mouse.move(squiggle.x + Math.min(squiggle.width / 2, 40), squiggle.y + squiggle.height / 2, { steps: 3 });
      try {
        await hover.waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(5000, end - Date.now())) });
        return (await hover.innerText()).replace(/\u00a0/g, ' ');
      } catch (error) {
        if (Date.now() > end)
          throw new Error(
            `no hover matching ${expected} on line ${line} after ${attempts} attempts (${timeout} ms): ${(error as Error).message.split('\n')[0]}`,
            { cause: error },
          );
      }
    }
  }

  /** Puts the caret on the squiggle of `line`, presses Ctrl+. and returns the action widget's items. */
  async openQuickFixes(line: number): Promise<string[]> {
    await this.closeWidgets();
    // Click into the squiggle until the caret is on its line (the click re-reads the squiggle's position).
    await waitFor(
      `the caret on line ${line}`,
      async () => {
        const squiggle = await this.squiggleOn(line);
        await this.page.mouse.click(squiggle.x + 2, squiggle.y + squiggle.height / 2);
        return (await this.caretLine()) === line;
      },
      { timeout: 15_000, interval: 250 },
    );
    await this.page.mouse.move(2, 2);
    await this.closeWidgets();
    // '.action-widget' alone also matches an empty '.action-list-submenu-panel.action-widget'.
    const widget = this.page.locator('.action-widget:not(.action-list-submenu-panel)');
    // Under load a Ctrl+. pressed while another provider (TypeScript's own) is still starting can show
    // nothing; pressed again it does, as a user would press it again.
    await waitFor(
      'the quick fix widget',
      async () => {
        await this.page.keyboard.press('Control+.');
        try {
          await widget.waitFor({ state: 'visible', timeout: 10_000 });
          return true;
        } catch {
          await this.page.keyboard.press('Escape');
          return false;
        }
      },
      { timeout: 60_000, interval: 500 },
    );
    const rows = widget.locator('.monaco-list-row.action');
    await rows.first().waitFor();
    return rows.evaluateAll((elements) => elements.map((element) => (element.querySelector('.title')?.textContent ?? element.textContent ?? '').trim()));
  }

  async pickQuickFix(title: string): Promise<void> {
    const widget = this.page.locator('.action-widget:not(.action-list-submenu-panel)');
    await widget.locator('.monaco-list-row.action', { hasText: title }).first().click();
    await widget.waitFor({ state: 'hidden' });
  }

  /** Ctrl+S; resolves when the tab is clean and the file on disk satisfies `onDisk`. */
  async save(file: string, onDisk: (text: string) => boolean): Promise<string> {
    await this.page.locator('.tabs-container .tab.active').waitFor();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ timeout: 30_000 });
    let text = '';
    try {
      await waitFor(`${path.basename(file)} on disk`, () => onDisk((text = fs.readFileSync(file, 'utf8'))), { timeout: 10_000 });
    } catch (error) {
      (error as Error).message += `\n--- on disk:\n${text}`;
      throw error;
    }
    return text;
  }

  /** The caret's line, from the status bar ("Ln 5, Col 18"). */
  async caretLine(): Promise<number> {
    return Number(/Ln (\d+)/.exec(await this.page.locator('#status\\.editor\\.selection').innerText())?.[1] ?? NaN);
  }

  /** Ctrl+G line:column. */
  async goTo(line: number, column: number): Promise<void> {
    await this.closeWidgets();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await waitFor(
      `caret at ${line}:${column}`,
      async () =>
        /Ln (\d+), Col (\d+)/
          .exec((await this.page.locator('#status\\.editor\\.selection').innerText()) ?? '')
          ?.slice(1)
          .join(':') === `${line}:${column}`,
    );
  }

  /**
   * Runs a command from the palette (F1) by its exact title. `keepOpen`: the command opens a quick
   * pick of its own (do not wait for the palette to close).
   */
  async runCommand(title: string, options: { keepOpen?: boolean } = {}): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    // The row with exactly this title: fuzzy matching may rank another command first.
    const exact = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    const row = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exact }) })
      .first();
    await row.waitFor();
    await row.click();
    if (!options.keepOpen) await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** The rendered tokens of a line: text and computed color. */
  async tokens(line: number): Promise<Array<{ text: string; color: string }>> {
    return this.editor.evaluate((editor, wanted) => {
      const number = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((element) => Number(element.textContent) === wanted);
      if (!number) return [];
      const top = number.getBoundingClientRect().top;
      const row = [...editor.querySelectorAll('.view-lines .view-line')].find((element) => Math.abs(element.getBoundingClientRect().top - top) < 3);
      if (!row) return [];
      const style = (globalThis as unknown as { getComputedStyle(element: object): { color: string } }).getComputedStyle;
      return [...row.querySelectorAll('span > span')].map((span) => ({ text: (span.textContent ?? '').replace(/\u00a0/g, ' '), color: style(span).color }));
    }, line);
  }

  /** Escape until no hover, suggest, quick input or action widget is open. */
  async closeWidgets(): Promise<void> {
    const open = this.page.locator(
      '.action-widget:not(.action-list-submenu-panel):visible, .quick-input-widget:visible, .editor-widget.suggest-widget.visible, .monaco-hover:not(.hidden):visible, .token-inspect-widget:visible',
    );
    await this.page.mouse.move(2, 2);
    await waitFor(
      'widgets to close',
      async () => {
        if ((await open.count()) === 0) return true;
        await this.page.keyboard.press('Escape');
        return false;
      },
      { timeout: 10_000, interval: 200 },
    );
  }

  // ------------------------------------------------------------------ workbench helpers

  /** The status bar's problem counts ("⊗ 0 ⚠ 4"). */
  async problemsStatus(): Promise<{ errors: number; warnings: number }> {
    // (No named functions inside evaluate(): tsx would wrap them in a helper the page does not have.)
    const counts = await this.page
      .locator('#status\\.problems')
      .evaluate((item) => ['error', 'warning'].map((icon) => Number((item.querySelector(`.codicon-${icon}`)?.nextSibling?.textContent ?? '').trim() || 'NaN')));
    return { errors: counts[0], warnings: counts[1] };
  }

  /** A notification toast whose text matches; waits until it is visible. */
  async notification(text: RegExp, timeout = 30_000): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout });
    return toast;
  }

  /** Closes every notification toast (Escape in the notification center would also close other widgets). */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /**
   * The text of the active Output channel (run "Armadilha: Show Output" first), its lines filtered by
   * the panel's filter box so that lines scrolled away are found too; whitespace (line wraps
   * included) collapsed to single spaces.
   */
  /**
   * Empties the filter box of the panel view that shows. The panel's views share one place for their
   * filter boxes: text typed for the Output view while Problems still showed (outputText) stays in the
   * Problems filter and hides every row there.
   */
  async clearPanelFilter(): Promise<void> {
    const box = this.page.locator('.part.panel .viewpane-filter input:visible, .part.panel input[placeholder^="Filter"]:visible').first();
    if ((await box.count()) && (await box.inputValue())) await box.fill('');
  }

  async outputText(filter: string): Promise<string> {
    // The Output view's own filter box (the Problems view has one too, hidden while Output shows).
    const box = this.page.locator('.part.panel .viewpane-filter input:visible, .part.panel input[placeholder^="Filter"]:visible').first();
    await box.waitFor({ timeout: 30_000 });
    // Typed once: the filter applies after a pause, which typing it again would restart.
    if ((await box.inputValue()) !== filter) await box.fill(filter);
    const lines = this.page.locator('.part.panel .monaco-editor .view-lines .view-line');
    const read = () =>
      lines.evaluateAll((elements) =>
        elements
          .map((element) => ({ top: element.getBoundingClientRect().top, text: element.textContent ?? '' }))
          .sort((a, b) => a.top - b.top)
          .map((line) => line.text),
      );
    // Applied once every log line shown has the filter's text, or none is shown (nothing matches; the
    // unfiltered channel is never empty). A long line wraps onto several rows: rows are grouped into
    // log lines by the timestamp each log line starts with.
    let emptyBefore = false;
    const shown = await waitFor(`the output filtered by "${filter}"`, async () => {
      const logLines: string[] = [];
      const rows = (await read()).map((row) => row.replace(/[\s\u00a0]+/g, ' ').trim()).filter(Boolean); // an empty channel still renders one empty row
      const stamped = (text: string) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(text);
      // Rows above the first timestamp finish a log line scrolled out of view.
      for (const text of rows.some(stamped) ? rows.slice(rows.findIndex(stamped)) : rows) {
        if (stamped(text) || !logLines.length) logLines.push(text);
        else logLines[logLines.length - 1] += ` ${text}`;
      }
      // Empty twice in a row: the filter applied and nothing matches (not a view being redrawn).
      if (!logLines.length) {
        const confirmed = emptyBefore;
        emptyBefore = true;
        return filter && confirmed ? [''] : false;
      }
      emptyBefore = false;
      return (!filter || logLines.every((line) => line.toLowerCase().includes(filter.toLowerCase()))) && logLines;
    });
    return shown.join(' ').replace(/ +/g, ' ');
  }

  /** Shows the hover at the caret (Ctrl+K Ctrl+I) and returns its text once it matches. */
  async hoverAtCaret(expected: RegExp, timeout = 30_000): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: expected }).first();
    return waitFor(
      `a hover matching ${expected} at the caret`,
      async () => {
        await this.page.keyboard.press('Control+K');
        await this.page.keyboard.press('Control+I');
        try {
          await hover.waitFor({ state: 'visible', timeout: 3000 });
          return (await hover.innerText()).replace(/\u00a0/g, ' ');
        } catch {
          await this.page.keyboard.press('Escape');
          return '';
        }
      },
      { timeout, interval: 250 },
    );
  }

  /** The text of a webview (the Markdown preview, a walkthrough's media) once it matches. */
  async markdownPreviewText(expected: RegExp, timeout = 30_000): Promise<string> {
    return waitFor(
      `a webview matching ${expected}`,
      async () => {
        for (const frame of this.page.frames()) {
          const text = await frame
            .locator('body')
            .innerText({ timeout: 500 })
            .catch(() => '');
          if (expected.test(text)) return text;
        }
        return '';
      },
      { timeout, interval: 250 },
    );
  }

  /** The status bar item the extension creates (name and text "Armadilha"). */
  statusItem(): Locator {
    return this.page
      .locator('.part.statusbar .statusbar-item')
      .filter({ has: this.page.locator('.statusbar-item-label') })
      .filter({ hasText: /^\s*Armadilha\s*$/ });
  }

  /**
   * A README-sized clip: from the top-left of the active editor group (tabs included) to the bottom of
   * the widget that `selector` matches (a hover, the quick fix menu), at most 900 px wide.
   */
  async clipAround(selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
    const widget = await this.page.locator(selector).first().boundingBox();
    const group = await this.page.locator('.editor-group-container.active').first().boundingBox();
    if (!widget || !group) throw new Error(`nothing to clip: ${selector}`);
    const viewport = this.page.viewportSize() ?? { width: 1280, height: 800 };
    const x = group.x;
    const y = group.y;
    const right = Math.min(viewport.width, Math.max(group.x + Math.min(group.width, 900), widget.x + widget.width + 12));
    const bottom = Math.min(viewport.height, widget.y + widget.height + 12);
    return { x, y, width: right - x, height: bottom - y };
  }

  /** Saves a PNG for the README into docs/images/ (the whole window, or `clip`). */
  async screenshot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
    fs.mkdirSync(IMAGES, { recursive: true });
    const file = path.join(IMAGES, name);
    await this.page.screenshot({ path: file, clip, animations: 'disabled', caret: 'initial' });
    return file;
  }
}

/** Packages the hand-made pt-BR language pack with vsce into `dir` and returns the .vsix. */
export function packageLanguagePack(dir: string): string {
  return packageFixtureExtension('langpack-pt-br', dir);
}

/** Packages an extension of test/e2e/fixtures (a language pack, a stand-in for another extension) with vsce. */
export function packageFixtureExtension(name: string, dir: string): string {
  const source = path.join(ROOT, 'test', 'e2e', 'fixtures', name);
  const work = path.join(dir, name);
  fs.cpSync(source, work, { recursive: true });
  const out = path.join(dir, `${name}.vsix`);
  const result = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', out], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vsce package (${name}) failed: ${result.stderr}${result.stdout}`);
  return out;
}

// What VS Code's server writes into <user-data-dir>/languagepacks.json for installed language packs.
function writeLanguagePacks(userData: string, extensions: string): void {
  const packs: Record<
    string,
    { hash: string; extensions: Array<{ extensionIdentifier: { id: string }; version: string }>; translations: Record<string, string>; label: string }
  > = {};
  for (const dir of fs.readdirSync(extensions)) {
    const manifestFile = path.join(extensions, dir, 'package.json');
    if (!fs.existsSync(manifestFile)) continue;
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      publisher: string;
      name: string;
      version: string;
      contributes?: {
        localizations?: Array<{ languageId: string; languageName: string; localizedLanguageName?: string; translations: Array<{ id: string; path: string }> }>;
      };
    };
    for (const localization of manifest.contributes?.localizations ?? []) {
      const pack = (packs[localization.languageId] ??= {
        hash: '',
        extensions: [],
        translations: {},
        label: localization.localizedLanguageName ?? localization.languageName,
      });
      pack.extensions.push({ extensionIdentifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version });
      for (const translation of localization.translations) pack.translations[translation.id] = path.join(extensions, dir, translation.path);
    }
  }
  for (const pack of Object.values(packs)) {
    const hash = crypto.createHash('md5');
    for (const extension of pack.extensions) hash.update(extension.extensionIdentifier.id).update(extension.version);
    pack.hash = hash.digest('hex');
  }
  fs.writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify(packs));
}
