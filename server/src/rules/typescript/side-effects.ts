// What a function does outside its database, in order: external side effects (email, SMS, push,
// payments, POST/PATCH requests), publishes to a broker, database writes, and which of them run
// inside a database transaction. Shared by no-side-effect-before-commit and no-dual-write.

import type * as TS from 'typescript';
import { ts } from '../../languages/typescript/project';
import type { SqlStatement } from '../../languages/sql/statement';
import { findAll, relationName } from '../../languages/sql/ast';
import { isFunctionLike, rootName, type CallSite, type ClientKind, type FunctionScope } from '../../languages/typescript/ts-file';
import type { RuleContext, RuleSetting } from '../../core/rule';
import { httpCallOf } from './http-clients';
import { baseName, matchesAny, matchesAnyExactly } from '../../core/names';
import { headerKeyed, hostOf, isReadOnlyPost, paymentRequestFrom, requestOf, stripeMutationOf } from './payments';
import { tsEffects } from './ts-effects';

export const EXTERNAL_EFFECT_CALLS: RuleSetting = {
  key: 'externalEffectCalls',
  default: [
    '*.emails.send',
    'resend.batch.send',
    'sgMail.send',
    'sgMail.sendMultiple',
    'sendgrid.send',
    '*.sendMail',
    'sendMail',
    '*.sendEmail',
    'sendEmail',
    '*.sendEmailWithTemplate',
    '*.sendEmailBatch',
    '*.sendTemplatedEmail',
    '*.sendRawEmail',
    'SendEmailCommand',
    'SendRawEmailCommand',
    'SendTemplatedEmailCommand',
    'SendBulkTemplatedEmailCommand',
    'SendBulkEmailCommand',
    '*twilio*.messages.create',
    '*twilio*.calls.create',
    '*.sms.send',
    'sendSms',
    '*.sendSms',
    '*.sendNotification',
    '*messaging.send',
    '*messaging.sendEach',
    '*messaging.sendEachForMulticast',
    '*messaging.sendMulticast',
    '*.sendPushNotificationsAsync',
  ],
  description: {
    en: 'Calls (globs over the dotted callee, or AWS SDK command names sent with `client.send(new …Command())`) that send an email, SMS or push notification: effects a retry repeats.',
    'pt-BR':
      'Chamadas (globs sobre o nome pontuado da função, ou nomes de comandos do AWS SDK enviados com `client.send(new …Command())`) que enviam e-mail, SMS ou notificação push: efeitos que uma repetição duplica.',
  },
};

export const BROKER_PUBLISH_CALLS: RuleSetting = {
  key: 'brokerPublishCalls',
  default: [
    '*.publish',
    '*.publishMessage',
    '*.publishJSON',
    '*producer.send',
    '*producer.sendBatch',
    '*.sendToQueue',
    '*queue.add',
    '*queue.addBulk',
    '*sqs*.sendMessage',
    '*sqs*.sendMessageBatch',
    '*queue*.sendMessage',
    '*sender.sendMessages',
    '*.putEvents',
    '*.putRecord',
    '*.putRecords',
    '*.xadd',
    '*inngest.send',
    '*channel.send',
    'SendMessageCommand',
    'SendMessageBatchCommand',
    'PublishCommand',
    'PublishBatchCommand',
    'PutEventsCommand',
    'PutRecordCommand',
    'PutRecordsCommand',
  ],
  description: {
    en: 'Calls (globs over the dotted callee, or AWS SDK command names sent with `client.send(new …Command())`) that publish a message to a broker or queue outside the database: Redis, Kafka, RabbitMQ, SQS/SNS, BullMQ, Pub/Sub, Supabase Realtime.',
    'pt-BR':
      'Chamadas (globs sobre o nome pontuado da função, ou nomes de comandos do AWS SDK enviados com `client.send(new …Command())`) que publicam uma mensagem num broker ou fila fora do banco: Redis, Kafka, RabbitMQ, SQS/SNS, BullMQ, Pub/Sub, Supabase Realtime.',
  },
};

export const OUTBOX_TABLES: RuleSetting = {
  key: 'outboxTables',
  default: ['outbox'],
  description: {
    en: 'Words (or globs with *) in the names of outbox tables: events written there in the same transaction as the data and published later by a relay.',
    'pt-BR': 'Palavras (ou globs com *) nos nomes de tabelas de outbox: eventos gravados nelas na mesma transação dos dados e publicados depois por um relay.',
  },
};

