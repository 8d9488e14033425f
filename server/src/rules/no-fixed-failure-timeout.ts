import { functionBaseName, relationName, walk, wrapped, type AstNode, type NodeFields } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type RuleContext } from '../core/rule';
import {
  columnRefs,
  expressionRange,
  expressionText,
  isClockReading,
  isConstant,
  operatorOf,
  ORDERINGS,
  stringConstant,
  walkStatement,
} from './sql/expressions';
import { checkTypeScriptFailureTimeouts } from './no-fixed-failure-timeout.typescript';
import { baseName, matchesAny, matchesAnyExactly, statementMentions } from '../core/names';
import { isTestCode } from '../languages/typescript/test-code';

export default defineRule({
  id: 'no-fixed-failure-timeout',
  severity: 'info',
  languages: ['sql', 'ts'],
  // Each SQL statement alone: in a .sql document, re-run only where an edit changed it.
  reads: 'statement',
  skill: {
    name: 'armadilhas-sistemas-distribuidos',
    section: 'REGRA #3; REQ ARMADILHAS-04; anti-pattern 3 (also distributed-systems-fundamentals: partial failure, timing models)',
  },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 8 (timeouts and unbounded delays)'],
  settings: [
    {
      key: 'heartbeatColumns',
      default: ['*heartbeat*', 'last_seen*', 'last_ping*', '*alive_at', 'last_alive*'],
      description: {
        en: 'Column names (globs with *) that record when a node was last heard from.',
        'pt-BR': 'Nomes de colunas (globs com *) que registram quando um nó deu sinal de vida pela última vez.',
      },
    },
    {
      key: 'nodeTables',
      default: [
        '*worker*',
        '*node*',
        '*instance*',
        '*replica*',
        '*server*',
        '*leader*',
        '*peer*',
        'cluster_member*',
        '*executor*',
        '*runner*',
        '*daemon*',
        '*heartbeat*',
      ],
      description: {
        en: 'Table names (globs with *) of nodes or workers; deleting or updating their rows by heartbeat age declares them dead.',
        'pt-BR': 'Nomes de tabelas (globs com *) de nós ou workers; apagar ou atualizar suas linhas pela idade do heartbeat os declara mortos.',
      },
    },
    {
      key: 'sessionTables',
      default: ['*session*', '*token*', '*presence*'],
      description: {
        en: 'Table names (globs with *) of sessions, tokens and user presence; a last-seen age there is an expiry, not failure detection, and is not reported.',
        'pt-BR':
          'Nomes de tabelas (globs com *) de sessões, tokens e presença de usuários; a idade do último sinal ali é expiração, não detecção de falha, e não é reportada.',
      },
    },
    {
      key: 'deadStates',
      default: ['dead', 'fail*', 'unhealthy', 'suspect*', 'unresponsive', 'unreachable', 'crash*', 'stale', 'zombie', 'down'],
      description: {
        en: 'Words (globs with *) that, as a word of a status value or view name, declare a node failed (dead, suspected_dead, failed, stale_workers).',
        'pt-BR':
          'Palavras (globs com *) que, como palavra de um valor de status ou nome de view, declaram um nó com falha (dead, suspected_dead, failed, stale_workers).',
      },
    },
  ],
  text: {
    en: {
      message:
        '{column} is compared with the fixed limit {limit} to declare a node dead. A live node can stay silent that long under load, a GC pause or a network hiccup, and then two nodes act as the owner; derive the limit from observed heartbeat latency (e.g. 3 × its p99) and confirm with other nodes before failing over.',
      summary: 'Do not declare a node dead from a heartbeat age compared with a fixed constant.',
      rationale:
        'In an asynchronous network a slow node and a dead node look the same from outside: messages queue up, round trips grow tenfold under load, a garbage-collection pause or a suspended VM freezes a process for tens of seconds. A fixed threshold chosen on a quiet day turns every such stall into a "death" and a failover, while the supposedly dead node keeps working: two owners of the same work, split brain. A threshold that is too generous instead delays the reaction to real crashes.',
      remedy:
        'Record how long heartbeats normally take per node (a moving p99 of their intervals) and suspect a node only after a multiple of it (e.g. 3 × p99, with a floor), as a phi-accrual detector does; prefer a suspected state over dead, and let a quorum of the other nodes agree before failing over. Protect the work the node held with fencing tokens, so that a node wrongly declared dead cannot overwrite its successor. Not reported: limits computed from a column, variable, parameter or subquery; ages on session, token or presence tables (expiry, not failure detection); limits of a day or more (inactivity or retention windows); queries that only list live nodes.',
    },
    'pt-BR': {
      message:
        '{column} é comparado com o limite fixo {limit} para declarar um nó morto. Um nó vivo pode ficar calado esse tempo sob carga, numa pausa de GC ou numa falha de rede, e aí dois nós agem como donos; derive o limite da latência observada dos heartbeats (por exemplo 3 × o p99) e confirme com outros nós antes do failover.',
      summary: 'Não declare um nó morto comparando a idade do heartbeat com uma constante fixa.',
      rationale:
        'Numa rede assíncrona, um nó lento e um nó morto parecem iguais vistos de fora: mensagens se acumulam, o tempo de ida e volta sobe dez vezes sob carga, uma pausa de garbage collection ou uma VM suspensa congela o processo por dezenas de segundos. Um limite fixo escolhido num dia tranquilo transforma cada travada dessas em "morte" e failover, enquanto o nó supostamente morto continua trabalhando: dois donos do mesmo trabalho, split brain. Um limite folgado demais, ao contrário, atrasa a reação a quedas reais.',
      remedy:
        'Registre quanto os heartbeats de cada nó costumam levar (um p99 móvel dos intervalos) e só suspeite de um nó depois de um múltiplo disso (por exemplo 3 × p99, com um piso), como faz um detector phi accrual; prefira um estado de suspeito a morto, e deixe um quórum dos outros nós concordar antes do failover. Proteja o trabalho que o nó detinha com fencing tokens, para que um nó declarado morto por engano não sobrescreva o sucessor. Não são reportados: limites calculados a partir de coluna, variável, parâmetro ou subconsulta; idades em tabelas de sessão, token ou presença (expiração, não detecção de falha); limites de um dia ou mais (janelas de inatividade ou retenção); consultas que só listam nós vivos.',
    },
  },
  examples: {
    invalid: [
      {
        code: "update public.workers set status = 'dead' where last_heartbeat_at < now() - interval '30 seconds';",
        schema: 'create table public.workers (id uuid primary key, status text not null, last_heartbeat_at timestamptz not null);',
      },
      {
        code: [
          'select instance_id,',
          "       case when now() - last_seen > interval '30 seconds' then 'suspected_dead' else 'alive' end as state",
          'from public.instance_heartbeats;',
        ].join('\n'),
      },
    ],
    valid: [
      [
        'select instance_id,',
        "       case when extract(epoch from now() - last_seen) * 1000 >= 3 * rtt_p99_ms then 'suspected_dead' else 'alive' end as state",
        'from public.instance_heartbeats;',
      ].join('\n'),
      "delete from public.sessions where last_seen_at < now() - interval '30 days';",
      "delete from public.request_logs where created_at < now() - interval '7 days';",
      "select count(*) from public.workers where last_heartbeat_at > now() - interval '30 seconds';",
    ],
  },
  check(context) {
    // SQL here; the TypeScript side (heartbeat ages in application code) joins this dispatch.
    checkSql(context);
    if (context.typescript) checkTypeScriptFailureTimeouts(context);
  },
});

