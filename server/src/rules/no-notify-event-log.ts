import { functionBaseName, functionName, relationName, typeName, walk, type AstNode } from '../languages/sql/ast';
import type { Routine } from '../languages/sql/plpgsql-model';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type RuleContext } from '../core/rule';
import { columnRefs, expressionText, stringConstant, walkStatement } from './sql/expressions';
import { baseName, matchesAny, matchesAnyExactly } from '../core/names';

/** An expression, or a select list (what a `SELECT … INTO record` assigns). */
type Value = AstNode | AstNode[] | undefined;

const BUILD_OBJECT = new Set(['json_build_object', 'jsonb_build_object']);
const WHOLE_ROW = new Set(['row_to_json', 'to_json', 'to_jsonb', 'json_agg', 'jsonb_agg']);
/** Variable types that hold a scalar or a document, not a table row (a column's %type counts as scalar). */
const SCALAR_TYPE =
  /^(pg_catalog\.)?(text|varchar|bpchar|char|character|jsonb?|int[248]?|integer|bigint|smallint|numeric|decimal|real|double|float[48]?|uuid|bool|boolean|timestamptz|timestamp|date|timetz|time|interval)\b|%type$/;

interface EventPayload {
  what: 'triggerRow' | 'key' | 'wholeRow';
  key?: string;
  /** The payload carries a whole row (row_to_json(new), t.*): the change itself, not a pointer to re-read. */
  row?: true;
}

