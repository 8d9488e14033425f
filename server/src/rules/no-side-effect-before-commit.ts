import { ts } from '../languages/typescript/project';
import { defineRule } from '../core/rule';
import { IDEMPOTENCY_HEADERS, READ_ONLY_POST_PATHS } from './typescript/payments';
import { EXTERNAL_EFFECT_CALLS, externalEffectOf, functionSteps, OUTBOX_TABLES, outboxUse, writeLabel } from './typescript/side-effects';
import { isTestCode } from '../languages/typescript/test-code';
import { nodeRange } from './typescript/ts-effects';

export default defineRule({
  id: 'no-side-effect-before-commit',
  severity: 'warning',
  defers: ['require-idempotency-key'],
  languages: ['ts'],
  skill: {
    name: 'armadilhas-sistemas-distribuidos',
    section: 'anti-pattern 4 (crash-stop assumed in an Edge Function); REQ ARMADILHAS-05; streams-eventos-cdc REGRA #4 (transactional outbox)',
  },
  settings: [EXTERNAL_EFFECT_CALLS, OUTBOX_TABLES, IDEMPOTENCY_HEADERS, READ_ONLY_POST_PATHS],
  text: {
    en: {
      message:
        '{effect} happens before {write} is committed ({reason}). If the function crashes or times out in between, its retry repeats {effect}; record the intent first (an outbox row written in the same transaction and sent by an idempotent worker), or claim the work with a committed write before the effect.',
      summary: 'An external effect (email, SMS, payment, HTTP call) must not run before the database write that records it is committed.',
      rationale:
        'Under crash-recovery a function can stop at any line: an Edge Function reaches its time limit, a worker is killed during a deploy, a webhook is redelivered. When the effect comes first and the write that records it second, a stop between the two leaves no trace of the effect, so the retry performs it again: a second welcome email, a second SMS, a second call to a partner API. A write inside an open transaction does not help, because it only becomes durable at the commit, after the effect. The finding sits on the effect, which is what the retry repeats, and names the write. Broker publishes are reported by no-dual-write, and payment calls without an idempotency key by require-idempotency-key (this rule reports those only when that rule is turned off); require-on-conflict covers the database writes that the same retry repeats.',
      remedy:
        "Write first, act later: insert the intent into an outbox table in the same transaction as the business change (`insert into email_outbox (user_id, kind) values ($1, 'welcome') on conflict do nothing`) and let an idempotent worker send it, passing the provider an idempotency key where it takes one. Inside a worker, claim the job with a committed write (a status change, or a row in a processed-events table) before the effect. Effects that carry an idempotency key (Stripe `idempotencyKey`, an Idempotency-Key header), and PUT and DELETE requests, which HTTP defines as idempotent, are safe to repeat and are not reported.",
      variants: {
        after: 'the write comes after it',
        transaction: 'both run in one transaction, which commits only at its end',
      },
    },
    'pt-BR': {
      message:
        '{effect} acontece antes de {write} ser confirmado ({reason}). Se a função cair ou estourar o tempo no meio, a nova execução repete {effect}; registre a intenção primeiro (uma linha de outbox gravada na mesma transação e enviada por um worker idempotente), ou reivindique o trabalho com uma escrita confirmada antes do efeito.',
      summary: 'Um efeito externo (e-mail, SMS, pagamento, chamada HTTP) não deve acontecer antes de a escrita no banco que o registra ser confirmada.',
      rationale:
        'No modelo crash-recovery uma função pode parar em qualquer linha: uma Edge Function atinge o limite de tempo, um worker é morto num deploy, um webhook é reentregue. Quando o efeito vem primeiro e a escrita que o registra depois, uma parada entre os dois não deixa rastro do efeito, e a nova execução o faz de novo: um segundo e-mail de boas-vindas, um segundo SMS, uma segunda chamada à API de um parceiro. Uma escrita dentro de uma transação aberta não resolve, porque ela só fica durável no commit, depois do efeito. O aviso fica no efeito, que é o que a repetição refaz, e cita a escrita. Publicações em broker são apontadas por no-dual-write, e chamadas de pagamento sem chave de idempotência por require-idempotency-key (esta regra só as aponta quando aquela está desligada); require-on-conflict cobre as escritas no banco que a mesma repetição refaz.',
      remedy:
        "Grave primeiro, aja depois: insira a intenção numa tabela de outbox na mesma transação da mudança de negócio (`insert into email_outbox (user_id, kind) values ($1, 'welcome') on conflict do nothing`) e deixe um worker idempotente fazer o envio, passando ao provedor uma chave de idempotência quando ele aceitar uma. Dentro de um worker, reivindique o job com uma escrita confirmada (uma mudança de status, ou uma linha numa tabela de eventos processados) antes do efeito. Efeitos que levam chave de idempotência (`idempotencyKey` do Stripe, um header Idempotency-Key), e requisições PUT e DELETE, que o HTTP define como idempotentes, podem ser repetidos com segurança e não são apontados.",
      variants: {
        after: 'a escrita vem depois dele',
        transaction: 'os dois rodam numa transação, que só é confirmada no fim',
      },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          "import { Resend } from 'npm:resend';",
          "import postgres from 'npm:postgres';",
          '',
          "const resend = new Resend(Deno.env.get('RESEND_API_KEY'));",
          "const sql = postgres(Deno.env.get('DATABASE_URL')!);",
          '',
          'export async function sendWelcomeEmail(userId: string, email: string) {',
          "  await resend.emails.send({ from: 'oi@example.com', to: email, subject: 'Bem-vindo!', html: '<p>Olá</p>' });",
          '  await sql`update public.users set welcome_sent = true where id = ${userId}`;',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          '',
          'const sql = postgres(process.env.DATABASE_URL!);',
          '',
          'export async function shipOrder(orderId: string) {',
          '  await sql.begin(async (tx) => {',
          "    await tx`update public.orders set status = 'shipped' where id = ${orderId}`;",
          "    await fetch('https://partner.example.com/shipments', { method: 'POST', body: JSON.stringify({ orderId }) });",
          '  });',
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          'const sql = postgres(process.env.DATABASE_URL!);',
          'export async function sendWelcomeEmail(userId: string) {',
          "  await sql`insert into public.email_outbox (user_id, kind) values (${userId}, 'welcome') on conflict (user_id, kind) do nothing`;",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import postgres from 'postgres';",
          "import nodemailer from 'nodemailer';",
          'const sql = postgres(process.env.DATABASE_URL!);',
          'const transporter = nodemailer.createTransport({ host: "smtp.example.com" });',
          'export async function sendJob(jobId: string, to: string) {',
          "  const [job] = await sql`update public.email_jobs set status = 'sending' where id = ${jobId} and status = 'pending' returning id`;",
          '  if (!job) return;',
          "  await transporter.sendMail({ to, subject: 'Seu pedido', text: 'Obrigado!' });",
          "  await sql`update public.email_jobs set status = 'sent' where id = ${jobId}`;",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { createClient } from '@supabase/supabase-js';",
          'const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);',
          'export async function notifyPartner(orderId: string) {',
          "  await fetch('https://partner.example.com/orders', { method: 'POST', headers: { 'Idempotency-Key': `order:${orderId}` }, body: orderId });",
          "  await supabase.from('orders').update({ partner_notified: true }).eq('id', orderId);",
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    if (!context.typescript || isTestCode(context)) return;
    for (const { steps, writes } of functionSteps(context)) {
      // A relay reads the outbox, performs the effect and marks the row: the outbox is what makes it retryable.
      if (!writes || steps.some((step) => outboxUse(context, step.call) === 'other')) continue;
      const firstWrite = steps.findIndex((step) => step.write);
      steps.forEach((step, index) => {
        // Outside a transaction, an effect after the first write runs once that write has claimed the
        // work (an idempotent worker): a retry sees the claim.
        if (!step.transaction && index > firstWrite) return;
        const effect = externalEffectOf(context, step.call);
        if (!effect || effect.keyed) return;
        // Keyless payments belong to require-idempotency-key: adding the key makes repeating them harmless.
        if (effect.kind === 'payment' && context.inForce('require-idempotency-key', { start: step.call.node.getStart(context.typescript!.node) })) return;
        let write = step.transaction ? steps.find((other) => other !== step && other.transaction === step.transaction && other.write) : undefined;
        let reason: 'transaction' | 'after' = 'transaction';
        if (!write && index < firstWrite) {
          write = steps[firstWrite];
          reason = 'after';
        }
        if (!write) return;
        const node = step.call.node;
        context.report({
          ...nodeRange(context.typescript!, ts.isCallExpression(node) ? node.expression : node),
          data: { effect: effect.label, write: writeLabel(context, write.call) },
          variants: { reason },
        });
      });
    }
  },
});
