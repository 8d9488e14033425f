import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { defineRule, type Edit, type FixProposal, type RuleContext } from '../core/rule';
import { operationName, SHARED_ID_ENTITIES, stableKey, type KeySource } from './typescript/idempotency-keys';
import {
  headerNameFor,
  IDEMPOTENCY_HEADERS,
  PAYMENT_API_HOSTS,
  paymentCallOf,
  READ_ONLY_POST_PATHS,
  STRIPE_KEYLESS_CALLS,
  STRIPE_MUTATIONS,
  type ChangingKey,
  type PaymentRequest,
  type StripeMutation,
} from './typescript/payments';
import { isTestCode } from '../languages/typescript/test-code';
import { resolveValue, unwrap } from './typescript/ts-declarations';
import { addArgumentEdit, addPropertyEdit, lineIndent } from './typescript/ts-edits';
import { nodeRange, objectProperty } from './typescript/ts-effects';

export default defineRule({
  id: 'require-idempotency-key',
  severity: 'warning',
  languages: ['ts'],
  fix: 'safe',
  skill: {
    name: 'armadilhas-sistemas-distribuidos',
    section: 'REQ ARMADILHAS-05 (crash-recovery: idempotent operations); anti-pattern 4; sistemas-distribuidos (Idempotência)',
  },
  sources: ['Stripe API reference, Idempotent requests'],
  settings: [STRIPE_MUTATIONS, STRIPE_KEYLESS_CALLS, PAYMENT_API_HOSTS, IDEMPOTENCY_HEADERS, READ_ONLY_POST_PATHS, SHARED_ID_ENTITIES],
  text: {
    en: {
      message:
        '{call} goes to {provider} {keyState}. If a timeout or a re-run of this function sends it again, {provider} cannot tell the repeat from a new request and performs it twice (a duplicate charge, refund, transfer or customer). Pass a key built from a stable id of the operation {how}, never a random value or the current time.',
      summary: 'Payment calls (Stripe mutations, POSTs to payment APIs) must carry an idempotency key derived from the operation.',
      rationale:
        'Edge Functions, webhook handlers and queue workers live in the crash-recovery model: a timeout, a crash or a redelivery runs the same code again, and a network error leaves the caller unsure whether the provider already acted. Without a key every attempt is a new payment. With one, the provider keeps the result of the first request and answers every repeat with it (Stripe keeps keys for at least 24 hours and rejects a key reused with different parameters). A random key per call protects nothing, because each attempt brings a new one; the SDK reuses a key across its own automatic retries, but a new run of the function starts over. This rule is about the provider call itself; no-side-effect-before-commit is about the order of effects and database writes in a function (it leaves keyless payments to this rule), no-dual-write about broker publishes, and require-on-conflict about the database side of the same retry.',
      remedy:
        'Derive the key from what identifies the operation in your system, prefixed with the kind of operation: `charge:${order.id}`, `refund:${refundRequest.id}`. Stripe takes it in the request options after the params (`stripe.refunds.create(params, { idempotencyKey })`, `stripe.paymentIntents.capture(id, params, { idempotencyKey })`); HTTP APIs take it in a header (Idempotency-Key; X-Idempotency-Key on Mercado Pago, PayPal-Request-Id on PayPal). When a new attempt after a decline is a new operation, put the attempt number in the key. The fix builds the key from an id the call already uses; when that id is the object the call acts on (a payment intent confirmed again with another card, a second partial refund of one payment) the key would replay the first result, so that fix is offered but never applied automatically. A key that is there but made from randomUUID(), uuid(), nanoid(), Date.now() or new Date() (directly, in a template or through a variable) is reported too: it is new on every attempt. The fix replaces it with a key from a stable id the call uses, and is not offered when the call uses none; a key that reaches the call through a variable is replaced where the call uses it, which may leave the variable unused, so that fix is not applied automatically.',
      fixes: { addKey: 'Add the idempotency key {key}', replaceKey: 'Use the stable idempotency key {key}' },
      variants: {
        option: 'in the `idempotencyKey` request option',
        header: 'in the {header} header',
        missing: 'without an idempotency key',
        changing: 'with an idempotency key made from {source}, which is new on every attempt: the same as no key',
      },
    },
    'pt-BR': {
      message:
        '{call} vai para {provider} {keyState}. Se um timeout ou uma nova execução desta função enviar a chamada de novo, {provider} não distingue a repetição de um pedido novo e executa duas vezes (cobrança, reembolso, transferência ou cliente em dobro). Passe uma chave montada a partir de um id estável da operação {how}, nunca um valor aleatório ou a hora atual.',
      summary: 'Chamadas de pagamento (mutações do Stripe, POSTs a APIs de pagamento) precisam levar uma chave de idempotência derivada da operação.',
      rationale:
        'Edge Functions, handlers de webhook e workers de fila vivem no modelo crash-recovery: um timeout, um crash ou uma reentrega executa o mesmo código outra vez, e um erro de rede deixa quem chamou sem saber se o provedor já agiu. Sem chave, cada tentativa é um pagamento novo. Com ela, o provedor guarda o resultado do primeiro pedido e responde toda repetição com ele (o Stripe guarda as chaves por pelo menos 24 horas e rejeita uma chave reutilizada com parâmetros diferentes). Uma chave aleatória por chamada não protege nada, porque cada tentativa traz uma nova; o SDK reaproveita a chave nas próprias retentativas automáticas, mas uma nova execução da função começa do zero. Esta regra trata da chamada ao provedor; no-side-effect-before-commit trata da ordem entre efeitos e escritas no banco numa função (e deixa para esta regra os pagamentos sem chave), no-dual-write das publicações em broker, e require-on-conflict do lado do banco na mesma repetição.',
      remedy:
        'Derive a chave do que identifica a operação no seu sistema, com um prefixo do tipo de operação: `charge:${order.id}`, `refund:${refundRequest.id}`. O Stripe recebe a chave nas opções da requisição, depois dos params (`stripe.refunds.create(params, { idempotencyKey })`, `stripe.paymentIntents.capture(id, params, { idempotencyKey })`); APIs HTTP recebem num header (Idempotency-Key; X-Idempotency-Key no Mercado Pago, PayPal-Request-Id no PayPal). Quando uma nova tentativa depois de uma recusa é uma operação nova, inclua o número da tentativa na chave. O fix monta a chave com um id que a chamada já usa; quando esse id é o do objeto sobre o qual a chamada age (um payment intent confirmado de novo com outro cartão, um segundo reembolso parcial do mesmo pagamento), a chave repetiria o primeiro resultado, então esse fix é oferecido mas nunca aplicado automaticamente. Uma chave que existe mas é feita de randomUUID(), uuid(), nanoid(), Date.now() ou new Date() (direto, num template ou por uma variável) também é reportada: ela é nova a cada tentativa. O fix a troca por uma chave montada com um id estável que a chamada usa, e não é oferecido quando a chamada não usa nenhum; uma chave que chega à chamada por uma variável é trocada onde a chamada a usa, o que pode deixar a variável sem uso, então esse fix não é aplicado automaticamente.',
      fixes: { addKey: 'Adicionar a chave de idempotência {key}', replaceKey: 'Usar a chave de idempotência estável {key}' },
      variants: {
        option: 'na opção de requisição `idempotencyKey`',
        header: 'no header {header}',
        missing: 'sem chave de idempotência',
        changing: 'com uma chave de idempotência feita de {source}, que é nova a cada tentativa: o mesmo que não ter chave',
      },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          '',
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          '',
          'export async function chargeOrder(order: { id: string; total: number; customerId: string }) {',
          '  return stripe.paymentIntents.create({',
          '    amount: order.total,',
          "    currency: 'brl',",
          '    customer: order.customerId,',
          '    metadata: { orderId: order.id },',
          '  });',
          '}',
        ].join('\n'),
        fixed: [
          "import Stripe from 'stripe';",
          '',
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          '',
          'export async function chargeOrder(order: { id: string; total: number; customerId: string }) {',
          '  return stripe.paymentIntents.create({',
          '    amount: order.total,',
          "    currency: 'brl',",
          '    customer: order.customerId,',
          '    metadata: { orderId: order.id },',
          '  }, { idempotencyKey: `payment_intent:${order.id}` });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'npm:stripe@14';",
          '',
          "const stripe = Stripe(Deno.env.get('STRIPE_SECRET_KEY')!);",
          '',
          'export async function refund(refundRequestId: string, paymentIntentId: string, account: string) {',
          '  await stripe.refunds.create({ payment_intent: paymentIntentId, metadata: { refundRequestId } }, { stripeAccount: account });',
          '}',
        ].join('\n'),
        fixed: [
          "import Stripe from 'npm:stripe@14';",
          '',
          "const stripe = Stripe(Deno.env.get('STRIPE_SECRET_KEY')!);",
          '',
          'export async function refund(refundRequestId: string, paymentIntentId: string, account: string) {',
          '  await stripe.refunds.create({ payment_intent: paymentIntentId, metadata: { refundRequestId } }, { stripeAccount: account, idempotencyKey: `refund:${refundRequestId}` });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function payOrder(orderId: string, amount: number, cardToken: string) {',
          "  const response = await fetch('https://api.mercadopago.com/v1/payments', {",
          "    method: 'POST',",
          "    headers: { Authorization: `Bearer ${Deno.env.get('MP_ACCESS_TOKEN')}`, 'Content-Type': 'application/json' },",
          '    body: JSON.stringify({ transaction_amount: amount, token: cardToken, external_reference: orderId }),',
          '  });',
          '  return response.json();',
          '}',
        ].join('\n'),
        fixed: [
          'export async function payOrder(orderId: string, amount: number, cardToken: string) {',
          "  const response = await fetch('https://api.mercadopago.com/v1/payments', {",
          "    method: 'POST',",
          "    headers: { Authorization: `Bearer ${Deno.env.get('MP_ACCESS_TOKEN')}`, 'Content-Type': 'application/json', 'X-Idempotency-Key': `payment:${orderId}` },",
          '    body: JSON.stringify({ transaction_amount: amount, token: cardToken, external_reference: orderId }),',
          '  });',
          '  return response.json();',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          "import { randomUUID } from 'node:crypto';",
          '',
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          '',
          'export async function refund(refundRequestId: string, paymentIntentId: string) {',
          '  await stripe.refunds.create({ payment_intent: paymentIntentId, metadata: { refundRequestId } }, { idempotencyKey: randomUUID() });',
          '}',
        ].join('\n'),
        fixed: [
          "import Stripe from 'stripe';",
          "import { randomUUID } from 'node:crypto';",
          '',
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          '',
          'export async function refund(refundRequestId: string, paymentIntentId: string) {',
          '  await stripe.refunds.create({ payment_intent: paymentIntentId, metadata: { refundRequestId } }, { idempotencyKey: `refund:${refundRequestId}` });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          '',
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          '',
          'export async function tip(amount: number, source: string) {',
          "  await stripe.charges.create({ amount, currency: 'usd', source });",
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          'export async function chargeOrder(order: { id: string; total: number }) {',
          "  return stripe.paymentIntents.create({ amount: order.total, currency: 'brl' }, { idempotencyKey: `payment_intent:${order.id}` });",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          'export async function customerOf(id: string, email: string) {',
          '  const customer = await stripe.customers.retrieve(id);',
          '  const others = await stripe.customers.list({ email });',
          '  return { customer, others };',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'stripe';",
          'const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          'export async function refund(params: Stripe.RefundCreateParams, options: Stripe.RequestOptions) {',
          '  await stripe.refunds.create(params, options);',
          '  await stripe.refunds.create(params, { ...options, stripeAccount: "acct_1" });',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import Stripe from 'https://esm.sh/stripe@14?target=deno';",
          "const stripe = new Stripe(Deno.env.get('STRIPE_SECRET_KEY')!);",
          'export async function checkout(priceId: string) {',
          "  return stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: priceId, quantity: 1 }], success_url: 'https://example.com/ok' });",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function payOrder(orderId: string, body: string) {',
          "  return fetch('https://api.stripe.com/v1/charges', { method: 'POST', headers: { 'Idempotency-Key': `charge:${orderId}` }, body });",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          '// A reporting query sent with POST reads; repeating it changes nothing.',
          'export async function monthlyRevenue(startsAt: string, endsAt: string) {',
          "  return fetch('https://api.stripe.com/v2/data/analytics/metric_query', {",
          "    method: 'POST',",
          "    headers: { Authorization: `Bearer ${process.env.STRIPE_SECRET_KEY}`, 'Content-Type': 'application/json' },",
          "    body: JSON.stringify({ metrics: [{ name: 'revenue.mrr' }], starts_at: startsAt, ends_at: endsAt }),",
          '  });',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const model = context.typescript;
    // Tests call the provider's test mode or a mock, under the runner's control: nothing is retried there.
    if (!model || isTestCode(context)) return;
    for (const scope of model.functions) {
      for (const call of scope.calls) {
        const payment = paymentCallOf(context, call);
        if (!payment || payment.keyed !== 'no') continue;
        const stripe = payment.kind === 'stripe';
        const header = stripe ? '' : headerNameFor(payment.host);
        context.report({
          ...nodeRange(model, payment.call.node.expression),
          data: { call: `${payment.call.callee}()`, provider: stripe ? 'Stripe' : payment.host, header, source: payment.changingKey?.source ?? '' },
          variants: { how: stripe ? 'option' : 'header', keyState: payment.changingKey ? 'changing' : 'missing' },
          fixes: stripe ? stripeFix(context, payment) : headerFix(context, payment, header),
        });
      }
    }
  },
});

// stripe.refunds.create(params) → create(params, { idempotencyKey: `refund:${…}` }); an options object
// written in the call gets the key as one more property.
function stripeFix(context: RuleContext, mutation: StripeMutation): Array<FixProposal<'addKey' | 'replaceKey'>> {
  const node = mutation.call.node;
  const parts = mutation.path.split('.');
  const method = parts.pop()!;
  const actsOnId = method !== 'create';
  const prefix = [parts.map(operationName).join('_'), actsOnId ? operationName(method.replace(/^create(?=[A-Z])/, '')) : ''].filter(Boolean).join('_');
  const sources: KeySource[] = [{ node: resolveValue(node.arguments[actsOnId ? 1 : 0]), reference: false }];
  if (actsOnId) sources.push({ node: node.arguments[0], reference: true });
  const key = stableKey(context, node, prefix, sources, { customerOwners: mutation.path === 'customers.create' });
  if (!key) return [];
  // Keyed by the object it acts on, a capture is still right (it happens once); a confirm or a payment is not.
  const safe = !key.fromReference || method === 'capture';
  if (mutation.changingKey)
    return replaceKeyFix(mutation.changingKey, key.text, safe, (object) => node.arguments.some((argument) => unwrap(argument) === object));
  const text = context.text;
  let edit;
  if (mutation.options) edit = addPropertyEdit(text, mutation.options, `idempotencyKey: ${key.text}`);
  else if (!node.arguments[mutation.optionsIndex])
    edit = appendArgument(text, node, `${'{}, '.repeat(mutation.optionsIndex - node.arguments.length)}{ idempotencyKey: ${key.text} }`);
  if (!edit) return [];
  return [{ key: 'addKey', data: { key: key.text }, edits: [edit], safe }];
}

// fetch(url, { method: 'POST', headers: { … } }) → the provider's header joins the headers written in
// the call. A headers object kept in a variable may be shared by other requests, so it is not edited.
function headerFix(context: RuleContext, request: PaymentRequest, header: string): Array<FixProposal<'addKey' | 'replaceKey'>> {
  const node = request.call.node;
  const path = request.url.slice(request.url.indexOf(request.host) + request.host.length).split(/[?#]/)[0];
  const segment = path
    .split('/')
    .filter((part) => /^[A-Za-z_-]+$/.test(part))
    .pop();
  const sources: KeySource[] = [
    { node: resolveValue(request.body), reference: false },
    { node: request.urlNode, reference: true },
  ];
  const key = stableKey(context, node, segment ? operationName(segment) : 'payment', sources);
  if (!key) return [];
  const safe = !key.fromReference || segment === 'capture';
  const headers = objectProperty(request.options, 'headers');
  const inline = inlineHeaders(headers);
  if (request.changingKey) return replaceKeyFix(request.changingKey, key.text, safe, (object) => object === inline);
  const quote = quoteOf(request.urlNode) ?? "'";
  const property = `${quote}${header}${quote}: ${key.text}`;
  const text = context.text;
  let edit;
  if (inline) edit = addPropertyEdit(text, inline, property);
  else if (!headers && request.options) edit = addPropertyEdit(text, request.options, `headers: { ${property} }`);
  else if (!headers && !node.arguments[request.http.optionsIndex] && node.arguments.length === request.http.optionsIndex && request.body)
    edit = appendArgument(text, node, `{ headers: { ${property} } }`);
  if (!edit) return [];
  return [{ key: 'addKey', data: { key: key.text }, edits: [edit], safe }];
}

// idempotencyKey: randomUUID() → idempotencyKey: `refund:${refundRequestId}`. Safe only where the key is
// written in the call itself: a key kept in a variable, or options shared through one, may be read
// elsewhere (and the variable may be left unused).
function replaceKeyFix(
  changing: ChangingKey,
  key: string,
  safe: boolean,
  writtenInCall: (object: TS.Node) => boolean,
): Array<FixProposal<'addKey' | 'replaceKey'>> {
  const property = changing.value.parent;
  let edit: Edit;
  if (ts.isPropertyAssignment(property) && property.initializer === changing.value)
    edit = { start: changing.value.getStart(), end: changing.value.getEnd(), text: key };
  else if (ts.isShorthandPropertyAssignment(property)) edit = { start: property.getStart(), end: property.getEnd(), text: `${property.name.text}: ${key}` };
  else return [];
  const inCall = writtenInCall(property.parent) && !changing.throughVariable;
  return [{ key: 'replaceKey', data: { key }, edits: [edit], safe: safe && inCall }];
}

// Arguments written one per line get the new one on a line of its own.
function appendArgument(text: string, call: TS.CallExpression, argument: string): Edit {
  const args = call.arguments;
  const last = args[args.length - 1];
  if (!last || args.hasTrailingComma || !text.slice(args[0].getFullStart(), args[0].getStart()).includes('\n')) return addArgumentEdit(text, call, argument);
  return { start: last.getEnd(), end: last.getEnd(), text: `,\n${lineIndent(text, last.getStart())}${argument}` };
}

// headers: { … } or headers: new Headers({ … }) written in the call.
function inlineHeaders(headers: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  const written = unwrap(headers);
  const literal =
    written && ts.isNewExpression(written) && ts.isIdentifier(written.expression) && written.expression.text === 'Headers'
      ? unwrap(written.arguments?.[0])
      : written;
  return literal && ts.isObjectLiteralExpression(literal) ? literal : undefined;
}

function quoteOf(node: TS.Node | undefined): string | undefined {
  const literal = unwrap(node as TS.Expression | undefined);
  return literal && ts.isStringLiteral(literal) ? literal.getText()[0] : undefined;
}
