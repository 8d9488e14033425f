// Writes everything that is derived from the rule objects (and from the analyser's list of SQL tags and
// calls), so that none of it can drift:
//   docs/rules/<id>.md and docs/rules/pt-BR/<id>.md      rule pages
//   schemas/armadilha.config.schema.json                 JSON schema of armadilha.config.json
//   package.json contributes.configuration               editor settings
//   package.json capabilities.untrustedWorkspaces        settings a repository may not set in Restricted Mode
//   package.nls.json, package.nls.pt-br.json             manifest strings in both languages
//   README.md (between rules markers)                    the rules table
//   snippets/{en,pt-br}/<language>.json                  snippets with descriptions in one language
//   syntaxes/sql-template.injection.json                 SQL highlighting in templates, from the analyser's
//                                                        list of SQL tags and calls (sql-template-grammar.ts)
// `tsx scripts/generate.ts` writes; `--check` only reports stale files (a test runs that).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TIME_BUDGET, RULE_LEVELS } from '../server/src/core/config';
import { docsPath, ruleDocument } from '../server/src/core/docs';
import { LOCALES, type Locale } from '../server/src/core/locale';
import { RULES } from '../server/src/rules';
import { MAX_NAME_PATTERN_LENGTH, MAX_NAME_PATTERNS } from '../server/src/core/names';
import { MANIFEST_STRINGS } from './manifest-strings';
import { replaceRegion } from './readme-region';
import { sqlTemplateGrammar } from './sql-template-grammar';

type Files = Map<string, string>;

export function generatedFiles(root = '.'): Files {
  const files: Files = new Map();
  for (const rule of RULES) for (const locale of LOCALES) files.set(docsPath(rule.id, locale), ruleDocument(rule, locale));
  files.set('schemas/armadilha.config.schema.json', json(configSchema()));
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  manifest.contributes ??= {};
  manifest.contributes.configuration = editorConfiguration();
  manifest.capabilities = { ...manifest.capabilities, untrustedWorkspaces: untrustedWorkspaces() };
  manifest.contributes.snippets = SNIPPET_LANGUAGES.map(([language, file]) => ({ language, path: `%snippets.path.${file}%` }));
  files.set('package.json', json(manifest));
  const snippetPaths = (folder: string) => Object.fromEntries(SNIPPET_FILES.map((file) => [`snippets.path.${file}`, `./snippets/${folder}/${file}.json`]));
  files.set('package.nls.json', json({ ...nls('en'), ...snippetPaths('en') }));
  files.set('package.nls.pt-br.json', json({ ...nls('pt-BR'), ...snippetPaths('pt-br') }));
  for (const file of SNIPPET_FILES) {
    const source = JSON.parse(readFileSync(path.join(root, 'snippets', `${file}.json`), 'utf8'));
    files.set(`snippets/en/${file}.json`, json(snippetsIn(source, 0)));
    files.set(`snippets/pt-br/${file}.json`, json(snippetsIn(source, 1)));
  }
  files.set('syntaxes/sql-template.injection.json', json(sqlTemplateGrammar()));
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  files.set('README.md', replaceRegion(readme, 'rules', rulesTable()) ?? readme);
  return files;
}

/** Paths whose content differs from what the generator would write (or that it would delete). */
export function staleFiles(root = '.'): string[] {
  const stale = [...generatedFiles(root)]
    .filter(([file, text]) => !existsSync(path.join(root, file)) || readFileSync(path.join(root, file), 'utf8') !== text)
    .map(([file]) => file);
  return [...stale, ...obsoleteDocs(root)];
}

function obsoleteDocs(root: string): string[] {
  const expected = new Set(RULES.flatMap((rule) => LOCALES.map((locale) => docsPath(rule.id, locale))));
  const found: string[] = [];
  for (const folder of ['docs/rules', 'docs/rules/pt-BR']) {
    if (!existsSync(path.join(root, folder))) continue;
    for (const name of readdirSync(path.join(root, folder))) if (name.endsWith('.md') && !expected.has(`${folder}/${name}`)) found.push(`${folder}/${name}`);
  }
  return found;
}

// VS Code has no localization for snippet descriptions, but it replaces %key% in every string of the
// manifest, snippet paths included: each display language gets its own generated snippet file. The
// sources (snippets/<file>.json) hold each description as [English, Portuguese].
const SNIPPET_FILES = ['sql', 'typescript', 'javascript'];
const SNIPPET_LANGUAGES: Array<[string, string]> = [
  ['sql', 'sql'],
  ['typescript', 'typescript'],
  ['typescriptreact', 'typescript'],
  ['javascript', 'javascript'],
  ['javascriptreact', 'javascript'],
];