function checkSql(context: RuleContext): void {
  // SQL in test code (cleaning up stale workers between tests) decides no production failover.
  if (context.typescript && isTestCode(context)) return;
  const heartbeatColumns = context.names('heartbeatColumns');
  for (const statement of context.sql.statements) {
    if (!statementMentions(statement, heartbeatColumns) || touchesSessions(context, statement)) continue;
    const reported = new Set<NodeFields<'A_Expr'>>();
    const report = (comparison: NodeFields<'A_Expr'>, column: string, limit: string) => {
      if (reported.has(comparison)) return;
      reported.add(comparison);
      context.report({ ...expressionRange(statement, { A_Expr: comparison }), anchor: statement.start, data: { column, limit } });
    };
    // Statements that act on the nodes they select: mark them, delete them, or a view that lists dead ones.
    const where = decidingWhere(context, statement);
    if (where) for (const found of fixedAgeChecks(context, statement, where)) report(found.comparison, found.column, found.limit);
    // CASE WHEN <heartbeat age check> THEN 'dead' …
    walkStatement(statement, (visit) => {
      if (visit.type !== 'CaseWhen' || !isDeadState(context, stringConstant(visit.node.result))) return;
      for (const found of fixedAgeChecks(context, statement, visit.node.expr)) report(found.comparison, found.column, found.limit);
    });
  }
}

