import { defineRule } from '../rule';

// Produced by the SQL front end (lint.ts), not by a check: one finding per statement PostgreSQL's
// parser rejects, at the parser's error position. The rest of the file is still analysed.
export default defineRule({
  id: 'syntax-error',
  severity: 'error',
  languages: ['sql'],
  builtIn: true,
  skill: { name: '(core)', section: 'PostgreSQL parser (libpg-query)' },
  text: {
    en: {
      message: 'Syntax error: {detail}.',
      summary: 'PostgreSQL cannot parse this statement.',
      rationale: 'Armadilha parses SQL with PostgreSQL\'s own parser. A statement it rejects would fail when the migration runs, and no rule can analyse it; every other statement of the file is still analysed.',
      remedy: 'Fix the statement at the marked position. psql meta-commands (\\set, \\gset) and psql variables (:name) are understood; statements that use psql variables are not reported.',
    },
    'pt-BR': {
      message: 'Erro de sintaxe: {detail}.',
      summary: 'O PostgreSQL não consegue interpretar esta instrução.',
      rationale: 'O Armadilha lê SQL com o próprio parser do PostgreSQL. Uma instrução que ele rejeita falharia quando a migration rodasse, e nenhuma regra consegue analisá-la; todas as outras instruções do arquivo continuam sendo analisadas.',
      remedy: 'Corrija a instrução na posição marcada. Meta-comandos do psql (\\set, \\gset) e variáveis do psql (:nome) são entendidos; instruções que usam variáveis do psql não são reportadas.',
    },
  },
  examples: {
    invalid: [{ code: "select 1;\nselec 2;\nupdate t set expires_at = now() where id = 'ação';" }],
    valid: ["select 'ação' as texto;\n\\set limite 10\nselect * from t limit :limite;"],
  },
});
