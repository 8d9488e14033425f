// Name heuristics: settings hold lists of plain words (matched anywhere in a name) or globs with `*`.

const compiled = new Map<string, RegExp>();

/** True when `name` matches any pattern. A pattern without `*` matches as a substring. */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return patterns.some((pattern) => patternRegExp(pattern).test(lower));
}

/** True when `name` matches any pattern, with patterns without `*` matched as whole names. */
export function matchesAnyExactly(name: string, patterns: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return patterns.some((pattern) => (pattern.includes('*') ? patternRegExp(pattern).test(lower) : lower === pattern.toLowerCase()));
}

function patternRegExp(pattern: string): RegExp {
  let regExp = compiled.get(pattern);
  if (!regExp) {
    const lower = pattern.toLowerCase();
    const body = lower.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    regExp = new RegExp(lower.includes('*') ? `^${body}$` : body);
    compiled.set(pattern, regExp);
  }
  return regExp;
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
  const lower = text.toLowerCase();
  return patterns.some((pattern) => {
    const longest = pattern.toLowerCase().split('*').reduce((best, part) => (part.length > best.length ? part : best), '');
    return lower.includes(longest);
  });
}
