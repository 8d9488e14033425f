import { relationName, walk, type AstNode, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type RuleContext } from '../core/rule';
import { columnRefs, isConstant, operatorOf, walkStatement } from './sql/expressions';
import { baseName, matchesAny, matchesAnyExactly, statementMentions } from '../core/names';

const TEMPORAL_TYPE = /(timestamp|timestamptz|date|time|timetz)$/;

/** One FROM item that is an event stream, known in the query by `name` (its alias or table name). */
interface Stream {
  name: string;
  table: string;
  rangeVar: NodeFields<'RangeVar'>;
}

interface FromClause {
  streams: Stream[];
  /** WHERE and every ON condition. */
  conditions: Array<AstNode | undefined>;
  /** Pairs joined by USING (columns) or NATURAL (no columns listed). */
  usings: Array<{ a: Stream; b: Stream; columns: string[] }>;
}

/** A time comparison: which streams' time columns each side mentions. */
interface TimeTerm {
  kind: 'ordering' | 'equal' | 'between';
  /** Orderings: the streams on the smaller and on the larger side; BETWEEN: in the bounds and in the tested value; equalities: either side. */
  lower: Set<string>;
  upper: Set<string>;
}

export default defineRule({
  id: 'require-stream-join-window',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  skill: { name: 'streams-eventos-cdc', section: 'REGRA #5; REQ STREAMS-05 (stream-stream join); anti-pattern 3' },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 11 (stream joins)'],
  settings: [
    {
      key: 'streamTables',
      default: ['*events*', '*_log', '*_stream'],
      description: {
        en: 'Table names (globs with *) that hold event streams; a join between two of them needs a time window.',
        'pt-BR': 'Nomes de tabelas (globs com *) que guardam streams de eventos; um join entre duas delas precisa de janela de tempo.',
      },
    },
    {
      key: 'streamLookupColumns',
      default: ['id', 'event_id', 'uuid', 'parent_*', 'prev_*', 'previous_*', 'causation_*', '*session*'],
      description: {
        en: 'Column names (globs with *, matched as whole names) whose equality between the two streams bounds the match without a time window: a key of one side (one event looked up), a reference to a predecessor, a session (a session window). Primary and unique keys from the schema model count too.',
        'pt-BR':
          'Nomes de colunas (globs com *, comparados com o nome inteiro) cuja igualdade entre os dois streams limita o casamento sem janela de tempo: uma chave de um dos lados (um evento consultado), uma referência a um antecessor, uma sessão (janela de sessão). Chaves primárias e únicas do modelo de schema também contam.',
      },
    },
    {
      key: 'streamTimeColumns',
      default: ['*_at', '*time*', '*date*', 'ts', '*_ts'],
      description: {
        en: "Column names (globs with *, matched as whole names) taken as event timestamps when the schema model does not know the column's type.",
        'pt-BR':
          'Nomes de colunas (globs com *, comparados com o nome inteiro) tomados como instantes de evento quando o modelo de schema não conhece o tipo da coluna.',
      },
    },
  ],
  text: {
    en: {
      message:
        "The join of event stream {left} with event stream {right} {reason}. An event of one can then match events of the other from any time, so a stream processor has to keep both streams forever and a query reads their whole history; add a window such as b.created_at between a.created_at and a.created_at + interval '5 minutes'.",
      summary: 'A join between two event streams needs an explicit time window between their timestamps.',
      rationale:
        'Joining two streams means waiting for the matching event of the other side. Without a window nothing says how long to wait, so every event has to be kept in case a match arrives: the state of a stream processor grows without limit, and the same join as a query reads both histories in full and pairs an order with a payment from three years before. A window (tumbling, sliding or session) turns it into a bounded problem: events older than the window can be forgotten.',
      remedy:
        "Relate the two timestamps in the join or WHERE with a bound on both sides: b.event_at between a.event_at and a.event_at + interval '5 minutes' (or >= and < pairs), or match both on the same time bucket (date_trunc / date_bin), or restrict each stream to a recent period. Choose the window from the business rule (how late may a payment arrive after its order). Joins that look one event up rather than pair two streams are not reported: on a key of one side (e2.event_id = e1.parent_event_id), a predecessor reference (prev_*, parent_*), the next position (e2.seq = e1.seq + 1) or a shared session; nor are streams that are only joined through a third table.",
      variants: {
        noBound: 'has no time bound between their timestamps',
        oneSided: 'bounds their timestamps on one side only',
      },
    },
    'pt-BR': {
      message:
        "O join do stream de eventos {left} com o stream de eventos {right} {reason}. Assim um evento de um casa com eventos do outro de qualquer época, e um processador de streams precisa guardar os dois para sempre enquanto uma consulta lê todo o histórico; adicione uma janela como b.created_at between a.created_at and a.created_at + interval '5 minutes'.",
      summary: 'Um join entre dois streams de eventos precisa de uma janela de tempo explícita entre seus instantes.',
      rationale:
        'Juntar dois streams é esperar pelo evento correspondente do outro lado. Sem janela nada diz quanto tempo esperar, então todo evento precisa ser guardado para o caso de um par chegar: o estado de um processador de streams cresce sem limite, e o mesmo join como consulta lê os dois históricos inteiros e junta um pedido com um pagamento de três anos antes. Uma janela (tumbling, sliding ou de sessão) torna o problema limitado: eventos mais velhos que a janela podem ser esquecidos.',
      remedy:
        "Relacione os dois instantes no join ou no WHERE com limite dos dois lados: b.event_at between a.event_at and a.event_at + interval '5 minutes' (ou pares de >= e <), ou case os dois pelo mesmo intervalo de tempo (date_trunc / date_bin), ou restrinja cada stream a um período recente. Escolha a janela pela regra de negócio (quanto depois do pedido um pagamento pode chegar). Joins que consultam um evento em vez de parear dois streams não são reportados: pela chave de um dos lados (e2.event_id = e1.parent_event_id), por uma referência ao antecessor (prev_*, parent_*), pela próxima posição (e2.seq = e1.seq + 1) ou por uma sessão comum; nem streams ligados só através de uma terceira tabela.",
      variants: {
        noBound: 'não tem limite de tempo entre os instantes dos dois',
        oneSided: 'limita os instantes dos dois de um lado só',
      },
    },
  },
  examples: {
    invalid: [
      {
        code: 'select o.order_id, p.payment_id\nfrom public.order_events o\njoin public.payment_events p on p.order_id = o.order_id;',
        schema: [
          'create table public.order_events (order_id uuid not null, event_at timestamptz not null);',
          'create table public.payment_events (payment_id uuid not null, order_id uuid not null, event_at timestamptz not null);',
        ].join('\n'),
      },
      {
        code: 'select c.user_id from click_events c join purchase_log p on p.user_id = c.user_id and p.created_at >= c.created_at;',
      },
    ],
    valid: [
      [
        'select o.order_id, p.payment_id',
        'from public.order_events o',
        'join public.payment_events p on p.order_id = o.order_id',
        "where p.event_at between o.event_at and o.event_at + interval '5 minutes';",
      ].join('\n'),
      'select e.event_type, u.email from public.user_events e join public.users u on u.id = e.user_id;',
      "select c.user_id from click_events c join purchase_log p on p.user_id = c.user_id and p.created_at >= c.created_at and p.created_at < c.created_at + interval '1 hour';",
      'select c.seq, p.event_type from public.audit_events c join public.audit_events p on p.event_id = c.parent_event_id;',
      "select count(*) from order_events o join payment_events p using (order_id) where o.event_at > now() - interval '1 hour' and p.event_at > now() - interval '1 hour';",
    ],
  },
  check(context) {
    const streamTables = context.names('streamTables');
    for (const statement of context.sql.statements) {
      if (!statementMentions(statement, streamTables)) continue;
      const ctes = cteNames(statement);
      walkStatement(statement, (visit) => {
        if (visit.type === 'SelectStmt' && visit.node.fromClause) checkSelect(context, statement, visit.node, ctes);
      });
    }
  },
});

