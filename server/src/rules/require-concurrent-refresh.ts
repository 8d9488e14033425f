import { relationName } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type Edit, type FixProposal, type RuleContext } from '../core/rule';
import type { TableInfo } from '../schema/model';
import { quoteIdentifier } from './sql/identifiers';
import { nameRange, statementAfter, statementBefore, topLevelOf } from './sql/new-statement';
import { keywordCase, SqlEdits } from './sql/sql-edits';

export default defineRule({
  id: 'require-concurrent-refresh',
  severity: 'warning',
  languages: ['sql'],
  fix: 'safe',
  skill: { name: 'streams-eventos-cdc', section: 'REQ STREAMS-03 (projection via materialized view); REQ STREAMS-05 (refresh trade-off); anti-pattern 4' },
  text: {
    en: {
      message:
        'REFRESH MATERIALIZED VIEW {view} without CONCURRENTLY locks the view exclusively: every query that reads it waits until the refresh ends. {next}',
      summary: 'Materialized views that are read while they are refreshed must be refreshed CONCURRENTLY.',
      rationale:
        'A materialized view used as a projection of an event stream is refreshed again and again, by a cron job, a trigger or a function, while dashboards and APIs keep reading it. A plain REFRESH takes an ACCESS EXCLUSIVE lock for its whole run and rebuilds the view from scratch, so every reader queues behind it; on a large view that is minutes of stalled requests, timeouts and retries that pile up on each refresh. REFRESH … CONCURRENTLY builds the new contents aside and applies the difference, and readers keep seeing the previous contents meanwhile.',
      remedy:
        "Write REFRESH MATERIALIZED VIEW CONCURRENTLY. PostgreSQL accepts it only when the view has a unique index on plain columns (no expressions, no WHERE) and has been populated once: give the view such an index on the columns that identify a row (its GROUP BY columns, or the key of the table it selects from), and populate a view created WITH NO DATA with one plain REFRESH first. When the view grows too large to rebuild even concurrently, keep the projection in a table maintained by a trigger on the event table instead. The quick fix that adds CONCURRENTLY is marked safe only when the workspace shows such an index and nothing suggests the view is still unpopulated; otherwise it is offered for review. When the view has no such index but its query proves which columns identify a row, a first fix creates the index (right after the view's CREATE, or before the statement that holds the refresh) and adds CONCURRENTLY.",
      fixes: {
        addConcurrently: 'Refresh CONCURRENTLY',
        addUniqueIndex: 'Add a unique index on {view} ({columns}) and refresh CONCURRENTLY',
      },
      variants: {
        ready: 'Refresh it CONCURRENTLY; the view has the unique index this needs.',
        needsIndex:
          'Refresh it CONCURRENTLY, after giving it a unique index on plain columns: it has none, and PostgreSQL refuses a concurrent refresh without one.',
        unknownView:
          'Refresh it CONCURRENTLY after checking that the view has a unique index on plain columns, which a concurrent refresh requires (its definition is not in the workspace).',
        unpopulated:
          'Refresh it CONCURRENTLY once it has been populated: it is created WITH NO DATA, and PostgreSQL refuses a concurrent refresh of an unpopulated view.',
      },
    },
    'pt-BR': {
      message: 'REFRESH MATERIALIZED VIEW {view} sem CONCURRENTLY trava a view com exclusividade: toda consulta que a lê espera o refresh terminar. {next}',
      summary: 'Views materializadas lidas enquanto são atualizadas devem ser atualizadas com CONCURRENTLY.',
      rationale:
        'Uma view materializada que serve de projeção de um stream de eventos é atualizada de novo e de novo, por um job do cron, um trigger ou uma função, enquanto dashboards e APIs continuam lendo dela. Um REFRESH simples segura um lock ACCESS EXCLUSIVE durante toda a execução e reconstrói a view do zero, então cada leitor entra na fila atrás dele; numa view grande são minutos de requisições paradas, timeouts e retentativas que se acumulam a cada refresh. REFRESH … CONCURRENTLY monta o conteúdo novo à parte e aplica só a diferença, e os leitores continuam vendo o conteúdo anterior enquanto isso.',
      remedy:
        'Escreva REFRESH MATERIALIZED VIEW CONCURRENTLY. O PostgreSQL só aceita isso quando a view tem um índice único sobre colunas simples (sem expressões, sem WHERE) e já foi populada uma vez: dê à view esse índice nas colunas que identificam uma linha (as colunas do GROUP BY, ou a chave da tabela de onde ela seleciona) e popule uma view criada WITH NO DATA com um REFRESH simples antes. Quando a view ficar grande demais até para a reconstrução concorrente, mantenha a projeção numa tabela atualizada por um trigger na tabela de eventos. A correção rápida que acrescenta CONCURRENTLY só é marcada como segura quando o workspace mostra esse índice e nada indica que a view ainda não foi populada; nos outros casos ela fica para revisão. Quando a view não tem esse índice mas a consulta dela prova quais colunas identificam uma linha, uma primeira correção cria o índice (logo depois do CREATE da view, ou antes do comando que contém o refresh) e acrescenta CONCURRENTLY.',
      fixes: {
        addConcurrently: 'Atualizar com CONCURRENTLY',
        addUniqueIndex: 'Criar um índice único em {view} ({columns}) e atualizar com CONCURRENTLY',
      },
      variants: {
        ready: 'Atualize com CONCURRENTLY; a view já tem o índice único necessário.',
        needsIndex:
          'Atualize com CONCURRENTLY depois de dar à view um índice único sobre colunas simples: ela não tem nenhum, e o PostgreSQL recusa o refresh concorrente sem ele.',
        unknownView:
          'Atualize com CONCURRENTLY depois de conferir que a view tem um índice único sobre colunas simples, exigido pelo refresh concorrente (a definição dela não está no workspace).',
        unpopulated:
          'Atualize com CONCURRENTLY depois que ela for populada: ela é criada WITH NO DATA, e o PostgreSQL recusa o refresh concorrente de uma view não populada.',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: 'refresh materialized view public.order_state;',
        fixed: 'refresh materialized view concurrently public.order_state;',
        schema: [
          'create table public.events (id bigserial primary key, aggregate_id uuid not null, payload jsonb not null);',
          'create materialized view public.order_state as select aggregate_id as order_id, count(*) as event_count from public.events group by aggregate_id;',
          'create unique index on public.order_state (order_id);',
        ].join('\n'),
      },
      {
        code: "select cron.schedule('refresh-daily-totals', '*/10 * * * *', 'REFRESH MATERIALIZED VIEW daily_totals');",
        fixed: "select cron.schedule('refresh-daily-totals', '*/10 * * * *', 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals');",
        schema: [
          'create table payments (id bigint primary key, paid_on date not null, amount numeric not null);',
          'create materialized view daily_totals as select paid_on, sum(amount) as total from payments group by paid_on;',
          'create unique index daily_totals_paid_on_key on daily_totals (paid_on);',
        ].join('\n'),
      },
      {
        code: [
          'create function public.refresh_order_state() returns trigger language plpgsql as $$',
          'begin',
          '  refresh materialized view public.order_state;',
          '  return null;',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create unique index on public.order_state (order_id);',
          'create function public.refresh_order_state() returns trigger language plpgsql as $$',
          'begin',
          '  refresh materialized view concurrently public.order_state;',
          '  return null;',
          'end $$;',
        ].join('\n'),
        schema: [
          'create table public.events (id bigserial primary key, aggregate_id uuid not null, payload jsonb not null);',
          'create materialized view public.order_state as select aggregate_id as order_id, count(*) as event_count from public.events group by aggregate_id;',
        ].join('\n'),
      },
    ],
    valid: [
      {
        code: 'refresh materialized view concurrently public.order_state;',
        schema:
          'create table public.events (id bigserial primary key, aggregate_id uuid not null);\ncreate materialized view public.order_state as select aggregate_id as order_id, count(*) as event_count from public.events group by aggregate_id;\ncreate unique index on public.order_state (order_id);',
      },
      'refresh materialized view public.order_state with no data;',
      [
        "create materialized view public.monthly_signups as select date_trunc('month', created_at) as month, count(*) as signups from public.profiles group by 1 with no data;",
        'create unique index on public.monthly_signups (month);',
        '-- first population of a new view: no reader yet, and a view WITH NO DATA cannot be refreshed concurrently',
        'refresh materialized view public.monthly_signups;',
      ].join('\n'),
      "select 'refresh materialized view public.order_state' as hint;",
    ],
  },
  check(context) {
    const created = createdHere(context);
    const indexAnchors = new Map<string, SqlStatement>();
    for (const statement of context.sql.statements) {
      const refresh = statement.bodyOf('RefreshMatViewStmt');
      if (!refresh || refresh.concurrent || refresh.skipData) continue;
      const name = qualified(relationName(refresh.relation));
      const topLevel = !statement.container && statement.origin === 'file';
      // A top-level refresh after the CREATE in the same script populates a new view: nobody reads it yet.
      const creation = created.get(name);
      if (creation && topLevel && creation.start < statement.start) continue;
      const info = context.schema.table(name);
      const view = info?.isMaterializedView ? info : undefined;
      // A view created WITH NO DATA is populated by a top-level refresh (a migration's). When this is the
      // only one, it is that first population, which cannot be concurrent; a later refresh is safe only
      // when another top-level refresh populates the view, and among top-level ones the order is unknown.
      const otherRefreshes = (view?.populatingRefreshes ?? 0) - (topLevel ? 1 : 0);
      if (view?.createdWithNoData && topLevel && otherRefreshes === 0) continue;
      const unpopulated = !!view?.createdWithNoData && (topLevel || otherRefreshes === 0);
      const reason = !view ? 'unknownView' : view.uniqueKeys.length === 0 ? 'needsIndex' : unpopulated ? 'unpopulated' : 'ready';
      const concurrently = concurrentlyEdits(statement);
      const fixes: Array<FixProposal<'addConcurrently' | 'addUniqueIndex'>> = [];
      if (view && reason === 'needsIndex' && concurrently) {
        const anchor = creation ?? indexAnchors.get(name) ?? topLevelOf(statement);
        if (anchor && !creation) indexAnchors.set(name, anchor);
        const index = anchor && indexFix(context, statement, view, anchor, creation !== undefined, concurrently, unpopulated);
        if (index) fixes.push(index);
      }
      if (concurrently) fixes.push({ key: 'addConcurrently', edits: concurrently, safe: reason === 'ready' });
      const nameEnd = statement.source.toDocument(nameRange(statement, refresh.relation).end);
      context.report({
        start: statement.start,
        end: nameEnd,
        anchor: statement.start,
        // As the document shows it: `${view}` in a TypeScript template, not the placeholder parsed.
        data: { view: context.text.slice(statement.offsetOf(refresh.relation), nameEnd) },
        variants: { next: reason },
        fixes,
      });
    }
  },
});

