// A rule that leaves some cases to another rule (`defers`) reports them where that rule does not: the
// core answers from the other rule's effective level and from the suppression comments in the file.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ruleById } from '../server/src/rules';
import { lintText, ready, RULES } from './helpers/lint';

before(() => ready);

function counts(code: string, options: Parameters<typeof lintText>[1]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const finding of lintText(code, options)) result[finding.ruleId] = (result[finding.ruleId] ?? 0) + 1;
  return result;
}

describe('rule relations', () => {
  it('every deferred-to rule exists and is another rule', () => {
    for (const rule of RULES) for (const id of rule.defers ?? []) assert.ok(ruleById(id) && id !== rule.id, `${rule.id} defers to ${id}`);
  });

  describe('no-side-effect-before-commit leaves keyless payments to require-idempotency-key', () => {
    const code = (comment: string) =>
      [
        "import postgres from 'postgres';",
        "import Stripe from 'stripe';",
        'const sql = postgres(process.env.DATABASE_URL!);',
        'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
        'export async function charge(order: { id: string; total: number }) {',
        '  await sql.begin(async (tx) => {',
        "    await tx`update public.orders set status = 'charging' where id = ${order.id}`;",
        ...(comment ? [`    ${comment}`] : []),
        "    await stripe.charges.create({ amount: order.total, currency: 'brl' });",
        '  });',
        '}',
        '',
      ].join('\n');
    const options = { language: 'typescript' as const, fileName: 'charge.ts' };

    it('stays silent while require-idempotency-key reports the payment', () => {
      const found = counts(code(''), options);
      assert.equal(found['require-idempotency-key'], 1);
      assert.equal(found['no-side-effect-before-commit'], undefined);
    });

    it('reports the payment when require-idempotency-key is off', () => {
      const found = counts(code(''), { ...options, settings: { rules: { 'require-idempotency-key': 'off' } } });
      assert.equal(found['require-idempotency-key'], undefined);
      assert.equal(found['no-side-effect-before-commit'], 1);
    });

    it('reports the payment where a comment suppresses require-idempotency-key', () => {
      const found = counts(code('// armadilha-ignore require-idempotency-key -- the charge id is stored by a webhook'), options);
      assert.equal(found['require-idempotency-key'], undefined);
      assert.equal(found['unused-suppression'], undefined);
      assert.equal(found['no-side-effect-before-commit'], 1);
    });
  });

  describe("require-queue-dedup leaves a consumer routine's plain inserts to require-on-conflict", () => {
    const code = (comment: string, fileComment = '') =>
      [
        ...(fileComment ? [fileComment] : []),
        'create table public.order_notes (order_id uuid primary key, note text);',
        'create function public.take_notes() returns void language plpgsql as $$',
        'declare',
        '  v_msg record;',
        'begin',
        "  select * into v_msg from pgmq.read('notes', 30, 1);",
        ...(comment ? [`  ${comment}`] : []),
        "  insert into public.order_notes (order_id, note) values ((v_msg.message->>'order_id')::uuid, v_msg.message->>'note');",
        'end $$;',
        '',
      ].join('\n');

    it('stays silent while require-on-conflict reports the insert', () => {
      const found = counts(code(''), {});
      assert.equal(found['require-on-conflict'], 1);
      assert.equal(found['require-queue-dedup'], undefined);
    });

    it('reports the insert when require-on-conflict is off, or at a level of its own', () => {
      assert.equal(counts(code(''), { settings: { rules: { 'require-on-conflict': 'off' } } })['require-queue-dedup'], 1);
      assert.equal(counts(code(''), { settings: { rules: { 'require-on-conflict': 'hint' } } })['require-queue-dedup'], undefined);
    });

    it('reports the insert where a file comment suppresses require-on-conflict', () => {
      // A comment on the line before the insert, inside the routine's body, suppresses require-on-conflict
      // there, so require-queue-dedup reports it.
      const line = counts(code('-- armadilha-ignore require-on-conflict -- notes are rewritten whole'), {});
      assert.deepEqual([line['require-on-conflict'], line['require-queue-dedup']], [undefined, 1]);
      const file = counts(code('', '-- armadilha-ignore-file require-on-conflict -- notes are rewritten whole'), {});
      assert.equal(file['require-on-conflict'], undefined);
      assert.equal(file['require-queue-dedup'], 1);
    });
  });
});
