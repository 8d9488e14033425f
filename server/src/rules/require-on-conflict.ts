import { embeddedOfStatement } from './typescript/ts-effects';
import { relationName } from '../languages/sql/ast';
import { caughtBy, type Routine } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal, type RuleContext } from '../core/rule';
import type { TableInfo } from '../schema/model';
import { quoteIdentifier } from './sql/identifiers';
import { baseName, matchesAny, statementMentions } from '../core/names';
import { queueReads } from './sql/queues';
import { mayHoldTypeScriptHandler, webhookHandlerOf, type WebhookHandler } from './require-on-conflict.webhook-handlers';
import { keywordCase, SqlEdits } from './sql/sql-edits';

export default defineRule({
  id: 'require-on-conflict',
  severity: 'warning',
  languages: ['sql'],
  reads: 'statement',
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REQ ARMADILHAS-05 (crash-recovery: idempotent writes); anti-pattern 4' },
  settings: [
    {
      key: 'idempotentTables',
      default: ['payment', 'charge', 'refund', 'processed_event', 'idempot', 'inbox', 'dedup'],
      description: {
        en: 'Words (or globs with *) in table names that record something that must happen once; inserts into them need ON CONFLICT. A settings table whose duplicates must fail (webhook_endpoints) belongs nowhere here.',
        'pt-BR':
          'Palavras (ou globs com *) em nomes de tabelas que registram algo que deve acontecer uma vez só; inserts nelas precisam de ON CONFLICT. Uma tabela de configuração cujas duplicatas devem falhar (webhook_endpoints) não entra aqui.',
      },
    },
    {
      key: 'webhookEventParameters',
      default: ['*stripe_event*', '*webhook_event*', '*delivery_id', 'event_id', '*_event_id'],
      description: {
        en: "Parameter names (globs with *) of a SQL routine that receive a provider's event id. With a parameter for the event's type or payload (json/jsonb, or named type, event_type, payload), the routine is a webhook handler: its inserts that carry the delivery need ON CONFLICT, because providers redeliver.",
        'pt-BR':
          'Nomes de parâmetros (globs com *) de uma rotina SQL que recebem o id de um evento do provedor. Junto de um parâmetro com o tipo ou o payload do evento (json/jsonb, ou chamado type, event_type, payload), a rotina é um handler de webhook: seus inserts que levam a entrega precisam de ON CONFLICT, porque os provedores reenviam.',
      },
    },
    {
      key: 'webhookHandlers',
      default: ['*webhook*', '*stripe_event*'],
      description: {
        en: 'Function names (globs with *) of webhook handlers. Such a function counts as one when it receives the delivery (an event-id parameter or a json/jsonb payload), not by its name alone; its inserts that carry the delivery need ON CONFLICT.',
        'pt-BR':
          'Nomes de funções (globs com *) de handlers de webhook. Uma função assim conta como handler quando recebe a entrega (um parâmetro de id de evento ou um payload json/jsonb), não só pelo nome; seus inserts que levam a entrega precisam de ON CONFLICT.',
      },
    },
  ],
  text: {
    en: {
      message:
        "INSERT into {table} has no ON CONFLICT, but {reason}. When the same message or request arrives again, this insert fails or duplicates the row; add ON CONFLICT on the table's unique key.",
      summary: 'Inserts that record once-only facts, and inserts in queue consumers and webhook handlers, must be idempotent.',
      rationale:
        'Supabase workloads follow the crash-recovery model: Edge Functions are retried after timeouts, pgmq redelivers a message whose visibility timeout ran out before it was deleted, and payment providers resend webhooks until they get a 2xx. Each redelivery runs the same insert again. Without a conflict clause the second run either aborts the whole transaction with a unique violation (and the message is redelivered forever) or, without a unique key, records the payment twice.',
      remedy:
        "Give the table a unique key that identifies the fact (the provider's event or payment id) and write INSERT … ON CONFLICT (that key) DO NOTHING, or DO UPDATE when the latest values must win. Alternatively, catch unique_violation around the insert. A webhook handler is recognised by what it receives (an event id with its type or payload, a stripe_event parameter, Stripe's constructEvent, a route under a webhook path), and only its inserts that carry the delivery are reported; a handler that first records the event id with ON CONFLICT DO NOTHING is covered from there on. Settings rows whose duplicates must fail (a webhook endpoint a user creates) are not reported. The fix names a key only when the migrations prove it unique (primary key, unique constraint or plain unique index, not DEFERRABLE, not dropped later): a guessed key makes PostgreSQL reject every call (42P10). It is applied automatically only without RETURNING: with RETURNING a duplicate then returns no row instead of an error. (require-queue-dedup looks at a queue consumer as a whole, for its updates too.)",
      fixes: { addOnConflict: 'Add ON CONFLICT ({columns}) DO NOTHING', libraryOnConflict: 'Do nothing on a duplicate {columns}: {code}' },
      variants: {
        onceTable: 'the table records something that must happen once',
        queueConsumer: 'it runs in a queue consumer ({routine}), and queues deliver at least once',
        webhookHandler: 'it records a delivery in the webhook handler {routine}, and providers resend deliveries',
      },
    },
    'pt-BR': {
      message:
        'O INSERT em {table} não tem ON CONFLICT, mas {reason}. Quando a mesma mensagem ou requisição chegar de novo, este insert falha ou duplica a linha; adicione ON CONFLICT na chave única da tabela.',
      summary: 'Inserts que registram fatos únicos, e inserts em consumidores de fila e handlers de webhook, precisam ser idempotentes.',
      rationale:
        'Cargas no Supabase seguem o modelo crash-recovery: Edge Functions são reexecutadas depois de timeouts, o pgmq reentrega uma mensagem cujo visibility timeout venceu antes do delete, e provedores de pagamento reenviam webhooks até receber um 2xx. Cada reentrega executa o mesmo insert outra vez. Sem cláusula de conflito, a segunda execução aborta a transação inteira com unique violation (e a mensagem volta para sempre) ou, sem chave única, registra o pagamento duas vezes.',
      remedy:
        'Dê à tabela uma chave única que identifique o fato (o id do evento ou do pagamento no provedor) e escreva INSERT … ON CONFLICT (essa chave) DO NOTHING, ou DO UPDATE quando os valores mais recentes devem prevalecer. Outra saída é capturar unique_violation em volta do insert. Um handler de webhook é reconhecido pelo que recebe (um id de evento com o tipo ou o payload, um parâmetro stripe_event, o constructEvent do Stripe, uma rota sob um caminho de webhook), e só os inserts que levam a entrega são reportados; um handler que primeiro registra o id do evento com ON CONFLICT DO NOTHING fica coberto dali em diante. Linhas de configuração cujas duplicatas devem falhar (um endpoint de webhook criado pelo usuário) não são reportadas. A correção só nomeia uma chave quando as migrations provam que ela é única (chave primária, constraint unique ou índice único simples, não DEFERRABLE, não removido depois): uma chave adivinhada faz o PostgreSQL rejeitar toda chamada (42P10). Ela só é aplicada automaticamente sem RETURNING: com RETURNING uma duplicata passa a não devolver linha em vez de dar erro. (require-queue-dedup olha o consumidor de fila como um todo, também os updates.)',
      fixes: { addOnConflict: 'Adicionar ON CONFLICT ({columns}) DO NOTHING', libraryOnConflict: 'Não fazer nada num {columns} repetido: {code}' },
      variants: {
        onceTable: 'a tabela registra algo que deve acontecer uma vez só',
        queueConsumer: 'ele roda num consumidor de fila ({routine}), e filas entregam pelo menos uma vez',
        webhookHandler: 'ele registra uma entrega no handler de webhook {routine}, e os provedores reenviam entregas',
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
        code: "INSERT INTO processed_events (event_id, processor) VALUES ('7d1f4c1e-0000-4000-8000-000000000001', 'billing');",
        fixed:
          "INSERT INTO processed_events (event_id, processor) VALUES ('7d1f4c1e-0000-4000-8000-000000000001', 'billing') ON CONFLICT (event_id) DO NOTHING;",
        schema: 'create table processed_events (event_id uuid primary key, processor text not null);',
      },
      {
        code: [
          'create function public.record_stripe_event(p_event_id text, p_type text, p_payload jsonb) returns void language plpgsql as $$',
          'begin',
          '  insert into public.stripe_events (id, type, payload) values (p_event_id, p_type, p_payload);',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.record_stripe_event(p_event_id text, p_type text, p_payload jsonb) returns void language plpgsql as $$',
          'begin',
          '  insert into public.stripe_events (id, type, payload) values (p_event_id, p_type, p_payload) on conflict (id) do nothing;',
          'end $$;',
        ].join('\n'),
        schema: 'create table public.stripe_events (id text primary key, type text not null, payload jsonb not null);',
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
      [
        'create function public.create_webhook_endpoint(p_team uuid, p_url text) returns uuid language sql as $$',
        '  insert into public.webhook_endpoints (team_id, url) values (p_team, p_url) returning id;',
        '$$;',
      ].join('\n'),
      "insert into public.users (email) values ('ana@example.com');",
      [
        'create function public.record_payment(p_id text) returns void language plpgsql as $$',
        'begin',
        '  insert into public.payments (stripe_payment_id, amount) values (p_id, 1);',
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
      // Cheap first: outside routines and TypeScript, only inserts that name a once-only table can
      // fire (reading the body builds the statement's tree).
      if (!statement.routine && !mayHoldTypeScriptHandler(context) && !statementMentions(statement, idempotentTables)) continue;
      const insert = statement.bodyOf('InsertStmt')!;
      if (insert.onConflictClause) continue;
      const table = relationName(insert.relation);
      const reason = contextReason(context, statement, table, consumers);
      if (!reason) continue;
      if (caughtBy(statement.plpgsql, ['unique_violation', 'sqlstate:23505'])) continue;
      context.report({
        start: statement.start,
        end: statement.rangeOf(insert.relation).end,
        anchor: statement.start,
        data: { table, routine: reason.routine },
        variants: { reason: reason.kind },
        fixes: onConflictFix(context, statement, table),
      });
    }
  },
});

function contextReason(
  context: RuleContext,
  statement: SqlStatement,
  table: string,
  consumers: Map<Routine, boolean>,
): { kind: 'onceTable' | 'queueConsumer' | 'webhookHandler'; routine: string } | undefined {
  const routine = statement.routine;
  if (routine) {
    if (!consumers.has(routine)) consumers.set(routine, routine.statements.some(readsQueue));
    if (consumers.get(routine)) return { kind: 'queueConsumer', routine: routine.name };
  }
  const handler = webhookHandlerOf(context, statement);
  // A handler that first records the delivery with ON CONFLICT (insert-or-nothing on the event id)
  // stops a redelivery there: what it inserts afterwards runs once per event.
  if (handler && dedupsFirst(context, statement, handler)) return undefined;
  if (handler?.carriesDelivery(statement)) return { kind: 'webhookHandler', routine: handler.name };
  return matchesAny(baseName(table), context.names('idempotentTables')) ? { kind: 'onceTable', routine: routine?.name ?? '' } : undefined;
}

// Earlier in the routine, or among the earlier queries of the same TypeScript function.
function dedupsFirst(context: RuleContext, insert: SqlStatement, handler: WebhookHandler): boolean {
  const earlier = insert.routine ? insert.routine.statements : (context.sql.scripts.find((script) => script.includes(insert)) ?? []);
  for (const statement of earlier) {
    if (statement === insert) return false;
    // DO NOTHING claims the delivery once; DO UPDATE (an upsert) lets a redelivery run everything after it again.
    if (statement.bodyOf('InsertStmt')?.onConflictClause?.action === 'ONCONFLICT_NOTHING' && handler.carriesDelivery(statement)) return true;
  }
  return false;
}

function readsQueue(statement: SqlStatement): boolean {
  return queueReads(statement).length > 0;
}

/**
 * ON CONFLICT on the first key (primary key first) that the schema model proves PostgreSQL accepts as
 * a conflict target and whose columns the INSERT supplies (a key filled by a default never conflicts,
 * so naming it would fix nothing). Without such a key no fix is offered: a guessed target fails every
 * call with 42P10. Safe without RETURNING; with it, unsafe: on a duplicate the caller gets no row back
 * instead of an error.
 */
function onConflictFix(context: RuleContext, statement: SqlStatement, table: string): Array<FixProposal<'addOnConflict' | 'libraryOnConflict'>> {
  const info = tableAsWritten(context, table);
  if (!info) return [];
  const supplied: string[] = (statement.bodyOf('InsertStmt')?.cols ?? []).map((column) => String(column.ResTarget?.name ?? ''));
  const keys = context.schema.conflictKeysOf(info);
  // A library call: the fix is written in the library's own terms (upsert with ignoreDuplicates,
  // createMany with skipDuplicates), safe where it keeps what the caller gets back.
  const operation = context.typescript ? embeddedOfStatement(statement, context.embedded)?.operation : undefined;
  // Rows the code builds elsewhere (`bulkCreate(rows)`): a key the database fills is not what they repeat.
  const filled = (columns: string[]) => columns.every((column) => info.columns.get(column)?.generated);
  const key =
    operation && !supplied.length
      ? (keys.find((columns) => !filled(columns)) ?? keys[0])
      : keys.find((columns) => supplied.length === 0 || columns.every((column) => supplied.includes(column)));
  if (!key) return [];
  if (operation) {
    const fix = operation.fixes.onConflictDoNothing?.(key);
    return fix
      ? [{ key: 'libraryOnConflict', data: { columns: key.join(', '), code: fix.label }, edits: fix.edits, safe: fix.keepsResult && !operation.returning }]
      : [];
  }
  const columns = key.map(quoteIdentifier).join(', ');
  const returning = statement.topLevelKeyword('returning');
  const tokens = statement.tokens();
  const at = returning >= 0 ? tokens[returning - 1].end : statement.sourceEnd;
  const clause = ` ${keywordCase(statement, 'on conflict')} (${columns}) ${keywordCase(statement, 'do nothing')}`;
  const edits = new SqlEdits(statement).insert(at, clause);
  return edits.parses() ? [{ key: 'addOnConflict', data: { columns }, edits: edits.toDocumentEdits(), safe: returning < 0 }] : [];
}

// The table the name denotes for PostgreSQL: schema.name as written, or public.name for a bare name
// (a table of the same name in another schema is a guess about search_path, not a proof).
function tableAsWritten(context: RuleContext, table: string): TableInfo | undefined {
  return context.schema.table(table.includes('.') ? table : `public.${table}`);
}
