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
  configPatternTooLong: '{key}: a pattern longer than {limit} characters is ignored.',
  configTooManyPatterns: '{key}: only the first {limit} patterns are used; the other {ignored} are ignored.',
  fileTooLarge: 'Armadilha skipped this file: it is {size} MB, above the {limit} MB limit (setting armadilha.maxFileSizeMb).',
  fileBinary: 'Armadilha skipped this file: it looks binary or is not valid UTF-8 text.',
  fileNotAnalysed: 'Armadilha could not analyse this file: {detail}.',
  fileTooDeep: 'its expressions are nested too deeply for the parser',
  cliNoFiles: 'No SQL, TypeScript or JavaScript files found in: {paths}',
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
  configPatternTooLong: '{key}: um padrão com mais de {limit} caracteres é ignorado.',
  configTooManyPatterns: '{key}: só os primeiros {limit} padrões são usados; os outros {ignored} são ignorados.',
  fileTooLarge: 'O Armadilha ignorou este arquivo: ele tem {size} MB, acima do limite de {limit} MB (configuração armadilha.maxFileSizeMb).',
  fileBinary: 'O Armadilha ignorou este arquivo: ele parece binário ou não é texto UTF-8 válido.',
  fileNotAnalysed: 'O Armadilha não conseguiu analisar este arquivo: {detail}.',
  fileTooDeep: 'as expressões estão aninhadas fundo demais para o parser',
  cliNoFiles: 'Nenhum arquivo SQL, TypeScript ou JavaScript encontrado em: {paths}',
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
