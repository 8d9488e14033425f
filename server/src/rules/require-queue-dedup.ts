import { functionName, relationName, type AstNode, type NodeFields } from '../languages/sql/ast';
import { caughtBy } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import type { TransactionUnit } from '../languages/sql/transactions';
import { defineRule, type RuleContext } from '../core/rule';
import { columnRefs, conjuncts, expressionText, operatorOf, sameExpression, stringConstant, walkStatement } from './sql/expressions';
import { baseName, matchesAny } from '../core/names';
import { queueReads } from './sql/queues';

type Write = ({ verb: 'INSERT'; node: NodeFields<'InsertStmt'> } | { verb: 'UPDATE'; node: NodeFields<'UpdateStmt'> }) & {
  table: string;
  statement: SqlStatement;
};

export default defineRule({
  id: 'require-queue-dedup',
  severity: 'warning',
  defers: ['require-on-conflict'],
  languages: ['sql'],
  reads: 'transaction',
  skill: { name: 'streams-eventos-cdc', section: 'REGRA #4; REQ STREAMS-04 (exactly-once with pgmq); anti-pattern 2' },
  settings: [
    {
      key: 'dedupTables',
      default: ['*dedup*', '*idempot*', 'processed_*', '*_processed_*', '*inbox*'],
      description: {
        en: "Table names (globs with *) that record processed messages; an insert into one counts as the consumer's dedup step.",
        'pt-BR':
          'Nomes de tabelas (globs com *) que registram mensagens já processadas; um insert numa delas conta como a etapa de deduplicação do consumidor.',
      },
    },
    {
      key: 'deliveryCountColumns',
      default: ['*attempt*', '*retries*', '*retry_count*', 'read_ct', '*deliver*'],
      description: {
        en: 'Column names (globs with *) that count deliveries or attempts; an UPDATE that only sets them is bookkeeping meant to run on every delivery, not a write to deduplicate.',
        'pt-BR':
          'Nomes de colunas (globs com *) que contam entregas ou tentativas; um UPDATE que só altera essas colunas é um controle feito para rodar a cada entrega, não uma escrita a deduplicar.',
      },
    },
    {
      key: 'dedupKeyColumns',
      default: ['*event_id*', '*message_id*', '*msg_id*', '*idempotency_key*', '*dedup_key*'],
      description: {
        en: 'Column names (globs with *) that identify a message or event; an insert into a table whose primary key or unique key contains one counts as a dedup step.',
        'pt-BR':
          'Nomes de colunas (globs com *) que identificam uma mensagem ou evento; um insert numa tabela cuja chave primária ou única contém uma delas conta como etapa de deduplicação.',
      },
    },
  ],
  text: {
    en: {
      message:
        '{call}() takes messages from queue {queue} in {consumer}, which then writes {table} ({verb}) with no dedup step. pgmq delivers at least once, so the same message (or the same event enqueued twice) can run this write again. Record the event id in a table with a unique key in the same transaction (INSERT … ON CONFLICT DO NOTHING, or catch unique_violation) and skip what was already processed.',
      summary: 'Queue consumers must deduplicate: pgmq delivers at least once.',
      rationale:
        'pgmq gives at-least-once delivery. A message read with pgmq.read becomes visible again when its visibility timeout runs out before pgmq.delete or pgmq.archive: the worker crashed, was slower than the timeout, or read and acknowledged in separate transactions. Producers that retry (a webhook resent, an Edge Function re-run) also enqueue the same event twice. Without a dedup step each copy is processed: an order marked paid twice fires its triggers twice, a counter is incremented twice, a customer is charged twice.',
      remedy:
        "Give each event an id in the message, keep a table of processed ids with a unique key (processed_events(event_id primary key)), and insert into it in the same transaction as the processing: INSERT … ON CONFLICT DO NOTHING and stop when no row was inserted, or let the unique_violation abort the work and catch it to acknowledge the message. Updates that only move a row out of the state they test (… where status <> 'paid') are idempotent on their own and need no dedup table, and updates that only count deliveries (attempts = attempts + 1) are meant to repeat; neither is reported, nor are consumers that only delete rows or acknowledge messages. Inserts without ON CONFLICT inside a consumer routine are reported by require-on-conflict, which offers a fix; this rule reports the consumer whose other writes have no dedup step.",
      variants: {
        function: 'function {routine}',
        procedure: 'procedure {routine}',
        doBlock: 'this DO block',
        transaction: 'this transaction',
        cronJob: 'this cron job',
        statement: 'this statement',
      },
    },
    'pt-BR': {
      message:
        '{call}() tira mensagens da fila {queue} em {consumer}, que depois grava em {table} ({verb}) sem etapa de deduplicação. O pgmq entrega pelo menos uma vez, então a mesma mensagem (ou o mesmo evento enfileirado duas vezes) pode executar esta escrita de novo. Registre o id do evento numa tabela com chave única na mesma transação (INSERT … ON CONFLICT DO NOTHING, ou capture unique_violation) e pule o que já foi processado.',
      summary: 'Consumidores de fila precisam deduplicar: o pgmq entrega pelo menos uma vez.',
      rationale:
        'O pgmq entrega pelo menos uma vez. Uma mensagem lida com pgmq.read volta a ficar visível quando o visibility timeout vence antes do pgmq.delete ou do pgmq.archive: o worker caiu, demorou mais que o timeout, ou leu e confirmou em transações separadas. Produtores que repetem o envio (um webhook reenviado, uma Edge Function reexecutada) também enfileiram o mesmo evento duas vezes. Sem deduplicação cada cópia é processada: um pedido marcado como pago duas vezes dispara seus triggers duas vezes, um contador é incrementado duas vezes, um cliente é cobrado duas vezes.',
      remedy:
        "Dê a cada evento um id na mensagem, mantenha uma tabela de ids processados com chave única (processed_events(event_id primary key)) e insira nela na mesma transação do processamento: INSERT … ON CONFLICT DO NOTHING e pare quando nenhuma linha for inserida, ou deixe o unique_violation abortar o trabalho e capture-o para confirmar a mensagem. Updates que só tiram a linha do estado que testam (… where status <> 'paid') já são idempotentes e não precisam de tabela de deduplicação, e updates que só contam entregas (attempts = attempts + 1) existem para se repetir; nenhum dos dois é reportado, nem consumidores que só apagam linhas ou confirmam mensagens. Inserts sem ON CONFLICT dentro de uma rotina consumidora são reportados por require-on-conflict, que oferece correção; esta regra aponta o consumidor cujas outras escritas não têm deduplicação.",
      variants: {
        function: 'a função {routine}',
        procedure: 'o procedimento {routine}',
        doBlock: 'este bloco DO',
        transaction: 'esta transação',
        cronJob: 'este job do cron',
        statement: 'este comando',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: [
          'create function public.consume_payments() returns void language plpgsql as $$',
          'declare',
          '  v_msg record;',
          'begin',
          "  select * into v_msg from pgmq.read('payments', 30, 1);",
          "  update public.orders set status = 'paid', paid_total = paid_total + (v_msg.message->>'amount')::numeric",
          "    where id = (v_msg.message->>'order_id')::uuid;",
          "  perform pgmq.delete('payments', v_msg.msg_id);",
          'end $$;',
        ].join('\n'),
        schema: 'create table public.orders (id uuid primary key, status text, paid_total numeric);',
      },
      {
        code: [
          'begin;',
          "with msg as (select * from pgmq.pop('signups'))",
          "insert into public.welcome_emails (email) select message->>'email' from msg;",
          'commit;',
        ].join('\n'),
        schema: 'create table public.welcome_emails (id bigserial primary key, email text);',
      },
    ],
    valid: [
      {
        code: [
          'create function public.consume_payments() returns void language plpgsql as $$',
          'declare',
          '  v_msg record;',
          'begin',
          "  select * into v_msg from pgmq.read('payments', 30, 1);",
          '  begin',
          "    insert into public.processed_events (event_id) values ((v_msg.message->>'event_id')::uuid);",
          "    update public.orders set paid_total = paid_total + (v_msg.message->>'amount')::numeric where id = (v_msg.message->>'order_id')::uuid;",
          '  exception when unique_violation then',
          '    null;',
          '  end;',
          "  perform pgmq.delete('payments', v_msg.msg_id);",
          'end $$;',
        ].join('\n'),
        schema: 'create table public.processed_events (event_id uuid primary key);',
      },
      [
        'create function public.mark_paid() returns void language plpgsql as $$',
        'declare',
        '  v_msg record;',
        'begin',
        "  select * into v_msg from pgmq.read('payments', 30, 1);",
        "  update public.orders set status = 'paid' where id = (v_msg.message->>'order_id')::uuid and status <> 'paid';",
        "  perform pgmq.archive('payments', v_msg.msg_id);",
        'end $$;',
      ].join('\n'),
      [
        'create function public.drain() returns void language plpgsql as $$',
        'declare',
        '  v_msg record;',
        'begin',
        "  for v_msg in select * from pgmq.read('stale', 30, 100) loop",
        "    perform pgmq.archive('stale', v_msg.msg_id);",
        '  end loop;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    const seen = new Set<TransactionUnit>();
    for (const statement of context.sql.statements) {
      const [read] = queueReads(statement);
      const unit = statement.transaction;
      if (!read || !unit || seen.has(unit)) continue;
      seen.add(unit);
      const write = unprotectedWrite(context, unit);
      if (!write) continue;
      const kind = consumerKind(unit);
      context.report({
        ...statement.rangeOf(read),
        anchor: statement.start,
        data: { call: functionName(read), queue: queueName(statement, read), routine: unit.routine?.name ?? '', table: write.table, verb: write.verb },
        variants: { consumer: kind },
      });
    }
  },
});

/** The first write of the consumer that nothing makes idempotent, when the consumer has no dedup step. */
function unprotectedWrite(context: RuleContext, unit: TransactionUnit): Write | undefined {
  const writes = unit.statements.flatMap(writesOf);
  const hasDedup =
    writes.some((write) => write.verb === 'INSERT' && (!!write.node.onConflictClause || isDedupTable(context, write.table))) ||
    unit.statements.some((statement) => caughtBy(statement.plpgsql, ['unique_violation', 'sqlstate:23505']));
  if (hasDedup) return undefined;
  const deliveryCounts = context.names('deliveryCountColumns');
  return writes.find((write) => {
    if (write.verb === 'UPDATE') return !isGuardedUpdate(write.node) && !countsDeliveries(write.node, deliveryCounts);
    // Plain inserts in a consumer routine are require-on-conflict's findings (with a fix); not repeated here.
    const insertReported =
      unit.kind === 'routine' &&
      write.node === write.statement.bodyOf('InsertStmt') &&
      context.inForce('require-on-conflict', { start: write.statement.start, anchor: write.statement.start });
    return !insertReported;
  });
}

/** INSERT and UPDATE nodes of a statement, also inside WITH; writes to pgmq's own tables do not count. */
function writesOf(statement: SqlStatement): Write[] {
  const writes: Write[] = [];
  walkStatement(statement, (visit) => {
    if (visit.type !== 'InsertStmt' && visit.type !== 'UpdateStmt') return;
    if (visit.node.relation?.schemaname === 'pgmq') return;
    const table = relationName(visit.node.relation);
    writes.push(visit.type === 'InsertStmt' ? { verb: 'INSERT', table, node: visit.node, statement } : { verb: 'UPDATE', table, node: visit.node, statement });
  });
  return writes;
}

function isDedupTable(context: RuleContext, table: string): boolean {
  if (matchesAny(baseName(table), context.names('dedupTables'))) return true;
  const info = context.schema.table(table);
  const keyColumns = context.names('dedupKeyColumns');
  return !!info && context.schema.keysOf(info).some((key) => key.some((column) => matchesAny(column, keyColumns)));
}

/**
 * An UPDATE whose WHERE excludes the rows it has already changed: it tests an assigned column for a
 * value other than the one it writes (status <> 'paid', status = 'pending', processed_at is null,
 * not processed, version < new version). A second run then matches nothing.
 */
function isGuardedUpdate(update: NodeFields<'UpdateStmt'>): boolean {
  const assigned = new Map<string, AstNode | undefined>();
  for (const target of update.targetList ?? []) if (target.ResTarget?.name) assigned.set(String(target.ResTarget.name), target.ResTarget.val);
  return conjuncts(update.whereClause).some((term) => {
    if (term.NullTest?.nulltesttype === 'IS_NULL') {
      const value = assigned.get(columnOf(term.NullTest.arg) ?? '');
      return value !== undefined && !value.A_Const?.isnull;
    }
    if (term.BoolExpr?.boolop === 'NOT_EXPR') {
      const value = assigned.get(columnOf(term.BoolExpr.args?.[0]) ?? '');
      return value?.A_Const?.boolval?.boolval === true;
    }
    const expression = term.A_Expr;
    if (!expression) return false;
    for (const [columnSide, otherSide, flipped] of [
      [expression.lexpr, expression.rexpr, false],
      [expression.rexpr, expression.lexpr, true],
    ] as const) {
      const value = assigned.get(columnOf(columnSide) ?? '');
      if (value === undefined) continue;
      if (expression.kind === 'AEXPR_DISTINCT') return sameValue(otherSide, value);
      if (expression.kind === 'AEXPR_IN') {
        const listed = (otherSide?.List?.items ?? []).some((item) => sameConstant(item, value));
        return expression.name?.[0]?.String?.sval === '<>' ? listed : !listed && isConstantValue(value);
      }
      const operator = operatorOf(term);
      if (operator === '<>') return sameValue(otherSide, value);
      if (operator === '=') return isConstantValue(otherSide) && isConstantValue(value) && !sameConstant(otherSide, value);
      if (operator === (flipped ? '>' : '<')) return sameValue(otherSide, value);
    }
    return false;
  });
}

/** An UPDATE that only sets delivery counters (attempts = attempts + 1, last_attempt_at = now()). */
function countsDeliveries(update: NodeFields<'UpdateStmt'>, patterns: string[]): boolean {
  const targets = update.targetList ?? [];
  return targets.length > 0 && targets.every((target) => !!target.ResTarget?.name && matchesAny(String(target.ResTarget.name), patterns));
}

function columnOf(expression: AstNode | undefined): string | undefined {
  const [fields] = expression?.ColumnRef ? columnRefs(expression) : [];
  return fields?.[fields.length - 1];
}

function constantOf(expression: AstNode | undefined): NodeFields<'A_Const'> | undefined {
  return (expression?.TypeCast ? expression.TypeCast.arg : expression)?.A_Const;
}

function isConstantValue(expression: AstNode | undefined): boolean {
  return constantOf(expression) !== undefined;
}

/** The same expression, or the same literal with or without a cast ('paid' and 'paid'::text). */
function sameValue(left: AstNode | undefined, right: AstNode | undefined): boolean {
  return sameExpression(left, right) || sameConstant(left, right);
}

function sameConstant(left: AstNode | undefined, right: AstNode | undefined): boolean {
  const a = constantOf(left);
  const b = constantOf(right);
  return a !== undefined && b !== undefined && sameExpression(a, b);
}

function consumerKind(unit: TransactionUnit): 'function' | 'transaction' | 'procedure' | 'statement' | 'doBlock' | 'cronJob' {
  switch (unit.kind) {
    case 'routine':
      return unit.routine?.kind === 'do' ? 'doBlock' : unit.routine?.kind === 'procedure' ? 'procedure' : 'function';
    case 'explicit':
      return 'transaction';
    case 'scheduled':
      return 'cronJob';
    default:
      return 'statement';
  }
}

/** The queue argument as written: its value when a literal, else the expression's text. */
function queueName(statement: SqlStatement, call: NodeFields<'FuncCall'>): string {
  const args = call.args ?? [];
  const value = args.find((arg) => arg.NamedArgExpr?.name === 'queue_name')?.NamedArgExpr?.arg ?? args.find((arg) => !arg.NamedArgExpr);
  if (!value) return '';
  return stringConstant(value) ?? expressionText(statement, value);
}
