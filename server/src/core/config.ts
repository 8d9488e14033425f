// Settings: editor settings (armadilha.*) and the project file armadilha.config.json, with the same
// keys; the file wins over editor defaults. A broken file never breaks analysis: its problems are
// reported on the file and the defaults stay in force.

import type { LocaleSetting } from './locale';
import type { Rule, Severity } from './rule';
import { matchesPathGlob } from './text/path-glob';
import { MAX_NAME_PATTERN_LENGTH, MAX_NAME_PATTERNS } from './names';

export type RuleLevel = 'off' | Severity;

/** When the editor analyses a document: at every change (the default) or only when it is saved. */
export type RunMode = 'onType' | 'onSave';

/** What a .sql file is, when detection gets it wrong: PostgreSQL (analyse it) or not (skip it). */
export type SqlDialectSetting = 'postgres' | 'skip';
export const RULE_LEVELS: RuleLevel[] = ['off', 'hint', 'info', 'warning', 'error'];

export interface Settings {
  enable: boolean;
  locale: LocaleSetting;
  /** Rule id → level; rules not listed keep their default severity. */
  rules: Record<string, RuleLevel>;
  /** Name lists the heuristics use (tables that record once-only facts, broker calls, …). */
  names: Record<string, string[]>;
  /** Levels rules give a part of their findings (browser code for require-network-timeout), by key. */
  levels: Record<string, RuleLevel>;
  /** Timeout the require-network-timeout fixes insert. */
  defaultTimeoutMs: number;
  /** Files above this size are skipped with one skipped-file finding. */
  maxFileSizeMb: number;
  /** .sql files by path glob → what they are (setting sql.dialect); the first matching glob wins. */
  sqlDialect: Record<string, SqlDialectSetting>;
  /** Also analyse vendored, minified and generated code (generated-code.ts), skipped by default. */
  analyseGeneratedCode: boolean;
  /** Editor only: analyse open documents as they change, or when they are saved. */
  run: RunMode;
  /** Editor only: an analysis of an edited document longer than this (ms) turns the status to a warning, or an error. */
  timeBudget: TimeBudget;
  /** The highest level the editor shows findings recorded in armadilha-baseline.json at (lsp/editor-baseline.ts). */
  baselineLevel: RuleLevel;
}

export interface TimeBudget {
  warn: number;
  error: number;
}

export type PartialSettings = Partial<Omit<Settings, 'names' | 'levels'>> & { names?: Record<string, string[]>; levels?: Record<string, RuleLevel> };

/** Keys only the editor's settings may set (armadilha.config.json is shared with CI, where they mean nothing). */
const EDITOR_ONLY_KEYS = new Set(['run', 'timeBudget', 'logLevel', 'trace']);

/**
 * The dialect the settings give a .sql file, by its path relative to the folder the settings belong
 * to (the configuration file's folder, the workspace folder, or the current folder).
 */
export function sqlDialectFor(settings: Settings, relativePath: string): SqlDialectSetting | undefined {
  const path = relativePath.split('\\').join('/');
  for (const [glob, dialect] of Object.entries(settings.sqlDialect)) if (matchesPathGlob(path, glob)) return dialect;
  return undefined;
}

export const CONFIG_FILE_NAME = 'armadilha.config.json';

// Computed once per rule list: its name lists keep their identity from one analysis to the next,
// which the compiled-pattern caches rely on (core/names.ts).
const defaults = new WeakMap<readonly Rule[], Settings>();

export function defaultSettings(rules: readonly Rule[]): Settings {
  let settings = defaults.get(rules);
  if (!settings) {
    settings = computeDefaults(rules);
    defaults.set(rules, settings);
  }
  return settings;
}

function computeDefaults(rules: readonly Rule[]): Settings {
  const names: Record<string, string[]> = {};
  const levels: Record<string, RuleLevel> = {};
  let defaultTimeoutMs = 10_000;
  for (const rule of rules) {
    for (const setting of rule.settings ?? []) {
      if (Array.isArray(setting.default)) names[setting.key] = [...setting.default];
      else if (typeof setting.default === 'string') levels[setting.key] = setting.default;
      else if (setting.key === 'defaultTimeoutMs') defaultTimeoutMs = setting.default;
    }
  }
  return {
    enable: true,
    locale: 'auto',
    rules: {},
    names,
    levels,
    defaultTimeoutMs,
    maxFileSizeMb: 2,
    sqlDialect: {},
    analyseGeneratedCode: false,
    run: 'onType',
    timeBudget: DEFAULT_TIME_BUDGET,
    baselineLevel: 'hint',
  };
}

