// Every SQL fix output runs on real PostgreSQL (PGlite) together with the DDL it needs; so does the
// unfixed example (so a failure is the fix's fault, not the example's).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RULES } from '../server/src/rules';
import { ready } from './helpers/lint';
import { closeDatabase, runsOnPostgres } from './helpers/postgres';

before(() => ready);
after(() => closeDatabase());

describe('fixed SQL runs on PostgreSQL', () => {
  for (const rule of RULES) {
    rule.examples.invalid.forEach((example, index) => {
      if (example.fixed === undefined || example.language === 'ts') return;
      it(`${rule.id} #${index + 1}`, async () => {
        assert.equal(await runsOnPostgres(example.code, example.schema), undefined, 'the example itself runs');
        assert.equal(await runsOnPostgres(example.fixed!, example.schema), undefined, 'the fixed example runs');
      });
    });
  }
});
