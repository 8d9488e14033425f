import { defineRule } from '../rule';

// Produced by lint.ts instead of analysing a file that is too large or not text.
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
      rationale: 'Files above the size limit (a data dump, a generated bundle) would make every keystroke slow, and binary or non-UTF-8 files are not SQL or TypeScript. A file whose analysis runs past its time budget (5 s) is stopped there, so that one file never freezes the editor. Armadilha says so once instead of analysing them slowly or reporting noise.',
      remedy: 'Raise armadilha.maxFileSizeMb if the file really is source code, or exclude it. A file stopped by the time budget is usually generated code: exclude it, or split it.',
    },
    'pt-BR': {
      message: '{reason}',
      summary: 'O arquivo não foi analisado.',
      rationale: 'Arquivos acima do limite de tamanho (um dump de dados, um bundle gerado) deixariam cada tecla lenta, e arquivos binários ou fora de UTF-8 não são SQL nem TypeScript. Um arquivo cuja análise passa do orçamento de tempo (5 s) é interrompido ali, para que um arquivo nunca congele o editor. O Armadilha avisa uma vez em vez de analisá-los devagar ou reportar ruído.',
      remedy: 'Aumente armadilha.maxFileSizeMb se o arquivo for mesmo código-fonte, ou exclua-o. Um arquivo interrompido pelo orçamento de tempo costuma ser código gerado: exclua-o ou divida-o.',
    },
  },
  examples: {
    invalid: [{ code: 'select 1;\u0000\u0001\u0002 binary' }],
    valid: ['select 1;'],
  },
});