/** As vscode-eslint's eslint.timeBudget.onValidation, scaled to an analysis that runs at every keystroke. */
export const DEFAULT_TIME_BUDGET: TimeBudget = { warn: 1000, error: 4000 };

/** Settings with `override`'s values on top of `base` (rules and name lists merge key by key). */
export function mergeSettings(base: Settings, override: PartialSettings | undefined): Settings {
  if (!override) return base;
  return { ...base, ...mergePartialSettings(base, override) };
}

/** Partial settings with `override`'s values on top of `base`'s (an `extends` chain, editor ← file). */
export function mergePartialSettings(base: PartialSettings, override: PartialSettings): PartialSettings {
  const merged: PartialSettings = { ...base };
  for (const [key, value] of Object.entries(override) as Array<[keyof PartialSettings, unknown]>) {
    if (value === undefined) continue;
    if (key === 'rules' || key === 'names' || key === 'levels') (merged as Record<string, unknown>)[key] = { ...(base[key] ?? {}), ...(value as object) };
    // The override's globs first: the first matching glob wins.
    else if (key === 'sqlDialect')
      merged.sqlDialect = { ...(value as Record<string, SqlDialectSetting>), ...withoutKeys(base.sqlDialect ?? {}, value as Record<string, unknown>) };
    else (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function withoutKeys<T>(record: Record<string, T>, keys: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !(key in keys)));
}

export interface ConfigProblem {
  /** Which core text describes the problem. */
  key:
    | 'configInvalidJson'
    | 'configInvalidValue'
    | 'configUnknownKey'
    | 'configUnknownRule'
    | 'configPatternTooLong'
    | 'configTooManyPatterns'
    | 'configRulePatternUnmatched'
    | 'configExtendsMissing'
    | 'configExtendsCycle';
  data: Record<string, string>;
  /** Offset range in the configuration text. */
  start: number;
  end: number;
}

export interface ValidatedSettings {
  settings: PartialSettings;
  problems: ConfigProblem[];
  /** The file's `extends` entries, with where each is in the text (resolved by core/config-resolver.ts). */
  extendsEntries: Array<{ value: string; start: number; end: number }>;
}

/** Reads armadilha.config.json text. Invalid parts are reported and left out; valid parts apply. */
export function parseConfigText(text: string, rules: readonly Rule[]): ValidatedSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(stripBom(text));
  } catch (error) {
    const message = (error as Error).message;
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    return {
      settings: {},
      problems: [{ key: 'configInvalidJson', data: { detail: message }, start: position, end: Math.min(text.length, position + 1) }],
      extendsEntries: [],
    };
  }
  return validateSettings(raw, rules, text, 'file');
}

/**
 * Keeps the valid parts of a settings object (from the editor or from the config file). When `text`
 * is given, problems point at the offending key in it.
 */
