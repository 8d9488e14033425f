// Webhook handlers, recognised by what they receive rather than by their name alone: a SQL routine
// that takes a provider's event (an event id with the event's type or payload, a stripe_event
// parameter, or a json payload in a routine named like a handler), or a TypeScript function that
// verifies a Stripe event (constructEvent) or serves a route under a webhook path. Providers deliver
// at least once, so what such a handler records from the delivery must tolerate a second delivery.
// A function that creates webhook settings (create_webhook(p_url)) receives no event and is not one.

import type * as TS from 'typescript';
import { typeName, walk } from '../languages/sql/ast';
import type { Routine } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import { ts } from '../languages/typescript/project';
import { isFunctionLike } from '../languages/typescript/ts-file';
import type { RuleContext } from '../core/rule';
import { matchesAny, matchesAnyExactly } from '../core/names';
import { embeddedOfStatement } from './typescript/ts-effects';

export interface WebhookHandler {
  /** The routine or TypeScript function, as the message names it. */
  name: string;
  /** True when the insert writes what the delivery carries (its event id or payload). */
  carriesDelivery(insert: SqlStatement): boolean;
}

/** A parameter that holds the event's type or its payload, next to an event id. */
const EVENT_COMPANION = /^(p_|in_|_)?(event_|evt_)?(type|payload|body|data)$/;
const JSON_TYPE = /^(pg_catalog\.)?jsonb?$/;
const DELIVERY_PAYLOAD = /(^|_)(event|evt|payload|body|delivery|notification|message|data)(_|$)/;
/** Stripe verifies a delivery and returns the event. */
const VERIFIES_EVENT = new Set(['constructEvent', 'constructEventAsync']);
/** A route under a webhook path: app/api/webhooks/stripe/route.ts, pages/api/stripe-webhook.ts, functions/stripe-webhook/index.ts. */
const WEBHOOK_ROUTE = /(^|[\\/])(app|pages|api|routes?|functions)[\\/](.*[\\/])?[^\\/]*webhook[^\\/]*([\\/].*)?\.[cm]?[jt]sx?$/i;
/**
 * Expressions that hold a delivery's id: event.id, evt.id, payload.id, eventId, deliveryId,
 * headers['x-github-delivery']. Not webhook.id or webhookId: in a route that manages webhook
 * settings that is the setting's own id.
 */
const DELIVERY_ID = /\b(event|evt|delivery|notification|payload|body)\w*\.id\b|\b(event|evt|delivery)_?id\b|svix-id|x-github-delivery|idempotency/i;

/** The webhook handler an INSERT runs in, if any. */
export function webhookHandlerOf(context: RuleContext, insert: SqlStatement): WebhookHandler | undefined {
  if (insert.routine) return routineHandler(context, insert.routine);
  if (insert.origin === 'embedded' && mayHoldTypeScriptHandler(context)) return typeScriptHandler(context, insert);
  return undefined;
}

/** Cheap test: a TypeScript document that can hold a handler (it verifies or receives an event, or it is a webhook route). */
export function mayHoldTypeScriptHandler(context: RuleContext): boolean {
  const model = context.typescript;
  return !!model && (WEBHOOK_ROUTE.test(model.fileName) || /constructEvent|Stripe\.(\w+\.)*\w*Event\b/.test(model.text));
}

interface Parameter {
  name: string;
  type: string;
  position: number;
}

function routineHandler(context: RuleContext, routine: Routine): WebhookHandler | undefined {
  return context.memo(`webhook-handler:${routine.header.start}:${routine.name}`, () => {
    if (routine.kind === 'do' || routine.returnsTrigger) return undefined;
    const parameters: Parameter[] = (routine.header.bodyOf('CreateFunctionStmt')?.parameters ?? [])
      .flatMap((each) => {
        const parameter = each.FunctionParameter;
        return parameter && parameter.mode !== 'FUNC_PARAM_OUT' && parameter.mode !== 'FUNC_PARAM_TABLE' ? [parameter] : [];
      })
      .map((parameter, index) => ({
        name: String(parameter.name ?? '').toLowerCase(),
        type: typeName(parameter.argType).toLowerCase(),
        position: index + 1,
      }));
    const eventIds = parameters.filter((parameter) => parameter.name && matchesAnyExactly(parameter.name, context.names('webhookEventParameters')));
    // A json parameter named like a delivery (p_event, payload, body), not like settings (p_config).
    const payloads = parameters.filter((parameter) => JSON_TYPE.test(parameter.type) && DELIVERY_PAYLOAD.test(parameter.name));
    const companions = parameters.filter((parameter) => payloads.includes(parameter) || EVENT_COMPANION.test(parameter.name));
    const named = !!routine.name && matchesAny(baseRoutineName(routine.name), context.names('webhookHandlers'));
    // A provider's delivery: an event id with its type or payload; or, in a routine named like a
    // handler, the event id or the payload alone.
    const delivery = named ? [...eventIds, ...payloads] : eventIds.length && companions.length ? [...eventIds, ...companions] : [];
    if (!delivery.length) return undefined;
    const names = new Set(delivery.map((parameter) => parameter.name).filter(Boolean));
    const positions = new Set(delivery.map((parameter) => parameter.position));
    return {
      name: routine.name,
      carriesDelivery: (insert: SqlStatement) => readsParameter(insert, routine, names, positions),
    };
  });
}

