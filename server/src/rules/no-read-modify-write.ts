import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { defineRule, type FixProposal, type RuleContext } from '../core/rule';
import { appReadModifyWrites, type AppReadModifyWrite } from './no-read-modify-write.app';
import { quoteIdentifier } from './sql/identifiers';
import { lineNumberAt } from './sql/line-numbers';
import { readModifyWrites, type ReadModifyWrite } from './no-read-modify-write.sql';
import { selectEnd } from './sql/row-locks';
import { scopeOf } from './sql/row-scope';
import { keywordCase, SqlEdits } from './sql/sql-edits';

export default defineRule({
  id: 'no-read-modify-write',
  severity: 'warning',
  languages: ['sql'],
  fix: 'safe',
  skill: { name: 'postgres-isolamento-concorrencia', section: 'REGRA #3; REQ ISOLAMENTO-01 #4; REQ ISOLAMENTO-03; anti-pattern 1' },
  sources: ['Martin Kleppmann, Designing Data-Intensive Applications, ch. 7 (preventing lost updates)', 'PostgreSQL documentation, Transaction Isolation'],
  settings: [
    {
      key: 'versionColumns',
      default: ['version', 'revision', 'updated_at', 'modified_at', 'xmin', 'etag'],
      description: {
        en: 'Column names (words or globs with *) that act as a row version; an UPDATE whose WHERE compares one of them with = is a compare-and-set and is not reported.',
        'pt-BR':
          'Nomes de colunas (palavras ou globs com *) que servem de versão da linha; um UPDATE cujo WHERE compara uma delas com = é um compare-and-set e não é reportado.',
      },
    },
  ],
  text: {
    en: {
      message:
        '{table}.{column} is read here without a row lock and written back by the UPDATE on line {line}. A concurrent transaction can change the row in between, and its change is lost; read it with FOR UPDATE, update atomically (SET {column} = {column} + …), or compare a version column in the UPDATE.',
      summary: 'A value read without a lock must not be written back to the same row in the same transaction.',
      rationale:
        "Under READ COMMITTED, PostgreSQL's default, a plain SELECT takes no row lock. Two transactions can read the same value (a stock count of 10), each compute a new one in the application or in PL/pgSQL (10 + 1), and each write 11: the second UPDATE waits for the first, then overwrites it, and one of the two changes disappears without any error. This lost update grows with concurrency: more instances, retries and parallel workers mean more silently wrong counters and balances.",
      remedy:
        'Pick one of three patterns. Pessimistic: read with SELECT … FOR UPDATE so the second transaction waits for the first to commit and then reads the new value. Atomic: let the database compute the value (SET n = n + 1, SET balance = balance - $1), with no read at all. Optimistic: keep a version column and write UPDATE … SET …, version = version + 1 WHERE id = $1 AND version = $2, retrying when no row matched. Not reported: atomic updates, reads with FOR UPDATE, FOR NO KEY UPDATE or FOR SHARE, rows already locked earlier in the transaction (a locking SELECT, an UPDATE or DELETE of the table, LOCK TABLE, an advisory lock), compare-and-set on a version-like column or on the written column itself, and SERIALIZABLE or REPEATABLE READ transactions, where PostgreSQL aborts the second writer with SQLSTATE 40001 instead (the application must retry). In plain SQL transactions the application computes the value, so an UPDATE that sets a column read earlier in the transaction to a literal or a parameter, on the same row, counts as writing it back; in PL/pgSQL the value is followed through variables. The fix adds FOR UPDATE to the read; it is marked safe when the schema model knows the table (a view might not accept row locks).',
      fixes: { addForUpdate: 'Read {table} with FOR UPDATE', atomicUpdate: 'Let the database compute {column}: {code}' },
    },
    'pt-BR': {
      message:
        '{table}.{column} é lido aqui sem lock de linha e gravado de volta pelo UPDATE da linha {line}. Uma transação concorrente pode mudar a linha nesse meio-tempo, e a mudança dela se perde; leia com FOR UPDATE, atualize de forma atômica (SET {column} = {column} + …) ou compare uma coluna de versão no UPDATE.',
      summary: 'Um valor lido sem lock não deve ser gravado de volta na mesma linha, na mesma transação.',
      rationale:
        'Em READ COMMITTED, o padrão do PostgreSQL, um SELECT simples não trava a linha. Duas transações podem ler o mesmo valor (um estoque de 10), cada uma calcular um novo na aplicação ou em PL/pgSQL (10 + 1) e cada uma gravar 11: o segundo UPDATE espera o primeiro e depois o sobrescreve, e uma das duas mudanças some sem erro nenhum. Esse lost update cresce com a concorrência: mais instâncias, retentativas e workers em paralelo significam mais contadores e saldos errados em silêncio.',
      remedy:
        'Escolha um de três padrões. Pessimista: leia com SELECT … FOR UPDATE, e a segunda transação espera a primeira confirmar e então lê o valor novo. Atômico: deixe o banco calcular o valor (SET n = n + 1, SET balance = balance - $1), sem leitura nenhuma. Otimista: mantenha uma coluna de versão e escreva UPDATE … SET …, version = version + 1 WHERE id = $1 AND version = $2, tentando de novo quando nenhuma linha casar. Não são reportados: updates atômicos, leituras com FOR UPDATE, FOR NO KEY UPDATE ou FOR SHARE, linhas já travadas antes na transação (um SELECT com lock, um UPDATE ou DELETE da tabela, LOCK TABLE, um advisory lock), compare-and-set numa coluna de versão ou na própria coluna gravada, e transações SERIALIZABLE ou REPEATABLE READ, em que o PostgreSQL aborta o segundo escritor com SQLSTATE 40001 (a aplicação precisa tentar de novo). Em transações de SQL puro quem calcula o valor é a aplicação, então um UPDATE que grava um literal ou um parâmetro numa coluna lida antes na transação, na mesma linha, conta como gravar de volta; em PL/pgSQL o valor é seguido pelas variáveis. A correção acrescenta FOR UPDATE à leitura; ela é marcada como segura quando o modelo de schema conhece a tabela (uma view pode não aceitar lock de linha).',
      fixes: { addForUpdate: 'Ler {table} com FOR UPDATE', atomicUpdate: 'Deixar o banco calcular {column}: {code}' },
    },
  },
  examples: {
    invalid: [
      {
        code: ['begin;', 'select sales_count from public.products where id = 1;', 'update public.products set sales_count = 11 where id = 1;', 'commit;'].join(
          '\n',
        ),
        fixed: [
          'begin;',
          'select sales_count from public.products where id = 1 for update;',
          'update public.products set sales_count = 11 where id = 1;',
          'commit;',
        ].join('\n'),
        schema: 'create table public.products (id bigint primary key, sales_count int not null default 0);',
      },
      {
        code: [
          'create function public.withdraw(p_account bigint, p_amount numeric) returns void language plpgsql as $$',
          'declare',
          '  v_balance numeric;',
          'begin',
          '  select balance into v_balance from public.accounts where id = p_account;',
          "  if v_balance < p_amount then raise exception 'saldo insuficiente'; end if;",
          '  update public.accounts set balance = v_balance - p_amount where id = p_account;',
          'end $$;',
        ].join('\n'),
        fixed: [
          'create function public.withdraw(p_account bigint, p_amount numeric) returns void language plpgsql as $$',
          'declare',
          '  v_balance numeric;',
          'begin',
          '  select balance into v_balance from public.accounts where id = p_account for update;',
          "  if v_balance < p_amount then raise exception 'saldo insuficiente'; end if;",
          '  update public.accounts set balance = v_balance - p_amount where id = p_account;',
          'end $$;',
        ].join('\n'),
        schema: 'create table public.accounts (id bigint primary key, balance numeric not null);',
      },
    ],
    valid: [
      'begin;\nupdate public.products set sales_count = sales_count + 1 where id = 1;\ncommit;',
      'begin;\nselect sales_count from public.products where id = 1 for update;\nupdate public.products set sales_count = 11 where id = 1;\ncommit;',
      'begin;\nselect sales_count, version from public.products where id = 1;\nupdate public.products set sales_count = 11, version = version + 1 where id = 1 and version = 7;\ncommit;',
      'begin isolation level serializable;\nselect sales_count from public.products where id = 1;\nupdate public.products set sales_count = 11 where id = 1;\ncommit;',
      'select sales_count from public.products where id = 1;\nupdate public.products set sales_count = 11 where id = 1;',
      [
        'create function public.deposit(p_account bigint, p_amount numeric) returns void language plpgsql as $$',
        'begin',
        '  update public.accounts set balance = balance + p_amount where id = p_account;',
        'end $$;',
      ].join('\n'),
    ],
  },
  check(context) {
    const versionColumns = context.names('versionColumns');
    for (const unit of context.sql.transactions) {
      if (unit.kind !== 'explicit' && unit.kind !== 'routine') continue;
      if (unit.isolation === 'serializable' || unit.isolation === 'repeatable read') continue;
      // Only an UPDATE writes a read value back; most units have none.
      if (!unit.statements.some((statement) => statement.kind === 'UpdateStmt')) continue;
      // In application code the evidence is the code itself (appReadModifyWrites, below): a bare
      // parameter written back is not enough there.
      const found = readModifyWrites(unit.statements, context.schema, { appComputedValues: unit.kind === 'explicit' && !context.typescript, versionColumns });
      for (const result of found) {
        const { statement } = result.read;
        context.report({
          start: statement.start,
          end: statement.rangeOf(result.table.rangeVar).end,
          anchor: statement.start,
          data: { table: result.table.name, column: result.column, line: lineNumberAt(context, result.write.start) },
          fixes: forUpdateFix(result),
        });
      }
    }
    for (const result of context.typescript ? appReadModifyWrites(context, versionColumns) : []) {
      const { read } = result;
      context.report({
        start: read.start,
        end: read.end,
        anchor: read.start,
        data: { table: result.table, column: result.column, line: lineNumberAt(context, result.write.start) },
        // In a transaction the row lock comes first (the pattern the rule page teaches), the atomic update second.
        fixes: [...(result.inTransaction ? appLockFix(context, result) : []), ...atomicFix(context, result)],
      });
    }
  },
});

