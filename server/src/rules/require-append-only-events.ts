import { relationName } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal, type RuleContext } from '../core/rule';
import type { SchemaModel, TableInfo } from '../schema/model';
import { baseName, matchesAnyExactly } from '../core/names';
import { nameRange, statementAfter } from './sql/new-statement';
import { keywordCase } from './sql/sql-edits';

// The roles Supabase gives every table in the public schema; they exist only in Supabase projects.
const SUPABASE_ROLES = ['anon', 'authenticated'];

export default defineRule({
  id: 'require-append-only-events',
  severity: 'info',
  languages: ['sql'],
  fix: 'safe',
  skill: { name: 'streams-eventos-cdc', section: 'REGRA #3; REQ STREAMS-03 (append-only event table); REGRA #6 (compaction only by a privileged role)' },
  settings: [
    {
      key: 'appendOnlyTables',
      default: ['events', '*_events', 'event_store', 'audit_log', 'audit_logs', '*_audit_log', '*_audit_logs'],
      description: {
        en: 'Table names (exact, or globs with *) of event-sourcing and audit tables, whose rows must never be updated or deleted.',
        'pt-BR': 'Nomes de tabelas (exatos, ou globs com *) de event sourcing e de auditoria, cujas linhas nunca devem ser alteradas nem apagadas.',
      },
    },
    {
      key: 'mutableEventTables',
      default: ['*outbox*', '*inbox*', 'processed_*', 'pending_*', 'queued_*', 'failed_*', 'scheduled_*', 'calendar_*', 'upcoming_*'],
      description: {
        en: 'Table names (exact, or globs with *) that look like event tables but whose rows are changed or removed by design: outboxes, inboxes, queues, calendars.',
        'pt-BR':
          'Nomes de tabelas (exatos, ou globs com *) que parecem tabelas de eventos mas cujas linhas mudam ou saem por projeto: outboxes, inboxes, filas, calendários.',
      },
    },
    {
      key: 'mutableRowColumns',
      default: [
        'updated_at',
        'updated_by',
        'updatedat',
        'modified_at',
        'last_modified*',
        'deleted_at',
        'processed_at',
        'published_at',
        'ends_at',
        'end_at',
        'end_date',
        'end_time',
      ],
      description: {
        en: "Column names (exact, or globs with *) that show a table's rows are updated after the insert; an event-named table with one of them is not reported.",
        'pt-BR':
          'Nomes de colunas (exatos, ou globs com *) que mostram que as linhas da tabela são alteradas depois do insert; uma tabela com nome de eventos que tenha uma delas não é reportada.',
      },
    },
  ],
  text: {
    en: {
      message:
        '{table} looks like an event or audit log, but nothing in the workspace revokes UPDATE and DELETE on it: any role with write access can rewrite or erase history. Revoke UPDATE and DELETE from the roles the application uses.',
      summary: 'Event-sourcing and audit tables must be append-only: revoke UPDATE and DELETE on them.',
      rationale:
        'In event sourcing the event table is the source of truth: projections, read models and consumers are derived from it and can be rebuilt by replaying it. That only holds while the log is immutable. A single UPDATE or DELETE, from a buggy job, a client with too broad a grant or an attacker, silently changes the past: replays no longer give the state that consumers already acted on, downstream copies diverge, and an audit trail can no longer prove what happened. Nothing warns when it happens.',
      remedy:
        'Right after creating the table, revoke UPDATE and DELETE on it from every role that should only append: PUBLIC, and in Supabase anon and authenticated (and service_role when your backend never rewrites events). In plain PostgreSQL, also revoke them from the role your application connects as, or keep it from owning the table. Keep deletion, such as compaction after a snapshot, in a SECURITY DEFINER function owned by a privileged role. A BEFORE UPDATE OR DELETE trigger that raises an error also works. The quick fix adds REVOKE UPDATE, DELETE … FROM PUBLIC right after the CREATE TABLE, and also from anon and authenticated when the workspace already names both roles (a REVOKE that names a missing role fails).',
      fixes: { revokeWrites: 'Revoke UPDATE, DELETE on {table} from {roles}' },
    },
    'pt-BR': {
      message:
        '{table} parece um log de eventos ou de auditoria, mas nada no workspace revoga UPDATE e DELETE nela: qualquer papel com permissão de escrita pode reescrever ou apagar o histórico. Revogue UPDATE e DELETE dos papéis que a aplicação usa.',
      summary: 'Tabelas de event sourcing e de auditoria devem ser append-only: revogue UPDATE e DELETE nelas.',
      rationale:
        'Em event sourcing a tabela de eventos é a fonte da verdade: projeções, modelos de leitura e consumidores derivam dela e podem ser reconstruídos refazendo o replay. Isso só vale enquanto o log for imutável. Um único UPDATE ou DELETE, de um job com bug, de um cliente com permissão ampla demais ou de um atacante, muda o passado em silêncio: o replay deixa de reproduzir o estado sobre o qual os consumidores já agiram, as cópias downstream divergem e a trilha de auditoria não prova mais o que aconteceu. Nada avisa quando isso acontece.',
      remedy:
        'Logo depois de criar a tabela, revogue UPDATE e DELETE de todo papel que só deveria acrescentar linhas: PUBLIC e, no Supabase, anon e authenticated (e service_role quando o backend nunca reescreve eventos). No PostgreSQL puro, revogue também do papel com que a aplicação conecta, ou não deixe que ele seja dono da tabela. Deixe a remoção, como a compactação depois de um snapshot, numa função SECURITY DEFINER de um papel privilegiado. Um trigger BEFORE UPDATE OR DELETE que lança erro também resolve. A correção rápida acrescenta REVOKE UPDATE, DELETE … FROM PUBLIC logo depois do CREATE TABLE, e também de anon e authenticated quando o workspace já cita esses dois papéis (um REVOKE que cita um papel inexistente falha).',
      fixes: { revokeWrites: 'Revogar UPDATE, DELETE em {table} de {roles}' },
    },
  },
  examples: {
    invalid: [
      {
        code: [
          'create table public.events (',
          '  id bigserial primary key,',
          '  aggregate_id uuid not null,',
          '  event_type text not null,',
          '  payload jsonb not null,',
          '  created_at timestamptz not null default now()',
          ');',
        ].join('\n'),
        fixed: [
          'create table public.events (',
          '  id bigserial primary key,',
          '  aggregate_id uuid not null,',
          '  event_type text not null,',
          '  payload jsonb not null,',
          '  created_at timestamptz not null default now()',
          ');',
          'revoke update, delete on public.events from public;',
        ].join('\n'),
      },
      {
        code: 'CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, actor uuid, action text NOT NULL, at timestamptz NOT NULL DEFAULT now()); -- trilha de auditoria',
        fixed:
          'CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, actor uuid, action text NOT NULL, at timestamptz NOT NULL DEFAULT now()); -- trilha de auditoria\nREVOKE UPDATE, DELETE ON audit_log FROM PUBLIC, anon, authenticated;',
        schema: [
          'do $$ begin create role anon; exception when duplicate_object then null; end $$;',
          'do $$ begin create role authenticated; exception when duplicate_object then null; end $$;',
          'grant usage on schema public to anon, authenticated;',
        ].join('\n'),
      },
    ],
    valid: [
      'create table public.order_events (id bigserial primary key, order_id uuid not null, payload jsonb not null);\nrevoke update, delete on public.order_events from public, anon, authenticated;',
      'create table public.events (id bigserial primary key, title text not null, starts_at timestamptz, ends_at timestamptz);',
      'create table public.event_types (id int primary key, name text not null);',
      [
        'create table billing_events (id bigserial primary key, payload jsonb not null);',
        'revoke all on billing_events from anon, authenticated;',
        'grant select, insert on billing_events to authenticated;',
      ].join('\n'),
    ],
  },
  check(context) {
    const tables = context.names('appendOnlyTables');
    const exceptions = context.names('mutableEventTables');
    const mutableColumns = context.names('mutableRowColumns');
    for (const statement of context.sql.statements) {
      // Schema DDL of .sql files only: a CREATE TABLE in a function body or a string is not the schema.
      if (statement.kind !== 'CreateStmt' || statement.container || statement.origin !== 'file') continue;
      // Temporary tables live in one session; partitions follow their parent, which is checked itself.
      const create = statement.bodyOf('CreateStmt')!;
      const relation = create.relation;
      if (relation?.relpersistence === 't' || create.partbound) continue;
      const name = relationName(relation);
      const bare = baseName(name);
      if (!matchesAnyExactly(bare, tables) || matchesAnyExactly(bare, exceptions) || /^(pg_[^.]*|information_schema)\./.test(name)) continue;
      // The table as the whole workspace leaves it: gone or renamed later means nothing to say here.
      const table = context.schema.table(name);
      if (!table || table.isMaterializedView || appendOnly(context.schema, table)) continue;
      if ([...table.columns.keys()].some((column) => matchesAnyExactly(column, mutableColumns))) continue;
      const range = nameRange(statement, relation);
      const written = statement.source.text.slice(range.start, range.end);
      context.report({
        start: statement.start,
        end: statement.source.toDocument(range.end),
        anchor: statement.start,
        data: { table: written },
        fixes: revokeFix(context, statement, written),
      });
    }
  },
});

