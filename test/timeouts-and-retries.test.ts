// require-network-timeout and require-retry-backoff beyond what one finding per example shows: the
// level of browser code and its setting, which fixes are safe, what the retry messages say, and
// edits that stay inside the document on broken code.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { defaultSettings, parseConfigText } from '../server/src/core/config';
import type { PartialSettings } from '../server/src/core/config';
import { boundedReport } from '../server/src/core/rule';
import { RULES } from '../server/src/rules';
import { findingsOf, ready } from './helpers/lint';

before(() => ready);

const timeoutFindings = (code: string, fileName = 'client.ts', settings?: PartialSettings) =>
  findingsOf('require-network-timeout', code, { language: 'typescript', fileName, settings });

describe('require-network-timeout: browser code', () => {
  const call = "export const load = () => fetch('https://api.example.com/me').then((response) => response.json());\n";
  const browser: Array<[string, string, string]> = [
    ['a React component (.tsx rendering JSX)', 'avatar.tsx', `${call}export const Avatar = () => <img alt="" />;\n`],
    ['a "use client" module', 'hooks.ts', `'use client';\n${call}`],
    ['a module importing react', 'hooks.ts', `import { useEffect } from 'react';\nuseEffect(() => {}, []);\n${call}`],
    ['a module importing a Next client module', 'nav.ts', `import Link from 'next/link';\nexport { Link };\n${call}`],
    ['code touching window', 'page.ts', `${call}export const here = () => window.location.href;\n`],
    ['code touching document', 'page.ts', `${call}export const title = () => document.title;\n`],
    ['a module in a client-only folder', 'lib/client-only/download.ts', call],
    ['a handler of DOM events', 'paste.ts', `${call}export const onPaste = (event: ClipboardEvent) => event.clipboardData?.getData('text/html');\n`],
  ];
  for (const [what, fileName, code] of browser) {
    it(`reports ${what} at information`, () => {
      assert.deepEqual(
        timeoutFindings(code, fileName).map((finding) => finding.severity),
        ['info'],
      );
    });
  }

  const server: Array<[string, string, string]> = [
    ['a route handler', 'route.ts', call],
    ['a .tsx file without JSX', 'loader.tsx', call],
    ['a module importing only react types', 'types.ts', `import type { ReactNode } from 'react';\nexport type Slot = ReactNode;\n${call}`],
    ['a "use server" module importing react', 'actions.ts', `'use server';\nimport { cache } from 'react';\nexport const cached = cache(() => 1);\n${call}`],
    [
      'a Next.js route handler rendering an image',
      'app/api/og/route.tsx',
      `import { ImageResponse } from 'next/og';\n${call}export const GET = () => new ImageResponse(<div />);\n`,
    ],
    [
      "a module importing only React's server cache",
      'content.ts',
      `import { cache } from 'react';\nexport const content = cache(async () => (await fetch('https://cms.example.com')).json());\n`,
    ],
    ['a local variable named document', 'documents.ts', `${call}export function titleOf(document: { title: string }) {\n  return document.title;\n}\n`],
    ['a `typeof window` check', 'env.ts', `${call}export const onServer = typeof window === 'undefined';\n`],
    [
      'a body sent from a variable named body',
      'send.ts',
      `export async function send(url: string, body: string) {\n  const response = await fetch(url, { method: 'POST', body });\n  return response.json();\n}\n`,
    ],
  ];
  for (const [what, fileName, code] of server) {
    it(`reports ${what} at the rule's level (warning)`, () => {
      assert.deepEqual(
        timeoutFindings(code, fileName).map((finding) => finding.severity),
        ['warning'],
      );
    });
  }

  it('reports a fetch of a host-less path (/api/…) at the browser level: it resolves only against a page', () => {
    const code = "export const load = () => fetch('/api/me');\nexport const ping = () => fetch('https://status.example.com/ping');\n";
    const severities = findingsOf('require-network-timeout', code, { language: 'typescript', fileName: 'lib/client.ts' }).map((finding) => finding.severity);
    assert.deepEqual(severities, ['info', 'warning']);
  });

  it("reports a route module's loader at the rule's level and its component at the browser level", () => {
    const route = [
      "import { useEffect } from 'react';",
      'export async function loader() {',
      "  const response = await fetch('https://cms.example.com/page');",
      '  return response.json();',
      '}',
      'export default function Page() {',
      "  useEffect(() => void fetch('/api/seen', { method: 'POST' }), []);",
      '  return <main />;',
      '}',
    ].join('\n');
    assert.deepEqual(
      timeoutFindings(route, 'routes/page.tsx').map((finding) => finding.severity),
      ['warning', 'info'],
    );
  });

  it('uses armadilha.levels.browserNetworkTimeout for browser code only', () => {
    const component = `${call}export const Avatar = () => <img alt="" />;\n`;
    assert.deepEqual(
      timeoutFindings(component, 'avatar.tsx', { levels: { browserNetworkTimeout: 'warning' } }).map((finding) => finding.severity),
      ['warning'],
    );
    assert.deepEqual(timeoutFindings(component, 'avatar.tsx', { levels: { browserNetworkTimeout: 'off' } }), []);
    assert.deepEqual(
      timeoutFindings(call, 'route.ts', { levels: { browserNetworkTimeout: 'off' } }).map((finding) => finding.severity),
      ['warning'],
    );
  });

  it('validates the level setting in armadilha.config.json', () => {
    assert.equal(defaultSettings(RULES).levels.browserNetworkTimeout, 'info');
    const valid = parseConfigText('{ "levels": { "browserNetworkTimeout": "hint" } }', RULES);
    assert.deepEqual(valid.problems, []);
    assert.deepEqual(valid.settings.levels, { browserNetworkTimeout: 'hint' });
    const invalid = parseConfigText('{ "levels": { "browserNetworkTimeout": "loud", "serverCode": "info" } }', RULES);
    assert.deepEqual(
      invalid.problems.map((problem) => [problem.key, problem.data.key]),
      [
        ['configInvalidValue', 'browserNetworkTimeout'],
        ['configUnknownKey', 'levels.serverCode'],
      ],
    );
  });
});

