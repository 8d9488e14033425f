// The ecosystem ledger (test/ecosystem/verdicts.json) is well formed: every entry names a wild folder,
// a file path, a line, a rule that exists and a verdict; reviewed entries say why in one line; no
// finding is recorded twice. (The ecosystem check itself, `npm run ecosystem`, takes minutes and is
// not part of npm test.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleById } from '../server/src/rules';
import { keyOf, readLedger, VERDICTS } from './ecosystem/ledger';

const FOLDERS = new Set(['worker', 'supabase-storage', 'bullmq', 'documenso', 'dub', 'outline', 'pgmq']);

describe('ecosystem ledger', () => {
  it('every entry is well formed, reviewed entries have a reason, and no finding is recorded twice', () => {
    const ledger = readLedger();
    const keys = new Set<string>();
    for (const entry of ledger) {
      const where = `${entry.folder}/${entry.file}:${entry.line} ${entry.rule}`;
      assert.deepEqual(Object.keys(entry).sort(), ['file', 'folder', 'line', 'reason', 'rule', 'verdict'], where);
      assert.ok(FOLDERS.has(entry.folder), `${where}: unknown folder`);
      assert.ok(entry.file && !entry.file.startsWith('/') && !entry.file.includes('\\'), `${where}: a relative path with / separators`);
      assert.ok(Number.isInteger(entry.line) && entry.line >= 1, `${where}: a 1-based line`);
      assert.ok(ruleById(entry.rule), `${where}: unknown rule`);
      assert.ok(VERDICTS.includes(entry.verdict), `${where}: verdict ${entry.verdict}`);
      if (entry.verdict !== 'unreviewed')
        assert.ok(entry.reason.trim().length >= 8 && !entry.reason.includes('\n') && entry.reason.length <= 200, `${where}: a one-line reason`);
      assert.ok(!keys.has(keyOf(entry)), `${where}: recorded twice`);
      keys.add(keyOf(entry));
    }
  });
});
