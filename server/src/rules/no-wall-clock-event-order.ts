import type * as TS from 'typescript';
import { kindSet, ts } from '../languages/typescript/project';
import { dottedName, type TsModel } from '../languages/typescript/ts-file';
import { unwrapExpression as unwrap } from '../languages/typescript/operations/chain';
import { defineRule, type RuleContext } from '../core/rule';
import { declarationsIn } from '../languages/typescript/local-variables';
import { isTestCode } from '../languages/typescript/test-code';
import { propertyNameText } from './typescript/ts-effects';

// Properties that make an object an event or a message: what happened, who sent it, where from.
const EVENT_PROPERTIES = new Set([
  'type',
  'kind',
  'event',
  'eventType',
  'event_type',
  'eventName',
  'action',
  'topic',
  'channel',
  'payload',
  'message',
  'msg',
  'text',
  'body',
  'content',
  'author',
  'authorId',
  'sender',
  'senderId',
  'from',
  'origin',
  'source',
  'nodeId',
  'node_id',
  'replicaId',
  'clientId',
  'deviceId',
  'actor',
  'actorId',
  'op',
  'operation',
  'command',
  'aggregateId',
  'aggregate_id',
  'streamId',
  'stream_id',
]);
/** Field names that say "when this event happened". */
const EVENT_TIME = /^(occurred|sent|received|published|emitted|happened|recorded|produced|event)(At|_at|Time|_time|Ts|_ts|On)$|^eventTimestamp$/i;
/** Clock readings for expiry, caching and measuring, not for ordering events. */
const TIMING_FIELD = /expir|ttl|deadline|lastSeen|last_seen|heartbeat|lastUsed|lastAccess|accessed|cached|start|begin|finish|ended|duration|elapsed|timeout/i;
/** Methods that turn a Date into something comparable (a display string such as toLocaleString is not). */
const COMPARABLE = new Set(['getTime', 'valueOf', 'toISOString', 'toJSON']);
const ORDERING = kindSet(() => [
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);
const LODASH = /^(npm:)?(lodash|lodash-es|underscore|lodash\.sortby|lodash\.orderby)(@[^/]*)?(\/|$)/;
const SORTS = new Set(['sort', 'toSorted', 'sortBy', 'orderBy']);
/** Calls that take an object out of the process: network, broker, database, serialisation. Not emit (often an in-process EventEmitter). */
const TRANSMITS = new Set([
  'send',
  'sendMessage',
  'publish',
  'broadcast',
  'post',
  'put',
  'patch',
  'insert',
  'insertOne',
  'insertMany',
  'upsert',
  'create',
  'createMany',
  'add',
  'addDoc',
  'setDoc',
  'write',
  'enqueue',
  'xadd',
  'lpush',
  'rpush',
  'produce',
  'stringify',
  'json',
  'fetch',
  'invoke',
  'track',
  'capture',
]);
const LOGGING = /^(console|logger|log)\.|\.(log|info|debug|warn|error|trace)$/;

interface Stamp {
  clock: string;
  /** The object is an event or message (not a cache entry, not a measurement). */
  eventLike: boolean;
  /** The stamped object leaves this process (sent, published, stored), to be ordered with other machines' stamps. */
  travels: boolean;
}

export default defineRule({
  id: 'no-wall-clock-event-order',
  severity: 'info',
  languages: ['ts'],
  skill: {
    name: 'sistemas-distribuidos',
    section:
      'Clock skew e ordenação com relógios lógicos; armadilhas-sistemas-distribuidos REGRA #1, anti-pattern 5; distributed-systems-fundamentals (ordering and logical clocks, physical clocks)',
  },
  sources: ['Leslie Lamport, Time, Clocks, and the Ordering of Events in a Distributed System (1978)'],
  text: {
    en: {
      message:
        "{field} is stamped with this machine's wall clock ({clock}) and then {use}. Clocks on different machines disagree by milliseconds to seconds and jump when NTP corrects them, so this order can contradict what happened first; order by a number handed out in one place (a database sequence, a log offset) or by a logical clock.",
      summary: 'Do not order events from different machines by their wall-clock timestamps.',
      rationale:
        'Date.now() and new Date() read the local clock of whatever machine runs the code. Two servers, two browsers or two Edge Function instances are synchronised only approximately (NTP keeps them within milliseconds at best, often much worse), and a clock can move backwards when it is corrected. An event stamped later on one machine may have happened before one stamped earlier on another, so sorting by these timestamps, or keeping the "latest" write by comparing them (last-write-wins), silently reorders or drops updates.',
      remedy:
        'Let a single authority assign the order: a sequence or identity column where the events are stored, the offset of the log or stream they go through. When there is no single authority, carry a logical clock: a Lamport counter (take the maximum of the local and the received value, plus one) gives a total order consistent with causality, and vector clocks also reveal concurrent updates that need merging. Keep the wall-clock time for display.',
      variants: {
        sort: 'used to sort events',
        compare: 'compared between two objects to decide which one is newer',
      },
    },
    'pt-BR': {
      message:
        '{field} recebe o relógio de parede desta máquina ({clock}) e depois é {use}. Relógios de máquinas diferentes discordam de milissegundos a segundos e saltam quando o NTP os corrige, então esta ordem pode contradizer o que aconteceu primeiro; ordene por um número distribuído num só lugar (uma sequence do banco, um offset de log) ou por um relógio lógico.',
      summary: 'Não ordene eventos de máquinas diferentes pelo timestamp do relógio de parede.',
      rationale:
        'Date.now() e new Date() leem o relógio local da máquina que executa o código. Dois servidores, dois navegadores ou duas instâncias de Edge Function estão sincronizados só aproximadamente (o NTP os mantém a milissegundos de distância no melhor caso, muitas vezes bem mais), e um relógio pode voltar para trás quando é corrigido. Um evento carimbado depois numa máquina pode ter acontecido antes de outro carimbado antes em outra, então ordenar por esses timestamps, ou manter a escrita "mais recente" comparando-os (last-write-wins), reordena ou descarta atualizações sem aviso.',
      remedy:
        'Deixe uma única autoridade atribuir a ordem: uma sequence ou coluna identity onde os eventos são gravados, o offset do log ou stream por onde passam. Sem uma autoridade única, carregue um relógio lógico: um contador de Lamport (o máximo entre o valor local e o recebido, mais um) dá uma ordem total coerente com a causalidade, e relógios vetoriais revelam também as atualizações concorrentes que precisam de merge. Guarde o horário de parede para exibição.',
      variants: {
        sort: 'usado para ordenar eventos',
        compare: 'comparado entre dois objetos para decidir qual é o mais novo',
      },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          'type ChatEvent = { type: string; author: string; timestamp: number };',
          'const inbox: ChatEvent[] = [];',
          '',
          'export function post(author: string) {',
          "  inbox.push({ type: 'message', author, timestamp: Date.now() });",
          '}',
          '',
          'export function merged(remote: ChatEvent[]) {',
          '  return [...inbox, ...remote].sort((a, b) => a.timestamp - b.timestamp);',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'interface Version { value: string; nodeId: string; updatedAt: number }',
          '',
          'export function write(value: string, nodeId: string): Version {',
          '  return { value, nodeId, updatedAt: Date.now() };',
          '}',
          '',
          'export function resolve(local: Version, remote: Version): Version {',
          '  return remote.updatedAt > local.updatedAt ? remote : local;',
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "console.log({ ts: new Date().toISOString(), msg: 'started' });",
          'const shown = { author: "ana", text: "olá", sentAt: new Date().toLocaleTimeString() };',
          'export const label = `${shown.author} às ${shown.sentAt}`;',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'let counter = 0;',
          'export function stamp(type: string, received?: number) {',
          '  counter = Math.max(counter, received ?? 0) + 1;',
          '  return { type, lamport: counter, createdAt: Date.now() };',
          '}',
          'export function ordered(events: Array<{ lamport: number }>) {',
          '  return events.sort((a, b) => a.lamport - b.lamport);',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'const cache = new Map<string, { value: string; cachedAt: number }>();',
          'export function put(key: string, value: string) {',
          '  cache.set(key, { value, cachedAt: Date.now() });',
          '}',
          'export function oldest() {',
          '  return [...cache.values()].sort((a, b) => a.cachedAt - b.cachedAt)[0];',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const model = context.typescript;
    if (!model || !/Date\.now\s*\(|new Date\s*\(/.test(model.text) || isTestCode(context)) return;
    checkDocument(context, model);
  },
});

// The clock readings and sort calls come from the calls the model already lists; the document is
// walked for comparisons only when some field is stamped with the clock.
function checkDocument(context: RuleContext, model: TsModel): void {
  const stamps = new Map<string, Stamp>();
  const sorts: Array<{ node: TS.CallExpression; fields: string[] }> = [];
  const comparators = new Set<TS.Node>();
  const lodash = lodashNames(model);
  for (const scope of model.functions) {
    for (const call of scope.calls) {
      if (call.callee === 'Date.now' || call.callee === 'Date') recordStamp(model, call.node, stamps);
      else if (ts.isCallExpression(call.node) && SORTS.has(call.method)) {
        const sorted = sortedFields(call.node, lodash);
        if (!sorted) continue;
        sorts.push({ node: call.node, fields: sorted.fields });
        if (sorted.comparator) comparators.add(sorted.comparator);
      }
    }
  }
  if (!stamps.size) return;

  // A sort orders stamps of several machines when the stamped objects travel, or when it sorts a merge ([...mine, ...theirs]).
  for (const sort of sorts) {
    const merges = mergesSources(model, sort.node);
    const field = sort.fields.find((each) => stamps.get(each)?.eventLike && (merges || stamps.get(each)?.travels));
    if (!field) continue;
    context.report({
      start: sort.node.getStart(model.node),
      end: sort.node.expression.getEnd(),
      data: { field, clock: stamps.get(field)!.clock },
      variants: { use: 'sort' },
    });
  }
  const visit = (node: TS.Node): void => {
    if (comparators.has(node)) return;
    if (ts.isBinaryExpression(node) && ORDERING.has(node.operatorToken.kind)) {
      const field = sameFieldOfTwoObjects(model, node);
      const found = field && stamps.get(field);
      if (found)
        context.report({ start: node.getStart(model.node), end: node.getEnd(), data: { field: field, clock: found.clock }, variants: { use: 'compare' } });
    }
    ts.forEachChild(node, visit);
  };
  visit(model.node);
}

/**
 * A clock reading that becomes a field: `{ type, timestamp: Date.now() }`, `event.at = new Date()`,
 * `readonly occurredAt = new Date()` (also through toISOString(), getTime(), +, Number()).
 */
function recordStamp(model: TsModel, clock: TS.Node, stamps: Map<string, Stamp>): void {
  const text = wallClock(clock as TS.Expression);
  if (!text) return;
  let value: TS.Node = clock;
  for (;;) {
    let parent = value.parent;
    // x.toISOString(): climb from x to the call.
    if (ts.isPropertyAccessExpression(parent) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent) parent = parent.parent;
    const wraps =
      ts.isCallExpression(parent) ||
      ts.isNewExpression(parent) ||
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isPrefixUnaryExpression(parent);
    if (!wraps || !wallClock(parent as TS.Expression)) break;
    value = parent;
  }
  const holder = value.parent;
  let field: string | undefined;
  let eventLike = () => false;
  let travels = () => false;
  if (ts.isPropertyAssignment(holder) && holder.initializer === value && !isLogged(holder.parent)) {
    field = propertyNameText(holder.name);
    const object = holder.parent;
    eventLike = () => object.properties.some((other) => other.name !== undefined && EVENT_PROPERTIES.has(propertyNameText(other.name) ?? ''));
    travels = () => objectTravels(model, object);
  } else if (
    ts.isBinaryExpression(holder) &&
    holder.right === value &&
    holder.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(holder.left)
  ) {
    // event.timestamp = Date.now()
    const target = holder.left.expression;
    field = holder.left.name.text;
    eventLike = () => /event|message|msg/i.test(target.getText(model.node));
    travels = () => ts.isIdentifier(target) && passedOn(model, target, target.text);
  } else if (ts.isPropertyDeclaration(holder) && holder.initializer === value) {
    // Domain events and messages are classes made to be published.
    field = propertyNameText(holder.name);
    const owner = holder.parent;
    const named = field;
    eventLike = () => ts.isClassLike(owner) && /Event|Message/.test(owner.name?.text ?? '');
    travels = () => eventLike() || EVENT_TIME.test(named ?? '');
  }
  if (!field || TIMING_FIELD.test(field)) return;
  const previous = stamps.get(field);
  stamps.set(field, {
    clock: previous?.clock ?? text,
    eventLike: !!previous?.eventLike || EVENT_TIME.test(field) || eventLike(),
    travels: !!previous?.travels || travels(),
  });
}

/** The object literal is handed to a call that takes it out of the process, directly or through the variable it initialises. */
function objectTravels(model: TsModel, object: TS.ObjectLiteralExpression): boolean {
  let node: TS.Node = object;
  for (let parent = node.parent; parent; node = parent, parent = parent.parent) {
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.some((argument) => argument === node)) {
      if (TRANSMITS.has(methodOf(parent))) return true;
    } else if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
      return passedOn(model, parent, parent.name.text);
    } else if (!(
      ts.isObjectLiteralExpression(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isArrayLiteralExpression(parent) ||
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isSpreadElement(parent) ||
      ts.isSpreadAssignment(parent) ||
      ts.isAwaitExpression(parent)
    )) {
      return false;
    }
  }
  return false;
}

/** A variable of the function is an argument of a transmitting call after `from` (ws.send(JSON.stringify(event))). */
function passedOn(model: TsModel, from: TS.Node, name: string): boolean {
  const pattern = new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, '\\$')}($|[^\\w$])`);
  const after = from.getEnd();
  return model
    .scopeOf(from)
    .calls.some(
      (call) =>
        TRANSMITS.has(call.method) &&
        call.node.getStart(model.node) >= after &&
        !ts.isTaggedTemplateExpression(call.node) &&
        (call.node.arguments ?? []).some((argument) => pattern.test(argument.getText(model.node))),
    );
}

function methodOf(call: TS.CallExpression | TS.NewExpression): string {
  const callee = dottedName(call.expression) ?? '';
  return callee.slice(callee.lastIndexOf('.') + 1);
}

/** The sorted array merges several sources: [...mine, ...theirs], mine.concat(theirs), also through a variable. */
function mergesSources(model: TsModel, sort: TS.CallExpression): boolean {
  const merges = (expression: TS.Expression | undefined, depth: number): boolean => {
    if (!expression) return false;
    const value = unwrap(expression);
    if (ts.isArrayLiteralExpression(value)) return value.elements.filter((element) => ts.isSpreadElement(element)).length >= 2;
    if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression)) {
      const method = value.expression.name.text;
      if (method === 'concat') return true;
      // [...a, ...b].filter(…).sort(…): look through the chain.
      return ['filter', 'map', 'slice', 'flat'].includes(method) && merges(value.expression.expression, depth);
    }
    if (ts.isIdentifier(value) && depth < 2) {
      const declared = declarationsIn(model.scopeOf(sort).node).find((each) => each.name === value.text);
      return merges(declared?.initializer, depth + 1);
    }
    return false;
  };
  const receiver =
    ts.isPropertyAccessExpression(sort.expression) && SORTS.has(sort.expression.name.text) && !['sortBy', 'orderBy'].includes(sort.expression.name.text)
      ? sort.expression.expression
      : sort.arguments[0];
  return merges(receiver, 0);
}

/** "Date.now()" or "new Date()" when an expression reads the wall clock (also through getTime(), toISOString(), +, Number()). */
function wallClock(expression: TS.Expression): string | undefined {
  const value = unwrap(expression);
  if (ts.isCallExpression(value)) {
    const callee = dottedName(value.expression);
    if (callee === 'Date.now' && !value.arguments.length) return 'Date.now()';
    if (callee === 'Number' && value.arguments.length === 1) return wallClock(value.arguments[0]);
    if (ts.isPropertyAccessExpression(value.expression) && COMPARABLE.has(value.expression.name.text)) return wallClock(value.expression.expression);
    return undefined;
  }
  if (ts.isNewExpression(value) && dottedName(value.expression) === 'Date') {
    const [first] = value.arguments ?? [];
    return !first ? 'new Date()' : wallClock(first);
  }
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.PlusToken) return wallClock(value.operand);
  return undefined;
}

/** An object literal given to a logger is a log line, not an event that gets ordered. */
function isLogged(object: TS.ObjectLiteralExpression): boolean {
  const parent = object.parent;
  return ts.isCallExpression(parent) && LOGGING.test(dottedName(parent.expression) ?? '');
}

/**
 * The fields a call sorts by: `xs.sort((a, b) => a.ts - b.ts)` (any comparator that reads the same
 * field of both arguments), `toSorted`, lodash/underscore `sortBy(xs, 'ts')`, `orderBy(xs, ['ts'])`,
 * `sortBy(xs, (e) => e.ts)`. Query builders' orderBy (a database sort) is not a call on lodash.
 */
function sortedFields(call: TS.CallExpression, lodash: Set<string>): { fields: string[]; comparator?: TS.Node } | undefined {
  const callee = dottedName(call.expression) ?? '';
  const method = callee.slice(callee.lastIndexOf('.') + 1);
  const [first, second] = call.arguments;
  if ((method === 'sort' || method === 'toSorted') && ts.isPropertyAccessExpression(call.expression) && first && isFunction(first)) {
    const [left, right] = first.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
    if (!left || !right) return undefined;
    const fields = fieldsRead(first.body, left).filter((field) => fieldsRead(first.body, right).includes(field));
    return { fields, comparator: first };
  }
  const lodashCall = lodash.has(callee) || (lodash.has(callee.split('.')[0]) && (method === 'sortBy' || method === 'orderBy'));
  if (!lodashCall || !second) return undefined;
  if (ts.isStringLiteralLike(second)) return { fields: [second.text] };
  if (ts.isArrayLiteralExpression(second)) return { fields: second.elements.filter(ts.isStringLiteralLike).map((element) => element.text) };
  if (isFunction(second) && second.parameters[0] && ts.isIdentifier(second.parameters[0].name))
    return { fields: fieldsRead(second.body, second.parameters[0].name.text) };
  return undefined;
}

function isFunction(node: TS.Node): node is TS.ArrowFunction | TS.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** Names of the properties read from a parameter in a function body: `a.ts`, `a['ts']`. */
function fieldsRead(body: TS.Node, parameter: string): string[] {
  const fields: string[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === parameter) fields.push(node.name.text);
    else if (
      ts.isElementAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === parameter &&
      ts.isStringLiteralLike(node.argumentExpression)
    )
      fields.push(node.argumentExpression.text);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return fields;
}

/** `remote.updatedAt > local.updatedAt` (also through getTime(), new Date(…), Date.parse(…), +): the field, else undefined. */
function sameFieldOfTwoObjects(model: TsModel, comparison: TS.BinaryExpression): string | undefined {
  const left = timeField(comparison.left);
  const right = timeField(comparison.right);
  if (!left || !right || left.name.text !== right.name.text) return undefined;
  return left.expression.getText(model.node) !== right.expression.getText(model.node) ? left.name.text : undefined;
}

function timeField(expression: TS.Expression): TS.PropertyAccessExpression | undefined {
  let value = unwrap(expression);
  for (;;) {
    if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.PlusToken) value = unwrap(value.operand);
    else if (
      ts.isCallExpression(value) &&
      ts.isPropertyAccessExpression(value.expression) &&
      COMPARABLE.has(value.expression.name.text) &&
      !value.arguments.length
    )
      value = unwrap(value.expression.expression);
    else if (
      (ts.isNewExpression(value) || ts.isCallExpression(value)) &&
      ['Date', 'Date.parse', 'Number'].includes(dottedName(value.expression) ?? '') &&
      value.arguments?.length === 1
    )
      value = unwrap(value.arguments[0]);
    else break;
  }
  return ts.isPropertyAccessExpression(value) ? value : undefined;
}

/** Names that call lodash/underscore: the default or namespace import (`_`), named `sortBy`/`orderBy` imports, lodash/sortBy. */
function lodashNames(model: TsModel): Set<string> {
  const names = new Set<string>();
  for (const [name, binding] of model.imports) {
    if (!LODASH.test(binding.module)) continue;
    if (binding.imported === 'default' || binding.imported === '*') names.add(name);
    else if (binding.imported === 'sortBy' || binding.imported === 'orderBy') names.add(name);
  }
  if (!names.size && /\b_\.(sortBy|orderBy)\(/.test(model.text)) names.add('_');
  return names;
}
