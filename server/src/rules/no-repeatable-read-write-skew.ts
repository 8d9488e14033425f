import { findAll, relationName, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type RuleContext } from '../core/rule';
import { lineNumberAt } from './sql/line-numbers';
import { tableReads, type TableRead } from './no-repeatable-read-write-skew.table-reads';

// In a transaction that runs under REPEATABLE READ (BEGIN/SET TRANSACTION, or the session default set
// earlier in the script), a check is a read whose result decides: a count or EXISTS in a script or a
// client's queries, a PL/pgSQL IF on a query, or a PL/pgSQL fetch whose variables (or FOUND) a later IF
// tests. The finding goes on the first later write to the same table that can falsify the check — the
// statement that breaks the invariant, and the one an armadilha-ignore comment would sit above — and
// its message names the line of the check.

const VERBS: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };
// LOCK TABLE modes from SHARE (5) up conflict with the writes of a concurrent transaction.
const SHARE_MODE = 5;

export default defineRule({
  id: 'no-repeatable-read-write-skew',
  severity: 'warning',
  languages: ['sql'],
  skill: {
    name: 'postgres-isolamento-concorrencia',
    section: 'REGRA #4; REGRA #5; REQ ISOLAMENTO-01 (write skew, phantom); REQ ISOLAMENTO-04; anti-pattern 5',
  },
  text: {
    en: {
      message:
        '{verb} on {table} changes what the check on line {line} tested, and REPEATABLE READ does not protect that check: two concurrent transactions can both pass it on their own snapshots and both write, breaking the invariant (write skew). Lock the rows the check reads (FOR UPDATE), declare the invariant as an exclusion constraint, or run the transaction as SERIALIZABLE.',
      summary: 'A REPEATABLE READ transaction that checks rows and then writes them can break its own invariant (write skew).',
      rationale:
        'REPEATABLE READ in PostgreSQL is snapshot isolation: every statement of the transaction sees the database as it was when the transaction took its snapshot. That stops a row from changing between two reads, but not two transactions from deciding on the same outdated picture. Both count two doctors on call, each takes a different doctor off, neither write touches the row the other wrote, and both commit: nobody is on call. The same happens with bookings (both see the room free, both insert an overlapping booking) and balances spread over several rows. Rows inserted by the other transaction are invisible to the snapshot, so re-reading does not help, and neither does an advisory lock taken inside the transaction: the snapshot is already fixed when the lock statement starts.',
      remedy:
        'Pick one of three. Materialise the conflict: read the rows behind the check with SELECT … FOR UPDATE, so a concurrent transaction waits and then fails instead of deciding on stale data (it cannot lock rows that do not exist yet). Declare the conflict: an exclusion constraint (EXCLUDE USING gist, e.g. room with =, time range with &&) or a unique key makes the database reject the second write. Or run the transaction as SERIALIZABLE, which tracks the predicates read and aborts one of the two transactions with SQLSTATE 40001; the caller must retry it.',
    },
    'pt-BR': {
      message:
        '{verb} em {table} muda o que a verificação da linha {line} testou, e o REPEATABLE READ não protege essa verificação: duas transações concorrentes podem passar por ela, cada uma no seu snapshot, e ambas escrever, quebrando a invariante (write skew). Trave as linhas que a verificação lê (FOR UPDATE), declare a invariante como exclusion constraint ou rode a transação como SERIALIZABLE.',
      summary: 'Uma transação REPEATABLE READ que verifica linhas e depois as escreve pode quebrar a própria invariante (write skew).',
      rationale:
        'O REPEATABLE READ do PostgreSQL é snapshot isolation: todo comando da transação vê o banco como estava quando a transação tirou o snapshot. Isso impede que uma linha mude entre duas leituras, mas não impede duas transações de decidirem com base na mesma foto desatualizada. As duas contam dois médicos de plantão, cada uma tira um médico diferente, nenhuma escrita toca a linha que a outra escreveu, e ambas commitam: ninguém fica de plantão. O mesmo acontece com reservas (as duas veem a sala livre e as duas inserem reservas sobrepostas) e com saldos distribuídos em várias linhas. Linhas inseridas pela outra transação são invisíveis ao snapshot, então ler de novo não ajuda, nem um advisory lock pego dentro da transação: o snapshot já está fixado quando o comando do lock começa.',
      remedy:
        'Escolha um de três caminhos. Materializar o conflito: leia as linhas da verificação com SELECT … FOR UPDATE, para que uma transação concorrente espere e depois falhe em vez de decidir com dados velhos (não dá para travar linhas que ainda não existem). Declarar o conflito: uma exclusion constraint (EXCLUDE USING gist, por exemplo sala com =, intervalo de tempo com &&) ou uma chave única faz o banco rejeitar a segunda escrita. Ou rodar a transação como SERIALIZABLE, que acompanha os predicados lidos e aborta uma das duas transações com SQLSTATE 40001; quem chamou precisa repeti-la.',
    },
  },
  examples: {
    invalid: [
      {
        code: [
          'begin isolation level repeatable read;',
          'select count(*) from public.shifts where on_call;',
          "update public.shifts set on_call = false where clinician = 'ana';",
          'commit;',
        ].join('\n'),
        schema: 'create table public.shifts (id bigserial primary key, clinician text not null, on_call boolean not null);',
      },
      {
        code: [
          'begin isolation level repeatable read;',
          'do $$',
          'begin',
          "  if exists (select 1 from public.reservations where room = 'b-204' and slot && tstzrange('2025-03-10 14:00', '2025-03-10 15:00')) then",
          "    raise exception 'room taken';",
          '  end if;',
          "  insert into public.reservations (room, slot) values ('b-204', tstzrange('2025-03-10 14:00', '2025-03-10 15:00'));",
          'end $$;',
          'commit;',
        ].join('\n'),
        schema: 'create table public.reservations (id bigserial primary key, room text not null, slot tstzrange not null);',
      },
      {
        language: 'ts',
        code: [
          "import type { PoolClient } from 'pg';",
          '',
          'export async function leaveOnCall(client: PoolClient, clinicianId: number) {',
          "  await client.query('begin isolation level repeatable read');",
          "  const { rows } = await client.query('select count(*)::int as n from shifts where on_call');",
          "  if (rows[0].n < 2) throw new Error('last clinician on call');",
          "  await client.query('update shifts set on_call = false where id = $1', [clinicianId]);",
          "  await client.query('commit');",
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      [
        'begin isolation level serializable;',
        'select count(*) from public.shifts where on_call;',
        "update public.shifts set on_call = false where clinician = 'ana';",
        'commit;',
      ].join('\n'),
      [
        'begin isolation level repeatable read;',
        'select id from public.shifts where on_call for update;',
        "update public.shifts set on_call = false where clinician = 'ana';",
        'commit;',
      ].join('\n'),
      {
        code: [
          'begin isolation level repeatable read;',
          "select count(*) from public.reservations where room = 'b-204' and slot && tstzrange('2025-03-10 14:00', '2025-03-10 15:00');",
          "insert into public.reservations (room, slot) values ('b-204', tstzrange('2025-03-10 14:00', '2025-03-10 15:00'));",
          'commit;',
        ].join('\n'),
        schema:
          'create table public.reservations (id bigserial primary key, room text not null, slot tstzrange not null, exclude using gist (room with =, slot with &&));',
      },
      ['begin isolation level repeatable read;', 'select count(*) from public.orders;', 'select sum(total) from public.orders;', 'commit;'].join('\n'),
    ],
  },
  check(context) {
    const reported = new Set<SqlStatement>();
    for (const unit of context.sql.transactions) {
      if (unit.isolation !== 'repeatable read') continue;
      const statements = unit.statements;
      const reads = statements.map(tableReads);
      statements.forEach((statement, index) => {
        for (const read of reads[index]) {
          if (!read.use || read.locked || declaredInvariant(context, read) || lockedTableBefore(statements, index, read)) continue;
          const decision = decisionOf(statements, index);
          if (!decision) continue;
          const writeIndex = statements.findIndex(
            (candidate, position) => position > decision.index && breaks(candidate, read, decision, requiredRows(context.text, decision, position)),
          );
          if (writeIndex < 0) continue;
          const write = statements[writeIndex];
          if (reported.has(write) || rowsLockedBefore(reads, writeIndex, read)) continue;
          reported.add(write);
          const relation = writtenRelation(write);
          context.report({
            start: write.start,
            end: write.rangeOf(relation).end,
            anchor: write.start,
            data: { verb: VERBS[write.kind], table: relationName(relation), line: lineNumberAt(context, statement.start) },
          });
        }
      });
    }
  },
});

/** Where the code decides on the result of a read, and the variables (with FOUND) that carry it there. */
interface Decision {
  /** Index of the deciding statement: the read itself, or the PL/pgSQL condition that tests it. */
  index: number;
  condition: SqlStatement | undefined;
  /** Lower-case INTO targets of a PL/pgSQL fetch, and "found". */
  variables: Set<string>;
}

// A script's count or EXISTS decides in the application; a PL/pgSQL condition decides itself; a
// PL/pgSQL fetch decides when a later IF/WHILE/EXIT WHEN tests its variables (or FOUND, right away).
function decisionOf(statements: SqlStatement[], index: number): Decision | undefined {
  const statement = statements[index];
  const kind = statement.plpgsql?.kind;
  if (!kind) return { index, condition: undefined, variables: new Set() };
  if (kind === 'condition') return { index, condition: statement, variables: new Set() };
  const variables = new Set([...(statement.plpgsql?.targets ?? []), 'found']);
  for (let position = index + 1; position < statements.length; position++) {
    const candidate = statements[position];
    // FOUND describes the last SQL statement that ran; conditions do not change it.
    if (candidate.plpgsql?.kind !== 'condition') variables.delete('found');
    else if (referencesAny(candidate, variables)) return { index: position, condition: candidate, variables };
  }
  return undefined;
}

/**
 * What the code needs for the write to run: matching rows ('rows': IF NOT FOUND THEN RAISE …; IF EXISTS
 * (…) THEN <write>) or none ('none': IF EXISTS (…) THEN RAISE …; IF NOT EXISTS (…) THEN <write>).
 * Undefined when the condition is not a plain existence test, or the write's branch is unclear.
 */
function requiredRows(text: string, decision: Decision, writeIndex: number): 'rows' | 'none' | undefined {
  const condition = decision.condition;
  // A PL/pgSQL condition is parsed as `select <condition>`.
  let expression = condition?.bodyOf('SelectStmt')?.targetList?.[0]?.ResTarget?.val;
  let negated = false;
  if (expression?.BoolExpr?.boolop === 'NOT_EXPR') {
    negated = true;
    expression = expression.BoolExpr.args?.[0];
  }
  if (expression?.NullTest) {
    if (expression.NullTest.nulltesttype === 'IS_NULL') negated = !negated;
    expression = expression.NullTest.arg;
  }
  const tested =
    expression?.SubLink?.subLinkType === 'EXISTS_SUBLINK' ||
    expression?.SubLink?.subLinkType === 'EXPR_SUBLINK' ||
    decision.variables.has(String(expression?.ColumnRef?.fields?.[0]?.String?.sval ?? '').toLowerCase());
  if (!condition || !tested) return undefined;
  // The THEN branch leaves (the write comes after END IF), or holds the write as its first statement.
  const leaves = /^\s*then\s+(raise|return|exit|continue)\b/i.test(text.slice(condition.end, condition.end + 200));
  if (!leaves && writeIndex !== decision.index + 1) return undefined;
  return !negated !== leaves ? 'rows' : 'none';
}

// A constraint the database enforces on every write: an exclusion constraint on the table, or a
// unique key whose columns the check pins with `=` (both writers then collide on the same key).
function declaredInvariant(context: RuleContext, read: TableRead): boolean {
  const table = context.schema.table(read.table);
  if (table?.hasExclusion) return true;
  if (!table) return read.equalities.has('id');
  return context.schema.keysOf(table).some((key) => key.length > 0 && key.every((column) => read.equalities.has(column)));
}

/**
 * A write that can falsify the check: an insert where the code needed no matching rows, a delete where
 * it needed some, an update of a column the check tested. An update or delete of the very rows the
 * check fetched (its WHERE uses the fetched variables) is not: under REPEATABLE READ the second
 * transaction to write a row aborts.
 */
function breaks(statement: SqlStatement, read: TableRead, decision: Decision, required: 'rows' | 'none' | undefined): boolean {
  if (!VERBS[statement.kind] || !sameTable(writtenRelation(statement), read.relation)) return false;
  const targets = new Set([...decision.variables].filter((name) => name !== 'found'));
  const where = statement.bodyOf('UpdateStmt', 'DeleteStmt')?.whereClause;
  if (targets.size && where && referencesAny({ node: where }, targets)) return false;
  switch (statement.kind) {
    case 'InsertStmt':
      return required !== 'rows';
    case 'DeleteStmt':
      return required !== 'none';
    case 'UpdateStmt':
      return (statement.bodyOf('UpdateStmt')?.targetList ?? []).some((target) => read.columns.has(target.ResTarget?.name ?? ''));
    default:
      return true;
  }
}

// LOCK TABLE … IN SHARE MODE or stronger, taken before the check: concurrent writers queue behind it.
function lockedTableBefore(statements: SqlStatement[], index: number, read: TableRead): boolean {
  return statements.slice(0, index).some((statement) => {
    const lock = statement.bodyOf('LockStmt');
    return !!lock && (lock.mode ?? 0) >= SHARE_MODE && (lock.relations ?? []).some((relation) => sameTable(relation.RangeVar, read.relation));
  });
}

/** The table an INSERT, UPDATE, DELETE or MERGE (the VERBS) writes. */
function writtenRelation(write: SqlStatement): NodeFields<'RangeVar'> | undefined {
  return write.bodyOf('InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt')?.relation;
}

// Rows of the table read FOR UPDATE / FOR SHARE before the write (by the check or another statement):
// a concurrent transaction doing the same waits, then fails on the changed rows.
function rowsLockedBefore(reads: TableRead[][], writeIndex: number, read: TableRead): boolean {
  return reads.slice(0, writeIndex).some((each) => each.some((other) => other.locked && sameTable(other.relation, read.relation)));
}

// `v_count < 2`, `v_row.status = 'free'`, `not found`: the variable is the first part of a column reference.
function referencesAny(statement: Pick<SqlStatement, 'node'>, names: Set<string>): boolean {
  return findAll(statement.node, 'ColumnRef').some((visit) => names.has(String(visit.node.fields?.[0]?.String?.sval ?? '').toLowerCase()));
}

function sameTable(left: NodeFields<'RangeVar'> | undefined, right: NodeFields<'RangeVar'> | undefined): boolean {
  if (!left || !right || left.relname !== right.relname) return false;
  return !left.schemaname || !right.schemaname || left.schemaname === right.schemaname;
}
