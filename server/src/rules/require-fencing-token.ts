import { columnName, functionBaseName, relationName, walk } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal, type RuleContext } from '../rule';
import type { SchemaModel } from '../schema/model';
import { sequenceArgument } from '../schema/facts';
import { lockSections } from './shared/locks';
import { matchesAny } from './shared/names';
import { keywordCase, SqlEdits } from './shared/sql-edits';

const ORDERING = new Set(['<', '<=', '>', '>=']);
const INTEGER_TYPES = /(int2|int4|int8|smallint|integer|bigint|serial|bigserial|numeric)$/;

export default defineRule({
  id: 'require-fencing-token',
  severity: 'warning',
  languages: ['sql', 'ts'],
  fix: 'safe',
  skill: { name: 'armadilhas-sistemas-distribuidos', section: 'REGRA #2; REQ ARMADILHAS-02/03; anti-pattern 2' },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 8 (fencing tokens)'],
  settings: [
    {
      key: 'fencingColumns',
      default: ['*token*', '*fencing*', '*epoch*'],
      description: {
        en: 'Column names (globs with *) that hold a fencing token; a write that compares one of them with < or > counts as fenced.',
        'pt-BR': 'Nomes de colunas (globs com *) que guardam um fencing token; uma escrita que compara uma delas com < ou > conta como protegida.',
      },
    },
  ],
  text: {
    en: {
      message: '{verb} of {table} runs under {lock}() but does not check a fencing token. If this process pauses (GC, VM suspend, timeout) and another one takes the lock, this stale write still lands; compare a monotonic token in the WHERE clause.',
      summary: 'Writes protected by a distributed lock must carry a fencing token that storage checks.',
      rationale:
        'A lock only says who held it a moment ago. A holder can stall after acquiring it (a long garbage-collection pause, a suspended VM, an Edge Function hitting its timeout) while the lock expires and a second holder starts working. When the first one resumes it still believes it holds the lock, and without a check in storage its late write overwrites the newer one: two leaders, corrupted data.',
      remedy:
        'Take a strictly increasing token with the lock (nextval of a sequence), store the last token each row accepted, and make every write conditional on it: set last_token = <token> … where … and last_token < <token>. A write with an older token then matches no row, and the caller learns it was fenced off (0 rows updated).',
      fixes: { addFencing: 'Add the fencing check on {column} with {token}' },
    },
    'pt-BR': {
      message: '{verb} em {table} roda sob {lock}() mas não confere um fencing token. Se este processo pausar (GC, VM suspensa, timeout) e outro pegar o lock, esta escrita atrasada ainda entra; compare um token monotônico no WHERE.',
      summary: 'Escritas protegidas por lock distribuído precisam levar um fencing token conferido pelo armazenamento.',
      rationale:
        'Um lock só diz quem o tinha há um instante. Quem o adquiriu pode travar logo depois (uma pausa longa de garbage collection, uma VM suspensa, uma Edge Function estourando o timeout) enquanto o lock expira e um segundo detentor começa a trabalhar. Quando o primeiro volta, ainda acredita ter o lock e, sem uma verificação no armazenamento, sua escrita atrasada sobrescreve a mais nova: dois líderes, dados corrompidos.',
      remedy:
        'Obtenha um token estritamente crescente junto com o lock (nextval de uma sequence), guarde em cada linha o último token aceito e torne toda escrita condicional a ele: set last_token = <token> … where … and last_token < <token>. Uma escrita com token antigo então não encontra linha, e quem chamou descobre que foi cercado (0 linhas atualizadas).',
      fixes: { addFencing: 'Adicionar a verificação de fencing em {column} com {token}' },
    },
  },
  examples: {
    invalid: [
      {
        code: [
          'begin;',
          "select pg_advisory_xact_lock(hashtext('resource:42'));",
          "select nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new' where id = 42;",
          'commit;',
        ].join('\n'),
        fixed: [
          'begin;',
          "select pg_advisory_xact_lock(hashtext('resource:42'));",
          "select nextval('fencing_tokens_seq') as token;",
          "update public.locked_resource set value = 'new', last_token = currval('fencing_tokens_seq') where id = 42 and last_token < currval('fencing_tokens_seq');",
          'commit;',
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.locked_resource (id bigint primary key, last_token bigint not null default 0, value text);',
          'insert into public.locked_resource (id) values (42);',
        ].join('\n'),
      },
      {
        code: [
          'create function public.take_over(p_id bigint) returns void language plpgsql as $$',
          'declare',
          '  v_token bigint;',
          'begin',
          "  perform pg_advisory_xact_lock(hashtext('leader'));",
          "  v_token := nextval('fencing_tokens_seq');",
          "  update public.locked_resource set value = 'leader' where id = p_id or value is null;",
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.take_over(p_id bigint) returns void language plpgsql as $$',
          'declare',
          '  v_token bigint;',
          'begin',
          "  perform pg_advisory_xact_lock(hashtext('leader'));",
          "  v_token := nextval('fencing_tokens_seq');",
          "  update public.locked_resource set value = 'leader', last_token = v_token where (id = p_id or value is null) and last_token < v_token;",
          'end $$;',
        ].join('\n'),
        schema: [
          'create sequence fencing_tokens_seq;',
          'create table public.locked_resource (id bigint primary key, last_token bigint not null default 0, value text);',
        ].join('\n'),
      },
    ],
    valid: [
      [
        'begin;',
        "select pg_advisory_xact_lock(hashtext('resource:42'));",
        "update public.locked_resource set value = 'new', last_token = 17 where id = 42 and last_token < 17;",
        'commit;',
      ].join('\n'),
      [
        'begin;',
        "select pg_advisory_xact_lock(hashtext('report'));",
        'select count(*) from public.locked_resource;',
        'commit;',
      ].join('\n'),
      "select pg_advisory_lock_shared(1);\nupdate public.counters set n = n + 1 where id = 1;",
      "update public.locked_resource set value = 'x' where id = 1;",
    ],
  },
  check(context) {
    const reported = new Set<SqlStatement>();
    for (const section of lockSections(context.sql)) {
      for (const write of section.statements) {
        if ((write.kind !== 'UpdateStmt' && write.kind !== 'DeleteStmt') || reported.has(write)) continue;
        if (comparesToken(write.body.whereClause, context.names('fencingColumns'))) continue;
        reported.add(write);
        const table = relationName(write.body.relation);
        const head = write.rangeOf(write.body.relation);
        context.report({
          start: write.start,
          end: head.end,
          anchor: write.start,
          data: { verb: write.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE', table, lock: section.function },
          fixes: fencingFix(context, write, section.statements, section.lock),
        });
      }
    }
  },
});

/** True when the WHERE clause orders a token-like column against something (last_token < $1). */
function comparesToken(whereClause: any, fencingColumns: string[]): boolean {
  let found = false;
  walk(whereClause, (visit) => {
    if (found || visit.type !== 'A_Expr' || !ORDERING.has(visit.node.name?.[0]?.String?.sval)) return;
    for (const side of [visit.node.lexpr, visit.node.rexpr]) {
      const name = side?.ColumnRef ? columnName(side.ColumnRef) : undefined;
      if (name && matchesAny(name, fencingColumns)) found = true;
    }
  });
  return found;
}

function fencingFix(context: RuleContext, write: SqlStatement, scope: SqlStatement[], lock: SqlStatement): FixProposal[] {
  const token = tokenExpression(write, scope, lock);
  if (!token) return [];
  const { column, confirmed } = tokenColumn(context.schema, relationName(write.body.relation));
  const edits = new SqlEdits(write);
  const tokens = write.tokens();
  const keyword = (index: number) => (index >= 0 ? index : Number.MAX_SAFE_INTEGER);
  const lastTokenBefore = (index: number) => (index < tokens.length ? tokens[index - 1].end : write.sourceEnd);
  const returning = keyword(write.topLevelKeyword('returning'));
  const where = write.topLevelKeyword('where');
  if (where >= 0 && write.word(where + 1) === 'current') return [];

  if (write.kind === 'UpdateStmt') {
    const set = write.topLevelKeyword('set');
    const assignsColumn = (write.body.targetList ?? []).some((target: any) => target.ResTarget?.name === column);
    if (set < 0 || assignsColumn) return [];
    const setEnd = Math.min(keyword(write.topLevelKeyword('from', set)), keyword(where), returning);
    edits.insert(lastTokenBefore(setEnd), `, ${column} = ${token}`);
  }
  const and = keywordCase(write, 'and');
  if (where >= 0) {
    const whereEnd = lastTokenBefore(returning);
    // "a or b and last_token < t" would bind to b only: wrap an OR in parentheses first.
    if (write.body.whereClause?.BoolExpr?.boolop === 'OR_EXPR') {
      edits.insert(tokens[where + 1].start, '(');
      edits.insert(whereEnd, `) ${and} ${column} < ${token}`);
    } else edits.insert(whereEnd, ` ${and} ${column} < ${token}`);
  } else {
    edits.insert(lastTokenBefore(returning), ` ${keywordCase(write, 'where')} ${column} < ${token}`);
  }
  if (!edits.parses()) return [];
  return [{ key: 'addFencing', data: { column, token }, edits: edits.toDocumentEdits(), safe: confirmed }];
}

/** A PL/pgSQL variable assigned from nextval() earlier in the routine, or currval('<seq>') of a sequence advanced earlier. */
function tokenExpression(write: SqlStatement, scope: SqlStatement[], lock: SqlStatement): string | undefined {
  const candidates = write.routine
    ? write.routine.statements.slice(0, write.routine.statements.indexOf(write))
    : [lock, ...scope.slice(0, scope.indexOf(write))];
  let token: string | undefined;
  for (const statement of candidates) {
    walk(statement.body, (visit) => {
      if (visit.type !== 'FuncCall' || functionBaseName(visit.node) !== 'nextval') return;
      const target = statement.plpgsql?.targets[0];
      if (write.routine && target && !target.includes('.')) token = target;
      else if (!write.routine) {
        const sequence = sequenceArgument(visit.node);
        if (sequence) token = `currval('${sequence.replace(/'/g, "''")}')`;
      }
    });
  }
  return token;
}

/** The table's token column from the schema model, else last_token (then the fix is not marked safe). */
function tokenColumn(schema: SchemaModel, table: string): { column: string; confirmed: boolean } {
  const info = schema.table(table);
  if (info) {
    for (const preferred of ['last_token', 'fencing_token']) {
      if (info.columns.has(preferred)) return { column: preferred, confirmed: true };
    }
    for (const column of info.columns.values()) {
      if (column.name.endsWith('_token') && INTEGER_TYPES.test(column.type)) return { column: column.name, confirmed: true };
    }
  }
  return { column: 'last_token', confirmed: false };
}
