// Languages Armadilha speaks, and the strings of the core (code action titles, hover headings, CLI
// output, configuration problems). Rule texts live in the rule files.

export type Locale = 'en' | 'pt-BR';
export const LOCALES: Locale[] = ['en', 'pt-BR'];

export type LocaleSetting = 'auto' | Locale;

/** The locale to use: an explicit setting wins, else the client's display language, else English. */
export function resolveLocale(setting: string | undefined, clientLocale: string | undefined): Locale {
  if (setting === 'en' || setting === 'pt-BR') return setting;
  return clientLocale && /^pt\b/i.test(clientLocale) ? 'pt-BR' : 'en';
}

/** Replaces {name} placeholders with data values; unknown placeholders stay as they are. */
export function format(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

const en = {
  fixAllOfRule: 'Fix all {rule} problems in this file',
  disableForLine: 'Disable {rule} for this statement',
  disableForFile: 'Disable {rule} for this file',
  showDocumentation: 'Show documentation for {rule}',
  fixAllSafe: 'Fix all safe Armadilha problems',
  unsafeFixSuffix: '(review before applying)',
  hoverWhy: 'Why',
  hoverRemedy: 'What to do',
  hoverSkill: 'Source',
  hoverDocs: 'Documentation',
  ignoreReasonPlaceholder: 'reason',
  configInvalidJson: 'armadilha.config.json is not valid JSON ({detail}); the defaults stay in force.',
  configInvalidValue: '{key}: {detail}; this value is ignored.',
  configUnknownKey: 'Unknown key "{key}" in armadilha.config.json.',
  configUnknownRule: 'Unknown rule "{key}" in armadilha.config.json.',
  fileTooLarge: 'Armadilha skipped this file: it is {size} MB, above the {limit} MB limit (setting armadilha.maxFileSizeMb).',
  fileBinary: 'Armadilha skipped this file: it looks binary (NUL or control characters), not like text.',
  fileNotAnalysed: 'Armadilha could not analyse this file: {detail}.',
  fileTooDeep: 'its expressions are nested too deeply for the parser',
  fileGenerated: 'Armadilha skipped this file: {why}. A change here would be overwritten by the next install or build; the code it comes from is analysed instead. To analyse it anyway, set armadilha.analyseGeneratedCode to true.',
  generatedVendored: 'it is vendored code (under {evidence})',
  generatedBuildOutput: 'it is build output ({evidence})',
  generatedMinified: 'it is minified ({evidence})',
  generatedHeader: 'its header says it is generated ("{evidence}")',
  cliInputMissing: '{path}: no such file or folder.',
  cliInputUnmatched: '{path}: matches no SQL, TypeScript or JavaScript file.',
  cliInputUnreadable: '{path}: cannot be read ({detail}); its findings would be hidden. Fix its permissions or add it to .gitignore.',
  cliInputNotRegular: '{path}: not a regular file (a FIFO, a device or a link to one); not read.',
  cliInputUnsupported: '{path}: not a SQL, TypeScript or JavaScript file (.sql, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs).',
  cliInputBadPattern: '{path}: {detail}.',
  cliExcluded: 'Left out {count} vendored, generated or minified file(s) or folder(s), such as {example}. Set analyseGeneratedCode to true in armadilha.config.json to analyse them.',
  cliReadAsLatin1: 'not valid UTF-8; read as Latin-1 (Windows-1252), and --fix writes it back in the same encoding.',
  cliFixNotWritten: 'fixes not written: {reason}.',
  cliFixReadOnly: 'the file is read-only',
  cliFixOutsideWorkspace: 'it is a link to a file outside the workspace ({detail})',
  cliFixChanged: 'the file changed on disk while it was analysed',
  cliFixNotRegular: 'it is not a regular file',
  cliFixUnencodable: 'the fixed text has characters its encoding (Latin-1) cannot hold',
  cliFixFailed: 'writing failed ({detail})',
  cliStdinUnsupported: '--stdin-filename {path}: the extension says which language to analyse; use .sql, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs or .cjs.',
  cliSummary: '{count} problem(s) in {files} file(s) ({errors} error(s), {warnings} warning(s), {infos} other)',
  cliClean: 'No problems found in {files} file(s).',
  cliFixed: 'Applied {count} fix(es) in {files} file(s).',
  cliUnknownRule: 'Unknown rule "{rule}". Run "armadilha rules" to list them.',
  cliUsage: 'Usage',
  severity_error: 'error',
  severity_warning: 'warning',
  severity_info: 'info',
  severity_hint: 'hint',
  docsWrong: 'Fires on',
  docsRight: 'Stays silent on',
  docsFixed: 'After the fix',
  docsFix: 'Fix',
  docsFixSafe: 'safe: applied by fix-all and `--fix`',
  docsFixUnsafe: 'offered, never applied automatically',
  docsFixNone: 'none; the documentation and a snippet show the pattern',
  docsSeverity: 'Default severity',
  docsLanguages: 'Runs on',
  docsSettings: 'Settings',
  docsSkill: 'Skill',
  docsSuppress: 'Suppress',
} as const;

export type CoreTextKey = keyof typeof en;

const ptBR: Record<CoreTextKey, string> = {
  fixAllOfRule: 'Corrigir todos os problemas de {rule} neste arquivo',
  disableForLine: 'Desativar {rule} nesta instrução',
  disableForFile: 'Desativar {rule} neste arquivo',
  showDocumentation: 'Mostrar a documentação de {rule}',
  fixAllSafe: 'Corrigir todos os problemas seguros do Armadilha',
  unsafeFixSuffix: '(revise antes de aplicar)',
  hoverWhy: 'Por quê',
  hoverRemedy: 'O que fazer',
  hoverSkill: 'Fonte',
  hoverDocs: 'Documentação',
  ignoreReasonPlaceholder: 'motivo',
  configInvalidJson: 'armadilha.config.json não é um JSON válido ({detail}); os padrões continuam valendo.',
  configInvalidValue: '{key}: {detail}; este valor é ignorado.',
  configUnknownKey: 'Chave desconhecida "{key}" em armadilha.config.json.',
  configUnknownRule: 'Regra desconhecida "{key}" em armadilha.config.json.',
  fileTooLarge: 'O Armadilha ignorou este arquivo: ele tem {size} MB, acima do limite de {limit} MB (configuração armadilha.maxFileSizeMb).',
  fileBinary: 'O Armadilha ignorou este arquivo: ele parece binário (caracteres NUL ou de controle), não texto.',
  fileNotAnalysed: 'O Armadilha não conseguiu analisar este arquivo: {detail}.',
  fileTooDeep: 'as expressões estão aninhadas fundo demais para o parser',
  fileGenerated: 'O Armadilha ignorou este arquivo: {why}. Uma mudança aqui seria sobrescrita na próxima instalação ou build; o código de onde ele vem é analisado no lugar dele. Para analisá-lo mesmo assim, defina armadilha.analyseGeneratedCode como true.',
  generatedVendored: 'é código de terceiros copiado para o projeto (em {evidence})',
  generatedBuildOutput: 'é saída de build ({evidence})',
  generatedMinified: 'está minificado ({evidence})',
  generatedHeader: 'o cabeçalho diz que ele é gerado ("{evidence}")',
  cliInputMissing: '{path}: arquivo ou pasta inexistente.',
  cliInputUnmatched: '{path}: não corresponde a nenhum arquivo SQL, TypeScript ou JavaScript.',
  cliInputUnreadable: '{path}: não pode ser lido ({detail}); os achados dele ficariam escondidos. Corrija as permissões ou inclua-o no .gitignore.',
  cliInputNotRegular: '{path}: não é um arquivo comum (um FIFO, um dispositivo ou um link para um deles); não foi lido.',
  cliInputUnsupported: '{path}: não é um arquivo SQL, TypeScript ou JavaScript (.sql, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs).',
  cliInputBadPattern: '{path}: {detail}.',
  cliExcluded: '{count} arquivo(s) ou pasta(s) de terceiros, gerados ou minificados ficaram de fora, como {example}. Defina analyseGeneratedCode como true no armadilha.config.json para analisá-los.',
  cliReadAsLatin1: 'não é UTF-8 válido; lido como Latin-1 (Windows-1252), e o --fix grava de volta na mesma codificação.',
  cliFixNotWritten: 'correções não gravadas: {reason}.',
  cliFixReadOnly: 'o arquivo é somente leitura',
  cliFixOutsideWorkspace: 'é um link para um arquivo fora do workspace ({detail})',
  cliFixChanged: 'o arquivo mudou no disco enquanto era analisado',
  cliFixNotRegular: 'não é um arquivo comum',
  cliFixUnencodable: 'o texto corrigido tem caracteres que a codificação dele (Latin-1) não comporta',
  cliFixFailed: 'a gravação falhou ({detail})',
  cliStdinUnsupported: '--stdin-filename {path}: a extensão diz qual linguagem analisar; use .sql, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs ou .cjs.',
  cliSummary: '{count} problema(s) em {files} arquivo(s) ({errors} erro(s), {warnings} aviso(s), {infos} outros)',
  cliClean: 'Nenhum problema encontrado em {files} arquivo(s).',
  cliFixed: '{count} correção(ões) aplicada(s) em {files} arquivo(s).',
  cliUnknownRule: 'Regra desconhecida "{rule}". Execute "armadilha rules" para listá-las.',
  cliUsage: 'Uso',
  severity_error: 'erro',
  severity_warning: 'aviso',
  severity_info: 'info',
  severity_hint: 'dica',
  docsWrong: 'Dispara em',
  docsRight: 'Fica em silêncio em',
  docsFixed: 'Depois da correção',
  docsFix: 'Correção',
  docsFixSafe: 'segura: aplicada pelo corrigir-tudo e por `--fix`',
  docsFixUnsafe: 'oferecida, nunca aplicada automaticamente',
  docsFixNone: 'nenhuma; a documentação e um snippet mostram o padrão',
  docsSeverity: 'Severidade padrão',
  docsLanguages: 'Roda em',
  docsSettings: 'Configurações',
  docsSkill: 'Skill',
  docsSuppress: 'Suprimir',
};

const coreTexts: Record<Locale, Record<CoreTextKey, string>> = { en, 'pt-BR': ptBR };

export function coreText(locale: Locale, key: CoreTextKey, data?: Record<string, string | number>): string {
  return format(coreTexts[locale][key], data);
}
