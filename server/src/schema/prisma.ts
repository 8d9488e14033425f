// A Prisma schema (schema.prisma) read as schema facts: each model is a table (its @@map name, or the
// model name as Prisma creates it), its scalar fields are columns (@map names), @id/@@id the primary
// key and @unique/@@unique the unique keys. Relation fields are not columns. The datasource's provider
// says whether the project is PostgreSQL at all: a MySQL or SQLite schema gives no facts.

import type { ColumnFact, KeyFact, SchemaFact } from './facts';

export interface PrismaSchema {
  /** The datasource provider ("postgresql", "mysql", …), when the file declares one. */
  provider: string | undefined;
  facts: SchemaFact[];
  /** Model name → table name, and per model field name → column name (Prisma calls use model and field names). */
  models: Map<string, PrismaModel>;
}

export interface PrismaModel {
  name: string;
  /** The table, schema-qualified ("public.payments"). */
  table: string;
  /** Field name → column name, for scalar fields. */
  columns: Map<string, string>;
  /** Unique keys in field names (primary key first), for `where` and `upsert` on them. */
  keys: string[][];
}

const SCALARS = new Set(['String', 'Boolean', 'Int', 'BigInt', 'Float', 'Decimal', 'DateTime', 'Json', 'Bytes', 'Unsupported']);
const POSTGRES_PROVIDERS = new Set(['postgresql', 'postgres', 'cockroachdb']);

export function isPostgresProvider(provider: string | undefined): boolean {
  return provider === undefined || POSTGRES_PROVIDERS.has(provider);
}

export function readPrismaSchema(text: string): PrismaSchema {
  const source = stripComments(text);
  const blocks = [...source.matchAll(/\b(model|enum|type|view|datasource|generator)\s+(\w+)\s*\{([^}]*)\}/g)];
  const enums = new Set(blocks.filter((block) => block[1] === 'enum' || block[1] === 'type').map((block) => block[2]));
  const datasource = blocks.find((block) => block[1] === 'datasource');
  const provider = datasource ? /provider\s*=\s*"([^"]+)"/.exec(datasource[3])?.[1] : undefined;
  const models = new Map<string, PrismaModel>();
  const facts: SchemaFact[] = [];
  for (const [, kind, name, body] of blocks) {
    if (kind !== 'model') continue;
    const model = readModel(name, body, enums);
    models.set(name, model.model);
    facts.push(model.fact);
  }
  return { provider, facts: isPostgresProvider(provider) ? facts : [], models };
}

function readModel(name: string, body: string, enums: Set<string>): { model: PrismaModel; fact: SchemaFact } {
  const lines = body
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const blockAttributes = lines.filter((line) => line.startsWith('@@'));
  const mapped = blockAttributes.map((line) => /^@@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(line)?.[1]).find(Boolean);
  const schema = blockAttributes.map((line) => /^@@schema\(\s*"([^"]+)"/.exec(line)?.[1]).find(Boolean) ?? 'public';
  const columns = new Map<string, string>();
  const columnFacts: ColumnFact[] = [];
  const fieldKeys: Array<{ kind: KeyFact['kind']; fields: string[] }> = [];
  for (const line of lines) {
    if (line.startsWith('@@')) continue;
    const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
    if (!field) continue;
    const [, fieldName, type, list, , attributes] = field;
    const scalar = SCALARS.has(type) || enums.has(type);
    if (!scalar || (list && !scalar)) continue;
    const column = /@map\(\s*(?:name\s*:\s*)?"([^"]+)"/.exec(attributes)?.[1] ?? fieldName;
    columns.set(fieldName, column);
    columnFacts.push({ name: column, type: type.toLowerCase(), generated: /@default\(|@updatedAt/.test(attributes) });
    if (/@id\b/.test(attributes)) fieldKeys.push({ kind: 'primary', fields: [fieldName] });
    if (/@unique\b/.test(attributes)) fieldKeys.push({ kind: 'unique', fields: [fieldName] });
  }
  for (const line of blockAttributes) {
    const composite = /^@@(id|unique)\(\s*(?:fields\s*:\s*)?\[([^\]]*)\]/.exec(line);
    if (!composite) continue;
    const fields = composite[2]
      .split(',')
      .map((part) => part.trim().replace(/\(.*$/, ''))
      .filter(Boolean);
    fieldKeys.push({ kind: composite[1] === 'id' ? 'primary' : 'unique', fields });
  }
  const table = `${schema}.${mapped ?? name}`;
  const keys: KeyFact[] = fieldKeys.map((key) => ({ kind: key.kind, columns: key.fields.map((field) => columns.get(field) ?? field) }));
  const ordered = [...fieldKeys.filter((key) => key.kind === 'primary'), ...fieldKeys.filter((key) => key.kind === 'unique')].map((key) => key.fields);
  return {
    model: { name, table, columns, keys: ordered },
    fact: { op: 'createTable', table, columns: columnFacts, keys, hasExclusion: false },
  };
}

// Comments (`//` and `///`) out; strings in a schema never contain `//` where it matters here except
// URLs in the datasource, which are read before the model bodies only for the provider.
function stripComments(text: string): string {
  return text.replace(/("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*/g, (_whole, string: string | undefined) => string ?? '');
}
