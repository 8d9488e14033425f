// The rule contract is checked by the compiler: `npm run typecheck` fails if a line below marked as
// an expected error compiles, i.e. if a rule could report a variant or fix key its texts do not
// declare, or read a setting it does not declare (the user would see the raw key, or an empty list).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineRule, type RuleContext } from '../server/src/core/rule';
import { RULES } from './helpers/lint';

const texts = (variant: string) => ({
  message: 'Message {reason}.',
  summary: 'Summary.',
  rationale: 'Rationale.',
  remedy: 'Remedy.',
  fixes: { addThing: 'Add the thing' },
  variants: { tooLate: variant, tooEarly: variant },
});

const calls: string[] = [];
const example = defineRule({
  id: 'example-rule',
  severity: 'warning',
  languages: ['sql'],
  skill: { name: 'example', section: 'example' },
  text: { en: texts('too late'), 'pt-BR': texts('tarde demais') },
  examples: { invalid: [], valid: [] },
  settings: [{ key: 'exampleTables', default: [], description: { en: 'Tables.', 'pt-BR': 'Tabelas.' } }],
  check(context) {
    calls.push(...context.names('exampleTables'));
    // @ts-expect-error a setting the rule does not declare (misspelled)
    context.names('exampleTable');
    context.report({ start: 0, end: 1, variants: { reason: 'tooLate' }, fixes: [{ key: 'addThing', edits: [] }] });
    // @ts-expect-error a variant the texts do not declare (misspelled)
    context.report({ start: 0, end: 1, variants: { reason: 'toLate' } });
    // @ts-expect-error a fix key the texts do not declare (misspelled)
    context.report({ start: 0, end: 1, fixes: [{ key: 'addThings', edits: [] }] });
  },
});

describe('rule contract', () => {
  it('a rule defined with its own keys is still a Rule of the registry', () => {
    const reports: unknown[] = [];
    const context = { names: (key: string) => [key], report: (report: unknown) => reports.push(report) } as unknown as RuleContext;
    example.check!(context);
    assert.deepEqual(calls, ['exampleTables']);
    assert.equal(reports.length, 3);
  });

  it('every rule declares the same variants and fix keys in both languages', () => {
    for (const rule of RULES) {
      assert.deepEqual(Object.keys(rule.text['pt-BR'].variants ?? {}).sort(), Object.keys(rule.text.en.variants ?? {}).sort(), rule.id);
      assert.deepEqual(Object.keys(rule.text['pt-BR'].fixes ?? {}).sort(), Object.keys(rule.text.en.fixes ?? {}).sort(), rule.id);
    }
  });
});
