// Every rule's examples run as tests: valid → silent, invalid → exactly one finding of the rule,
// fix → exactly the `fixed` text, the rule silent afterwards and the fixed SQL still parsing.
// Also: file names equal registry ids, both locales complete, placeholders equal across locales.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { LOCALES } from '../server/src/core/locale';
import type { RuleExample } from '../server/src/core/rule';
import { applyFirstFix, findingsOf, lintText, ready, RULES, sqlParses, typescriptParses } from './helpers/lint';

before(() => ready);

const languageOf = (example: RuleExample) => (example.language === 'ts' ? 'typescript' : 'sql');
const placeholders = (text: string | undefined) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('rule registry', () => {
  it('has one file per rule, named after its id, and no duplicate ids', () => {
    const files = readdirSync('server/src/rules')
      // <rule-id>.<topic>.ts files are helpers beside their rule.
      .filter((name) => /^[a-z0-9-]+\.ts$/.test(name) && name !== 'index.ts')
      .map((name) => name.replace(/\.ts$/, ''))
      .sort();
    assert.deepEqual(files, RULES.map((rule) => rule.id).sort());
    assert.equal(new Set(RULES.map((rule) => rule.id)).size, RULES.length);
  });

  for (const rule of RULES) {
    it(`${rule.id}: texts are complete in every locale with the same placeholders`, () => {
      for (const locale of LOCALES) {
        const text = rule.text[locale];
        for (const field of ['message', 'summary', 'rationale', 'remedy'] as const)
          assert.ok(text[field].trim().length > 10 || (field === 'message' && text.message === '{reason}'), `${locale}.${field}`);
        assert.deepEqual(placeholders(text.message), placeholders(rule.text.en.message), `${locale} message placeholders`);
        assert.deepEqual(Object.keys(text.fixes ?? {}).sort(), Object.keys(rule.text.en.fixes ?? {}).sort(), `${locale} fix keys`);
        for (const [key, title] of Object.entries(text.fixes ?? {}))
          assert.deepEqual(placeholders(title), placeholders(rule.text.en.fixes?.[key]), `${locale} fix ${key}`);
        assert.deepEqual(Object.keys(text.variants ?? {}).sort(), Object.keys(rule.text.en.variants ?? {}).sort(), `${locale} variant keys`);
        for (const [key, variant] of Object.entries(text.variants ?? {}))
          assert.deepEqual(placeholders(variant), placeholders(rule.text.en.variants?.[key]), `${locale} variant ${key}`);
        for (const setting of rule.settings ?? []) assert.ok(setting.description[locale].length > 10, `${locale} setting ${setting.key}`);
      }
      assert.ok(rule.skill.name && rule.skill.section, 'skill reference');
      assert.ok(rule.examples.invalid.length >= 1 && rule.examples.valid.length >= 1, 'examples of both kinds');
      if (rule.fix)
        assert.ok(
          rule.examples.invalid.some((example) => example.fixed !== undefined),
          'a rule with a fix shows its output',
        );
    });
  }
});

describe('rule examples', () => {
  for (const rule of RULES) {
    describe(rule.id, () => {
      rule.examples.valid.forEach((valid, index) => {
        const example: RuleExample = typeof valid === 'string' ? { code: valid } : valid;
        it(`valid #${index + 1} is silent`, () => {
          const findings = findingsOf(rule.id, example.code, { language: languageOf(example), schema: example.schema });
          assert.deepEqual(
            findings.map((finding) => finding.message),
            [],
          );
        });
      });
      rule.examples.invalid.forEach((example, index) => {
        it(`invalid #${index + 1} gives exactly one finding${example.fixed !== undefined ? ' and its fix gives `fixed`' : ''}`, () => {
          const options = { language: languageOf(example), schema: example.schema } as const;
          const findings = findingsOf(rule.id, example.code, options);
          assert.equal(findings.length, 1, `findings: ${JSON.stringify(findings.map((finding) => finding.message))}`);
          const [finding] = findings;
          assert.ok(finding.start < finding.end, 'a non-empty range');
          assert.ok(!/\{\w+\}/.test(finding.message), `unfilled placeholder in: ${finding.message}`);
          if (example.fixed === undefined) return;
          assert.ok(finding.fixes.length >= 1, 'offers a fix');
          assert.equal(finding.fixes[0].safe, example.safe ?? rule.fix === 'safe', 'fix safety as declared');
          const fixed = applyFirstFix(example.code, finding);
          assert.equal(fixed, example.fixed);
          assert.deepEqual(
            findingsOf(rule.id, fixed, options).map((each) => each.message),
            [],
            'silent after the fix',
          );
          if (options.language === 'sql') assert.ok(sqlParses(fixed), 'fixed SQL parses');
          else {
            assert.ok(typescriptParses(fixed), 'fixed TypeScript has no syntax errors');
            assert.deepEqual(
              lintText(fixed, options).filter((each) => each.ruleId === 'syntax-error'),
              [],
              'embedded SQL still parses',
            );
          }
        });
      });
    });
  }
});