// Append-only when some role (PUBLIC, a Supabase role, the application's role) has lost both UPDATE and
// DELETE, or when BEFORE triggers intercept both (a guard that raises). Which roles matter depends on
// the deployment, which the workspace does not show; any deliberate revocation of both is respected.
function appendOnly(schema: SchemaModel, table: TableInfo): boolean {
  for (const role of table.revoked.keys()) {
    if (schema.isRevoked(table, 'update', role) && schema.isRevoked(table, 'delete', role)) return true;
  }
  return !!table.beforeTriggers?.has('update') && table.beforeTriggers.has('delete');
}

// REVOKE … FROM a role that does not exist fails, so anon and authenticated are named only when the
// workspace already names both (grants, policies): then they exist wherever these migrations run.
function revokeFix(context: RuleContext, statement: SqlStatement, table: string): Array<FixProposal<'revokeWrites'>> {
  const supabase = SUPABASE_ROLES.every((role) => context.schema.roles.has(role));
  const roles = [keywordCase(statement, 'public'), ...(supabase ? SUPABASE_ROLES : [])].join(', ');
  const sql = `${keywordCase(statement, 'revoke update, delete on')} ${table} ${keywordCase(statement, 'from')} ${roles}`;
  const edit = statementAfter(context.text, statement, sql);
  return edit ? [{ key: 'revokeWrites', data: { roles }, edits: [edit] }] : [];
}
