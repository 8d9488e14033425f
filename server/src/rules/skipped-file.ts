import { defineRule } from '../core/rule';

// Produced by lint.ts instead of analysing a file. Its severity depends on why (skips.ts, SkipKind): a
// file that could not be analysed (too large, not text, nested too deep) hides its findings, so it
// has the rule's level, warning by default, and CI notices; a file left out on purpose (another SQL
// dialect or a template, vendored or generated code) is information at most.
export default defineRule({
  id: 'skipped-file',
  severity: 'warning',
  languages: ['sql', 'ts'],
  builtIn: true,
  skill: { name: '(core)', section: 'Input limits' },
  text: {
    en: {
      message: '{reason}',
      summary: 'The file was not analysed.',
      rationale:
        'Armadilha judges only PostgreSQL and TypeScript/JavaScript, and code you own. A .sql file in another dialect (MySQL, ClickHouse, SQLite, T-SQL) or behind a template engine (Go templates, Jinja/dbt) is not PostgreSQL, and vendored, minified or generated code (.yarn/, vendor/, dist/, *.min.js, a "DO NOT EDIT" header) would be overwritten: these are left out on purpose, as information only. Files above the size limit (a data dump, a generated bundle), binary files and code nested thousands of levels deep could not be analysed, and a file whose analysis runs past its time budget (5 s) is stopped there so that one file never freezes the editor; such a file may hide real problems, so that is a warning and a CI run with --fail-on warning does not pass in silence.',
      remedy:
        'If a skipped .sql file is PostgreSQL, set "sql.dialect" to "postgres" for it in armadilha.config.json (a glob per file or folder). Raise armadilha.maxFileSizeMb if a large file really is source code. Set armadilha.analyseGeneratedCode to true to analyse vendored and generated code too. A file stopped by the time budget is usually generated code: exclude it, or split it. Set the rule to "info" or "off" to quieten these notices.',
    },
    'pt-BR': {
      message: '{reason}',
      summary: 'O arquivo não foi analisado.',
      rationale:
        'O Armadilha avalia só PostgreSQL e TypeScript/JavaScript, e código que é seu. Um arquivo .sql em outro dialeto (MySQL, ClickHouse, SQLite, T-SQL) ou atrás de um motor de templates (templates Go, Jinja/dbt) não é PostgreSQL, e código de terceiros, minificado ou gerado (.yarn/, vendor/, dist/, *.min.js, um cabeçalho "DO NOT EDIT") seria sobrescrito: esses ficam de fora de propósito, só como informação. Arquivos acima do limite de tamanho (um dump de dados, um bundle gerado), binários e código aninhado milhares de níveis não puderam ser analisados, e um arquivo cuja análise passa do orçamento de tempo (5 s) é interrompido ali para que um arquivo nunca congele o editor; um arquivo assim pode esconder problemas reais, por isso isso é um warning e um CI com --fail-on warning não passa em silêncio.',
      remedy:
        'Se um arquivo .sql ignorado for PostgreSQL, defina "sql.dialect" como "postgres" para ele no armadilha.config.json (um glob por arquivo ou pasta). Aumente armadilha.maxFileSizeMb se um arquivo grande for mesmo código-fonte. Defina armadilha.analyseGeneratedCode como true para analisar também código de terceiros e gerado. Um arquivo interrompido pelo orçamento de tempo costuma ser código gerado: exclua-o ou divida-o. Ajuste a regra para "info" ou "off" para silenciar estes avisos.',
    },
  },
  examples: {
    invalid: [{ code: 'select 1;\u0000\u0001\u0002 binary' }, { code: 'create table `orders` (id int unsigned auto_increment primary key) engine=InnoDB;' }],
    valid: ['select 1;', "-- engine=InnoDB in a comment, backticks in a string: still PostgreSQL\nselect '`x`' as quoted;"],
  },
});
