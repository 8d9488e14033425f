import { relationName, walk, type AstNode, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type RuleContext } from '../core/rule';
import { columnRefs, conjuncts, operatorOf, walkStatement } from './sql/expressions';
import { baseName, matchesAny, matchesAnyExactly, statementMentions } from '../core/names';

const ORDER_BY = /\border\s+by\b/i;

export default defineRule({
  id: 'prefer-snapshot-replay',
  severity: 'info',
  languages: ['sql'],
  reads: 'transaction',
  skill: { name: 'streams-eventos-cdc', section: 'REGRA #6; REQ STREAMS-06 (snapshots and log compaction); anti-pattern 5' },
  settings: [
    {
      key: 'eventStoreTables',
      default: ['events', '*_events', '*event_store*', '*eventstore*', '*event_log'],
      description: {
        en: 'Table names (globs with *, matched as whole names) of event-sourcing stores whose history is replayed per aggregate.',
        'pt-BR': 'Nomes de tabelas (globs com *, comparados com o nome inteiro) de stores de event sourcing cujo histórico é reproduzido por agregado.',
      },
    },
    {
      key: 'aggregateColumns',
      default: ['aggregate_id', 'aggregate_uuid', 'aggregate_key', 'stream_id', 'entity_id'],
      description: {
        en: 'Column names (globs with *, matched as whole names) that identify the aggregate an event belongs to.',
        'pt-BR': 'Nomes de colunas (globs com *, comparados com o nome inteiro) que identificam o agregado a que um evento pertence.',
      },
    },
    {
      key: 'eventOrderColumns',
      default: ['id', 'seq', '*_seq', 'sequence*', '*_sequence', 'version', '*_version', 'position', 'global_position', 'event_id'],
      description: {
        en: "Column names (globs with *, matched as whole names) that order an aggregate's events; a replay sorts by one of them.",
        'pt-BR': 'Nomes de colunas (globs com *, comparados com o nome inteiro) que ordenam os eventos de um agregado; um replay ordena por uma delas.',
      },
    },
    {
      key: 'snapshotTables',
      default: ['*snapshot*'],
      description: {
        en: 'Table names (globs with *) of snapshot tables; the rule only runs when the workspace schema has one.',
        'pt-BR': 'Nomes de tabelas (globs com *) de tabelas de snapshot; a regra só roda quando o schema do workspace tem uma.',
      },
    },
  ],
  text: {
    en: {
      message:
        "This query replays every event of one aggregate from {table} (ordered by {order}, with no lower bound), although the workspace has a snapshot table, {snapshots}. Load the aggregate's latest snapshot and read only the events after its position ({order} > the snapshot's position).",
      summary: 'With snapshots available, rebuild an aggregate from its latest snapshot, not from its first event.',
      rationale:
        "In event sourcing the current state of an aggregate is a fold over its events. Replaying them all costs time and memory proportional to the aggregate's age: an order or account with a long history gets slower to load with every event, and the event table can never be compacted. Snapshots exist to cut that cost: they store the folded state up to a known event position, so only the few events after it need to be applied.",
      remedy:
        'Load the latest snapshot of the aggregate (its state and the event position it reflects) and replay only later events: … where aggregate_id = $1 and id > (select snapshot_position from snapshots where aggregate_id = $1) order by id. Take a new snapshot every N events, and compact events older than the snapshot when the retention rules allow. Not reported: replays with any lower bound on the event table (a snapshot position, a checkpoint, a time range), reads of the latest events (DESC, LIMIT), replays in a routine or transaction that also reads the snapshot table (a fallback for aggregates without a snapshot, or the code that takes one), and workspaces without a snapshot table.',
    },
    'pt-BR': {
      message:
        'Esta consulta reproduz todos os eventos de um agregado a partir de {table} (ordenados por {order}, sem limite inferior), embora o workspace tenha uma tabela de snapshots, {snapshots}. Carregue o snapshot mais recente do agregado e leia só os eventos depois da posição dele ({order} > a posição do snapshot).',
      summary: 'Com snapshots disponíveis, reconstrua um agregado a partir do último snapshot, não do primeiro evento.',
      rationale:
        'Em event sourcing o estado atual de um agregado é um fold sobre seus eventos. Reproduzir todos custa tempo e memória proporcionais à idade do agregado: um pedido ou uma conta com histórico longo fica mais lento de carregar a cada evento, e a tabela de eventos nunca pode ser compactada. Snapshots existem para cortar esse custo: guardam o estado acumulado até uma posição conhecida de evento, então só os poucos eventos posteriores precisam ser aplicados.',
      remedy:
        'Carregue o snapshot mais recente do agregado (o estado e a posição de evento que ele reflete) e reproduza só os eventos seguintes: … where aggregate_id = $1 and id > (select snapshot_position from snapshots where aggregate_id = $1) order by id. Tire um novo snapshot a cada N eventos e compacte os eventos anteriores ao snapshot quando as regras de retenção permitirem. Não são reportados: replays com qualquer limite inferior na tabela de eventos (uma posição de snapshot, um checkpoint, um intervalo de tempo), leituras dos eventos mais recentes (DESC, LIMIT), replays numa rotina ou transação que também lê a tabela de snapshots (o caminho para agregados ainda sem snapshot, ou o código que tira o snapshot), e workspaces sem tabela de snapshots.',
    },
  },
  examples: {
    invalid: [
      {
        code: 'select event_type, payload from public.events where aggregate_id = $1 order by id;',
        schema: [
          'create table public.events (id bigserial primary key, aggregate_id uuid not null, event_type text not null, payload jsonb not null);',
          'create table public.snapshots (aggregate_id uuid primary key, snapshot_position bigint not null, state jsonb not null);',
        ].join('\n'),
      },
    ],
    valid: [
      {
        code: 'select event_type, payload from public.events where aggregate_id = $1 and id > (select snapshot_position from public.snapshots where aggregate_id = $1) order by id;',
        schema: 'create table public.snapshots (aggregate_id uuid primary key, snapshot_position bigint not null, state jsonb not null);',
      },
      'select event_type, payload from public.events where aggregate_id = $1 order by id;',
      {
        code: 'select * from public.events where aggregate_id = $1 order by id desc limit 1;',
        schema: 'create table public.snapshots (aggregate_id uuid primary key, snapshot_position bigint not null, state jsonb not null);',
      },
    ],
  },
  check(context) {
    // Looked up once a statement could be a replay: the lookup reads every table of the workspace, and
    // a document that does not read the schema needs no new analysis when the schema changes.
    let snapshots: string | undefined | null = null;
    const eventStores = context.names('eventStoreTables');
    for (const statement of context.sql.statements) {
      // A replay is ordered and names an event store; other statements are not walked (a walk builds
      // the statement's tree).
      if (!statement.matches(ORDER_BY) || !statementMentions(statement, eventStores)) continue;
      if (snapshots === null) snapshots = snapshotTable(context);
      const snapshotsTable = snapshots;
      if (!snapshotsTable) return;
      walkStatement(statement, (visit) => {
        if (visit.type === 'SelectStmt') checkSelect(context, statement, visit.node, snapshotsTable);
      });
    }
  },
});

