import { ts } from '../languages/typescript/project';
import { defineRule } from '../core/rule';
import { BROKER_PUBLISH_CALLS, callLabel, functionSteps, isBrokerPublish, OUTBOX_TABLES, outboxUse, writeLabel } from './typescript/side-effects';
import { isTestCode } from '../languages/typescript/test-code';
import { nodeRange } from './typescript/ts-effects';

export default defineRule({
  id: 'no-dual-write',
  severity: 'warning',
  languages: ['ts'],
  skill: {
    name: 'distributed-systems-fundamentals',
    section: 'Dual-Write Inconsistency; Transactional Outbox; sistemas-distribuidos (padrão outbox); streams-eventos-cdc REGRA #4',
  },
  sources: ['Chris Richardson, Pattern: Transactional outbox (microservices.io)'],
  settings: [BROKER_PUBLISH_CALLS, OUTBOX_TABLES],
  text: {
    en: {
      message:
        '{publish} publishes to a broker and {write} writes to the database in the same function, with no outbox. If one succeeds and the other fails (crash, timeout, broker down), the database and the consumers disagree for good; write the event to an outbox table in the same transaction as {write} and publish it from there.',
      summary: 'A database write and a broker publish in one function need a transactional outbox.',
      rationale:
        'The database and the broker do not share a transaction, so a function that writes to one and publishes to the other has two independent outcomes. Publish first and the write may fail: consumers act on a change that never happened. Write first and the process may stop before the publish, or the broker may be unreachable: the change happened and nobody hears of it, while retrying the whole function repeats the write. No ordering and no try/catch closes that window. The transactional outbox does: the event becomes a row written in the same transaction as the data, and a relay publishes it afterwards, at least once, so consumers deduplicate. pgmq.send called in SQL inside that transaction is already this pattern. Effects that are not broker messages (email, HTTP calls, payments) are covered by no-side-effect-before-commit and require-idempotency-key, and the inserts a redelivered event repeats in its consumers by require-on-conflict.',
      remedy:
        'Insert the event into an outbox table (`insert into outbox (aggregate_id, event_type, payload) values (…)`) in the same transaction as the data change, or queue it with `select pgmq.send(…)` inside that transaction, and publish from a relay that reads the outbox, marks rows as published and tolerates publishing a row twice. Functions that read the outbox and publish (the relay), functions that also write the event to an outbox, and functions that only publish are not reported.',
    },
    'pt-BR': {
      message:
        '{publish} publica num broker e {write} grava no banco na mesma função, sem outbox. Se um dos dois der certo e o outro falhar (crash, timeout, broker fora do ar), o banco e os consumidores divergem para sempre; grave o evento numa tabela de outbox na mesma transação de {write} e publique a partir dela.',
      summary: 'Uma escrita no banco e uma publicação em broker na mesma função precisam de um outbox transacional.',
      rationale:
        'O banco e o broker não compartilham transação, então uma função que grava num e publica no outro tem dois resultados independentes. Publicando primeiro, a escrita pode falhar: os consumidores agem sobre uma mudança que nunca aconteceu. Gravando primeiro, o processo pode parar antes da publicação, ou o broker pode estar inacessível: a mudança aconteceu e ninguém fica sabendo, e repetir a função inteira repete a escrita. Nenhuma ordem e nenhum try/catch fecha essa janela. O outbox transacional fecha: o evento vira uma linha gravada na mesma transação dos dados, e um relay o publica depois, pelo menos uma vez, então os consumidores deduplicam. Um pgmq.send chamado em SQL dentro dessa transação já é esse padrão. Efeitos que não são mensagens de broker (e-mail, chamadas HTTP, pagamentos) ficam com no-side-effect-before-commit e require-idempotency-key, e os inserts que um evento reentregue repete nos consumidores, com require-on-conflict.',
      remedy:
        'Insira o evento numa tabela de outbox (`insert into outbox (aggregate_id, event_type, payload) values (…)`) na mesma transação da mudança de dados, ou enfileire com `select pgmq.send(…)` dentro dessa transação, e publique a partir de um relay que lê o outbox, marca as linhas como publicadas e tolera publicar uma linha duas vezes. Funções que leem o outbox e publicam (o relay), funções que também gravam o evento num outbox e funções que só publicam não são apontadas.',
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          "import { Kafka } from 'kafkajs';",
          "import { PrismaClient } from '@prisma/client';",
          '',
          'const prisma = new PrismaClient();',
          "const producer = new Kafka({ brokers: ['kafka:9092'] }).producer();",
          '',
          'export async function placeOrder(customerId: string, total: number) {',
          '  const order = await prisma.order.create({ data: { customerId, total } });',
          "  await producer.send({ topic: 'orders', messages: [{ key: order.id, value: JSON.stringify(order) }] });",
          '  return order;',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import postgres from 'npm:postgres';",
          "import { connect } from 'npm:redis';",
          '',
          "const sql = postgres(Deno.env.get('DATABASE_URL')!);",
          'const redis = await connect();',
          '',
          'Deno.serve(async (req) => {',
          '  const { id, status } = await req.json();',
          '  await sql.begin(async (tx) => {',
          '    await tx`update public.orders set status = ${status} where id = ${id}`;',
          '  });',
          "  await redis.publish('order-status', JSON.stringify({ id, status }));",
          "  return new Response('ok');",
          '});',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          'const sql = postgres(process.env.DATABASE_URL!);',
          'export async function placeOrder(customerId: string, total: number) {',
          '  await sql.begin(async (tx) => {',
          '    const [order] = await tx`insert into public.orders (customer_id, total) values (${customerId}, ${total}) returning id`;',
          "    await tx`select pgmq.send('orders', ${JSON.stringify({ orderId: order.id })}::jsonb)`;",
          '  });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { Pool } from 'pg';",
          "import amqp from 'amqplib';",
          'const pool = new Pool();',
          'export async function relay(channel: amqp.Channel) {',
          "  const { rows } = await pool.query('select id, event_type, payload from public.outbox where published_at is null order by id limit 100');",
          '  for (const row of rows) {',
          "    channel.publish('events', row.event_type, Buffer.from(JSON.stringify(row.payload)));",
          "    await pool.query('update public.outbox set published_at = now() where id = $1', [row.id]);",
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { Queue } from 'bullmq';",
          "const emails = new Queue('emails');",
          'export async function enqueueWelcome(userId: string) {',
          "  await emails.add('welcome', { userId });",
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    if (!context.typescript || isTestCode(context)) return;
    for (const { steps, writes } of functionSteps(context)) {
      // A write in a catch clause keeps a failed publish for later: it is the fallback, not the second write.
      const write = writes && steps.find((step) => step.write);
      const publish = write && steps.find((step) => isBrokerPublish(context, step.call));
      // The outbox is there (the event is enqueued with the data, or this is the relay): a lost publish is retried from it.
      if (!write || !publish || steps.some((step) => outboxUse(context, step.call))) continue;
      const node = publish.call.node;
      context.report({
        ...nodeRange(context.typescript, ts.isCallExpression(node) ? node.expression : node),
        data: { publish: callLabel(node), write: writeLabel(context, write.call) },
      });
    }
  },
});