function baseRoutineName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

// The insert's values name a delivery parameter: p_event_id, handler.p_event_id, $1, or a variable
// assigned from one (v_customer := p_payload->>'customer').
function readsParameter(insert: SqlStatement, routine: Routine, names: Set<string>, positions: Set<number>): boolean {
  const derived = new Set(names);
  for (const statement of routine.statements) {
    if (statement === insert) break;
    const targets = statement.plpgsql?.targets ?? [];
    if (targets.length && statement.kind === 'SelectStmt' && mentions(statement.bodyOf('SelectStmt')?.targetList, derived, positions))
      for (const target of targets) derived.add(target);
  }
  const values = insert.bodyOf('InsertStmt');
  return mentions([values?.selectStmt, values?.withClause], derived, positions);
}

function mentions(expression: unknown, names: Set<string>, positions: Set<number>): boolean {
  let found = false;
  walk(expression, (visit) => {
    if (found) return false;
    if (visit.type === 'ColumnRef') {
      const fields: string[] = (visit.node.fields ?? []).map((field) => String(field.String?.sval ?? '').toLowerCase());
      if (names.has(fields[0]) || (fields.length === 2 && names.has(fields[1]))) found = true;
    } else if (visit.type === 'ParamRef' && positions.has(Number(visit.node.number))) found = true;
    return !found;
  });
  return found;
}

function typeScriptHandler(context: RuleContext, insert: SqlStatement): WebhookHandler | undefined {
  const model = context.typescript!;
  const entry = embeddedOfStatement(insert, context.embedded);
  const at: TS.Node | undefined = entry?.call ?? entry?.literal;
  if (!entry || !at) return undefined;
  // The functions around the query, innermost first: a callback inside the handler counts.
  const functions: TS.Node[] = [];
  for (let node: TS.Node | undefined = at.parent; node; node = node.parent) if (isFunctionLike(node)) functions.push(node);
  const events = functions.flatMap((fn) => verifiedEvents(fn));
  const route = WEBHOOK_ROUTE.test(model.fileName);
  if (!events.length && !route) return undefined;
  const name = functionLabel(model.node, functions[functions.length - 1]) ?? model.fileName.split(/[\\/]/).slice(-2).join('/');
  // What the query binds: its ${…} substitutions, or its parameter array.
  const bound: TS.Node[] = [...entry.boundValues, ...(entry.operation?.opaqueValues ?? [])];
  return {
    name,
    carriesDelivery: () =>
      bound.some((value) => {
        const text = value.getText(model.node);
        return events.some((event) => new RegExp(`\\b${event}(\\.data\\.object)?\\.id\\b`).test(text)) || DELIVERY_ID.test(text);
      }),
  };
}

/** The name a function is known by: its own, or the variable or property it is assigned to (export const POST = async …). */
function functionLabel(source: TS.SourceFile, fn: TS.Node | undefined): string | undefined {
  if (!fn) return undefined;
  const own = (fn as TS.FunctionDeclaration).name;
  if (own) return own.getText(source);
  const parent = fn.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(source);
  return undefined;
}

/**
 * Variables that hold a provider's event in a function: assigned from Stripe's constructEvent (`const
 * event = stripe.webhooks.constructEvent(…)`), or a parameter typed as one (`event: Stripe.Event`).
 */
function verifiedEvents(fn: TS.Node): string[] {
  const found: string[] = [];
  if (isFunctionLike(fn)) {
    for (const parameter of fn.parameters) {
      if (ts.isIdentifier(parameter.name) && parameter.type && /^Stripe\.(\w+\.)*\w*Event$/.test(parameter.type.getText())) found.push(parameter.name.text);
    }
  }
  const visit = (node: TS.Node): void => {
    if (node !== fn && isFunctionLike(node)) return;
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.name)) {
      let value: TS.Expression = node.initializer;
      while (ts.isAwaitExpression(value) || ts.isParenthesizedExpression(value) || ts.isAsExpression(value)) value = value.expression;
      if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && VERIFIES_EVENT.has(value.expression.name.text))
        found.push(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}
