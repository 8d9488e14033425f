import { isolationSettings } from '../languages/sql/transactions';
import type { SqlStatement } from '../languages/sql/statement';
import { defineRule, type FixProposal } from '../core/rule';
import { levelTokens, settingLabel } from './sql/isolation';
import { SqlEdits } from './sql/sql-edits';

export default defineRule({
  id: 'no-read-uncommitted',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  fix: 'safe',
  skill: { name: 'postgres-isolamento-concorrencia', section: 'REGRA #1; REQ ISOLAMENTO-01 (dirty read); anti-pattern 4' },
  text: {
    en: {
      message:
        '{statement} asks for READ UNCOMMITTED, which PostgreSQL silently runs as READ COMMITTED: this code never sees uncommitted rows and gains no speed. Write READ COMMITTED so that the code states the isolation it really gets.',
      summary: 'READ UNCOMMITTED does not exist in PostgreSQL: it runs as READ COMMITTED.',
      rationale:
        'PostgreSQL implements three isolation levels, not four. A transaction that requests READ UNCOMMITTED gets READ COMMITTED, without an error or a notice, and no level ever shows another transaction\'s uncommitted writes. The request misleads everyone who reads the code: its author expected dirty reads (to peek at another worker\'s progress, or to read "faster" as with NOLOCK in other databases) that never happen, and reviewers reason about concurrency under a level that is not in effect. The same holds when the level is the default of a session, a role or a database.',
      remedy:
        "Request READ COMMITTED, or leave the level out: it is the default. If the point was cheaper reads, run them as their own statements outside the writing transaction. If the point was to watch another transaction's progress, that transaction has to commit its progress (in small steps, or into a progress table) before anyone can see it. The fix only changes the words, so behaviour stays exactly the same.",
      fixes: { readCommitted: 'Request READ COMMITTED' },
    },
    'pt-BR': {
      message:
        '{statement} pede READ UNCOMMITTED, que o PostgreSQL executa silenciosamente como READ COMMITTED: este código nunca vê linhas não commitadas e não ganha velocidade. Escreva READ COMMITTED para que o código declare o isolamento que de fato recebe.',
      summary: 'READ UNCOMMITTED não existe no PostgreSQL: roda como READ COMMITTED.',
      rationale:
        'O PostgreSQL implementa três níveis de isolamento, não quatro. Uma transação que pede READ UNCOMMITTED recebe READ COMMITTED, sem erro nem aviso, e nenhum nível mostra escritas ainda não commitadas de outra transação. O pedido engana quem lê o código: quem o escreveu esperava dirty reads (para espiar o progresso de outro worker, ou ler "mais rápido" como com NOLOCK em outros bancos) que nunca acontecem, e quem revisa raciocina sobre concorrência num nível que não está valendo. O mesmo vale quando o nível é o padrão de uma sessão, de um role ou de um banco.',
      remedy:
        'Peça READ COMMITTED, ou omita o nível: ele é o padrão. Se a ideia era leituras mais baratas, rode-as como comandos próprios, fora da transação que escreve. Se a ideia era acompanhar o progresso de outra transação, ela precisa commitar esse progresso (em passos pequenos, ou numa tabela de progresso) antes que alguém possa vê-lo. A correção só troca as palavras, então o comportamento continua exatamente o mesmo.',
      fixes: { readCommitted: 'Pedir READ COMMITTED' },
    },
  },
  examples: {
    invalid: [
      {
        code: 'begin isolation level read uncommitted;\nselect sum(amount) from public.ledger_entries where account_id = 7;\ncommit;',
        fixed: 'begin isolation level read committed;\nselect sum(amount) from public.ledger_entries where account_id = 7;\ncommit;',
        schema: 'create table public.ledger_entries (id bigserial primary key, account_id bigint not null, amount numeric not null);',
      },
      {
        code: 'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;',
        fixed: 'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED;',
      },
      {
        code: "alter database postgres set default_transaction_isolation = 'read uncommitted';",
        fixed: "alter database postgres set default_transaction_isolation = 'read committed';",
      },
    ],
    valid: [
      'begin isolation level read committed;\nselect 1;\ncommit;',
      "set default_transaction_isolation = 'read committed';",
      "select 'read uncommitted' as requested_level; -- only a string",
    ],
  },
  check(context) {
    for (const statement of context.sql.statements) {
      for (const setting of isolationSettings(statement)) {
        if (setting.level !== 'read uncommitted') continue;
        const words = levelTokens(statement, setting, 'uncommitted');
        if (!words) continue;
        context.report({
          start: statement.source.toDocument(words.start),
          end: statement.source.toDocument(words.end),
          anchor: statement.start,
          data: { statement: settingLabel(statement, setting) },
          fixes: readCommittedFix(statement, words.at),
        });
      }
    }
  },
});

// Replaces the word "uncommitted" with "committed" in the case it was written (lower, UPPER or
// Capitalised), for keywords and string values alike.
function readCommittedFix(statement: SqlStatement, uncommitted: number): Array<FixProposal<'readCommitted'>> {
  const word = statement.source.text.slice(uncommitted, uncommitted + 'uncommitted'.length);
  const replacement = word === word.toUpperCase() ? 'COMMITTED' : word[0] === 'U' ? 'Committed' : 'committed';
  const edits = new SqlEdits(statement).replace(uncommitted, uncommitted + word.length, replacement);
  return edits.parses() ? [{ key: 'readCommitted', edits: edits.toDocumentEdits() }] : [];
}