/** PUT and DELETE are idempotent by HTTP semantics (RFC 9110): repeating them leaves the same state. */
const NON_IDEMPOTENT_METHODS = new Set(['POST', 'PATCH']);
/** Calls whose callback runs inside one database transaction: sql.begin, knex/drizzle/slonik .transaction, prisma.$transaction. */
const TRANSACTION_METHODS = new Set(['begin', 'transaction', '$transaction', 'withTransaction']);

export interface Step {
  call: CallSite;
  /** The database transaction the call runs in (a transaction callback or a BEGIN … COMMIT), if any. */
  transaction: object | undefined;
  /** It writes to the database, outside a catch clause (a write there records a failure, not an effect). */
  write: boolean;
}

export interface FunctionSteps {
  scope: FunctionScope;
  /** Calls of the function in evaluation order, with those of its transaction callbacks. */
  steps: Step[];
  /** Some step writes: without one neither rule has anything to say, and the other checks are skipped. */
  writes: boolean;
}

export interface Effect {
  /** How the message names the call: `resend.emails.send()`, `fetch() POST hooks.slack.com`. */
  label: string;
  kind: 'message' | 'payment' | 'http';
  /** It carries an idempotency key (or options the rule cannot read): repeating it is harmless. */
  keyed: boolean;
}

/**
 * The calls of every function with the calls of the transaction callbacks it opens (a write inside
 * `sql.begin(async (tx) => …)` is a write of the function around it), in evaluation order.
 */
export function functionSteps(context: RuleContext): FunctionSteps[] {
  return context.memo('functionSteps', () => {
    const model = context.typescript!;
    const callbacks = new Map<FunctionScope, FunctionScope[]>();
    for (const scope of model.functions) {
      if (!isTransactionCallback(scope.node)) continue;
      const parent = model.scopeOf(scope.node);
      callbacks.set(parent, [...(callbacks.get(parent) ?? []), scope]);
    }
    const effects = tsEffects(context);
    const collect = (scope: FunctionScope, transaction: object | undefined, into: Step[]): void => {
      const client = transaction ? transactionClient(context, scope) : undefined;
      for (const written of scope.calls) {
        const call = client && !written.kind && rootName(callTarget(written)) === client.name ? { ...written, kind: client.kind } : written;
        into.push({ call, transaction, write: effects.isDatabaseWrite(call) && !inCatchClause(call.node) });
      }
      for (const callback of callbacks.get(scope) ?? []) collect(callback, callback, into);
    };
    const result: FunctionSteps[] = [];
    for (const scope of model.functions) {
      if (isTransactionCallback(scope.node)) continue;
      const steps: Step[] = [];
      collect(scope, undefined, steps);
      // Calls are recorded after their arguments, so their end offsets give the evaluation order.
      steps.sort((left, right) => left.call.node.end - right.call.node.end);
      markExplicitTransactions(context, steps);
      result.push({ scope, steps, writes: steps.some((step) => step.write) });
    }
    return result;
  });
}

// query('BEGIN') … query('COMMIT'): the calls in between run in that transaction.
function markExplicitTransactions(context: RuleContext, steps: Step[]): void {
  const effects = tsEffects(context);
  let open: object | undefined;
  for (const step of steps) {
    if (step.transaction) continue;
    const control = effects.sqlOf(step.call.node).map(transactionControl).find(Boolean);
    if (control === 'begin') open = {};
    step.transaction = open;
    if (control === 'end') open = undefined;
  }
}

function transactionControl(statement: SqlStatement): 'begin' | 'end' | undefined {
  const kind = statement.bodyOf('TransactionStmt')?.kind;
  if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') return 'begin';
  return kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE' ? 'end' : undefined;
}

// prisma.$transaction(async (tx) => tx.order.update(…)): `tx` is a client of the same kind as prisma.
function transactionClient(context: RuleContext, callback: FunctionScope): { name: string; kind: ClientKind } | undefined {
  const node = callback.node as TS.FunctionLikeDeclaration;
  const parameter = node.parameters[0]?.name;
  const kind = context.typescript!.kindOf((node.parent as TS.CallExpression).expression);
  return parameter && ts.isIdentifier(parameter) && kind ? { name: parameter.text, kind } : undefined;
}

function callTarget(call: CallSite): TS.Expression {
  return ts.isTaggedTemplateExpression(call.node) ? call.node.tag : call.node.expression;
}

function isTransactionCallback(node: TS.Node): boolean {
  const call = node.parent;
  if (!isFunctionLike(node) || !call || !ts.isCallExpression(call) || !call.arguments.includes(node as TS.Expression)) return false;
  // sql.begin(cb), db.transaction(cb), prisma.$transaction(cb), db.transaction().execute(cb) (kysely)
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (TRANSACTION_METHODS.has(callee.name.text)) return true;
  const receiver = callee.expression;
  return (
    callee.name.text === 'execute' &&
    ts.isCallExpression(receiver) &&
    ts.isPropertyAccessExpression(receiver.expression) &&
    receiver.expression.name.text === 'transaction'
  );
}