export function validateSettings(raw: unknown, rules: readonly Rule[], text = '', source: 'editor' | 'file' = 'editor'): ValidatedSettings {
  const problems: ConfigProblem[] = [];
  const settings: PartialSettings = {};
  const extendsEntries: ValidatedSettings['extendsEntries'] = [];
  const at = (key: string) => {
    const index = text.indexOf(`"${key}"`);
    return index >= 0 ? { start: index, end: index + key.length + 2 } : { start: 0, end: 0 };
  };
  const invalid = (key: string, detail: string) => problems.push({ key: 'configInvalidValue', data: { key, detail }, ...at(key) });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    invalid('(root)', 'expected an object');
    return { settings, problems, extendsEntries };
  }
  const ruleIds = new Set(rules.map((rule) => rule.id));
  const nameKeys = new Set(rules.flatMap((rule) => (rule.settings ?? []).filter((setting) => Array.isArray(setting.default)).map((setting) => setting.key)));
  const levelKeys = new Set(
    rules.flatMap((rule) => (rule.settings ?? []).filter((setting) => typeof setting.default === 'string').map((setting) => setting.key)),
  );
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (source === 'file' && EDITOR_ONLY_KEYS.has(key)) {
      problems.push({ key: 'configUnknownKey', data: { key }, ...at(key) });
      continue;
    }
    switch (key) {
      case '$schema':
        break;
      case 'extends': {
        const entries = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
        if (source !== 'file') break;
        if (!entries) {
          invalid(key, 'expected a path or a list of paths');
          break;
        }
        let from = text.indexOf('"extends"');
        for (const entry of entries) {
          const index = text.indexOf(JSON.stringify(entry), Math.max(0, from));
          const where = index >= 0 ? { start: index, end: index + JSON.stringify(entry).length } : at(key);
          if (index >= 0) from = index + 1;
          extendsEntries.push({ value: entry, ...where });
        }
        break;
      }
      case 'run':
        if (value === 'onType' || value === 'onSave') settings.run = value;
        else invalid(key, 'expected "onType" or "onSave"');
        break;
      case 'timeBudget': {
        // armadilha.timeBudget.onValidation: { warn, error } in milliseconds.
        const budget = (value as { onValidation?: unknown } | undefined)?.onValidation as Partial<TimeBudget> | undefined;
        if (
          budget &&
          typeof budget === 'object' &&
          [budget.warn, budget.error].every((ms) => ms === undefined || (typeof ms === 'number' && ms >= 0 && Number.isFinite(ms)))
        ) {
          settings.timeBudget = { warn: budget.warn ?? DEFAULT_TIME_BUDGET.warn, error: budget.error ?? DEFAULT_TIME_BUDGET.error };
        } else if (value !== undefined) invalid('timeBudget.onValidation', 'expected { "warn": milliseconds, "error": milliseconds }');
        break;
      }
      case 'logLevel':
      case 'trace':
        // Read by the server itself (lsp/handlers/log.ts), not per document.
        break;
      case 'enable':
      case 'analyseGeneratedCode':
        if (typeof value === 'boolean') settings[key] = value;
        else invalid(key, 'expected true or false');
        break;
      case 'locale':
        if (value === 'auto' || value === 'en' || value === 'pt-BR') settings.locale = value;
        else invalid(key, 'expected "auto", "en" or "pt-BR"');
        break;
      case 'defaultTimeoutMs':
      case 'maxFileSizeMb':
        if (typeof value === 'number' && value > 0 && Number.isFinite(value)) settings[key] = value;
        else invalid(key, 'expected a positive number');
        break;
      case 'ruleCustomizations':
        // The editor's armadilha.ruleCustomizations: handled with rules.
        if (source === 'file') problems.push({ key: 'configUnknownKey', data: { key }, ...at(key) });
        break;
      case 'rules':
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          // Patterns first, then the rules named one by one, which win over them. In the editor the
          // patterns come as armadilha.ruleCustomizations (or armadilha.rules.customizations, as in vscode-eslint).
          const editorPatterns = source === 'editor' ? (raw as Record<string, unknown>).ruleCustomizations : undefined;
          const ownPatterns = (value as Record<string, unknown>).customizations;
          const customizations =
            Array.isArray(editorPatterns) && editorPatterns.length
              ? [...(Array.isArray(ownPatterns) ? (ownPatterns as unknown[]) : []), ...(editorPatterns as unknown[])]
              : ownPatterns;
          settings.rules =
            customizations === undefined
              ? {}
              : customizedLevels(customizations, rules, (problem) => problems.push({ ...problem, ...at(problem.data.key ?? 'customizations') }));
          for (const [ruleId, level] of Object.entries(value)) {
            if (ruleId === 'customizations') continue;
            if (!ruleIds.has(ruleId)) problems.push({ key: 'configUnknownRule', data: { key: ruleId }, ...at(ruleId) });
            else if (typeof level === 'string' && (RULE_LEVELS as string[]).includes(level)) settings.rules[ruleId] = level as RuleLevel;
            else invalid(ruleId, `expected one of ${RULE_LEVELS.join(', ')}`);
          }
        } else invalid(key, 'expected an object mapping rule ids to levels');
        break;
      case 'names':
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          settings.names = {};
          for (const [nameKey, list] of Object.entries(value)) {
            if (!nameKeys.has(nameKey)) problems.push({ key: 'configUnknownKey', data: { key: `names.${nameKey}` }, ...at(nameKey) });
            else if (Array.isArray(list) && list.every((item) => typeof item === 'string'))
              settings.names[nameKey] = cappedPatterns(nameKey, list, (problem) => problems.push({ ...problem, ...at(nameKey) }));
            else invalid(nameKey, 'expected a list of strings');
          }
        } else invalid(key, 'expected an object of name lists');
        break;
      case 'sql':
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [sqlKey, sqlValue] of Object.entries(value)) {
            if (sqlKey !== 'dialect') problems.push({ key: 'configUnknownKey', data: { key: `sql.${sqlKey}` }, ...at(sqlKey) });
            else if (sqlValue && typeof sqlValue === 'object' && !Array.isArray(sqlValue)) {
              settings.sqlDialect = {};
              for (const [glob, dialect] of Object.entries(sqlValue as Record<string, unknown>)) {
                if (dialect === 'postgres' || dialect === 'skip') settings.sqlDialect[glob] = dialect;
                else invalid(glob, 'expected "postgres" or "skip"');
              }
            } else invalid('dialect', 'expected an object mapping file globs to "postgres" or "skip"');
          }
        } else invalid(key, 'expected an object');
        break;
      case 'baselineLevel':
        if (typeof value === 'string' && (RULE_LEVELS as string[]).includes(value)) settings.baselineLevel = value as RuleLevel;
        else invalid(key, `expected one of ${RULE_LEVELS.join(', ')}`);
        break;
      case 'levels':
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          settings.levels = {};
          for (const [levelKey, level] of Object.entries(value)) {
            if (!levelKeys.has(levelKey)) problems.push({ key: 'configUnknownKey', data: { key: `levels.${levelKey}` }, ...at(levelKey) });
            else if (typeof level === 'string' && (RULE_LEVELS as string[]).includes(level)) settings.levels[levelKey] = level as RuleLevel;
            else invalid(levelKey, `expected one of ${RULE_LEVELS.join(', ')}`);
          }
        } else invalid(key, 'expected an object of levels');
        break;
      default:
        problems.push({ key: 'configUnknownKey', data: { key }, ...at(key) });
    }
  }
  const patterns = (raw as Record<string, unknown>).ruleCustomizations;
  if (source === 'editor' && !settings.rules && Array.isArray(patterns) && patterns.length)
    settings.rules = customizedLevels(patterns, rules, (problem) => problems.push({ ...problem, start: 0, end: 0 }));
  return { settings, problems, extendsEntries };
}