function snippetsIn(source: Record<string, { description: string | string[] }>, index: number): unknown {
  return Object.fromEntries(
    Object.entries(source).map(([name, snippet]) => [
      name,
      { ...snippet, description: Array.isArray(snippet.description) ? snippet.description[index] : snippet.description },
    ]),
  );
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function nameSettings() {
  return RULES.flatMap((rule) => (rule.settings ?? []).filter((setting) => Array.isArray(setting.default)).map((setting) => ({ rule, setting })));
}

/** Level settings (`armadilha.levels.<key>`): the level a rule gives a part of its findings. */
function levelSettings() {
  return RULES.flatMap((rule) => (rule.settings ?? []).filter((setting) => typeof setting.default === 'string').map((setting) => ({ rule, setting })));
}

const CUSTOMIZATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'severity'],
  properties: {
    rule: { type: 'string', description: 'A rule id, with * for any characters (require-*); a leading ! applies to the rules that do not match.' },
    severity: { enum: RULE_LEVELS },
  },
};

function configSchema(): unknown {
  const names: Record<string, unknown> = {};
  for (const { setting } of nameSettings())
    names[setting.key] = {
      type: 'array',
      items: { type: 'string', maxLength: MAX_NAME_PATTERN_LENGTH },
      maxItems: MAX_NAME_PATTERNS,
      default: setting.default,
      description: setting.description.en,
    };
  const levels: Record<string, unknown> = {};
  for (const { setting } of levelSettings()) levels[setting.key] = { enum: RULE_LEVELS, default: setting.default, description: setting.description.en };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Armadilha configuration (armadilha.config.json)',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      extends: {
        description: MANIFEST_STRINGS['config.extends'].en,
        oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      },
      enable: { type: 'boolean', default: true, description: MANIFEST_STRINGS['setting.enable'].en },
      locale: { enum: ['auto', 'en', 'pt-BR'], default: 'auto', description: MANIFEST_STRINGS['setting.locale'].en },
      rules: {
        type: 'object',
        description: MANIFEST_STRINGS['setting.rules'].en,
        additionalProperties: false,
        properties: {
          customizations: { type: 'array', items: CUSTOMIZATION_SCHEMA, description: MANIFEST_STRINGS['config.rules.customizations'].en },
          ...Object.fromEntries(RULES.map((rule) => [rule.id, { enum: RULE_LEVELS, description: rule.text.en.summary }])),
        },
      },
      names: { type: 'object', additionalProperties: false, properties: names },
      levels: { type: 'object', additionalProperties: false, properties: levels },
      defaultTimeoutMs: { type: 'number', exclusiveMinimum: 0, default: 10000, description: MANIFEST_STRINGS['setting.defaultTimeoutMs'].en },
      maxFileSizeMb: { type: 'number', exclusiveMinimum: 0, default: 2, description: MANIFEST_STRINGS['setting.maxFileSizeMb'].en },
      sql: {
        type: 'object',
        additionalProperties: false,
        properties: {
          dialect: { type: 'object', description: MANIFEST_STRINGS['setting.sql.dialect'].en, additionalProperties: { enum: ['postgres', 'skip'] } },
        },
      },
      analyseGeneratedCode: { type: 'boolean', default: false, description: MANIFEST_STRINGS['setting.analyseGeneratedCode'].en },
      baselineLevel: { enum: RULE_LEVELS, default: 'hint', description: MANIFEST_STRINGS['setting.baselineLevel'].en },
    },
  };
}

/**
 * Editor settings. `order` puts what users look for first (the settings editor sorts by it): rule
 * levels, then when analysis runs; the long name lists, one object setting, come last.
 */
