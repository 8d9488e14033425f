// An idempotency key for a call, built from a business id the call already uses (`metadata: {
// orderId: order.id }`, a parameter `orderId`, the id in a request body) with a prefix naming the
// operation: `charge:${order.id}`. Never a random value: a fresh UUID per call gives every retry a
// new key and protects nothing. Ids that many operations share (a customer pays many orders) and
// values fixed for the whole program (constants, configuration, environment) are never used.

import type * as TS from 'typescript';
import { ts } from '../../languages/typescript/project';
import { dottedName, isFunctionLike } from '../../languages/typescript/ts-file';
import type { RuleContext, RuleSetting } from '../../core/rule';
import { declarationOf, unwrap } from './ts-declarations';
import { propertyNameText } from './ts-effects';

export const SHARED_ID_ENTITIES: RuleSetting = {
  key: 'sharedIdEntities',
  default: [
    'customer',
    'user',
    'account',
    'price',
    'product',
    'plan',
    'payment_method',
    'source',
    'card',
    'destination',
    'tenant',
    'organization',
    'org',
    'team',
    'workspace',
    'merchant',
    'seller',
    'store',
    'coupon',
    'promotion_code',
    'tax_rate',
    'shipping_rate',
    'mandate',
  ],
  description: {
    en: 'Entities whose id is shared by many operations (a customer pays many orders); the idempotency-key fix never builds a key from their id. Matched at the end of the name: stripe_customer_id counts as customer.',
    'pt-BR':
      'Entidades cujo id é compartilhado por muitas operações (um cliente paga muitos pedidos); o fix da chave de idempotência nunca monta a chave com o id delas. Comparadas no fim do nome: stripe_customer_id conta como customer.',
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
export function stableKey(
  context: RuleContext,
  call: TS.Node,
  prefix: string,
  sources: KeySource[],
  options: { customerOwners?: boolean } = {},
): StableKey | undefined {
  const candidates: Candidate[] = [];
  for (const source of sources) if (source.node) collect(source.node, source.reference, candidates, 0);
  const shared = context
    .names('sharedIdEntities')
    .map(normalize)
    .filter((entity) => !(options.customerOwners && CUSTOMER_OWNERS.includes(entity)));
  const imports = context.typescript!.imports;
  const usable = candidates.filter(
    (candidate) =>
      !shared.some((entity) => entity && normalize(candidate.entity).endsWith(entity)) &&
      !programWide(context, candidate.expression, call) &&
      !changingValue(candidate.expression, imports),
  );
  const chosen = usable.find((candidate) => !candidate.reference) ?? usable[0];
  if (!chosen) return undefined;
  const id = chosen.expression.getText().replace(/\s+/g, '');
  return { text: `\`${prefix}:\${${id}}\``, fromReference: chosen.reference };
}

/** A key that is new on every call: where it comes from, and whether a variable carries it. */
export interface ChangingValue {
  /** The call that makes it change: "randomUUID()", "Date.now()", "new Date()". */
  source: string;
  /** The key reaches the request through a variable (`const key = randomUUID()`). */
  throughVariable: boolean;
}

export interface ImportedName {
  module: string;
  imported: string;
}

/**
 * Whether a key is built from a random or time value (randomUUID(), uuid(), nanoid(), Date.now(),
 * new Date(), Math.random(), directly, in a template or concatenation, or through a const): every
 * attempt then sends a new key, which is the same as sending none.
 */
export function changingValue(expression: TS.Expression | undefined, imports: ReadonlyMap<string, ImportedName> = new Map()): ChangingValue | undefined {
  let throughVariable = false;
  const visit = (node: TS.Expression | undefined, depth: number): string | undefined => {
    const value = unwrap(node);
    if (!value || depth > 6) return undefined;
    if (ts.isIdentifier(value)) {
      const declaration = declarationOf(value);
      // A const keeps the value it was given; a let may be given a stable one later.
      if (!declaration?.initializer || !(declaration.parent.flags & ts.NodeFlags.Const)) return undefined;
      const source = visit(declaration.initializer, depth + 1);
      if (source) throughVariable = true;
      return source;
    }
    if (ts.isNewExpression(value))
      return ts.isIdentifier(value.expression) && value.expression.text === 'Date' && !value.arguments?.length ? 'new Date()' : undefined;
    if (ts.isCallExpression(value)) {
      const callee = dottedName(value.expression);
      if (callee && isChangingCall(callee, imports)) return `${callee}()`;
      // randomUUID().slice(0, 8), Date.now().toString(), new Date().toISOString()
      if (ts.isPropertyAccessExpression(value.expression)) {
        const receiver = visit(value.expression.expression, depth + 1);
        if (receiver) return receiver;
      }
      // String(Date.now()), hash(randomUUID())
      for (const argument of value.arguments) {
        const source = ts.isSpreadElement(argument) ? undefined : visit(argument, depth + 1);
        if (source) return source;
      }
      return undefined;
    }
    if (ts.isTemplateExpression(value)) {
      for (const span of value.templateSpans) {
        const source = visit(span.expression, depth + 1);
        if (source) return source;
      }
      return undefined;
    }
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return visit(value.left, depth + 1) ?? visit(value.right, depth + 1);
    return undefined;
  };
  const source = visit(expression, 0);
  return source ? { source, throughVariable } : undefined;
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

/** Function names that make a new value on every call wherever they come from (a project's own nanoid helper too). */
const CHANGING_FUNCTIONS = new Set(['randomUUID', 'uuid', 'uuidv1', 'uuidv4', 'uuidv6', 'uuidv7', 'nanoid', 'cuid', 'ulid', 'randomBytes']);
/** Globals and members of platform objects that read the clock or a random source. */
const CHANGING_MEMBERS = new Set(['Date.now', 'Math.random', 'performance.now', 'crypto.randomUUID', 'crypto.randomBytes', 'crypto.getRandomValues']);
/** What each id package exports that is new on every call (uuid's v3 and v5 are derived from a name: stable). */
const CHANGING_EXPORTS: Array<[RegExp, Set<string>]> = [
  [/^(npm:)?uuid(@[^/]*)?$/, new Set(['v1', 'v4', 'v6', 'v7', 'default'])],
  [/^(npm:)?nanoid(@[^/]*)?(\/|$)/, new Set(['nanoid', 'default'])],
  [/^(npm:)?cuid(@[^/]*)?$/, new Set(['default', 'cuid'])],
  [/^(npm:)?@paralleldrive\/cuid2(@[^/]*)?$/, new Set(['createId', 'default'])],
  [/^(npm:)?ulidx?(@[^/]*)?$/, new Set(['ulid', 'default'])],
  [/^(node:)?crypto$/, new Set(['randomUUID', 'randomBytes', 'getRandomValues'])],
];

function isChangingCall(callee: string, imports: ReadonlyMap<string, ImportedName>): boolean {
  const parts = callee.split('.');
  const last = parts[parts.length - 1];
  if (CHANGING_MEMBERS.has(parts.slice(-2).join('.'))) return true;
  const root = imports.get(parts[0]);
  // import { v4 as uuidv4 } from 'uuid' … uuidv4(); import * as uuid from 'uuid' … uuid.v4()
  const known = root && CHANGING_EXPORTS.find(([module]) => module.test(root.module))?.[1];
  if (root && known) {
    const exported = root.imported === '*' && parts.length === 2 ? last : parts.length === 1 ? root.imported : undefined;
    return !!exported && known.has(exported);
  }
  return parts.length === 1 && (CHANGING_FUNCTIONS.has(last) || CHANGING_FUNCTIONS.has(root?.imported ?? ''));
}