/**
 * The WHERE clause that decides which nodes fail: an UPDATE of a node table or one that writes a dead
 * state, a DELETE from a node table, a view named after dead nodes.
 */
function decidingWhere(context: RuleContext, statement: SqlStatement): AstNode | undefined {
  const isNodeTable = (rangeVar: NodeFields<'RangeVar'> | undefined) => matchesAny(baseName(relationName(rangeVar)), context.names('nodeTables'));
  switch (statement.kind) {
    case 'UpdateStmt': {
      const body = statement.bodyOf('UpdateStmt')!;
      const writesDeadState = (body.targetList ?? []).some((target) => isDeadState(context, stringConstant(target.ResTarget?.val)));
      return isNodeTable(body.relation) || writesDeadState ? body.whereClause : undefined;
    }
    case 'DeleteStmt': {
      const body = statement.bodyOf('DeleteStmt')!;
      return isNodeTable(body.relation) ? body.whereClause : undefined;
    }
    case 'ViewStmt': {
      const body = statement.bodyOf('ViewStmt')!;
      return isDeadState(context, String(body.view?.relname ?? '')) ? body.query : undefined;
    }
    case 'CreateTableAsStmt': {
      const body = statement.bodyOf('CreateTableAsStmt')!;
      return isDeadState(context, String(body.into?.rel?.relname ?? '')) ? body.query : undefined;
    }
    default:
      return undefined;
  }
}

interface AgeCheck {
  comparison: NodeFields<'A_Expr'>;
  column: string;
  limit: string;
}

/** Functions an age is computed with: extract(epoch from now() - last_seen), age(last_ping). */
const AGE_FUNCTIONS = new Set(['extract', 'date_part', 'age', 'abs', 'make_interval', 'interval']);

/**
 * Comparisons of a heartbeat's age with a constant: the only columns are heartbeat columns, the clock
 * is read, and everything else is a literal (last_seen < now() - interval '30 seconds',
 * now() - last_heartbeat > '30s', extract(epoch from now() - last_ping) > 30). A column, variable,
 * parameter or subquery in the limit (3 * rtt_p99_ms) makes it derived, not fixed.
 */
function fixedAgeChecks(context: RuleContext, statement: SqlStatement, expression: AstNode | undefined): AgeCheck[] {
  const heartbeatColumns = context.names('heartbeatColumns');
  const checks: AgeCheck[] = [];
  walk(expression, (visit) => {
    if (visit.type === 'SubLink') return false;
    if (visit.type !== 'A_Expr' || !ORDERINGS.has(operatorOf({ A_Expr: visit.node }) ?? '')) return true;
    const comparison = { A_Expr: visit.node };
    const columns = columnRefs(comparison).map((fields) => fields[fields.length - 1]);
    if (!columns.length || !columns.every((column) => matchesAny(column, heartbeatColumns))) return true;
    if (!readsClockOnlyWithLiterals(comparison)) return true;
    const limit = firstLiteral(comparison);
    if (!limit || (intervalSeconds(limit) ?? 0) >= DAY) return true;
    checks.push({ comparison: visit.node, column: columns[0], limit: expressionText(statement, limit) });
    return false;
  });
  return checks;
}