/** The external side effect a call performs, if any. Broker publishes are not side effects here (see no-dual-write). */
export function externalEffectOf(context: RuleContext, call: CallSite): Effect | undefined {
  const stripe = stripeMutationOf(context, call);
  if (stripe) return { label: `${call.callee}()`, kind: 'payment', keyed: stripe.keyed !== 'no' };
  const http = httpCallOf(context, call);
  if (http && (http.client === 'fetch' || http.client === 'axios')) {
    const request = requestOf(context, http);
    const payment = paymentRequestFrom(context, http, request);
    if (payment) return { label: httpLabel(call, 'POST', payment.host), kind: 'payment', keyed: payment.keyed !== 'no' };
    if (!request.method || !NON_IDEMPOTENT_METHODS.has(request.method) || isReadOnlyPost(context, request.url)) return undefined;
    const keyed = request.optionsUnknown || headerKeyed(request.headers, context.names('idempotencyHeaders')) !== 'no';
    return { label: httpLabel(call, request.method, hostOf(request.url)), kind: 'http', keyed };
  }
  if (callMatches(call, context.names('externalEffectCalls')) || isTwilioMessage(context, call)) {
    return { label: callLabel(call.node), kind: 'message', keyed: passesIdempotencyKey(call) };
  }
  return undefined;
}

/** True when a call publishes to a broker outside the database. */
export function isBrokerPublish(context: RuleContext, call: CallSite): boolean {
  if (!ts.isCallExpression(call.node)) return false;
  // p-queue and friends take a function to run in this process: queue.add(() => …) is not a message.
  const first = call.node.arguments[0];
  if (first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first))) return false;
  return callMatches(call, context.names('brokerPublishCalls'));
}

// A callee glob, or for AWS SDK v3 clients `client.send(new SendEmailCommand(…))` the command name.
function callMatches(call: CallSite, patterns: readonly string[]): boolean {
  if (!ts.isCallExpression(call.node)) return false;
  const methods = lastNames(patterns);
  if (methods && !methods.has(call.method.toLowerCase())) return false;
  const command = awsCommand(call.node);
  if (command) return matchesAnyExactly(command, patterns);
  return matchesAnyExactly(call.callee, patterns);
}

const lastNamesOf = new WeakMap<readonly string[], Set<string> | undefined>();

// The method names a pattern list can match ("publish" for "*.publish", "send" for a command name),
// so that most calls are turned away without a glob; undefined when a pattern ends in a wildcard.
function lastNames(patterns: readonly string[]): Set<string> | undefined {
  if (!lastNamesOf.has(patterns)) {
    const names = patterns.map((pattern) => pattern.slice(pattern.lastIndexOf('.') + 1).toLowerCase());
    lastNamesOf.set(patterns, names.some((name) => name.includes('*')) ? undefined : new Set([...names, 'send']));
  }
  return lastNamesOf.get(patterns);
}

function awsCommand(node: TS.CallExpression): string | undefined {
  const argument = node.arguments[0];
  if (!ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'send' || !argument || !ts.isNewExpression(argument)) return undefined;
  const name = ts.isIdentifier(argument.expression)
    ? argument.expression.text
    : ts.isPropertyAccessExpression(argument.expression)
      ? argument.expression.name.text
      : '';
  return name.endsWith('Command') ? name : undefined;
}

// Twilio clients are often called `client`: client.messages.create(…) counts when `client` was made
// from the twilio module (const client = twilio(sid, token), new Twilio(…)).
function isTwilioMessage(context: RuleContext, call: CallSite): boolean {
  if (!/\.(messages|calls)\.create$/.test(call.callee)) return false;
  const model = context.typescript!;
  const root = rootName((call.node as TS.CallExpression).expression) ?? '';
  const fromTwilio = (name: string) => /(^|[/:])twilio(@|$)/.test(model.imports.get(name)?.module ?? '');
  if (fromTwilio(root)) return true;
  for (const scope of model.functions) {
    for (const other of scope.calls) {
      const parent = other.node.parent;
      if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && parent.name.text === root && fromTwilio(other.callee.split('.')[0])) return true;
    }
  }
  return false;
}

