// Name patterns from the settings (core/names.ts): globs are matched in linear time, whatever
// a repository writes in its configuration, with the same answers the former regular expressions
// gave; over-long patterns and lists are ignored and reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfigText } from '../server/src/core/config';
import { RULES } from '../server/src/rules';
import { matchesAny, matchesAnyExactly, MAX_NAME_PATTERN_LENGTH, MAX_NAME_PATTERNS, mentionsAny } from '../server/src/core/names';
import { findingsOf, ready } from './helpers/lint';

/** What the patterns meant when they were compiled to regular expressions (exponential on some globs). */
function reference(name: string, pattern: string, exactly: boolean): boolean {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const source = pattern.includes('*') || exactly ? `^${pattern.toLowerCase().split('*').map(escape).join('.*')}$` : escape(pattern.toLowerCase());
  return new RegExp(source, 'i').test(name);
}

describe('name patterns', () => {
  // A guard against a hang, not a speed target: the former regular expression took hours here.
  it('matches an adversarial glob against a long name without backtracking', { timeout: 30_000 }, () => {
    const patterns = ['*a*a*a*a*a*a*a*a*a*a*c'];
    assert.equal(matchesAny('a'.repeat(80), patterns), false);
    assert.equal(matchesAnyExactly('a'.repeat(5000), patterns), false);
    assert.equal(matchesAny(`${'a'.repeat(80)}c`, patterns), true);
  });

  it('answers like the former regular expressions on random names and patterns', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', '_', '.', '?', '*');
    const pattern = fc.array(alphabet, { maxLength: 8 }).map((characters) => characters.join(''));
    const name = fc.array(fc.constantFrom('a', 'b', 'A', 'B', '_', '.', '?'), { maxLength: 12 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(name, fc.array(pattern, { minLength: 1, maxLength: 3 }), (candidate, patterns) => {
        const list = [...patterns]; // a fresh list: compiled lists are cached by identity
        assert.equal(
          matchesAny(candidate, list),
          patterns.some((each) => reference(candidate, each, false)),
        );
        assert.equal(
          matchesAnyExactly(candidate, list),
          patterns.some((each) => reference(candidate, each, true)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('ignores case, and treats every character but * literally', () => {
    assert.equal(matchesAny('Stripe_Events', ['*_events']), true);
    assert.equal(matchesAnyExactly('PAYMENTS', ['payments']), true);
    assert.equal(matchesAnyExactly('paymentsx', ['payments']), false);
    assert.equal(matchesAny('webhook_log', ['hook']), true);
    assert.equal(matchesAny('ab', ['a?']), false);
    assert.equal(matchesAny('a?', ['a?']), true);
    assert.equal(matchesAnyExactly('axb', ['a.b']), false);
    assert.equal(matchesAnyExactly('abab', ['*ab*ab*']), true);
    assert.equal(matchesAnyExactly('aba', ['ab*ba']), false, 'prefix and suffix may not overlap');
    assert.equal(mentionsAny('UPDATE Worker_Heartbeats SET x = 1', ['*heartbeat*']), true);
    assert.equal(mentionsAny('update jobs set x = 1', ['*heartbeat*']), false);
  });

  it('ignores patterns above the length limit and list entries beyond the count limit', () => {
    const long = `${'a'.repeat(MAX_NAME_PATTERN_LENGTH)}*`;
    assert.equal(matchesAny('a'.repeat(MAX_NAME_PATTERN_LENGTH + 5), [long]), false);
    assert.equal(matchesAny('a'.repeat(MAX_NAME_PATTERN_LENGTH + 5), [long.slice(1)]), true);
    const many = [...Array.from({ length: MAX_NAME_PATTERNS }, (_, index) => `name_${index}`), 'payments'];
    assert.equal(matchesAnyExactly('payments', many), false);
    assert.equal(matchesAnyExactly('name_0', many), true);
  });

  it('reports over-long patterns and over-long lists in armadilha.config.json, keeping the rest', () => {
    const patterns = ['*_once', 'x'.repeat(MAX_NAME_PATTERN_LENGTH + 1)];
    const tooMany = Array.from({ length: MAX_NAME_PATTERNS + 3 }, (_, index) => `t${index}`);
    const text = JSON.stringify({ names: { idempotentTables: patterns, dedupTables: tooMany } });
    const parsed = parseConfigText(text, RULES);
    assert.deepEqual(parsed.settings.names?.idempotentTables, ['*_once']);
    assert.equal(parsed.settings.names?.dedupTables?.length, MAX_NAME_PATTERNS);
    assert.deepEqual(
      parsed.problems.map((problem) => [problem.key, problem.data.key, text.slice(problem.start, problem.end)]),
      [
        ['configPatternTooLong', 'names.idempotentTables', '"idempotentTables"'],
        ['configTooManyPatterns', 'names.dedupTables', '"dedupTables"'],
      ],
    );
    assert.equal(parsed.problems[1].data.ignored, '3');
  });

  // PostgreSQL truncates identifiers to 63 characters: a 60-character table name is the longest it keeps.
  it('analyses inserts into long table names under the adversarial glob from the settings', { timeout: 30_000 }, async () => {
    await ready;
    const settings = { names: { idempotentTables: ['*a*a*a*a*a*a*a*a*a*a*c'] } };
    const findings = (table: string) =>
      findingsOf('require-on-conflict', `insert into ${table} (k) values ('k');`, {
        schema: `create table ${table} (id uuid primary key default gen_random_uuid(), k text not null unique);`,
        settings,
      });
    assert.equal(findings('a'.repeat(60)).length, 0);
    assert.equal(findings(`${'a'.repeat(59)}c`).length, 1);
  });
});