/** Materialized views created by top-level statements of this document, by qualified name. */
function createdHere(context: RuleContext): Map<string, SqlStatement> {
  const created = new Map<string, SqlStatement>();
  for (const statement of context.sql.statements) {
    const create = statement.bodyOf('CreateTableAsStmt');
    if (!create || create.objtype !== 'OBJECT_MATVIEW' || statement.container || statement.origin !== 'file') continue;
    const name = qualified(relationName(create.into?.rel));
    if (!created.has(name)) created.set(name, statement);
  }
  return created;
}

function concurrentlyEdits(statement: SqlStatement): Edit[] | undefined {
  const view = statement.topLevelKeyword('view');
  if (view < 0) return undefined;
  const edits = new SqlEdits(statement).insert(statement.tokens()[view].end, ` ${keywordCase(statement, 'concurrently')}`);
  return edits.parses() ? edits.toDocumentEdits() : undefined;
}

// The index goes right after the view's CREATE when this script has it (where a reader looks for it),
// else before the top-level statement that holds the refresh (the function, the cron.schedule call),
// the same place for every refresh of the view in this document so that fix-all adds it once.
function indexFix(
  context: RuleContext,
  statement: SqlStatement,
  view: TableInfo,
  anchor: SqlStatement,
  afterAnchor: boolean,
  concurrently: Edit[],
  unpopulated: boolean,
): FixProposal<'addUniqueIndex'> | undefined {
  if (!view.viewKey || view.viewKey.length === 0) return undefined;
  const columns = view.viewKey.map(quoteIdentifier).join(', ');
  const sql = `${keywordCase(statement, 'create unique index on')} ${viewText(statement)} (${columns})`;
  const edit = afterAnchor ? statementAfter(context.text, anchor, sql) : statementBefore(context.text, anchor, sql);
  // A view that may still be unpopulated when the refresh first runs would make the concurrent one fail.
  return edit && { key: 'addUniqueIndex', data: { columns }, edits: [edit, ...concurrently], safe: !unpopulated };
}

/** The view's name as the refresh writes it. */
function viewText(statement: SqlStatement): string {
  // A REFRESH MATERIALIZED VIEW.
  const range = nameRange(statement, statement.bodyOf('RefreshMatViewStmt')?.relation);
  return statement.source.text.slice(range.start, range.end);
}

function qualified(name: string): string {
  return name.includes('.') ? name : `public.${name}`;
}