const PG_NOTIFY = /pg_notify/i;
export default defineRule({
  id: 'no-notify-event-log',
  severity: 'info',
  languages: ['sql'],
  skill: { name: 'streams-eventos-cdc', section: 'REGRA #1; REQ STREAMS-01 (AMQP-style vs log-based brokers); anti-pattern 1' },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 11 (message brokers vs logs)'],
  settings: [
    {
      key: 'eventLogTables',
      default: ['*outbox*', '*queue*', '*events*', '*jobs*', '*tasks*', '*messages*', '*inbox*'],
      description: {
        en: 'Table names (globs with *) that already record events or messages durably (outboxes, queues, job tables); a NOTIFY from a trigger on one, or about rows read from one, is a wake-up and is not reported.',
        'pt-BR':
          'Nomes de tabelas (globs com *) que já registram eventos ou mensagens de forma durável (outboxes, filas, tabelas de jobs); um NOTIFY vindo de um trigger numa delas, ou sobre linhas lidas de uma delas, é só um aviso e não é reportado.',
      },
    },
    {
      key: 'notifyWakeUpNames',
      default: ['tenant*', 'cache*', 'invalidat*', 'queue*', 'job', 'jobs', 'table', 'tables', 'reload*', 'refresh*', 'wake*', 'config*', 'setting*', 'schema'],
      description: {
        en: 'Words (globs with *, matched against each word of a name: tenants_update is tenants and update) that mark a notification as a cache invalidation or a wake-up: a channel with one of them, or a payload whose every value is named with one (a tenant id, a queue name, TG_TABLE_NAME), tells listeners what to re-read, and is not reported.',
        'pt-BR':
          'Palavras (globs com *, comparadas com cada palavra de um nome: tenants_update é tenants e update) que marcam uma notificação como invalidação de cache ou aviso para acordar: um canal com uma delas, ou um payload em que todo valor tem nome com uma delas (um id de tenant, o nome de uma fila, TG_TABLE_NAME), diz aos ouvintes o que reler, e não é reportado.',
      },
    },
    {
      key: 'notifyEventKeys',
      default: ['id', '*_id', 'uuid', 'status', '*_status'],
      description: {
        en: 'Payload keys and column names (globs with *, matched as whole names; camelCase is read as snake_case) that identify an entity or its state; a NOTIFY payload carrying one is a domain event.',
        'pt-BR':
          'Chaves de payload e nomes de colunas (globs com *, comparados com o nome inteiro; camelCase é lido como snake_case) que identificam uma entidade ou seu estado; um payload de NOTIFY que carrega uma delas é um evento de domínio.',
      },
    },
  ],
  text: {
    en: {
      message:
        '{call} on channel {channel} publishes a domain event ({what}) without recording it anywhere as an event: NOTIFY reaches only the sessions listening at that instant, so a consumer that is offline or reconnecting loses it and cannot replay it. Record the event in an outbox or events table, or a pgmq queue, in the same transaction, and use NOTIFY only to wake consumers up.',
      summary: 'Domain events must go to a durable log (a table or pgmq), not only through NOTIFY.',
      rationale:
        'LISTEN/NOTIFY works like a classic message broker without storage: a notification is delivered to the sessions listening at the moment the transaction commits and then it is gone. A consumer that is offline, reconnecting after a network blip, or being redeployed simply never sees it; there is no offset to resume from and no way to replay history, and a second consumer cannot read the same events later. Using it to carry the facts of the business (an order was paid, a row changed) means silently losing some of them.',
      remedy:
        "Write the event durably in the same transaction as the change: insert it into an outbox or an append-only events table, or send it to a pgmq queue, and let consumers track what they have processed. NOTIFY can still wake consumers up, after which they read the durable log. The rule stays quiet when nothing is lost: pings without a payload (or with a constant one such as 'reload schema'); cache invalidations and wake-ups, whose channel names what to re-read (tenants_update, cache_reset, a queue or jobs channel) or whose payload carries only such names (a tenant id, a queue name, TG_TABLE_NAME), unless the payload is the whole changed row, since a listener that reconnects re-reads everything anyway; notifications from triggers that fire on INSERT only (the new row is the record) or on an outbox or queue table, and about rows read from such a table; and notifications whose routine or transaction also inserts a row (into any table, also through a function of the same file) or calls pgmq.send.",
      variants: {
        triggerRow: 'the row changed in trigger function {routine}',
        key: 'its payload carries {key}',
        wholeRow: 'its payload is a whole row',
      },
    },
    'pt-BR': {
      message:
        '{call} no canal {channel} publica um evento de domínio ({what}) sem registrá-lo como evento em lugar nenhum: o NOTIFY só chega às sessões que estão escutando naquele instante, então um consumidor offline ou reconectando o perde e não consegue reprocessá-lo. Registre o evento numa tabela de outbox ou de eventos, ou numa fila pgmq, na mesma transação, e use o NOTIFY só para acordar os consumidores.',
      summary: 'Eventos de domínio precisam ir para um log durável (uma tabela ou o pgmq), não só pelo NOTIFY.',
      rationale:
        'LISTEN/NOTIFY funciona como um broker de mensagens clássico sem armazenamento: a notificação é entregue às sessões que estão escutando no momento do commit e depois desaparece. Um consumidor que está offline, reconectando depois de uma falha de rede ou sendo reimplantado simplesmente nunca a recebe; não há offset de onde retomar nem como reprocessar o histórico, e um segundo consumidor não consegue ler os mesmos eventos depois. Usá-lo para transportar os fatos do negócio (um pedido foi pago, uma linha mudou) significa perder alguns deles sem aviso.',
      remedy:
        "Grave o evento de forma durável na mesma transação da mudança: insira-o numa outbox ou numa tabela de eventos append-only, ou envie-o para uma fila pgmq, e deixe os consumidores controlarem o que já processaram. O NOTIFY ainda pode acordar os consumidores, que então leem o log durável. A regra fica quieta quando nada se perde: avisos sem payload (ou com um payload constante como 'reload schema'); invalidações de cache e avisos para acordar, cujo canal nomeia o que reler (tenants_update, cache_reset, um canal de fila ou de jobs) ou cujo payload só carrega nomes assim (um id de tenant, o nome de uma fila, TG_TABLE_NAME), a menos que o payload seja a linha alterada inteira, já que um ouvinte que reconecta relê tudo de qualquer forma; notificações de triggers que disparam só em INSERT (a nova linha é o registro) ou numa tabela de outbox ou fila, e sobre linhas lidas de uma tabela assim; e notificações cuja rotina ou transação também insere uma linha (em qualquer tabela, também por uma função do mesmo arquivo) ou chama pgmq.send.",
      variants: {
        triggerRow: 'a linha alterada na função de trigger {routine}',
        key: 'o payload carrega {key}',
        wholeRow: 'o payload é uma linha inteira',
      },
    },
  },
  examples: {
    invalid: [
      { code: 'notify orders, \'{"order_id": "3f2a", "status": "paid"}\';' },
      {
        code: [
          'create function public.announce_order() returns trigger language plpgsql as $$',
          'begin',
          "  perform pg_notify('orders', json_build_object('op', tg_op, 'total', new.total)::text);",
          '  return new;',
          'end $$;',
        ].join('\n'),
      },
      { code: "select pg_notify('invoices', 'invoice:' || i.id) from public.invoices i where i.status = 'late';" },
    ],
    valid: [
      'notify cache_invalidate;',
      "select pg_notify('settings_changed', '');",
      "notify pgrst, 'reload schema';",
      'listen orders;\nunlisten orders;',
      [
        'create function public.wake_outbox() returns trigger language plpgsql as $$',
        'begin',
        "  perform pg_notify('outbox_new', new.id::text);",
        '  return null;',
        'end $$;',
        'create trigger outbox_wake after insert on public.outbox for each row execute function public.wake_outbox();',
      ].join('\n'),
      [
        'create function public.tenant_changed() returns trigger language plpgsql as $$',
        'begin',
        "  perform pg_notify('tenants_update', new.id::text);",
        '  return null;',
        'end $$;',
        'create trigger tenant_changed after update on public.tenants for each row execute function public.tenant_changed();',
      ].join('\n'),
      [
        'create function public.place_order(p_id bigint) returns void language plpgsql as $$',
        'begin',
        "  insert into public.orders (id, status) values (p_id, 'placed');",
        "  perform pg_notify('orders', json_build_object('order_id', p_id, 'status', 'placed')::text);",
        'end $$;',
      ].join('\n'),
      [
        'create function public.touch_cache() returns trigger language plpgsql as $$',
        'begin',
        "  perform pg_notify('table_changed', tg_table_name);",
        '  return null;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    for (const statement of context.sql.statements) {
      if (statement.kind === 'NotifyStmt') checkNotify(context, statement);
      else if (statement.matches(PG_NOTIFY)) checkPgNotify(context, statement);
    }
  },
});

/**
 * True when the change the notification announces is already recorded durably, so the NOTIFY is only
 * a wake-up: it comes from a trigger that fires on INSERT only (the new row is the record) or on an
 * event-log table (outbox, queue), it announces rows it reads from an event-log table, or its routine
 * or transaction also inserts into a table or sends to pgmq (directly or through a routine of the same
 * file that does).
 */
function recordedDurably(context: RuleContext, statement: SqlStatement): boolean {
  const logTables = context.names('eventLogTables');
  const routine = statement.routine;
  if (routine && isRowTrigger(routine)) {
    const triggers = triggersCalling(context, routine.name);
    if (triggers.length && triggers.every((trigger) => trigger.insertOnly || matchesAny(baseName(trigger.table), logTables))) return true;
  }
  let readsLog = false;
  walkStatement(statement, (visit) => {
    if (visit.type === 'RangeVar' && matchesAny(baseName(relationName(visit.node)), logTables)) readsLog = true;
  });
  if (readsLog) return true;
  return (statement.transaction?.statements ?? [statement]).some((other) => recordsDurably(context, other, new Set()));
}

/** An INSERT (into any table: the row is the record), a pgmq.send, or a call to a routine of this file that does one. */
function recordsDurably(context: RuleContext, statement: SqlStatement, visited: Set<Routine>): boolean {
  let records = false;
  walkStatement(statement, (visit) => {
    if (visit.type === 'InsertStmt') records = true;
    else if (visit.type === 'FuncCall') {
      const name = functionName(visit.node);
      if (name === 'pgmq.send' || name === 'pgmq.send_batch') records = true;
      else {
        const called = routinesNamed(context, name).filter((routine) => !visited.has(routine));
        for (const routine of called) visited.add(routine);
        if (called.some((routine) => routine.statements.some((inner) => recordsDurably(context, inner, visited)))) records = true;
      }
    }
    return !records;
  });
  return records;
}

/** Functions and procedures of this file with a name (compared without schema: search_path decides). */
function routinesNamed(context: RuleContext, name: string): Routine[] {
  const byName = context.memo('no-notify-event-log:routines', () => {
    const map = new Map<string, Routine[]>();
    for (const routine of context.sql.routines) {
      if (!routine.name) continue;
      const bare = baseName(routine.name);
      map.set(bare, [...(map.get(bare) ?? []), routine]);
    }
    return map;
  });
  return byName.get(baseName(name)) ?? [];
}

/**
 * A cache invalidation or wake-up: the channel names what to re-read (tenants_update, cache_reset,
 * a queue), or every value of the payload is such a name (a tenant id, a queue name, TG_TABLE_NAME).
 * Listeners that miss it re-read everything when they reconnect; nothing is lost.
 */
function isWakeUp(context: RuleContext, statement: SqlStatement, channel: string, payload: AstNode | undefined): boolean {
  const wakeUpNames = context.names('notifyWakeUpNames');
  const named = (name: string) => wordsOf(name).some((word) => matchesAnyExactly(word, wakeUpNames));
  if (named(channel)) return true;
  const values = payloadNames(statement, payload);
  return values.length > 0 && values.every(named);
}

/** The names a payload carries: its columns and variables (a variable through what was assigned to it) and JSON keys of its literals. */
function payloadNames(statement: SqlStatement, payload: AstNode | undefined): string[] {
  const names: string[] = [];
  const routine = statement.routine;
  const visit = (expression: Value, depth: number) => {
    walk(expression, (node) => {
      if (node.type === 'ColumnRef') {
        const fields: string[] = (node.node.fields ?? []).map((field) => (field.A_Star ? '*' : String(field.String?.sval ?? '')));
        const assigned = routine && fields.length === 1 && depth < 2 ? assignedValues(routine, statement, fields[0]) : [];
        if (assigned.length) for (const value of assigned) visit(value, depth + 1);
        else names.push(fields[fields.length - 1]);
      } else if (node.type === 'A_Const' && node.node.sval?.sval) {
        names.push(...jsonKeys(String(node.node.sval.sval)));
      } else if (node.type === 'A_Indirection') {
        // v_queues[i]: the array names the value, the subscript only picks one.
        visit(node.node.arg, depth);
        return false;
      } else if (node.type === 'SubLink') {
        visit(node.node.subselect?.SelectStmt?.targetList, depth);
        return false;
      } else if (node.type === 'FuncCall' && BUILD_OBJECT.has(functionBaseName(node.node))) {
        // json_build_object('key', value, …): the values carry the data, the keys only name it.
        (node.node.args ?? []).forEach((argument, index) => {
          if (index % 2 === 1) visit(argument, depth);
        });
        return false;
      }
      return undefined;
    });
  };
  if (payload?.A_Const) {
    const literal = payload.A_Const.sval?.sval;
    if (literal) names.push(...jsonKeys(String(literal)));
    return names;
  }
  visit(payload, 0);
  return names;
}

/** Words of a name: tenants_s3_credentials_update → tenants, s3, credentials, update; cacheKey → cache, key. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * The expressions assigned to a variable in the routine: `v := expr`, DECLARE defaults, and the
 * matching item of `SELECT a, b INTO x, y` (the whole select list when it fills a record).
 */
function assignedValues(routine: Routine, use: SqlStatement, name: string): Value[] {
  const values: Value[] = [];
  for (const assignment of routine.statements) {
    const targets = assignment.plpgsql?.targets ?? [];
    const index = targets.indexOf(name);
    const select = assignment === use || index < 0 ? undefined : assignment.bodyOf('SelectStmt');
    if (!select) continue;
    const list = select.targetList ?? [];
    values.push(targets.length > 1 && targets.length === list.length ? list[index] : list);
  }
  return values;
}

/** CREATE TRIGGER statements of this file that run the function (named without schema: search_path decides). */
function triggersCalling(context: RuleContext, routineName: string): Array<{ table: string; insertOnly: boolean }> {
  const bare = baseName(routineName);
  return context
    .memo('no-notify-event-log:triggers', () =>
      context.sql.statements.flatMap((statement) => {
        const trigger = statement.bodyOf('CreateTrigStmt');
        if (!trigger) return [];
        return {
          function: baseName((trigger.funcname ?? []).map((part) => String(part.String?.sval ?? '')).join('.')),
          table: relationName(trigger.relation),
          // CREATE TRIGGER's events bit mask: INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
          insertOnly: Number(trigger.events ?? 0) === 4,
        };
      }),
    )
    .filter((trigger) => trigger.function === bare);
}

// NOTIFY takes a literal payload only: it is an event when the literal carries an id or status key.
function checkNotify(context: RuleContext, statement: SqlStatement): void {
  const notify = statement.bodyOf('NotifyStmt');
  const literal = String(notify?.payload ?? '');
  const payload = literalPayload(literal, context.names('notifyEventKeys'));
  const channel = String(notify?.conditionname ?? '');
  if (!payload || isWakeUp(context, statement, channel, { A_Const: { sval: { sval: literal } } }) || recordedDurably(context, statement)) return;
  const tokens = statement.tokens();
  const channelToken = tokens[1] ?? tokens[0];
  context.report({
    start: statement.start,
    end: statement.source.toDocument(channelToken.end),
    anchor: statement.start,
    data: { call: 'NOTIFY', channel, routine: statement.routine?.name ?? '', key: payload.key ?? '' },
    variants: { what: payload.what },
  });
}

function checkPgNotify(context: RuleContext, statement: SqlStatement): void {
  walkStatement(statement, (visit) => {
    if (visit.type !== 'FuncCall' || functionBaseName(visit.node) !== 'pg_notify') return;
    const [channel, argument] = visit.node.args ?? [];
    const payload = eventPayload(context, statement, argument);
    if (!payload) return;
    const channelText = stringConstant(channel) ?? expressionText(statement, channel);
    // A whole row in the payload is the change itself, whatever the channel says.
    if ((!payload.row && isWakeUp(context, statement, channelText, argument)) || recordedDurably(context, statement)) return;
    context.report({
      ...statement.rangeOf(visit.node),
      anchor: statement.start,
      data: { call: 'pg_notify()', channel: channelText, routine: statement.routine?.name ?? '', key: payload.key ?? '' },
      variants: { what: payload.what },
    });
  });
}

function eventPayload(context: RuleContext, statement: SqlStatement, argument: AstNode | undefined): EventPayload | undefined {
  if (!argument) return undefined;
  const keys = context.names('notifyEventKeys');
  const literal = stringConstant(argument);
  if (literal !== undefined || argument.A_Const) return literal ? literalPayload(literal, keys) : undefined;
  const routine = statement.routine;
  const found = expressionPayload(argument, routine, keys);
  if (found) return found;
  // A payload built into a variable first: v_payload := json_build_object(…); pg_notify('c', v_payload).
  if (!routine) return undefined;
  for (const [name] of columnRefs(argument).filter((fields) => fields.length === 1)) {
    // SELECT … INTO, `:=` and DECLARE defaults are all SELECTs here: the value is what they select for it.
    for (const value of assignedValues(routine, statement, name)) {
      const assigned = expressionPayload(value, routine, keys);
      if (assigned) return assigned;
    }
  }
  return undefined;
}

function expressionPayload(expression: Value, routine: Routine | undefined, keys: string[]): EventPayload | undefined {
  const trigger = routine && isRowTrigger(routine);
  let payload: EventPayload | undefined;
  walk(expression, (visit) => {
    if (payload) return false;
    if (visit.type === 'SubLink') {
      // A subquery contributes what it selects, not the columns it filters on.
      payload = expressionPayload(visit.node.subselect?.SelectStmt?.targetList, routine, keys);
      return false;
    }
    if (visit.type === 'FuncCall') {
      const name = functionBaseName(visit.node);
      if (BUILD_OBJECT.has(name)) {
        const key = (visit.node.args ?? [])
          .filter((_, index) => index % 2 === 0)
          .map((argument) => stringConstant(argument))
          .find((each) => each !== undefined && isEventKey(each, keys));
        if (key) payload = { what: 'key', key };
      } else if (WHOLE_ROW.has(name) && isRow(visit.node.args?.[0], routine)) payload = { what: trigger ? 'triggerRow' : 'wholeRow', row: true };
    } else if (visit.type === 'ColumnRef') {
      const fields: string[] = (visit.node.fields ?? []).map((field) => (field.A_Star ? '*' : String(field.String?.sval ?? '')));
      const last = fields[fields.length - 1];
      if (trigger && (fields[0] === 'new' || fields[0] === 'old')) payload = { what: 'triggerRow' };
      else if (last === '*') payload = { what: 'wholeRow', row: true };
      else if (isEventKey(last, keys)) payload = { what: 'key', key: fields.join('.') };
    } else if (visit.type === 'A_Const') {
      const literal = visit.node.sval?.sval;
      if (literal) payload = literalPayload(literal, keys);
    }
    return payload === undefined;
  });
  return payload;
}

// "{\"order_id\": …" — keys of JSON text, also of JSON pieces a payload is concatenated from.
function literalPayload(literal: string, keys: string[]): EventPayload | undefined {
  const key = jsonKeys(literal).find((each) => isEventKey(each, keys));
  return key ? { what: 'key', key } : undefined;
}

function jsonKeys(literal: string): string[] {
  return [...literal.matchAll(/"([\p{L}_][\p{L}\p{N}_]*)"\s*:/gu)].map((match) => match[1]);
}

function isEventKey(name: string, keys: string[]): boolean {
  return matchesAnyExactly(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'), keys);
}

/** A whole-row value: NEW/OLD in a trigger, a record or row-typed variable, or a table alias. */
function isRow(argument: AstNode | undefined, routine: Routine | undefined): boolean {
  const fields = argument?.ColumnRef?.fields;
  const only = fields?.length === 1 ? fields[0].String : undefined;
  if (!only) return !!fields?.some((field) => field.A_Star);
  const name = String(only.sval);
  const type = routine?.variables.get(name);
  if (type === undefined) return true;
  return !SCALAR_TYPE.test(type);
}

/** A row trigger's function (returns trigger), not an event trigger's (returns event_trigger). */
function isRowTrigger(routine: Routine): boolean {
  if (!routine.returnsTrigger) return false;
  const type = typeName(routine.header.bodyOf('CreateFunctionStmt')?.returnType);
  return type === 'trigger' || type === 'pg_catalog.trigger';
}