describe('require-network-timeout: which fixes are safe', () => {
  const safety = (body: string) =>
    timeoutFindings(`export async function handler(url: string, request: Request) {\n${body}\n}\n`, 'handler.ts').map((finding) => finding.fixes[0]?.safe);
  it('is safe when the body is read as JSON or text', () => {
    assert.deepEqual(safety('  const response = await fetch(url);\n  return response.json();'), [true]);
    assert.deepEqual(safety("  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ a: 1 }) });\n  return response.ok;"), [true]);
  });
  it('is unsafe when the body is proxied, piped, streamed, downloaded or the response returned', () => {
    assert.deepEqual(safety('  const upstream = await fetch(url);\n  return new Response(upstream.body);'), [false]);
    assert.deepEqual(safety('  const response = await fetch(url);\n  response.body!.pipeTo(new WritableStream());'), [false]);
    assert.deepEqual(safety('  const reader = (await fetch(url)).body!.getReader();\n  return reader.read();'), [false]);
    assert.deepEqual(safety('  return fetch(url).then((response) => response.blob());'), [false]);
    assert.deepEqual(safety('  return fetch(url);'), [false]);
  });
  it('is safe for a body sent from a variable named body', () => {
    assert.deepEqual(
      safety("  const body = JSON.stringify({ id: 1 });\n  const response = await fetch(url, { method: 'POST', body });\n  return response.ok;"),
      [true],
    );
  });
  it('is unsafe when the request uploads a file or streams its body', () => {
    assert.deepEqual(safety("  const form = new FormData();\n  await fetch(url, { method: 'POST', body: form });"), [false]);
    assert.deepEqual(safety("  await fetch(url, { method: 'POST', body: request.body, duplex: 'half' } as RequestInit);"), [false]);
  });
  it('is unsafe for an axios response requested as a stream', () => {
    const code = "import axios from 'axios';\nexport const download = (url: string) => axios.get(url, { responseType: 'stream' });\n";
    assert.deepEqual(
      timeoutFindings(code, 'download.ts').map((finding) => finding.fixes[0]?.safe),
      [false],
    );
  });
});

