// The workspace schema compares a document's facts cheaply on each keystroke (the same fact objects
// for reused statements, content only for the others): equal facts change neither the model nor the
// fingerprint, changed facts change both, and undoing the change brings the fingerprint back.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildSqlFileModel } from '../server/src/languages/sql/sql-file';
import { schemaFacts } from '../server/src/schema/facts';
import { WorkspaceSchema } from '../server/src/schema/workspace';
import { ready } from './helpers/lint';

before(() => ready);

const factsOf = (text: string) => schemaFacts(buildSqlFileModel(text).statements);
const TEXT = 'create table jobs (id bigint primary key, state text);\ncreate table runs (id bigint primary key, job_id bigint);\n';

describe('workspace schema facts of an edited document', () => {
  it('keeps the model and the fingerprint when the facts are equal but new objects', () => {
    const schema = new WorkspaceSchema();
    assert.equal(schema.updateFacts('/a.sql', factsOf(TEXT)), true);
    const model = schema.model();
    const fingerprint = schema.fingerprint();
    assert.equal(schema.updateFacts('/a.sql', factsOf(`${TEXT}select 1;\n`)), false);
    assert.equal(schema.model(), model);
    assert.equal(schema.fingerprint(), fingerprint);
  });

  it('sees a changed fact, and the fingerprint comes back when the change is undone', () => {
    const schema = new WorkspaceSchema();
    schema.updateFacts('/a.sql', factsOf(TEXT));
    const fingerprint = schema.fingerprint();
    assert.equal(schema.updateFacts('/a.sql', factsOf(TEXT.replace('job_id', 'job_ids'))), true);
    assert.ok(schema.model().table('runs')?.columns.has('job_ids'));
    assert.notEqual(schema.fingerprint(), fingerprint);
    assert.equal(schema.updateFacts('/a.sql', factsOf(TEXT)), true);
    assert.equal(schema.fingerprint(), fingerprint);
  });

  it('sees a fact added or removed', () => {
    const schema = new WorkspaceSchema();
    schema.updateFacts('/a.sql', factsOf(TEXT));
    assert.equal(schema.updateFacts('/a.sql', factsOf(`${TEXT}create index on runs (job_id);\n`)), true);
    assert.equal(schema.updateFacts('/a.sql', factsOf(TEXT)), true);
    assert.equal(schema.updateFacts('/a.sql', []), true);
    assert.equal(schema.fileCount, 0);
  });
});
