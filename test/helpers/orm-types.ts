// Type-checks code written against the client libraries' real type definitions (the devDependencies
// @supabase/supabase-js, @prisma/client, drizzle-orm, knex, kysely, sequelize, typeorm, postgres, pg):
// the ORM fixtures and what their fixes produce must compile. Prisma's client is generated from
// test/fixtures/schema.prisma first, offline: the generator is TypeScript, and the schema engine it would
// download is not needed to generate a client.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
export const PRISMA_SCHEMA = path.join(ROOT, 'test', 'fixtures', 'schema.prisma');

let generated: string | undefined;

/** Generates the Prisma client of test/fixtures/schema.prisma once per test process; returns its folder. */
export function prismaClient(): string {
  if (generated) return generated;
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-prisma-'));
  // The generated client imports Prisma's runtime: it must see the project's packages.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  const output = path.join(folder, 'client');
  const schema = readFileSync(PRISMA_SCHEMA, 'utf8').replace('__OUTPUT__', output.split(path.sep).join('/'));
  const schemaFile = path.join(folder, 'schema.prisma');
  writeFileSync(schemaFile, schema);
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', schemaFile], {
    encoding: 'utf8',
    cwd: ROOT,
    // Any executable stands in for the schema engine, which generating a client never runs.
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  if (result.status !== 0 || !existsSync(path.join(output, 'client.ts'))) throw new Error(`prisma generate failed:\n${result.stdout}\n${result.stderr}`);
  generated = output;
  return output;
}

/**
 * TypeScript errors of the given sources (file name → text), compiled strictly together, with
 * '@prisma/client' resolving to the generated client. An empty list means they compile.
 */
export function typeErrors(sources: Record<string, string>): string[] {
  const folder = mkdtempSync(path.join(tmpdir(), 'armadilha-types-'));
  const files: string[] = [];
  for (const [name, text] of Object.entries(sources)) {
    const file = path.join(folder, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push(file);
  }
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    // An absolute target: no baseUrl (TypeScript 6 deprecates it).
    paths: { '@prisma/client': [path.join(prismaClient(), 'client.ts')] },
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: false,
  };
  // The fixtures are ES modules, as the libraries' own examples are, and see the project's packages.
  writeFileSync(path.join(folder, 'package.json'), '{"type":"module"}');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  const host = ts.createCompilerHost(options);
  const program = ts.createProgram({ rootNames: files, options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => !diagnostic.file || files.includes(path.resolve(diagnostic.file.fileName)))
    .map((diagnostic) => {
      const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
      return `${diagnostic.file ? path.basename(diagnostic.file.fileName) : ''}${where ? `:${where.line + 1}:${where.character + 1}` : ''} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
}
