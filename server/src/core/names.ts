// Name heuristics: settings hold lists of plain words (matched anywhere in a name) or globs with `*`.
//
// The lists come from settings, so a repository can write them (armadilha.config.json, or
// .vscode/settings.json in a trusted workspace). A glob is therefore never turned into a regular
// expression: `*a*a*a…c` would backtrack for minutes on a long name. It is matched in linear time
// instead: split on `*`, the first part anchored at the start, the last at the end, the parts between
// found in order with indexOf (the leftmost place of each part leaves the most room for the rest, so
// this finds a match whenever there is one). `*` is the only special character; everything else,
// `?` and `.` included, matches itself. Matching ignores case.

/** Longer patterns are ignored (and reported in armadilha.config.json): no real name needs them. */
export const MAX_NAME_PATTERN_LENGTH = 128;
/** Patterns of a list beyond this many are ignored (and reported in armadilha.config.json). */
export const MAX_NAME_PATTERNS = 256;

/** True when `name` matches any pattern. A pattern without `*` matches as a substring. */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return compiledList(patterns).matches(name.toLowerCase(), false);
}

/** True when `name` matches any pattern, with patterns without `*` matched as whole names. */
export function matchesAnyExactly(name: string, patterns: readonly string[]): boolean {
  return compiledList(patterns).matches(name.toLowerCase(), true);
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
  return compiledList(patterns).fragments.test(text);
}

/** mentionsAny for a SQL statement, remembered on the statement. */
export function statementMentions(statement: { matches(pattern: RegExp): boolean }, patterns: readonly string[]): boolean {
  return statement.matches(compiledList(patterns).fragments);
}

/** The patterns a list actually uses: at most MAX_NAME_PATTERNS, none longer than MAX_NAME_PATTERN_LENGTH. */
export function usablePatterns(patterns: readonly string[]): string[] {
  return patterns.filter((pattern) => pattern.length <= MAX_NAME_PATTERN_LENGTH).slice(0, MAX_NAME_PATTERNS);
}

// These run for every statement and every rule on each keystroke: each list is compiled once (lists
// come from the settings and keep their identity from one analysis to the next).
const compiled = new WeakMap<readonly string[], CompiledList>();

function compiledList(patterns: readonly string[]): CompiledList {
  let list = compiled.get(patterns);
  if (!list) {
    list = new CompiledList(usablePatterns(patterns).map((pattern) => pattern.toLowerCase()));
    compiled.set(patterns, list);
  }
  return list;
}

class CompiledList {
  /** Patterns without `*`. */
  private readonly words: string[] = [];
  private readonly wordSet: Set<string>;
  /** Patterns with `*`, split on it (so each has at least two parts). */
  private readonly globs: string[][] = [];
  /**
   * The longest literal part of each pattern, as one alternation of literals: a regular expression
   * without quantifiers, which cannot backtrack (its cost is the text length times the parts' length).
   */
  readonly fragments: RegExp;

  constructor(patterns: string[]) {
    for (const pattern of patterns) {
      if (pattern.includes('*')) this.globs.push(pattern.split('*'));
      else this.words.push(pattern);
    }
    this.wordSet = new Set(this.words);
    const longestParts = patterns.map((pattern) => pattern.split('*').reduce((best, part) => (part.length > best.length ? part : best), ''));
    this.fragments = longestParts.length ? new RegExp(longestParts.map(escape).join('|'), 'i') : /(?!)/;
  }

  /** `name` is lower-case. */
  matches(name: string, wordsWhole: boolean): boolean {
    if (wordsWhole ? this.wordSet.has(name) : this.words.some((word) => name.includes(word))) return true;
    return this.globs.some((parts) => globMatches(name, parts));
  }
}

function globMatches(name: string, parts: string[]): boolean {
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // The middle parts must fit, in order and without overlapping, between the prefix and the suffix.
  let from = first.length;
  const end = name.length - last.length;
  for (let index = 1; index < parts.length - 1; index++) {
    const part = parts[index];
    if (!part) continue;
    const found = name.indexOf(part, from);
    if (found < 0 || found + part.length > end) return false;
    from = found + part.length;
  }
  return true;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
