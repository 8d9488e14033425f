// An idempotency key for a call, built from a business id the call already uses (`metadata: {
// orderId: order.id }`, a parameter `orderId`, the id in a request body) with a prefix naming the
// operation: `charge:${order.id}`. Never a random value: a fresh UUID per call gives every retry a
// new key and protects nothing. Ids that many operations share (a customer pays many orders) and
// values fixed for the whole program (constants, configuration, environment) are never used.

import type { ts as TS } from 'ts-morph';
import { ts } from '../../languages/typescript/project';
import { isFunctionLike } from '../../languages/typescript/ts-file';
import type { RuleContext, RuleSetting } from '../../rule';
import { declarationOf } from './ts-declarations';
import { propertyNameText } from './ts-effects';

export const SHARED_ID_ENTITIES: RuleSetting = {
  key: 'sharedIdEntities',
  default: ['customer', 'user', 'account', 'price', 'product', 'plan', 'payment_method', 'source', 'card', 'destination', 'tenant', 'organization', 'org', 'team', 'workspace', 'merchant', 'seller', 'store', 'coupon', 'promotion_code', 'tax_rate', 'shipping_rate', 'mandate'],
  description: {
    en: 'Entities whose id is shared by many operations (a customer pays many orders); the idempotency-key fix never builds a key from their id. Matched at the end of the name: stripe_customer_id counts as customer.',
    'pt-BR': 'Entidades cujo id é compartilhado por muitas operações (um cliente paga muitos pedidos); o fix da chave de idempotência nunca monta a chave com o id delas. Comparadas no fim do nome: stripe_customer_id conta como customer.',
  },
};

/** Params naming the object a call acts on (the `payment_intent` of a refund). */
const REFERENCE_KEYS = new Set(['payment_intent', 'charge', 'invoice', 'subscription', 'transfer', 'source_transaction', 'payout', 'setup_intent', 'quote']);
/** Who a Stripe customer belongs to: their id is the natural key of creating that customer. */
const CUSTOMER_OWNERS = ['user', 'member', 'profile', 'account', 'tenant', 'organization', 'org', 'team', 'workspace'];
/** Roots whose values are the same for every call: the environment, the platform. */
const GLOBAL_ROOTS = new Set(['process', 'Deno', 'globalThis', 'window', 'self', 'import', 'Bun']);

export interface KeySource {
  node: TS.Node | undefined;
  /** Ids found here identify the object the call acts on (an id argument, a path segment). */
  reference: boolean;
}

export interface StableKey {
  /** The key as a template literal: `charge:${order.id}`. */
  text: string;
  /** The id names the object acted on rather than the operation. */
  fromReference: boolean;
}

interface Candidate {
  expression: TS.Expression;
  entity: string;
  reference: boolean;
}

/**
 * A key from the first business id in the sources: ids of the operation (an order, an invoice of the
 * application) first, then ids of the object acted on. Undefined when there is none.
 */
export function stableKey(context: RuleContext, call: TS.Node, prefix: string, sources: KeySource[], options: { customerOwners?: boolean } = {}): StableKey | undefined {
  const candidates: Candidate[] = [];
  for (const source of sources) if (source.node) collect(source.node, source.reference, candidates, 0);
  const shared = context.names('sharedIdEntities').map(normalize).filter((entity) => !(options.customerOwners && CUSTOMER_OWNERS.includes(entity)));
  const usable = candidates.filter((candidate) => !shared.some((entity) => entity && normalize(candidate.entity).endsWith(entity)) && !programWide(context, candidate.expression, call));
  const chosen = usable.find((candidate) => !candidate.reference) ?? usable[0];
  if (!chosen) return undefined;
  const id = chosen.expression.getText().replace(/\s+/g, '');
  return { text: `\`${prefix}:\${${id}}\``, fromReference: chosen.reference };
}

/** "paymentIntents" → "payment_intent", "invoice-items" → "invoice_item". */
export function operationName(word: string): string {
  const snake = word
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
  return snake.replace(/ies$/, 'y').replace(/([^s])s$/, '$1');
}

// Ids in expression positions of the arguments: property values, call arguments (String(order.id),
// JSON.stringify({...})), template substitutions. Names of properties and callees are not values;
// nested functions run later (or never) and are skipped.
function collect(node: TS.Node, reference: boolean, out: Candidate[], depth: number): void {
  if (depth > 12 || isFunctionLike(node)) return;
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const entity = idEntity(node);
    if (entity !== undefined) out.push({ expression: node, entity, reference });
    return;
  }
  if (ts.isPropertyAssignment(node)) return collect(node.initializer, reference || REFERENCE_KEYS.has(propertyNameText(node.name) ?? ''), out, depth + 1);
  if (ts.isShorthandPropertyAssignment(node)) return collect(node.name, reference || REFERENCE_KEYS.has(node.name.text), out, depth + 1);
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    for (const argument of node.arguments ?? []) collect(argument, reference, out, depth + 1);
    return;
  }
  if (ts.isElementAccessExpression(node) || ts.isTaggedTemplateExpression(node)) return;
  ts.forEachChild(node, (child) => collect(child, reference, out, depth + 1));
}

/** The entity an id-named chain identifies ("order" for order.id, orderId, order_id; "" for a bare id), else undefined. */
function idEntity(expression: TS.Identifier | TS.PropertyAccessExpression): string | undefined {
  const chain = plainChain(expression);
  if (!chain) return undefined;
  const last = chain[chain.length - 1];
  if (/^[A-Z0-9_]{3,}$/.test(last)) return undefined; // a constant: STORE_ID
  if (/^(id|uuid)$/i.test(last)) return chain.length > 1 ? chain[chain.length - 2] : '';
  return /^(.*[a-z0-9])(Id|ID|Uuid|UUID)$/.exec(last)?.[1] ?? /^(.+)_(id|uuid)$/i.exec(last)?.[1];
}

// order.id, this.orderId, orderId — no optional chaining (`order?.id` may be undefined), no calls.
function plainChain(expression: TS.Expression): string[] | undefined {
  if (ts.isIdentifier(expression)) return [expression.text];
  if (!ts.isPropertyAccessExpression(expression) || expression.questionDotToken || !ts.isIdentifier(expression.name)) return undefined;
  if (expression.expression.kind === ts.SyntaxKind.ThisKeyword) return ['this', expression.name.text];
  const head = plainChain(expression.expression);
  return head ? [...head, expression.name.text] : undefined;
}

// A value every call of a function shares: the environment, an import, a module-level variable
// (configuration). In a top-level script a module-level variable is per run, and fine.
function programWide(context: RuleContext, expression: TS.Expression, call: TS.Node): boolean {
  let root: TS.Expression = expression;
  while (ts.isPropertyAccessExpression(root)) root = root.expression;
  if (!ts.isIdentifier(root)) return false;
  if (GLOBAL_ROOTS.has(root.text) || context.typescript!.imports.has(root.text)) return true;
  const declaration = declarationOf(root);
  return !!declaration && !insideFunction(declaration) && insideFunction(call);
}

function insideFunction(node: TS.Node): boolean {
  for (let current = node.parent; current; current = current.parent) if (isFunctionLike(current)) return true;
  return false;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}