/** True when the expression reads the clock and, columns aside, is made of literals and age arithmetic. */
function readsClockOnlyWithLiterals(expression: AstNode): boolean {
  let clock = false;
  let literal = true;
  walk(expression, (visit) => {
    if (isClockReading(wrapped(visit))) clock = true;
    else if (visit.type === 'FuncCall' && !AGE_FUNCTIONS.has(functionBaseName(visit.node))) literal = false;
    else if (visit.type === 'ParamRef' || visit.type === 'SubLink' || visit.type === 'SQLValueFunction') literal = false;
    return literal;
  });
  return clock && literal;
}

const LIMIT_NODES = new Set(['A_Const', 'TypeCast', 'A_Expr', 'FuncCall']);

// Failure detectors wait seconds or minutes. A limit of a day or more is an inactivity or retention
// window (members idle for 30 days), not a verdict on a crashed node.
const DAY = 86_400;
const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(ms|msecs?|milliseconds?)$/, 0.001],
  [/^(s|secs?|seconds?)$/, 1],
  [/^(m|mins?|minutes?)$/, 60],
  [/^(h|hrs?|hours?)$/, 3_600],
  [/^(d|days?)$/, DAY],
  [/^(w|weeks?)$/, 7 * DAY],
  [/^(mons?|months?)$/, 30 * DAY],
  [/^(y|years?)$/, 365 * DAY],
];

/** Seconds of a literal interval ('30 seconds', '1 hour 30 min', '00:00:30'), when it can be read. */
function intervalSeconds(limit: AstNode): number | undefined {
  const text = stringConstant(limit) ?? stringConstant(limit.TypeCast?.arg);
  if (text === undefined) return undefined;
  const clock = /^\s*(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*$/.exec(text);
  if (clock) return Number(clock[1]) * 3_600 + Number(clock[2]) * 60 + Number(clock[3] ?? 0);
  let seconds = 0;
  let matched = false;
  for (const [, amount, unit] of text.toLowerCase().matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
    const factor = UNIT_SECONDS.find(([pattern]) => pattern.test(unit))?.[1];
    if (factor === undefined) return undefined;
    seconds += Number(amount) * factor;
    matched = true;
  }
  return matched ? seconds : undefined;
}

/** The first literal subexpression that is the limit (interval '30 seconds', 30 * 1000), not extract's field name. */
function firstLiteral(expression: AstNode): AstNode | undefined {
  let found: AstNode | undefined;
  walk(expression, (visit) => {
    if (found) return false;
    if (!LIMIT_NODES.has(visit.type) || !isConstant(wrapped(visit))) return true;
    if (visit.parent?.type === 'FuncCall' && visit.key === 'args' && ['extract', 'date_part'].includes(functionBaseName(visit.parent.node))) return false;
    found = wrapped(visit);
    return false;
  });
  return found;
}

/** Sessions, tokens and user presence: a last-seen age there is an expiry, not a node's failure. */
function touchesSessions(context: RuleContext, statement: SqlStatement): boolean {
  const patterns = context.names('sessionTables');
  const isSession = (rangeVar: NodeFields<'RangeVar'> | undefined) => !!rangeVar && matchesAny(baseName(relationName(rangeVar)), patterns);
  let found = isSession(statement.relation());
  walkStatement(statement, (visit) => {
    if (visit.type === 'RangeVar' && isSession(visit.node)) found = true;
  });
  return found;
}

/** A status value or view name with a failure word: 'suspected_dead', 'FAILED', stale_workers (not 'shutdown'). */
function isDeadState(context: RuleContext, value: string | undefined): boolean {
  const patterns = context.names('deadStates');
  return !!value && value.split(/[^\p{L}\p{N}]+|_/u).some((word) => word && matchesAnyExactly(word, patterns));
}