/** A SELECT … FROM <events> WHERE <aggregate> = … ORDER BY <position> with neither LIMIT nor a lower bound. */
function checkSelect(context: RuleContext, statement: SqlStatement, select: NodeFields<'SelectStmt'>, snapshots: string): void {
  const from = select.fromClause ?? [];
  const rangeVar = from.length === 1 ? from[0].RangeVar : undefined;
  if (!rangeVar || select.limitCount || !matchesAnyExactly(baseName(relationName(rangeVar)), context.names('eventStoreTables'))) return;
  const order = replayOrder(context, select.sortClause);
  if (!order) return;
  const terms = conjuncts(select.whereClause);
  const aggregateColumns = context.names('aggregateColumns');
  if (
    !terms.some(
      (term) => operatorOf(term) === '=' && [term.A_Expr?.lexpr, term.A_Expr?.rexpr].some((side) => matchesAnyExactly(columnOf(side) ?? '', aggregateColumns)),
    )
  )
    return;
  if (hasLowerBound(select.whereClause) || readsSnapshots(context, statement)) return;
  context.report({
    ...statement.rangeOf(rangeVar),
    anchor: statement.start,
    data: { table: relationName(rangeVar), order, snapshots },
  });
}

// A routine or transaction that reads a snapshot table already works with snapshots: its full replay is
// the fallback for an aggregate without one, or the code that takes the snapshot.
function readsSnapshots(context: RuleContext, statement: SqlStatement): boolean {
  const patterns = context.names('snapshotTables');
  return (statement.transaction?.statements ?? [statement]).some((other) => {
    let found = false;
    walkStatement(other, (visit) => {
      if (visit.type === 'RangeVar' && matchesAny(baseName(relationName(visit.node)), patterns)) found = true;
      return !found;
    });
    return found;
  });
}

/** The position column of an ascending ORDER BY (its first key), else undefined. */
function replayOrder(context: RuleContext, sortClause: AstNode[] | undefined): string | undefined {
  const first = sortClause?.[0]?.SortBy;
  if (!first || first.sortby_dir === 'SORTBY_DESC') return undefined;
  const column = columnOf(first.node);
  return column && matchesAnyExactly(column, context.names('eventOrderColumns')) ? column : undefined;
}

// Any column kept above something (id > $2, version >= v_from, seq between …) means the replay does
// not start at the first event: a snapshot position, a checkpoint or a time range.
function hasLowerBound(where: AstNode | undefined): boolean {
  let found = false;
  walk(where, (visit) => {
    if (found || visit.type !== 'A_Expr') return;
    const node = visit.node;
    if (node.kind === 'AEXPR_BETWEEN' || node.kind === 'AEXPR_BETWEEN_SYM') found = !!columnOf(node.lexpr);
    const operator = operatorOf({ A_Expr: node });
    if (operator === '>' || operator === '>=') found = !!columnOf(node.lexpr);
    else if (operator === '<' || operator === '<=') found = !!columnOf(node.rexpr);
  });
  return found;
}

function columnOf(expression: AstNode | undefined): string | undefined {
  if (!expression?.ColumnRef) return undefined;
  const [fields] = columnRefs(expression);
  return fields[fields.length - 1];
}

/** The workspace's snapshot table, preferring one with a column matching aggregateColumns. */
function snapshotTable(context: RuleContext): string | undefined {
  const patterns = context.names('snapshotTables');
  const aggregateColumns = context.names('aggregateColumns');
  const tables = [...context.schema.tables.values()].filter((table) => !table.isMaterializedView && matchesAny(baseName(table.name), patterns));
  const best = tables.find((table) => [...table.columns.keys()].some((column) => matchesAnyExactly(column, aggregateColumns))) ?? tables[0];
  return best?.name;
}
