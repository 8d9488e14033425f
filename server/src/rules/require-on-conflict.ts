import { relationName } from '../languages/sql/ast';
import { caughtBy, type Routine } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal, type RuleContext } from '../rule';
import { quoteIdentifier } from './shared/identifiers';
import { baseName, matchesAny, statementMentions } from './shared/names';
import { queueReads } from './shared/queues';
import { keywordCase, SqlEdits } from './shared/sql-edits';

export default defineRule({
  id: 'require-on-conflict',
  severity: 'warning',
  languages: ['sql'],
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REQ ARMADILHAS-05 (crash-recovery: idempotent writes); anti-pattern 4' },
  settings: [
    {
      key: 'idempotentTables',
      default: ['payment', 'charge', 'refund', 'webhook', 'processed_event', 'idempot', 'outbox', 'inbox', 'dedup'],
      description: {
        en: 'Words (or globs with *) in table names that record something that must happen once; inserts into them need ON CONFLICT.',
        'pt-BR': 'Palavras (ou globs com *) em nomes de tabelas que registram algo que deve acontecer uma vez só; inserts nelas precisam de ON CONFLICT.',
      },
    },
    {
      key: 'webhookHandlers',
      default: ['*webhook*'],
      description: {
        en: 'Function names (globs with *) that handle webhooks; every insert inside them needs ON CONFLICT, because providers redeliver.',
        'pt-BR': 'Nomes de funções (globs com *) que tratam webhooks; todo insert dentro delas precisa de ON CONFLICT, porque os provedores reenviam.',
      },
    },
  ],
  text: {
    en: {
      message: 'INSERT into {table} has no ON CONFLICT, but {reason}. When the same message or request arrives again, this insert fails or duplicates the row; add ON CONFLICT on the table\'s unique key.',
      summary: 'Inserts that record once-only facts, and inserts in queue consumers and webhook handlers, must be idempotent.',
      rationale:
        'Supabase workloads follow the crash-recovery model: Edge Functions are retried after timeouts, pgmq redelivers a message whose visibility timeout ran out before it was deleted, and payment providers resend webhooks until they get a 2xx. Each redelivery runs the same insert again. Without a conflict clause the second run either aborts the whole transaction with a unique violation (and the message is redelivered forever) or, without a unique key, records the payment twice.',
      remedy:
        'Give the table a unique key that identifies the fact (the provider\'s event or payment id) and write INSERT … ON CONFLICT (that key) DO NOTHING, or DO UPDATE when the latest values must win. Alternatively, catch unique_violation around the insert. (require-queue-dedup looks at a queue consumer as a whole, for its updates too.)',
      fixes: { addOnConflict: 'Add ON CONFLICT ({columns}) DO NOTHING' },
      variants: {
        onceTable: 'the table records something that must happen once',
        queueConsumer: 'it runs in a queue consumer ({routine}), and queues deliver at least once',
        webhookHandler: 'it runs in a webhook handler ({routine}), and providers resend deliveries',
      },
    },
    'pt-BR': {
      message: 'O INSERT em {table} não tem ON CONFLICT, mas {reason}. Quando a mesma mensagem ou requisição chegar de novo, este insert falha ou duplica a linha; adicione ON CONFLICT na chave única da tabela.',
      summary: 'Inserts que registram fatos únicos, e inserts em consumidores de fila e handlers de webhook, precisam ser idempotentes.',
      rationale:
        'Cargas no Supabase seguem o modelo crash-recovery: Edge Functions são reexecutadas depois de timeouts, o pgmq reentrega uma mensagem cujo visibility timeout venceu antes do delete, e provedores de pagamento reenviam webhooks até receber um 2xx. Cada reentrega executa o mesmo insert outra vez. Sem cláusula de conflito, a segunda execução aborta a transação inteira com unique violation (e a mensagem volta para sempre) ou, sem chave única, registra o pagamento duas vezes.',
      remedy:
        'Dê à tabela uma chave única que identifique o fato (o id do evento ou do pagamento no provedor) e escreva INSERT … ON CONFLICT (essa chave) DO NOTHING, ou DO UPDATE quando os valores mais recentes devem prevalecer. Outra saída é capturar unique_violation em volta do insert. (require-queue-dedup olha o consumidor de fila como um todo, também os updates.)',
      fixes: { addOnConflict: 'Adicionar ON CONFLICT ({columns}) DO NOTHING' },
      variants: {
        onceTable: 'a tabela registra algo que deve acontecer uma vez só',
        queueConsumer: 'ele roda num consumidor de fila ({routine}), e filas entregam pelo menos uma vez',
        webhookHandler: 'ele roda num handler de webhook ({routine}), e os provedores reenviam entregas',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: "insert into public.payments (stripe_payment_id, amount) values ('pi_123', 4200);",
        fixed: "insert into public.payments (stripe_payment_id, amount) values ('pi_123', 4200) on conflict (stripe_payment_id) do nothing;",
        schema: 'create table public.payments (id uuid primary key default gen_random_uuid(), stripe_payment_id text not null unique, amount bigint not null);',
      },
      {
        code: "INSERT INTO processed_events (event_id, processor) VALUES ('7d1f4c1e-0000-4000-8000-000000000001', 'billing') RETURNING event_id;",
        fixed: "INSERT INTO processed_events (event_id, processor) VALUES ('7d1f4c1e-0000-4000-8000-000000000001', 'billing') ON CONFLICT (event_id) DO NOTHING RETURNING event_id;",
        schema: 'create table processed_events (event_id uuid primary key, processor text not null);',
      },
      {
        code: [
          'create function public.consume_orders() returns void language plpgsql as $$',
          'declare',
          '  v_msg record;',
          'begin',
          "  select * into v_msg from pgmq.read('orders', 30, 1);",
          "  insert into public.order_log (order_id, note) values ((v_msg.message->>'order_id')::uuid, 'paid');",
          "  perform pgmq.delete('orders', v_msg.msg_id);",
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.consume_orders() returns void language plpgsql as $$',
          'declare',
          '  v_msg record;',
          'begin',
          "  select * into v_msg from pgmq.read('orders', 30, 1);",
          "  insert into public.order_log (order_id, note) values ((v_msg.message->>'order_id')::uuid, 'paid') on conflict (order_id) do nothing;",
          "  perform pgmq.delete('orders', v_msg.msg_id);",
          'end $$;',
        ].join('\n'),
        schema: 'create table public.order_log (order_id uuid primary key, note text);',
      },
    ],
    valid: [
      "insert into public.payments (stripe_payment_id, amount) values ('pi_123', 4200) on conflict (stripe_payment_id) do nothing;",
      "insert into public.users (email) values ('ana@example.com');",
      [
        'create function public.record_payment(p_id text) returns void language plpgsql as $$',
        'begin',
        "  insert into public.payments (stripe_payment_id, amount) values (p_id, 1);",
        'exception when unique_violation then',
        '  null;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    const consumers = new Map<Routine, boolean>();
    const idempotentTables = context.names('idempotentTables');
    for (const statement of context.sql.statements) {
      if (statement.kind !== 'InsertStmt') continue;
      // Cheap first: outside queue consumers and webhook handlers, only inserts that name a once-only
      // table can fire (reading the body builds the statement's tree).
      if (!statement.routine && !statementMentions(statement, idempotentTables)) continue;
      if (statement.body.onConflictClause) continue;
      const table = relationName(statement.body.relation);
      const reason = contextReason(context, statement, table, consumers);
      if (!reason) continue;
      if (caughtBy(statement.plpgsql, ['unique_violation', 'sqlstate:23505'])) continue;
      context.report({
        start: statement.start,
        end: statement.rangeOf(statement.body.relation).end,
        anchor: statement.start,
        data: { table, routine: statement.routine?.name ?? '' },
        variants: { reason },
        fixes: onConflictFix(context, statement, table),
      });
    }
  },
});

function contextReason(context: RuleContext, statement: SqlStatement, table: string, consumers: Map<Routine, boolean>): string | undefined {
  const routine = statement.routine;
  if (routine) {
    if (!consumers.has(routine)) consumers.set(routine, routine.statements.some(readsQueue));
    if (consumers.get(routine)) return 'queueConsumer';
    if (routine.name && matchesAny(baseName(routine.name), context.names('webhookHandlers'))) return 'webhookHandler';
  }
  return matchesAny(baseName(table), context.names('idempotentTables')) ? 'onceTable' : undefined;
}

function readsQueue(statement: SqlStatement): boolean {
  return queueReads(statement).length > 0;
}

// ON CONFLICT on the first unique key (primary key first) whose columns the INSERT supplies: a key
// filled by a default never conflicts, so naming it would fix nothing.
function onConflictFix(context: RuleContext, statement: SqlStatement, table: string): FixProposal[] {
  const info = context.schema.table(table);
  if (!info) return [];
  const supplied: string[] = (statement.body.cols ?? []).map((column: any) => String(column.ResTarget?.name ?? ''));
  const key = context.schema.keysOf(info).find((columns) => columns.length > 0 && (supplied.length === 0 || columns.every((column) => supplied.includes(column))));
  if (!key) return [];
  const columns = key.map(quoteIdentifier).join(', ');
  const returning = statement.topLevelKeyword('returning');
  const tokens = statement.tokens();
  const at = returning >= 0 ? tokens[returning - 1].end : statement.sourceEnd;
  const clause = ` ${keywordCase(statement, 'on conflict')} (${columns}) ${keywordCase(statement, 'do nothing')}`;
  const edits = new SqlEdits(statement).insert(at, clause);
  return edits.parses() ? [{ key: 'addOnConflict', data: { columns }, edits: edits.toDocumentEdits() }] : [];
}
