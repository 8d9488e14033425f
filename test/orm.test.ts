// Library calls (supabase-js, Prisma, Drizzle, Knex, Kysely, Sequelize, TypeORM, postgres.js, pg):
// every fixture written with a library (test/fixtures/<rule>/<library>-*.ts), its expected fixed form,
// and what applying every safe fix produces compile against the libraries' real type definitions; and
// the example of issue 13 reports its four traps with fixes in each library's own terms.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { applyEdits, mergeFixes } from '../server/src/core/fixes';
import { DiskProject } from '../server/src/project/disk-project';
import { lintText, ready } from './helpers/lint';
import { typeErrors } from './helpers/orm-types';

before(() => ready);

const ROOT = 'test/fixtures';
const LIBRARIES = /^(supabase|prisma|drizzle|knex|kysely|sequelize|typeorm|postgresjs|pg)-[\w-]+\.ts$/;
const project = new DiskProject();

function libraryFixtures(): string[] {
  return readdirSync(ROOT)
    .filter((folder) => !folder.includes('.'))
    .flatMap((folder) =>
      readdirSync(path.join(ROOT, folder))
        .filter((name) => LIBRARIES.test(name))
        .map((name) => path.join(ROOT, folder, name)),
    )
    .sort();
}

/** Library modules at the root of the fixtures, imported by fixtures as a project's own modules are. */
function supportModules(): string[] {
  return readdirSync(ROOT)
    .filter((name) => LIBRARIES.test(name))
    .sort();
}

/** The text after every safe fix (the first of each finding), as fix-all on save writes it. */
function fixAll(file: string, text: string): string {
  const findings = lintText(text, { language: 'typescript', fileName: path.resolve(file), project });
  return applyEdits(text, mergeFixes(findings.flatMap((finding) => finding.fixes.filter((fix) => fix.safe).slice(0, 1))));
}

describe('code written with client libraries', () => {
  it('every library fixture, its fixed form and its fix-all result compile against the real type definitions', { timeout: 120_000 }, () => {
    const files = libraryFixtures();
    assert.ok(files.length >= 8, `library fixtures: ${files.length}`);
    const sources: Record<string, string> = {};
    // Modules the fixtures import (test/fixtures/drizzle-schema.ts) keep their place beside the folders.
    for (const module of supportModules()) sources[module] = readFileSync(path.join(ROOT, module), 'utf8');
    for (const file of files) {
      const name = file
        .slice(ROOT.length + 1)
        .split(path.sep)
        .join('/');
      const text = readFileSync(file, 'utf8');
      sources[name] = text;
      const fixedFile = file.replace(/\.ts$/, '.fixed.ts');
      if (existsSync(fixedFile)) sources[name.replace(/\.ts$/, '.fixed.ts')] = readFileSync(fixedFile, 'utf8');
      const fixed = fixAll(file, text);
      if (fixed !== text) sources[name.replace(/\.ts$/, '.all-fixed.ts')] = fixed;
    }
    assert.deepEqual(typeErrors(sources), []);
  });
});

// The example of issue 13, with the imports a real file has: four traps, four findings, fixes in
// each library's terms, and the fixed file still compiles.
const EXAMPLE = `import { createClient } from '@supabase/supabase-js';
import { PrismaClient } from '@prisma/client';
import postgres from 'postgres';
import type Stripe from 'stripe';

const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);
declare const prisma: PrismaClient;
const sql = postgres(process.env.DATABASE_URL!);

export async function handleWebhook(event: Stripe.Event) {
  await supabase.from('payments').insert({ stripe_event_id: event.id, amount: 100 });
  await prisma.payment.create({ data: { stripeEventId: event.id, amount: 100 } });
}
export async function debit(userId: string, cost: number) {
  await prisma.$transaction(async (tx) => {
    const acc = await tx.account.findUnique({ where: { id: userId } });
    await tx.account.update({ where: { id: userId }, data: { balance: acc!.balance - cost } });
  });
}
export async function redeem(userId: string, cost: number) {
  await sql.begin(async (sql) => {
    const [row] = await sql\`select points from loyalty where user_id = \${userId}\`;
    await sql\`update loyalty set points = \${row.points - cost} where user_id = \${userId}\`;
  });
}
`;

describe('the example of issue 13', () => {
  it("reports its four traps, each with a fix in its library's own terms, and the fixed file compiles", { timeout: 120_000 }, () => {
    const file = path.resolve(ROOT, 'issue-13-example.ts');
    const schema = readFileSync(path.join(ROOT, 'workspace.sql'), 'utf8');
    const findings = lintText(EXAMPLE, { language: 'typescript', fileName: file, project, schema });
    const lineOf = (offset: number) => EXAMPLE.slice(0, offset).split('\n').length;
    assert.deepEqual(
      findings.map((finding) => [finding.ruleId, lineOf(finding.start), finding.fixes[0]?.title, finding.fixes[0]?.safe]),
      [
        ['require-on-conflict', 11, "Do nothing on a duplicate stripe_event_id: .upsert(…, { onConflict: 'stripe_event_id', ignoreDuplicates: true })", true],
        ['require-on-conflict', 12, 'Do nothing on a duplicate stripe_event_id: .createMany({ data: [...], skipDuplicates: true })', true],
        ['no-read-modify-write', 16, 'Let the database compute balance: { decrement: cost }', true],
        ['no-read-modify-write', 22, 'Read loyalty with FOR UPDATE', true],
      ],
    );
    const fixed = applyEdits(EXAMPLE, mergeFixes(findings.map((finding) => finding.fixes[0])));
    assert.match(fixed, /\.upsert\(\{ stripe_event_id: event\.id, amount: 100 \}, \{ onConflict: 'stripe_event_id', ignoreDuplicates: true \}\)/);
    assert.match(fixed, /createMany\(\{ data: \[\{ stripeEventId: event\.id, amount: 100 \}\], skipDuplicates: true \}\)/);
    assert.match(fixed, /data: \{ balance: \{ decrement: cost \} \}/);
    assert.match(fixed, /where user_id = \$\{userId\} for update`/);
    assert.deepEqual(typeErrors({ 'example.ts': EXAMPLE, 'example.fixed.ts': fixed }), []);
    assert.deepEqual(
      lintText(fixed, { language: 'typescript', fileName: file, project, schema }).map((finding) => finding.ruleId),
      [],
    );
  });
});
