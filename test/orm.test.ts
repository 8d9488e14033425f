// Library calls (supabase-js, Prisma, Drizzle, Knex, Kysely, Sequelize, TypeORM, postgres.js, pg):
// every fixture written with a library (test/fixtures/<rule>/<library>-*.ts), its expected fixed form,
// and what applying every safe fix produces compile against the libraries' real type definitions; and
// the example of issue 13 reports its four traps with fixes in each library's own terms.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { applyEdits, mergeFixes } from '../server/src/fixes';
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
    .flatMap((folder) => readdirSync(path.join(ROOT, folder)).filter((name) => LIBRARIES.test(name)).map((name) => path.join(ROOT, folder, name)))
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
    for (const file of files) {
      // Each in its rule's folder, so that a fixture imports its models from a module beside it.
      const name = file.slice(ROOT.length + 1).replace(/\\/g, '/');
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
