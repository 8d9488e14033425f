import { defineRule } from '../core/rule';

// Produced by the SQL front end (lint.ts), not by a check: one finding per statement PostgreSQL's
// parser rejects, at the parser's error position, where the text is certainly PostgreSQL (a .sql file
// that is otherwise PostgreSQL, a static query sent to a PostgreSQL client). It tells the user which
// statement went unanalysed; the rest of the file is still analysed. A warning: a statement PostgreSQL
// rejects is the database's and the SQL language server's to report as an error.
export default defineRule({
  id: 'syntax-error',
  severity: 'warning',
  languages: ['sql'],
  builtIn: true,
  skill: { name: '(core)', section: 'PostgreSQL parser (libpg-query)' },
  text: {
    en: {
      message: 'PostgreSQL cannot parse this statement ({detail}), so Armadilha did not analyse it.',
      summary: 'PostgreSQL cannot parse this statement, so it was not analysed.',
      rationale:
        "Armadilha reads SQL with PostgreSQL's own parser, and no rule can look into a statement that parser rejects. It says so only where the text is certainly PostgreSQL — a .sql file that is otherwise PostgreSQL, or a static query sent to a PostgreSQL client — so you know which statement went unchecked (it would also fail when it runs). Every other statement of the file is still analysed. Other SQL dialects and templates get one skipped-file note instead, and text in code that is not SQL is never reported.",
      remedy:
        'Fix the statement at the marked position; if the file is not PostgreSQL, set "sql.dialect" to "skip" for it in armadilha.config.json. Client placeholders ($1, ?, :name, @name, sqlc.arg(name)), psql meta-commands and psql variables are understood. In the editor, the statement you are typing is checked when you pause or save.',
    },
    'pt-BR': {
      message: 'O PostgreSQL não consegue interpretar esta instrução ({detail}), então o Armadilha não a analisou.',
      summary: 'O PostgreSQL não consegue interpretar esta instrução, então ela não foi analisada.',
      rationale:
        'O Armadilha lê SQL com o próprio parser do PostgreSQL, e nenhuma regra consegue olhar dentro de uma instrução que esse parser rejeita. Ele avisa só onde o texto é certamente PostgreSQL — um arquivo .sql que no resto é PostgreSQL, ou uma consulta estática enviada a um cliente PostgreSQL — para você saber qual instrução ficou sem verificação (ela também falharia ao rodar). Todas as outras instruções do arquivo continuam sendo analisadas. Outros dialetos de SQL e templates recebem uma única nota skipped-file, e texto no código que não é SQL nunca é reportado.',
      remedy:
        'Corrija a instrução na posição marcada; se o arquivo não for PostgreSQL, defina "sql.dialect" como "skip" para ele no armadilha.config.json. Placeholders de clientes ($1, ?, :nome, @nome, sqlc.arg(nome)), meta-comandos e variáveis do psql são entendidos. No editor, a instrução que você está digitando é verificada quando você pausa ou salva.',
    },
  },
  examples: {
    invalid: [{ code: "select 1;\nselec 2;\nupdate t set expires_at = now() where id = 'ação';" }],
    valid: ["select 'ação' as texto;\n\\set limite 10\nselect * from t limit :limite;"],
  },
});