function checkSelect(context: RuleContext, statement: SqlStatement, select: NodeFields<'SelectStmt'>, ctes: Set<string>): void {
  const from: FromClause = { streams: [], conditions: [select.whereClause], usings: [] };
  for (const item of select.fromClause ?? []) collectFrom(item, from);
  const patterns = context.names('streamTables');
  const events = from.streams.filter((stream) => !ctes.has(stream.table) && matchesAny(baseName(stream.table), patterns));
  if (events.length < 2) return;
  const terms = timeTerms(context, from.conditions, events);
  for (let right = 1; right < events.length; right++) {
    for (let left = 0; left < right; left++) {
      const [a, b] = [events[left], events[right]];
      // Streams joined only through other tables (each looked up from a third table) are not a stream join.
      if (!joinedDirectly(from, a, b)) continue;
      const reason = windowGap(terms, a.name, b.name);
      if (!reason || matchedOnKey(context, from, a, b)) continue;
      context.report({
        ...statement.rangeOf(events[right].rangeVar),
        anchor: statement.start,
        data: { left: display(events[left]), right: display(events[right]) },
        variants: { reason },
      });
      return;
    }
  }
}

function display(stream: Stream): string {
  return stream.name === baseName(stream.table) ? stream.table : `${stream.table} ${stream.name}`;
}