// The database computes the value (`balance = balance - $cost`, `{ decrement: cost }`), so no read is
// written back at all. Safe when the value read is used nowhere else: then nothing else depended on it.
function atomicFix(context: RuleContext, result: AppReadModifyWrite): Array<FixProposal<'addForUpdate' | 'atomicUpdate'>> {
  const atomic = result.atomic;
  if (!atomic) return [];
  const source = context.typescript!.node;
  const safe = !usedElsewhere(result);
  const operation = result.writeEntry.operation;
  if (operation) {
    const write = operation.writes.find((candidate) => candidate.value === result.value);
    const fix = write && operation.fixes.atomicUpdate?.(write, atomic.operator, atomic.amount);
    return fix
      ? [{ key: 'atomicUpdate', data: { table: result.table, column: result.column, code: fix.label }, edits: fix.edits, safe: safe && fix.keepsResult }]
      : [];
  }
  // query('update … set n = $2 …', [id, rows[0].n + 1]) → set n = n + $2 …, [id, 1].
  const parameters = result.writeEntry.parameters;
  if (parameters && parameters.elements.includes(result.value)) {
    const range = result.write.rangeOf(result.parameter);
    const sourceRange = result.write.sourceRangeOf(result.parameter);
    if (!result.write.source.rangeIsVerbatim(sourceRange.start, sourceRange.end)) return [];
    const placeholder = context.text.slice(range.start, range.end);
    const code = `${quoteIdentifier(result.column)} ${atomic.operator} ${placeholder}`;
    return [
      {
        key: 'atomicUpdate',
        data: { table: result.table, column: result.column, code },
        edits: [
          { start: range.start, end: range.end, text: code },
          { start: result.value.getStart(source), end: result.value.getEnd(), text: atomic.amount.getText(source) },
        ],
        safe,
      },
    ];
  }
  // ${row.points - cost} in a tagged template (a bind parameter) → points - ${cost}.
  const span = result.value.parent;
  const literal = result.writeEntry.literal;
  if (!result.writeEntry.substitutionsAreParameters || !literal || !ts.isTemplateExpression(literal) || !span || !ts.isTemplateSpan(span)) return [];
  const start = result.value.getStart(source) - 2;
  const end = result.value.getEnd() + 1;
  if (context.text.slice(start, start + 2) !== '${' || context.text[end - 1] !== '}') return [];
  const column = quoteIdentifier(result.column);
  const code = `${column} ${atomic.operator} \${${atomic.amount.getText(source)}}`;
  return [{ key: 'atomicUpdate', data: { table: result.table, column: result.column, code }, edits: [{ start, end, text: code }], safe }];
}

