// Name heuristics: settings hold lists of plain words (matched anywhere in a name) or globs with `*`.

// These run for every statement and every rule on each keystroke: each pattern list is compiled once
// into one case-insensitive regular expression (lists come from the settings and keep their identity).
const substringLists = new WeakMap<readonly string[], RegExp>();
const exactLists = new WeakMap<readonly string[], RegExp>();
const fragmentLists = new WeakMap<readonly string[], RegExp>();

/** True when `name` matches any pattern. A pattern without `*` matches as a substring. */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return compiledList(substringLists, patterns, (pattern) => (pattern.includes('*') ? `^${glob(pattern)}$` : escape(pattern))).test(name);
}

/** True when `name` matches any pattern, with patterns without `*` matched as whole names. */
export function matchesAnyExactly(name: string, patterns: readonly string[]): boolean {
  return compiledList(exactLists, patterns, (pattern) => `^${glob(pattern)}$`).test(name);
}

function compiledList(cache: WeakMap<readonly string[], RegExp>, patterns: readonly string[], source: (pattern: string) => string): RegExp {
  let regExp = cache.get(patterns);
  if (!regExp) {
    regExp = patterns.length ? new RegExp(patterns.map((pattern) => `(?:${source(pattern.toLowerCase())})`).join('|'), 'i') : /(?!)/;
    cache.set(patterns, regExp);
  }
  return regExp;
}

function glob(pattern: string): string {
  return pattern.split('*').map(escape).join('.*');
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** The bare name of a possibly qualified name: "public.payments" → "payments". */
export function baseName(qualifiedName: string): string {
  const dot = qualifiedName.lastIndexOf('.');
  return dot >= 0 ? qualifiedName.slice(dot + 1) : qualifiedName;
}

/**
 * A cheap pre-check before walking a statement: true when the text contains the literal part of any
 * pattern ("heartbeat" of "*heartbeat*"). A name matching a pattern always contains its literal parts,
 * so a false answer proves the statement cannot mention a matching name.
 */
export function mentionsAny(text: string, patterns: readonly string[]): boolean {
  return fragmentsOf(patterns).test(text);
}

/** mentionsAny for a SQL statement, remembered on the statement. */
export function statementMentions(statement: { matches(pattern: RegExp): boolean }, patterns: readonly string[]): boolean {
  return statement.matches(fragmentsOf(patterns));
}

function fragmentsOf(patterns: readonly string[]): RegExp {
  return compiledList(fragmentLists, patterns, (pattern) => escape(pattern.split('*').reduce((best, part) => (part.length > best.length ? part : best), '')));
}