/** A severity override for the rules whose ids match a pattern (rules.customizations), as vscode-eslint's. */
export interface RuleCustomization {
  /** A rule id, with * for any characters; a leading ! applies it to the rules that do not match. */
  rule: string;
  severity: RuleLevel;
}

/**
 * The levels `rules.customizations` gives the rules, the last matching entry winning. Entries that
 * are malformed or match no rule are reported.
 */
function customizedLevels(value: unknown, rules: readonly Rule[], report: (problem: Pick<ConfigProblem, 'key' | 'data'>) => void): Record<string, RuleLevel> {
  const levels: Record<string, RuleLevel> = {};
  if (!Array.isArray(value)) {
    report({ key: 'configInvalidValue', data: { key: 'customizations', detail: 'expected a list of { "rule": pattern, "severity": level }' } });
    return levels;
  }
  for (const entry of value as Array<Partial<RuleCustomization>>) {
    if (!entry || typeof entry.rule !== 'string' || !(RULE_LEVELS as unknown[]).includes(entry.severity)) {
      report({
        key: 'configInvalidValue',
        data: { key: 'customizations', detail: `each entry needs "rule" (a pattern) and "severity" (${RULE_LEVELS.join(', ')})` },
      });
      continue;
    }
    const matching = rules.filter((rule) => ruleMatches(entry.rule!, rule.id));
    if (!matching.length) report({ key: 'configRulePatternUnmatched', data: { key: entry.rule } });
    for (const rule of matching) levels[rule.id] = entry.severity!;
  }
  return levels;
}

/** Whether a rule id matches a customization pattern ("require-*", "!no-*"). */
export function ruleMatches(pattern: string, ruleId: string): boolean {
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const expression = new RegExp(
    `^${body
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return expression.test(ruleId) !== negated;
}

/**
 * A name list without the patterns the matcher ignores (core/names.ts), each reported: an
 * over-long pattern, and those beyond the list's length limit.
 */
function cappedPatterns(key: string, list: string[], report: (problem: Pick<ConfigProblem, 'key' | 'data'>) => void): string[] {
  const kept = list.filter((pattern) => pattern.length <= MAX_NAME_PATTERN_LENGTH);
  if (kept.length < list.length) report({ key: 'configPatternTooLong', data: { key: `names.${key}`, limit: String(MAX_NAME_PATTERN_LENGTH) } });
  if (kept.length > MAX_NAME_PATTERNS)
    report({ key: 'configTooManyPatterns', data: { key: `names.${key}`, limit: String(MAX_NAME_PATTERNS), ignored: String(kept.length - MAX_NAME_PATTERNS) } });
  // The list itself when nothing is left out: compiled lists are cached by identity.
  return kept.length === list.length && list.length <= MAX_NAME_PATTERNS ? list : kept.slice(0, MAX_NAME_PATTERNS);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