function editorConfiguration(): unknown {
  const names: Record<string, unknown> = {};
  for (const { setting } of nameSettings()) {
    names[setting.key] = {
      type: 'array',
      items: { type: 'string', maxLength: MAX_NAME_PATTERN_LENGTH },
      maxItems: MAX_NAME_PATTERNS,
      default: setting.default,
      description: `%setting.names.${setting.key}%`,
    };
  }
  const properties: Record<string, unknown> = {
    'armadilha.rules': {
      type: 'object',
      default: {},
      scope: 'resource',
      order: 0,
      description: '%setting.rules%',
      additionalProperties: false,
      properties: Object.fromEntries(RULES.map((rule) => [rule.id, { type: 'string', enum: RULE_LEVELS, description: `%setting.rule.${rule.id}%` }])),
    },
    // Not armadilha.rules.customizations: VS Code would merge a setting named under the object setting
    // armadilha.rules into it, and the settings editor would show it as an invalid rule there.
    'armadilha.ruleCustomizations': {
      type: 'array',
      items: CUSTOMIZATION_SCHEMA,
      default: [],
      scope: 'resource',
      order: 1,
      markdownDescription: '%setting.ruleCustomizations%',
    },
    'armadilha.enable': { type: 'boolean', default: true, scope: 'resource', order: 2, description: '%setting.enable%' },
    'armadilha.run': {
      type: 'string',
      enum: ['onType', 'onSave'],
      enumDescriptions: ['%setting.run.onType%', '%setting.run.onSave%'],
      default: 'onType',
      scope: 'resource',
      order: 3,
      description: '%setting.run%',
    },
    'armadilha.timeBudget.onValidation': {
      type: 'object',
      additionalProperties: false,
      properties: {
        warn: { type: 'number', minimum: 0, default: DEFAULT_TIME_BUDGET.warn },
        error: { type: 'number', minimum: 0, default: DEFAULT_TIME_BUDGET.error },
      },
      default: { ...DEFAULT_TIME_BUDGET },
      scope: 'resource',
      order: 4,
      markdownDescription: '%setting.timeBudget.onValidation%',
    },
    'armadilha.locale': { type: 'string', enum: ['auto', 'en', 'pt-BR'], default: 'auto', scope: 'window', order: 5, description: '%setting.locale%' },
  };
  for (const { setting } of levelSettings()) {
    properties[`armadilha.levels.${setting.key}`] = {
      type: 'string',
      enum: RULE_LEVELS,
      default: setting.default,
      scope: 'resource',
      order: 10,
      description: `%setting.levels.${setting.key}%`,
    };
  }
  properties['armadilha.defaultTimeoutMs'] = {
    type: 'number',
    default: 10000,
    minimum: 1,
    scope: 'resource',
    order: 11,
    description: '%setting.defaultTimeoutMs%',
  };
  properties['armadilha.maxFileSizeMb'] = { type: 'number', default: 2, minimum: 0.1, scope: 'resource', order: 12, description: '%setting.maxFileSizeMb%' };
  properties['armadilha.sql.dialect'] = {
    type: 'object',
    default: {},
    additionalProperties: { type: 'string', enum: ['postgres', 'skip'] },
    scope: 'resource',
    order: 13,
    description: '%setting.sql.dialect%',
  };
  properties['armadilha.analyseGeneratedCode'] = {
    type: 'boolean',
    default: false,
    scope: 'resource',
    order: 14,
    description: '%setting.analyseGeneratedCode%',
  };
  properties['armadilha.baselineLevel'] = {
    type: 'string',
    enum: RULE_LEVELS,
    default: 'hint',
    scope: 'resource',
    order: 15,
    description: '%setting.baselineLevel%',
  };
  properties['armadilha.names'] = {
    type: 'object',
    additionalProperties: false,
    properties: names,
    default: {},
    scope: 'resource',
    order: 20,
    markdownDescription: '%setting.names%',
  };
  properties['armadilha.logLevel'] = {
    type: 'string',
    enum: ['info', 'verbose'],
    enumDescriptions: ['%setting.logLevel.info%', '%setting.logLevel.verbose%'],
    default: 'info',
    scope: 'window',
    order: 30,
    description: '%setting.logLevel%',
  };
  properties['armadilha.trace.server'] = {
    type: 'string',
    enum: ['off', 'messages', 'verbose'],
    default: 'off',
    scope: 'window',
    order: 31,
    description: '%setting.trace%',
  };
  return { title: '%configuration.title%', properties };
}

/**
 * In Restricted Mode VS Code ignores the workspace's own value of these settings (.vscode/settings.json
 * comes with the repository): name lists are patterns the analysis runs on every name, rule levels
 * could silence findings, and the size limit decides how much text is analysed.
 */
export function restrictedSettings(): string[] {
  return ['armadilha.rules', 'armadilha.ruleCustomizations', 'armadilha.names', 'armadilha.maxFileSizeMb'];
}

function untrustedWorkspaces(): unknown {
  return { supported: 'limited', description: '%capabilities.untrustedWorkspaces%', restrictedConfigurations: restrictedSettings() };
}

function nls(locale: Locale): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [key, text] of Object.entries(MANIFEST_STRINGS)) strings[key] = text[locale];
  for (const rule of RULES) strings[`setting.rule.${rule.id}`] = rule.text[locale].summary;
  for (const { setting } of nameSettings()) strings[`setting.names.${setting.key}`] = setting.description[locale];
  for (const { setting } of levelSettings()) strings[`setting.levels.${setting.key}`] = setting.description[locale];
  return Object.fromEntries(Object.entries(strings).sort(([left], [right]) => left.localeCompare(right)));
}

function rulesTable(): string {
  const rows = RULES.map((rule) => {
    const fix = rule.fix === 'safe' ? 'safe' : rule.fix === 'unsafe' ? 'unsafe' : '–';
    const languages = rule.languages.map((language) => (language === 'sql' ? 'SQL' : 'TS/JS')).join(', ');
    return `| [\`${rule.id}\`](${docsPath(rule.id, 'en')}) ([pt-BR](${docsPath(rule.id, 'pt-BR')})) | ${languages} | ${rule.severity} | ${fix} | ${rule.text.en.summary} |`;
  });
  return ['| Rule | Runs on | Severity | Fix | What it catches |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length) {
      process.stderr.write(`Generated files are stale (run npm run generate):\n${stale.join('\n')}\n`);
      process.exit(1);
    }
  } else {
    for (const file of obsoleteDocs('.')) rmSync(file);
    for (const [file, text] of generatedFiles()) {
      mkdirSync(path.dirname(file) || '.', { recursive: true });
      writeFileSync(file, text);
    }
  }
}
