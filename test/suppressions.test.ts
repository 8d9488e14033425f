// Suppression comments in TypeScript are found by the compiler: `//` inside a regular expression, a
// template, a string or JSX text is no comment, and a quote or backtick inside one of them does not
// hide the comments that follow.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileSuppressionEdit, lineSuppressionEdit } from '../server/src/core/suppression-edits';
import { lintText, ready } from './helpers/lint';

before(() => ready);

const RULE = 'require-network-timeout';

function timeoutFindings(code: string, fileName = 'example.ts'): string[] {
  return lintText(code, { language: 'typescript', fileName })
    .filter((finding) => [RULE, 'unused-suppression', 'invalid-suppression'].includes(finding.ruleId))
    .map((finding) => finding.ruleId);
}

const FETCH = `export async function load(id: string) {\n  // armadilha-ignore ${RULE} -- the gateway times out after 5 s\n  return fetch(\`https://api.example.com/items/\${id}\`);\n}\n`;

describe('suppression comments in TypeScript', () => {
  it('honours the comment without a prelude (the control)', () => {
    assert.deepEqual(timeoutFindings(FETCH), []);
  });

  for (const [name, prelude] of [
    ['a backtick in a regular expression', 'const tick = /`/;\n'],
    ['a quote in a regular expression', "const quote = /'/g;\n"],
    ['a division before a regular expression', 'const half = 4 / 2; const slash = /\\//;\n'],
    ['`//` in a string', "const url = 'https://example.com';\n"],
    ['`//` and a backtick in a template', 'const doc = `see https://example.com ${"`"} and \\` here`;\n'],
    ['a template with a nested template', 'const nested = `a ${`b // c`} d`;\n'],
  ] as const) {
    it(`honours the comment after ${name}`, () => {
      assert.deepEqual(timeoutFindings(prelude + FETCH), []);
    });
  }

  it('honours the comment after JSX text that contains `//`', () => {
    const jsx = "export const Link = () => <p>see https://example.com // and 'quotes` too</p>;\n";
    assert.deepEqual(timeoutFindings(jsx + FETCH, 'component.tsx'), []);
  });

  it('does not take `// armadilha-ignore` inside a string, a template or JSX text for a comment', () => {
    const inString = `export async function load(id: string) {\n  const note = '// armadilha-ignore ${RULE} -- not a comment';\n  return fetch(\`https://api.example.com/\${id}\`, { body: note });\n}\n`;
    assert.deepEqual(timeoutFindings(inString), [RULE]);
    const inTemplate = `export async function load(id: string) {\n  const note = \`\n// armadilha-ignore ${RULE} -- not a comment\n\`;\n  return fetch(\`https://api.example.com/\${id}\`, { body: note });\n}\n`;
    assert.deepEqual(timeoutFindings(inTemplate), [RULE]);
    const inJsx = `export const Note = () => <pre>\n// armadilha-ignore ${RULE} -- not a comment\n</pre>;\nexport async function load(id: string) {\n  return fetch(\`https://api.example.com/\${id}\`);\n}\n`;
    assert.deepEqual(timeoutFindings(inJsx, 'component.tsx'), [RULE]);
  });

  it('honours a block comment and a file directive after a shebang line', () => {
    const block = FETCH.replace(`// armadilha-ignore ${RULE} -- the gateway times out after 5 s`, `/* armadilha-ignore ${RULE} -- the gateway times out */`);
    assert.deepEqual(timeoutFindings(block), []);
    const file = `#!/usr/bin/env node\n// armadilha-ignore-file ${RULE} -- a script run by hand\nexport const load = (id: string) => fetch(\`https://api.example.com/\${id}\`);\n`;
    assert.deepEqual(timeoutFindings(file), []);
  });

  it('reports an unused directive that follows a regular expression with a backtick', () => {
    const code = `const tick = /\`/;\n// armadilha-ignore ${RULE} -- nothing to suppress\nexport const two = 1 + 1;\n`;
    assert.deepEqual(timeoutFindings(code), ['unused-suppression']);
  });

  it('appends to the directive on the previous line after a regular expression with a backtick', () => {
    const code = `const tick = /\`/;\n// armadilha-ignore no-dual-write -- reason\nexport const load = (id: string) => fetch(\`https://api.example.com/\${id}\`);\n`;
    const edit = lineSuppressionEdit(code, 'typescript', RULE, 2, 'reason', 'file:///work/example.ts');
    assert.equal(edit.text, `, ${RULE}`);
    assert.equal(code.slice(0, edit.start), 'const tick = /`/;\n// armadilha-ignore no-dual-write');
    const file = fileSuppressionEdit(`// armadilha-ignore-file no-dual-write -- reason\nconst tick = /\`/;\n`, 'typescript', RULE, 'reason');
    assert.equal(file.text, `, ${RULE}`);
  });
});

describe('suppression comments inside SQL routine bodies', () => {
  const CLOCK = 'no-clock-timestamp-expiry';
  const schema = 'create table sessions (id int primary key, expires_at timestamptz);\n';
  const routine = (comment: string) =>
    `${schema}create function renew(p int) returns void language plpgsql as $$\nbegin\n${comment}  update sessions set expires_at = clock_timestamp() + interval '1 hour' where id = p;\nend;\n$$;\n`;
  const clockFindings = (code: string) =>
    lintText(code, { language: 'sql' })
      .filter((finding) => [CLOCK, 'unused-suppression'].includes(finding.ruleId))
      .map((finding) => finding.ruleId);

  it('reports the statement inside the body (the control)', () => {
    assert.deepEqual(clockFindings(routine('')), [CLOCK]);
  });

  it('honours a comment on the line before the statement, inside the body', () => {
    assert.deepEqual(clockFindings(routine(`  -- armadilha-ignore ${CLOCK} -- renewal runs in its own transaction\n`)), []);
  });

  it('the disable action writes a comment that suppresses the finding', () => {
    const text = routine('');
    const finding = lintText(text, { language: 'sql' }).find((each) => each.ruleId === CLOCK)!;
    const anchorLine = text.slice(0, finding.anchor).split('\n').length - 1;
    const edit = lineSuppressionEdit(text, 'sql', CLOCK, anchorLine, 'reason');
    const fixed = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    assert.deepEqual(clockFindings(fixed), []);
  });
});
