import { walk, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import type { DbOperation } from '../languages/typescript/operations/operation';
import { defineRule, type FixProposal, type RuleContext } from '../core/rule';
import type { SchemaModel } from '../schema/model';
import { quoteIdentifier } from './sql/identifiers';
import { lockingSelects, neverWaits, selectTail, strengthOf, type SelectTail } from './sql/row-locks';
import { conjuncts, keyCandidates, pinnedTables, scopeOf, tableOfColumn, type Scope, type TableRef } from './sql/row-scope';
import { SqlEdits } from './sql/sql-edits';
import { embeddedOfStatement } from './typescript/ts-effects';

const RANGE_OPERATORS = new Set(['<', '<=', '>', '>=']);

// A locking clause: FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE.
const LOCKING_WORDS = /\bfor\s+(no\s+key\s+update|update|share|key\s+share)\b/i;
export default defineRule({
  id: 'require-lock-order',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  fix: 'safe',
  skill: { name: 'postgres-isolamento-concorrencia', section: 'REQ ISOLAMENTO-03 (a); anti-pattern 3' },
  sources: ['PostgreSQL documentation, Explicit Locking: row-level locks and deadlocks'],
  text: {
    en: {
      message:
        '{lock} on {table} can lock several rows ({reason}) and has no ORDER BY. Two transactions that lock the same rows in different orders deadlock; order by the primary key so that every transaction takes the locks in the same order.',
      summary: 'A SELECT … FOR UPDATE/SHARE that can lock several rows must order them by primary key.',
      rationale:
        'A locking SELECT takes its row locks one at a time, in whatever order the plan returns the rows: the physical order of a sequential scan, the order of an index, the order the planner gives an IN list. Two transactions that need overlapping rows (a transfer from A to B running next to one from B to A, two workers claiming overlapping batches) can each end up holding one row while waiting for a row the other holds. PostgreSQL breaks the cycle after deadlock_timeout by aborting one of them with SQLSTATE 40P01; under load this surfaces as sporadic, hard-to-reproduce failures.',
      remedy:
        "Write ORDER BY on the primary key before the locking clause (and before LIMIT): the rows are then sorted before they are locked, so every transaction acquires them in one global order. Alternatively lock the rows one statement at a time in a fixed order (the smaller id first), or claim queue rows with SKIP LOCKED, which never waits. Not reported: lookups that pin a single row by primary or unique key, however the value is written ($1, sqlc.arg(id), sqlc.narg(id), @id, a psql :id, a PL/pgSQL variable or parameter; when the table is unknown to the schema model, an equality on a column named id counts as one), LIMIT 1, SKIP LOCKED and NOWAIT (which fail or skip instead of waiting, so they cannot deadlock), and query-builder calls with a condition Armadilha cannot read (a callback, a raw fragment, an OR), which may pin one row. The fix is marked safe when the schema model gives the primary key; when the table is unknown and the statement uses its id column, ORDER BY id is offered without being marked safe. In a query-builder call the order is written in the library's own terms, before the lock (.orderBy('id') in Knex and Kysely, .orderBy(accounts.id) in Drizzle).",
      fixes: { addOrderBy: 'Add ORDER BY {columns}', libraryOrderBy: 'Lock in {columns} order: {code}' },
      variants: {
        join: 'it joins several tables',
        noWhere: 'it has no WHERE clause',
        inList: 'an IN list',
        inSubquery: 'an IN subquery',
        anyArray: '= ANY over an array',
        range: 'a range condition',
        nonKey: 'its WHERE clause does not pin one row by primary key',
      },
    },
    'pt-BR': {
      message:
        '{lock} em {table} pode travar várias linhas ({reason}) e não tem ORDER BY. Duas transações que travam as mesmas linhas em ordens diferentes entram em deadlock; ordene pela chave primária para que todas as transações peguem os locks na mesma ordem.',
      summary: 'Um SELECT … FOR UPDATE/SHARE que pode travar várias linhas precisa ordená-las pela chave primária.',
      rationale:
        'Um SELECT com lock pega os locks de linha um de cada vez, na ordem em que o plano devolve as linhas: a ordem física de um seq scan, a ordem de um índice, a ordem que o planejador dá a uma lista IN. Duas transações que precisam de linhas em comum (uma transferência de A para B ao lado de outra de B para A, dois workers pegando lotes que se sobrepõem) podem acabar cada uma segurando uma linha e esperando pela que a outra segura. O PostgreSQL quebra o ciclo depois do deadlock_timeout abortando uma delas com SQLSTATE 40P01; sob carga isso aparece como falhas esporádicas e difíceis de reproduzir.',
      remedy:
        "Escreva ORDER BY pela chave primária antes da cláusula de lock (e antes do LIMIT): as linhas são ordenadas antes de serem travadas, e toda transação as adquire numa única ordem global. Outra saída é travar as linhas uma por comando, numa ordem fixa (o menor id primeiro), ou pegar linhas de fila com SKIP LOCKED, que nunca espera. Não são reportados: buscas que fixam uma única linha pela chave primária ou única, seja qual for a forma do valor ($1, sqlc.arg(id), sqlc.narg(id), @id, um :id do psql, uma variável ou parâmetro de PL/pgSQL; quando o modelo de schema não conhece a tabela, uma igualdade numa coluna chamada id conta como tal), LIMIT 1, SKIP LOCKED e NOWAIT (que pulam ou falham em vez de esperar, e por isso não entram em deadlock), e chamadas de query builder com uma condição que o Armadilha não consegue ler (um callback, um fragmento raw, um OR), que podem fixar uma única linha. A correção é marcada como segura quando o modelo de schema informa a chave primária; quando a tabela é desconhecida e o comando usa a coluna id dela, ORDER BY id é oferecido sem ser marcado como seguro. Numa chamada de query builder a ordem é escrita nos termos da própria biblioteca, antes do lock (.orderBy('id') no Knex e no Kysely, .orderBy(accounts.id) no Drizzle).",
      fixes: { addOrderBy: 'Adicionar ORDER BY {columns}', libraryOrderBy: 'Travar na ordem de {columns}: {code}' },
      variants: {
        join: 'junta várias tabelas',
        noWhere: 'não tem cláusula WHERE',
        inList: 'uma lista IN',
        inSubquery: 'uma subconsulta IN',
        anyArray: '= ANY sobre um array',
        range: 'uma condição de intervalo',
        nonKey: 'o WHERE não fixa uma linha pela chave primária',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: 'select * from public.accounts where id in (1, 2) for update;',
        fixed: 'select * from public.accounts where id in (1, 2) order by id for update;',
        schema: 'create table public.accounts (id bigint primary key, balance numeric not null);',
      },
      {
        code: "SELECT j.id FROM jobs AS j WHERE j.status = 'ready' LIMIT 10 FOR UPDATE;",
        fixed: "SELECT j.id FROM jobs AS j WHERE j.status = 'ready' ORDER BY j.id LIMIT 10 FOR UPDATE;",
        schema: 'create table jobs (id bigint primary key, status text not null);',
      },
      {
        code: [
          'create function public.settle(p_ids bigint[]) returns void language plpgsql as $$',
          'declare',
          '  r record;',
          'begin',
          '  for r in select * from public.invoices where id = any(p_ids) for no key update loop',
          "    update public.invoices set status = 'settled' where id = r.id;",
          '  end loop;',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.settle(p_ids bigint[]) returns void language plpgsql as $$',
          'declare',
          '  r record;',
          'begin',
          '  for r in select * from public.invoices where id = any(p_ids) order by id for no key update loop',
          "    update public.invoices set status = 'settled' where id = r.id;",
          '  end loop;',
          'end $$;',
        ].join('\n'),
        schema: 'create table public.invoices (id bigint primary key, status text not null);',
      },
    ],
    valid: [
      {
        code: 'select balance from public.accounts where id = 1 for update;',
        schema: 'create table public.accounts (id bigint primary key, balance numeric);',
      },
      {
        code: '-- name: LockAccount :one\nselect balance from public.accounts where id = sqlc.arg(id) for update;\nselect balance from public.accounts where id = @id for update;',
        schema: 'create table public.accounts (id bigint primary key, balance numeric);',
      },
      'select * from public.accounts where id = least(1, 2) for update;\nselect * from public.accounts where id = greatest(1, 2) for update;',
      'select * from public.accounts where id in (1, 2) order by id for update;',
      "select id from jobs where status = 'ready' order by id limit 10 for update skip locked;",
      "select id from jobs where status = 'ready' limit 10 for update skip locked;",
      'select * from public.accounts where id in (1, 2) for update nowait;',
      "select id from jobs where status = 'ready' limit 1 for update;",
    ],
  },
  check(context) {
    for (const statement of context.sql.statements) {
      if (!statement.matches(LOCKING_WORDS)) continue;
      for (const { select, clauses } of lockingSelects(statement)) {
        if (select.sortClause?.length || neverWaits(clauses) || isLimitOne(select)) continue;
        const scope = scopeOf(statement, select.fromClause, context.schema);
        const lockedNames = clauses.some((clause) => !clause.lockedRels?.length)
          ? undefined
          : new Set<string>(clauses.flatMap((clause) => (clause.lockedRels ?? []).map((rel) => String(rel.RangeVar?.relname))));
        const locked = scope.tables.filter((table) => !lockedNames || lockedNames.has(table.reference));
        const pinned = pinnedTables(scope, select.whereClause, context.schema);
        const loose = locked.filter((table) => !pinned.has(table));
        if (!loose.length) continue;
        const libraryCall = operation(context, statement);
        // A library call with a condition its reader could not read (a callback, a raw fragment, an OR) may pin one row.
        if (libraryCall?.where.some((condition) => condition.operator === 'other')) continue;
        const tail = selectTail(statement, select);
        const range = tail
          ? { start: statement.source.toDocument(tail.lock.start), end: statement.source.toDocument(tail.lock.end) }
          : { start: statement.start, end: statement.end };
        context.report({
          ...range,
          anchor: statement.start,
          data: { lock: strengthOf(clauses), table: loose[0].name },
          variants: { reason: reasonOf(select, scope) },
          fixes: libraryCall
            ? libraryOrderByFix(libraryCall, select, scope, locked, context.schema)
            : tail
              ? orderByFix(statement, select, scope, locked, tail, context.schema)
              : [],
        });
      }
    }
  },
});

function isLimitOne(select: NodeFields<'SelectStmt'>): boolean {
  return select.limitCount?.A_Const?.ival?.ival === 1;
}

function reasonOf(select: NodeFields<'SelectStmt'>, scope: Scope): 'join' | 'range' | 'noWhere' | 'inList' | 'inSubquery' | 'anyArray' | 'nonKey' {
  if (scope.tables.length > 1) return 'join';
  if (!select.whereClause) return 'noWhere';
  const kinds = conjuncts(select.whereClause).map((conjunct) => conjunct.A_Expr);
  if (kinds.some((expression) => expression?.kind === 'AEXPR_IN')) return 'inList';
  if (conjuncts(select.whereClause).some((conjunct) => conjunct.SubLink?.subLinkType === 'ANY_SUBLINK')) return 'inSubquery';
  if (kinds.some((expression) => expression?.kind === 'AEXPR_OP_ANY')) return 'anyArray';
  const isRange = (expression: NodeFields<'A_Expr'> | undefined) =>
    expression && (expression.kind === 'AEXPR_BETWEEN' || (expression.kind === 'AEXPR_OP' && RANGE_OPERATORS.has(expression.name?.[0]?.String?.sval ?? '')));
  if (kinds.some(isRange)) return 'range';
  return 'nonKey';
}

// ORDER BY the primary key of every locked table, qualified when the FROM has an alias or a join.
// Safe when the schema model gives every key; for a table it does not know, `id` is used only when
// the statement itself names that column, and the fix is not marked safe.
function orderByFix(
  statement: SqlStatement,
  select: NodeFields<'SelectStmt'>,
  scope: Scope,
  locked: TableRef[],
  tail: SelectTail,
  schema: SchemaModel,
): Array<FixProposal<'addOrderBy' | 'libraryOrderBy'>> {
  const columns: string[] = [];
  let safe = true;
  for (const table of locked) {
    const candidates = keyCandidates(schema, table);
    const primary = table.info?.primaryKey;
    if (primary?.length) columns.push(...primary.map((column) => qualify(scope, table, column)));
    else if (candidates.assumed && usesColumn(select, scope, table, 'id')) {
      columns.push(qualify(scope, table, 'id'));
      safe = false;
    } else return [];
  }
  const clause = `${tail.upperCase ? 'ORDER BY' : 'order by'} ${columns.join(', ')}`;
  const edits = new SqlEdits(statement).insert(tail.insertAt, ` ${clause}`);
  if (!edits.parses()) return [];
  return [{ key: 'addOrderBy', data: { columns: columns.join(', ') }, edits: edits.toDocumentEdits(), safe }];
}

// A library call (knex's .forUpdate(), kysely's, drizzle's .for('update')): the order is written in the
// library's terms (.orderBy('id'), .orderBy(accounts.id)) before the lock. Safe as the SQL fix is.
function libraryOrderByFix(
  call: DbOperation,
  select: NodeFields<'SelectStmt'>,
  scope: Scope,
  locked: TableRef[],
  schema: SchemaModel,
): Array<FixProposal<'addOrderBy' | 'libraryOrderBy'>> {
  const [table] = locked;
  if (locked.length !== 1 || !table) return [];
  const primary = table.info?.primaryKey;
  const assumed = !primary?.length && keyCandidates(schema, table).assumed && usesColumn(select, scope, table, 'id');
  const columns = primary?.length ? primary : assumed ? ['id'] : undefined;
  const fix = columns && call.fixes.orderBy?.(columns);
  return fix ? [{ key: 'libraryOrderBy', data: { columns: columns.join(', '), code: fix.label }, edits: fix.edits, safe: !assumed && fix.keepsResult }] : [];
}

/** The library call a statement was rendered from (`Model.findAll({ lock })`), if any. */
function operation(context: RuleContext, statement: SqlStatement): DbOperation | undefined {
  return context.typescript ? embeddedOfStatement(statement, context.embedded)?.operation : undefined;
}

function qualify(scope: Scope, table: TableRef, column: string): string {
  const qualified = scope.tables.length > 1 || table.alias !== undefined;
  return qualified ? `${quoteIdentifier(table.reference)}.${quoteIdentifier(column)}` : quoteIdentifier(column);
}

function usesColumn(select: NodeFields<'SelectStmt'>, scope: Scope, table: TableRef, column: string): boolean {
  let found = false;
  walk([select.whereClause, ...scope.joinConditions, select.targetList], (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type === 'ColumnRef' && tableOfColumn(scope, visit.node) === table) {
      const fields = visit.node.fields ?? [];
      if (fields[fields.length - 1]?.String?.sval === column) found = true;
    }
    return undefined;
  });
  return found;
}
