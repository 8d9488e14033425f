import { defineRule } from '../rule';

// Produced by lint.ts instead of analysing a file. Its severity depends on why (lint.ts, SkipKind): a
// file that could not be analysed (too large, not text, nested too deep) hides its findings, so it
// has the rule's level, warning by default, and CI notices; a file left out on purpose (vendored or
// generated code, not PostgreSQL) is information at most.
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
      rationale: 'Files above the size limit (a data dump, a generated bundle) would make every keystroke slow, binary files are not SQL or TypeScript, and code nested thousands of levels deep would hold the editor. Armadilha says so once instead of analysing them slowly or reporting noise. Such a file may hide real problems, so this is a warning: a CI run with --fail-on warning does not pass in silence. Vendored, minified and generated code (.yarn/, vendor/, dist/, *.min.js, a "DO NOT EDIT" header) is skipped on purpose, as information only: a change there would be overwritten.',
      remedy: 'Raise armadilha.maxFileSizeMb if the file really is source code, or exclude it. Set armadilha.analyseGeneratedCode to true to analyse vendored and generated code too. Set the rule to "info" or "off" to quieten these notices.',
    },
    'pt-BR': {
      message: '{reason}',
      summary: 'O arquivo não foi analisado.',
      rationale: 'Arquivos acima do limite de tamanho (um dump de dados, um bundle gerado) deixariam cada tecla lenta, arquivos binários não são SQL nem TypeScript, e código aninhado milhares de níveis travaria o editor. O Armadilha avisa uma vez em vez de analisá-los devagar ou reportar ruído. Um arquivo assim pode esconder problemas reais, por isso o aviso é um warning: um CI com --fail-on warning não passa em silêncio. Código de terceiros, minificado ou gerado (.yarn/, vendor/, dist/, *.min.js, um cabeçalho "DO NOT EDIT") é ignorado de propósito, só como informação: uma mudança ali seria sobrescrita.',
      remedy: 'Aumente armadilha.maxFileSizeMb se o arquivo for mesmo código-fonte, ou exclua-o. Defina armadilha.analyseGeneratedCode como true para analisar também código de terceiros e gerado. Ajuste a regra para "info" ou "off" para silenciar estes avisos.',
    },
  },
  examples: {
    invalid: [{ code: 'select 1;\u0000\u0001\u0002 binary' }],
    valid: ['select 1;'],
  },
});