// Resend and others take { idempotencyKey } in their options, like Stripe.
function passesIdempotencyKey(call: CallSite): boolean {
  if (!ts.isCallExpression(call.node)) return false;
  return call.node.arguments.some(
    (argument) =>
      ts.isObjectLiteralExpression(argument) &&
      argument.properties.some((property) => property.name && ts.isIdentifier(property.name) && property.name.text === 'idempotencyKey'),
  );
}

/** How a call touches an outbox table: 'insert' enqueues an event; 'other' reads, claims or marks rows (a relay). */
export function outboxUse(context: RuleContext, call: CallSite): 'insert' | 'other' | undefined {
  const patterns = context.names('outboxTables');
  const isOutbox = (table: string | undefined) => !!table && matchesAny(baseName(table), patterns);
  // Plain words must appear in the text: most statements are turned away without a walk of their tree.
  const mayMention = (text: string) => patterns.some((pattern) => pattern.includes('*') || text.toLowerCase().includes(pattern.toLowerCase()));
  const effects = tsEffects(context);
  let use: 'insert' | 'other' | undefined;
  for (const statement of effects.sqlOf(call.node)) {
    if (!mayMention(statement.text)) continue;
    const tables = [statement.relation(), ...findAll(statement.body, 'RangeVar').map((visit) => visit.node)].map((relation) =>
      relation ? relationName(relation) : '',
    );
    if (!tables.some(isOutbox)) continue;
    const insert = statement.bodyOf('InsertStmt');
    if (!insert || !isOutbox(relationName(insert.relation))) return 'other';
    use = 'insert';
  }
  if (use || !isOutbox(builderTable(call))) return use;
  return effects.isDatabaseWrite(call) && /^(insert|insertInto|create|createMany)$/.test(call.method) ? 'insert' : 'other';
}

const BUILDER_KINDS = new Set(['supabase', 'knex', 'kysely', 'drizzle', 'prisma']);
const TABLE_METHODS = new Set(['from', 'into', 'table', 'insert', 'insertInto', 'update', 'updateTable', 'delete', 'deleteFrom', 'selectFrom']);

// The table a query builder names: supabase.from('outbox'), knex('outbox'), db.insert(outbox)
// (drizzle's table object), prisma.outbox.create().
function builderTable(call: CallSite): string | undefined {
  if (!ts.isCallExpression(call.node) || !call.kind || !BUILDER_KINDS.has(call.kind)) return undefined;
  if (call.kind === 'prisma') {
    const parts = call.callee.split('.');
    return parts.length >= 3 ? parts[parts.length - 2] : undefined;
  }
  for (let current: TS.Expression = call.node; ;) {
    if (ts.isPropertyAccessExpression(current) || ts.isAwaitExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    else if (ts.isCallExpression(current)) {
      const callee = current.expression;
      const first = current.arguments[0];
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? 'table' : '';
      if (first && TABLE_METHODS.has(method) && (ts.isStringLiteralLike(first) || ts.isIdentifier(first))) return first.text;
      current = callee;
    } else return undefined;
  }
}

/** How a message names a database write: `UPDATE users`, `supabase.from('users').update()`. */
export function writeLabel(context: RuleContext, call: CallSite): string {
  const statement = tsEffects(context)
    .sqlOf(call.node)
    .find((each) => ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'].includes(each.kind));
  if (!statement) return callLabel(call.node);
  const verb = { InsertStmt: 'INSERT INTO', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE FROM', MergeStmt: 'MERGE INTO' }[statement.kind as 'InsertStmt'];
  return `${verb} ${relationName(statement.relation())}`;
}

/** A call as written, with its arguments left out except a leading string: `supabase.from('users').update()`. */
export function callLabel(node: TS.Node): string {
  if (ts.isTaggedTemplateExpression(node)) return `${callLabel(node.tag)}\`…\``;
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const first = node.arguments?.[0];
    const argument =
      first && ts.isStringLiteralLike(first) ? `'${first.text}'` : first && ts.isNewExpression(first) ? `new ${callLabel(first.expression)}()` : '';
    return `${callLabel(node.expression)}(${argument})`;
  }
  if (ts.isPropertyAccessExpression(node)) return `${callLabel(node.expression)}.${node.name.text}`;
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) return callLabel(node.expression);
  return '…';
}

/** A call in a catch clause runs when something failed: a write there records the failure, not the effect. */
export function inCatchClause(node: TS.Node): boolean {
  for (let current = node.parent; current && !isFunctionLike(current); current = current.parent) if (ts.isCatchClause(current)) return true;
  return false;
}

function httpLabel(call: CallSite, method: string, host: string | undefined): string {
  return `${callLabel((call.node as TS.CallExpression).expression)}() ${method}${host ? ` ${host}` : ''}`;
}