describe('require-retry-backoff: messages say what the loop does', () => {
  const retryFindings = (code: string) => findingsOf('require-retry-backoff', code, { language: 'typescript', fileName: 'retry.ts' });
  const sleep = 'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));\n';

  it('does not say "never gives up" when a countdown bounds the attempts', () => {
    const code = `${sleep}export async function send(run: () => Promise<void>) {\n  let retriesLeft = 3;\n  while (true) {\n    try {\n      return await run();\n    } catch (error) {\n      if (!retriesLeft--) throw error;\n      await sleep(1000);\n    }\n  }\n}\n`;
    const [finding] = retryFindings(code);
    assert.match(finding.message, /waits the same 1000 ms/);
    assert.doesNotMatch(finding.message, /never gives up/);
  });

  it('says "never gives up" when nothing bounds the loop, and "no wait" only without one', () => {
    const code =
      'export async function connect(open: () => Promise<void>) {\n  while (true) {\n    try {\n      return await open();\n    } catch {\n      console.warn("retrying");\n    }\n  }\n}\n';
    const [finding] = retryFindings(code);
    assert.match(finding.message, /no wait between attempts and never gives up/);
  });

  it('names the delay a variable holds, as written', () => {
    const code = `${sleep}export async function send(run: () => Promise<void>, baseMs: number) {\n  for (let attempt = 1; attempt <= 3; attempt++) {\n    try {\n      return await run();\n    } catch {\n      const delay = baseMs * attempt;\n      await sleep(delay);\n    }\n  }\n}\n`;
    const [finding] = retryFindings(code);
    assert.match(finding.message, /backs off without jitter \(`baseMs \* attempt`\)/);
  });

  it('says it in Portuguese too', () => {
    const code = `${sleep}export async function send(run: () => Promise<void>) {\n  for (let attempt = 0; attempt < 3; attempt++) {\n    try {\n      return await run();\n    } catch {\n      await sleep(500);\n    }\n  }\n}\n`;
    const [finding] = findingsOf('require-retry-backoff', code, { language: 'typescript', fileName: 'retry.ts', locale: 'pt-BR' });
    assert.match(finding.message, /espera o mesmo 500 ms antes de cada tentativa/);
  });
});

describe('edits stay inside the document', () => {
  it('offers no inverted edit on a broken catch block (`catch function ({`)', () => {
    const broken = [
      'async function f() { for (let attempt = 0; attempt < 3; attempt++) { try { await g(); return; } catch function ({',
      'async function f() { for (let attempt = 0; attempt < 3; attempt++) { try { await g(); return; } catch {',
    ];
    for (const code of broken) {
      for (const finding of findingsOf('require-retry-backoff', code, { language: 'typescript', fileName: 'broken.ts' })) {
        for (const edit of finding.fixes.flatMap((fix) => fix.edits))
          assert.ok(edit.start >= 0 && edit.start <= edit.end && edit.end <= code.length, JSON.stringify(edit));
      }
    }
  });

  it('clamps report ranges and drops fixes whose edits are inverted, outside the text or overlapping', () => {
    const report = boundedReport(
      {
        start: 8,
        end: 3,
        fixes: [
          { key: 'inverted', edits: [{ start: 5, end: 2, text: 'x' }] },
          { key: 'outside', edits: [{ start: 2, end: 40, text: 'x' }] },
          {
            key: 'overlapping',
            edits: [
              { start: 1, end: 4, text: 'x' },
              { start: 3, end: 5, text: 'y' },
            ],
          },
          {
            key: 'kept',
            edits: [
              { start: 2, end: 2, text: 'x' },
              { start: 2, end: 4, text: 'y' },
            ],
          },
        ],
      },
      10,
    );
    assert.deepEqual([report.start, report.end], [8, 8]);
    assert.deepEqual(
      report.fixes?.map((fix) => fix.key),
      ['kept'],
    );
  });
});
