// The names that mark SQL in TypeScript and JavaScript, in one place: the analyser reads them
// (embedded-sql.ts), and `npm run generate` builds the editor's SQL highlighting from them
// (scripts/sql-template-grammar.ts writes syntaxes/sql-template.injection.json).

/** Tags that say SQL by their name, as the tag or as its last member (sql`…`, db.sql`…`), whatever they are bound to. */
export const SQL_TAG_NAMES = ['sql', 'SQL'] as const;

/** Prisma's raw-query tags, on any receiver (prisma.$queryRaw`…`). */
export const RAW_QUERY_TAGS = ['$queryRaw', '$executeRaw'] as const;

/**
 * Methods whose first argument is the SQL text a client runs: pg's query, Deno's queryObject and
 * queryArray, knex's raw, postgres.js's unsafe, Prisma's unsafe raw queries, mysql2's and Kysely's
 * execute, pg-promise's none/one/oneOrNone/many/manyOrNone/any/result.
 */
export const QUERY_METHODS = [
  'query',
  'queryObject',
  'queryArray',
  'raw',
  'unsafe',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'execute',
  'none',
  'one',
  'oneOrNone',
  'many',
  'manyOrNone',
  'any',
  'result',
] as const;

/** Of those, the ones whose name alone says raw SQL: the editor highlights their template whatever it begins with. */
export const RAW_SQL_METHODS = ['unsafe', '$queryRawUnsafe', '$executeRawUnsafe'] as const satisfies ReadonlyArray<(typeof QUERY_METHODS)[number]>;
