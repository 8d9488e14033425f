import { defineRule } from '../rule';

// Produced by lint.ts instead of analysing a file: too large, not text, another SQL dialect or a
// template. Files that are not PostgreSQL at all are noted at information; a PostgreSQL or TypeScript
// file that could not be analysed at the rule's own level.
export default defineRule({
  id: 'skipped-file',
  severity: 'info',
  languages: ['sql', 'ts'],
  builtIn: true,
  skill: { name: '(core)', section: 'Input limits' },
  text: {
    en: {
      message: '{reason}',
      summary: 'The file was not analysed.',
      rationale: 'Armadilha judges only PostgreSQL and TypeScript/JavaScript. A .sql file in another dialect (MySQL, ClickHouse, SQLite, T-SQL) or behind a template engine (Go templates, Jinja/dbt) is not PostgreSQL, and reporting its statements would be noise; files above the size limit (a data dump, a generated bundle) would make every keystroke slow. Armadilha says so once per file instead of analysing them slowly or reporting noise.',
      remedy: 'If a skipped .sql file is PostgreSQL, set "sql.dialect" to "postgres" for it in armadilha.config.json (a glob per file or folder); raise armadilha.maxFileSizeMb if a large file really is source code.',
    },
    'pt-BR': {
      message: '{reason}',
      summary: 'O arquivo não foi analisado.',
      rationale: 'O Armadilha avalia só PostgreSQL e TypeScript/JavaScript. Um arquivo .sql em outro dialeto (MySQL, ClickHouse, SQLite, T-SQL) ou atrás de um motor de templates (templates Go, Jinja/dbt) não é PostgreSQL, e reportar suas instruções seria ruído; arquivos acima do limite de tamanho (um dump de dados, um bundle gerado) deixariam cada tecla lenta. O Armadilha avisa uma vez por arquivo em vez de analisá-los devagar ou reportar ruído.',
      remedy: 'Se um arquivo .sql ignorado for PostgreSQL, defina "sql.dialect" como "postgres" para ele no armadilha.config.json (um glob por arquivo ou pasta); aumente armadilha.maxFileSizeMb se um arquivo grande for mesmo código-fonte.',
    },
  },
  examples: {
    invalid: [{ code: 'select 1;\u0000\u0001\u0002 binary' }, { code: 'create table `orders` (id int unsigned auto_increment primary key) engine=InnoDB;' }],
    valid: ['select 1;', "-- engine=InnoDB in a comment, backticks in a string: still PostgreSQL\nselect '`x`' as quoted;"],
  },
});