// In a transaction, the read can lock the row (FOR UPDATE in SQL, the library's lock otherwise).
function appLockFix(context: RuleContext, result: AppReadModifyWrite): Array<FixProposal<'addForUpdate' | 'atomicUpdate'>> {
  const operation = result.readEntry.operation;
  if (operation) {
    const fix = operation.fixes.lockForUpdate?.();
    return fix ? [{ key: 'addForUpdate', data: { table: result.table }, edits: fix.edits, safe: false }] : [];
  }
  const statement = result.read;
  // The read is a plain SELECT (appReadModifyWrites).
  const select = statement.bodyOf('SelectStmt');
  if (!select) return [];
  const scope = scopeOf(statement, select.fromClause, context.schema);
  const table = scope.tables[0];
  return table ? forUpdateFix({ read: { statement, select, scope }, table, write: result.write, column: result.column }) : [];
}

/** The read's result is used by more than the write being fixed (a check, a response). */
function usedElsewhere(result: AppReadModifyWrite): boolean {
  const names = new Set(result.readEntry.resultNames);
  let uses = 0;
  const scope = result.readEntry.call;
  let fn: TS.Node | undefined = scope;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node) && names.has(node.text) && !(ts.isBindingElement(node.parent) || ts.isVariableDeclaration(node.parent))) uses++;
    ts.forEachChild(node, visit);
  };
  if (fn) visit(fn);
  let own = 0;
  const count = (node: TS.Node): void => {
    if (ts.isIdentifier(node) && names.has(node.text)) own++;
    ts.forEachChild(node, count);
  };
  count(result.value);
  return uses > own;
}

// FOR UPDATE at the end of the read (FOR UPDATE OF <table> when it joins). An outer join cannot lock
// its nullable side and a read that already has FOR KEY SHARE needs a rewrite, so no fix is offered
// there; for a relation the schema model does not know (it may be a view) the fix is not marked safe.
function forUpdateFix(result: ReadModifyWrite): Array<FixProposal<'addForUpdate' | 'atomicUpdate'>> {
  const { statement, select, scope } = result.read;
  if (scope.outerJoin || select.lockingClause?.length) return [];
  const end = selectEnd(statement, select);
  if (end === undefined) return [];
  const lock = keywordCase(statement, 'for update');
  const of = scope.tables.length > 1 ? ` ${keywordCase(statement, 'of')} ${quoteIdentifier(result.table.reference)}` : '';
  const edits = new SqlEdits(statement).insert(end, ` ${lock}${of}`);
  if (!edits.parses()) return [];
  const safe = !!result.table.info && !result.table.info.isMaterializedView;
  return [{ key: 'addForUpdate', data: { table: result.table.name }, edits: edits.toDocumentEdits(), safe }];
}
