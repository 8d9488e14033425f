// What the analysis of one file may ask about the project around it: which SQL dialect its
// dependencies speak, and what a name imported from another module of the project is (a Stripe client
// made by a factory in lib/stripe.ts, a MySQL connection exported by lib/db.ts). The core only asks;
// the adapters answer from the disk (project/disk-project.ts), so lint() stays a function of its input.

import type { ClientKind } from '../languages/typescript/ts-file';
import type { DrizzleTable } from '../schema/drizzle';
import type { DeclaredEntity } from '../schema/entities';
import type { PrismaSchema } from '../schema/prisma';

/**
 * The SQL the project's dependencies speak: only PostgreSQL drivers ('postgres'), only drivers of other
 * databases ('other'), both ('mixed'), or no driver at all ('unknown').
 */
export type ProjectDialect = 'postgres' | 'other' | 'mixed' | 'unknown';

export interface ProjectContext {
  /** The dialect of the project (the package.json files above it) that a file belongs to. */
  dialectOf(fileName: string): ProjectDialect;
  /** The client kind a module of the project exports under a name ('default' for the default export). */
  importedKind(fromFile: string, specifier: string, imported: string): ClientKind | undefined;
  /** The Prisma schema a file's Prisma client is generated from (its package's, or the monorepo's). */
  prismaSchema(fileName: string): PrismaSchema | undefined;
  /**
   * The table object (a Drizzle pgTable) a module of the project exports under a name: its SQL name,
   * its JS property → column map and its keys. Through re-exports (`export * from './payments'`).
   */
  tableDefinition(fromFile: string, specifier: string, imported: string): DrizzleTable | undefined;
  /** The Sequelize model or TypeORM entity a module of the project exports under a name (see schema/entities.ts). */
  importedEntity(fromFile: string, specifier: string, imported: string): DeclaredEntity | undefined;
}

/** For a document with no project around it (a test, `--stdin`). */
export const NO_PROJECT: ProjectContext = {
  dialectOf: () => 'unknown',
  importedKind: () => undefined,
  prismaSchema: () => undefined,
  tableDefinition: () => undefined,
  importedEntity: () => undefined,
};