/** The relations of a FROM item (through JOINs; subqueries and functions are not streams) and the join conditions. */
function collectFrom(item: AstNode | undefined, from: FromClause): Stream[] {
  if (item?.RangeVar) {
    const table = relationName(item.RangeVar);
    const stream = { name: item.RangeVar.alias?.aliasname ?? String(item.RangeVar.relname), table, rangeVar: item.RangeVar };
    from.streams.push(stream);
    return [stream];
  }
  const join = item?.JoinExpr;
  if (!join) return [];
  const left = collectFrom(join.larg, from);
  const right = collectFrom(join.rarg, from);
  from.conditions.push(join.quals);
  if (join.usingClause || join.isNatural) {
    const columns: string[] = (join.usingClause ?? []).map((name) => String(name.String?.sval ?? ''));
    for (const a of left) for (const b of right) from.usings.push({ a, b, columns });
  }
  return [...left, ...right];
}

function joinedDirectly(from: FromClause, a: Stream, b: Stream): boolean {
  if (from.usings.some((using) => (using.a === a && using.b === b) || (using.a === b && using.b === a))) return true;
  let joined = false;
  walk(from.conditions, (visit) => {
    if (joined || visit.type === 'SubLink') return false;
    if (visit.type !== 'A_Expr') return true;
    const named = new Set(columnRefs({ A_Expr: visit.node }).map((fields) => (fields.length >= 2 ? fields[fields.length - 2] : '')));
    joined = named.has(a.name) && named.has(b.name);
    return !joined;
  });
  return joined;
}

/**
 * Comparisons (anywhere in the conditions, also under OR: a bound that applies only sometimes is
 * given the benefit of the doubt) between expressions that mention the streams' time columns.
 */
function timeTerms(context: RuleContext, conditions: Array<AstNode | undefined>, streams: Stream[]): TimeTerm[] {
  const terms: TimeTerm[] = [];
  walk(conditions, (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type !== 'A_Expr') return true;
    const node = visit.node;
    if (node.kind === 'AEXPR_BETWEEN' || node.kind === 'AEXPR_BETWEEN_SYM') {
      const tested = timeStreams(context, node.lexpr, streams);
      const bounds = timeStreams(context, node.rexpr, streams);
      terms.push({ kind: 'between', lower: bounds, upper: tested });
      return true;
    }
    const operator = operatorOf({ A_Expr: node });
    if (operator === '=') terms.push({ kind: 'equal', lower: timeStreams(context, node.lexpr, streams), upper: timeStreams(context, node.rexpr, streams) });
    else if (operator === '<' || operator === '<=')
      terms.push({ kind: 'ordering', lower: timeStreams(context, node.lexpr, streams), upper: timeStreams(context, node.rexpr, streams) });
    else if (operator === '>' || operator === '>=')
      terms.push({ kind: 'ordering', lower: timeStreams(context, node.rexpr, streams), upper: timeStreams(context, node.lexpr, streams) });
    return true;
  });
  return terms;
}

/**
 * Why the pair (a, b) has no window, or undefined when it has one: a BETWEEN or an equality relating
 * their times (the same instant or time bucket), an expression that mentions both times (a difference
 * compared with a limit), orderings in both directions, or each stream bounded on its own (a recent
 * period).
 */
