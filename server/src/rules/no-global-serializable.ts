import { isolationSettings, type IsolationSetting } from '../languages/sql/transactions';
import { defineRule } from '../core/rule';
import { levelTokens, settingLabel } from './sql/isolation';

// Scopes that make SERIALIZABLE the default of transactions that never asked for it. A transaction's
// own level (BEGIN, SET TRANSACTION) is the recommended way; SET LOCAL default_transaction_isolation
// lasts until the end of the current transaction, whose level is already fixed, so it changes the
// level of no transaction at all.
const GLOBAL_SCOPES = ['session', 'database', 'role', 'system'] as const;
type GlobalSetting = IsolationSetting & { scope: (typeof GLOBAL_SCOPES)[number] };

function isGlobal(setting: IsolationSetting): setting is GlobalSetting {
  return (GLOBAL_SCOPES as readonly string[]).includes(setting.scope);
}

export default defineRule({
  id: 'no-global-serializable',
  severity: 'warning',
  languages: ['sql'],
  // Each statement alone (its transaction's kind and isolation at most): re-run only where an edit changed it.
  reads: 'statement',
  skill: { name: 'postgres-isolamento-concorrencia', section: 'REGRA #2; REGRA #6; REQ ISOLAMENTO-02; anti-pattern 2' },
  text: {
    en: {
      message:
        '{statement} makes SERIALIZABLE the default for {scope}. Every transaction there, including single-row CRUD that READ COMMITTED already handles, can now abort with SQLSTATE 40001 and must be retried; keep READ COMMITTED as the default and request SERIALIZABLE in the transactions that need it.',
      summary: 'Request SERIALIZABLE per transaction, not as the default of a session, role, database or server.',
      rationale:
        'SERIALIZABLE in PostgreSQL is optimistic (Serializable Snapshot Isolation): transactions run without blocking each other and, when PostgreSQL detects that their combined effect could not have happened one at a time, it aborts one of them with SQLSTATE 40001 (serialization_failure), sometimes even when there was no real conflict. Made the default, that applies to every transaction, and code that was written without a retry loop (most CRUD, background jobs, migrations, tools connecting as the same role) starts failing at random under load. Most transactions, single-row INSERTs and UPDATEs by key, are already correct under READ COMMITTED and gain nothing.',
      remedy:
        'Leave the default at READ COMMITTED. Raise the level only in the transactions that keep an invariant across rows (on-call rosters, bookings, balances): BEGIN ISOLATION LEVEL SERIALIZABLE, with a retry loop on SQLSTATE 40001 (a few attempts with exponential backoff). Where it fits, a row lock (SELECT … FOR UPDATE) or an exclusion constraint protects the invariant without aborts.',
      variants: {
        session: 'every later transaction of this session',
        database: 'every new session on database {database}',
        role: 'every new session of role {role}',
        roleInDatabase: 'every new session of role {role} on database {database}',
        allRoles: 'every new session of every role',
        allRolesInDatabase: 'every new session on database {database}, of every role',
        system: 'every new session on the server',
      },
    },
    'pt-BR': {
      message:
        '{statement} torna SERIALIZABLE o padrão para {scope}. Toda transação ali, inclusive CRUD de uma linha que o READ COMMITTED já resolve, agora pode abortar com SQLSTATE 40001 e precisa de retry; mantenha READ COMMITTED como padrão e peça SERIALIZABLE nas transações que precisam.',
      summary: 'Peça SERIALIZABLE por transação, não como padrão de uma sessão, role, banco ou servidor.',
      rationale:
        'O SERIALIZABLE do PostgreSQL é otimista (Serializable Snapshot Isolation): as transações rodam sem bloquear umas às outras e, quando o PostgreSQL detecta que o efeito conjunto delas não poderia ter acontecido uma de cada vez, aborta uma com SQLSTATE 40001 (serialization_failure), às vezes mesmo sem conflito real. Como padrão, isso vale para toda transação, e código escrito sem laço de retry (a maior parte do CRUD, jobs em background, migrações, ferramentas que conectam com o mesmo role) passa a falhar aleatoriamente sob carga. A maioria das transações, INSERTs e UPDATEs de uma linha pela chave, já está correta em READ COMMITTED e não ganha nada.',
      remedy:
        'Deixe o padrão em READ COMMITTED. Suba o nível só nas transações que mantêm uma invariante entre linhas (escala de plantão, reservas, saldos): BEGIN ISOLATION LEVEL SERIALIZABLE, com laço de retry no SQLSTATE 40001 (algumas tentativas com backoff exponencial). Quando couber, um lock de linha (SELECT … FOR UPDATE) ou uma exclusion constraint protege a invariante sem abortos.',
      variants: {
        session: 'toda transação seguinte desta sessão',
        database: 'toda nova sessão no banco {database}',
        role: 'toda nova sessão do role {role}',
        roleInDatabase: 'toda nova sessão do role {role} no banco {database}',
        allRoles: 'toda nova sessão de qualquer role',
        allRolesInDatabase: 'toda nova sessão no banco {database}, de qualquer role',
        system: 'toda nova sessão do servidor',
      },
    },
  },
  examples: {
    invalid: [
      { code: "alter database app set default_transaction_isolation = 'serializable';" },
      { code: 'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE;' },
      { code: "alter role authenticated set default_transaction_isolation to 'serializable';" },
    ],
    valid: [
      'begin isolation level serializable;\nupdate public.shifts set on_call = false where id = 1;\ncommit;',
      "set local default_transaction_isolation = 'serializable';",
      "alter database app set default_transaction_isolation = 'read committed';",
      "create function public.rebalance() returns void language sql set default_transaction_isolation = 'serializable' as 'select 1';",
    ],
  },
  check(context) {
    for (const statement of context.sql.statements) {
      for (const setting of isolationSettings(statement)) {
        if (setting.level !== 'serializable' || !isGlobal(setting)) continue;
        const words = levelTokens(statement, setting, 'serializable');
        if (!words) continue;
        context.report({
          start: statement.source.toDocument(words.start),
          end: statement.source.toDocument(words.end),
          anchor: statement.start,
          data: { statement: settingLabel(statement, setting), database: setting.database ?? '', role: setting.role ?? '' },
          variants: { scope: scopeVariant(setting) },
        });
      }
    }
  },
});

function scopeVariant(setting: GlobalSetting): 'session' | 'database' | 'role' | 'system' | 'roleInDatabase' | 'allRoles' | 'allRolesInDatabase' {
  if (setting.scope !== 'role') return setting.scope;
  const all = setting.role === 'ALL';
  if (setting.database) return all ? 'allRolesInDatabase' : 'roleInDatabase';
  return all ? 'allRoles' : 'role';
}