function windowGap(terms: TimeTerm[], a: string, b: string): 'noBound' | 'oneSided' | undefined {
  const relates = (term: TimeTerm) => (term.lower.has(a) && term.upper.has(b)) || (term.lower.has(b) && term.upper.has(a));
  const mixed = (term: TimeTerm) => (term.lower.has(a) && term.lower.has(b)) || (term.upper.has(a) && term.upper.has(b));
  if (terms.some((term) => (term.kind !== 'ordering' && relates(term)) || mixed(term))) return undefined;
  const aBeforeB = terms.some((term) => term.kind === 'ordering' && term.lower.has(a) && term.upper.has(b));
  const bBeforeA = terms.some((term) => term.kind === 'ordering' && term.lower.has(b) && term.upper.has(a));
  if (aBeforeB && bBeforeA) return undefined;
  const boundedAlone = (name: string) => terms.some((term) => term.kind !== 'equal' && term.upper.has(name) && term.lower.size === 0);
  if (boundedAlone(a) && boundedAlone(b)) return undefined;
  return aBeforeB || bBeforeA ? 'oneSided' : 'noBound';
}

/**
 * True when the streams are equated on something that keeps the match to one row or a small group: a
 * key of one side (e2.event_id = e1.parent_event_id looks one event up), a reference to a predecessor
 * (e1.prev_hash = e2.hash), the next position (e2.seq = e1.seq + 1), or a session both events belong
 * to (a session window).
 */
function matchedOnKey(context: RuleContext, from: FromClause, a: Stream, b: Stream): boolean {
  const lookupColumns = context.names('streamLookupColumns');
  const isKey = (stream: Stream, column: string) => {
    const info = context.schema.table(stream.table);
    return (!!info && context.schema.keysOf(info).some((key) => key.length === 1 && key[0] === column)) || matchesAnyExactly(column, lookupColumns);
  };
  const using = from.usings.find((each) => (each.a === a && each.b === b) || (each.a === b && each.b === a));
  if (using?.columns.some((column) => isKey(a, column) || isKey(b, column))) return true;
  let matched = false;
  walk(from.conditions, (visit) => {
    if (matched || visit.type === 'SubLink') return false;
    if (visit.type !== 'A_Expr' || operatorOf({ A_Expr: visit.node }) !== '=') return true;
    const left = streamColumn(visit.node.lexpr, [a, b]);
    const right = streamColumn(visit.node.rexpr, [a, b]);
    if (left && right && left.stream !== right.stream)
      matched = isKey(left.stream, left.column) || isKey(right.stream, right.column) || left.shifted !== right.shifted;
    return !matched;
  });
  return matched;
}

/** The stream and column of a qualified column of one of the streams (e1.event_id), also shifted by a constant (e1.seq + 1). */
function streamColumn(expression: AstNode | undefined, streams: Stream[]): { stream: Stream; column: string; shifted: boolean } | undefined {
  const operator = operatorOf(expression);
  const shifted = (operator === '+' || operator === '-') && isConstant(expression?.A_Expr?.rexpr);
  const reference = shifted ? expression?.A_Expr?.lexpr : expression;
  const fields = reference?.ColumnRef ? columnRefs(reference)[0] : undefined;
  if (!fields || fields.length < 2) return undefined;
  const stream = streams.find((candidate) => candidate.name === fields[fields.length - 2]);
  return stream && { stream, column: fields[fields.length - 1], shifted };
}

/**
 * Names of the streams whose time columns an expression mentions. An unqualified column belongs to
 * every stream that may have it (the schema model decides when it knows the tables).
 */
function timeStreams(context: RuleContext, expression: AstNode | undefined, streams: Stream[]): Set<string> {
  const found = new Set<string>();
  for (const fields of columnRefs(expression)) {
    const column = fields[fields.length - 1];
    const owners = fields.length >= 2 ? streams.filter((stream) => stream.name === fields[fields.length - 2]) : streams;
    for (const stream of owners) if (isTimeColumn(context, stream.table, column, fields.length >= 2)) found.add(stream.name);
  }
  return found;
}

function isTimeColumn(context: RuleContext, table: string, column: string, qualified: boolean): boolean {
  const info = context.schema.table(table);
  const known = info?.columns.get(column);
  if (known) return TEMPORAL_TYPE.test(known.type);
  // An unqualified name a known table does not have belongs to another table of the query.
  if (info && info.columns.size > 0 && !qualified) return false;
  return matchesAnyExactly(column, context.names('streamTimeColumns'));
}

function cteNames(statement: SqlStatement): Set<string> {
  const names = new Set<string>();
  walkStatement(statement, (visit) => {
    if (visit.type === 'CommonTableExpr') names.add(String(visit.node.ctename));
  });
  return names;
}
