// Path globs for settings that name files (sql.dialect): `*` and `?` within one path segment, `**`
// across segments, matched without regular expressions, so a pattern from a repository's settings
// cannot make matching backtrack for long. A pattern without a slash matches the file name in any
// folder; one with a slash matches from the base folder, or from any folder below it when it does not
// start with `/` (as in .gitignore, `migrations/*.sql` also matches `db/migrations/a.sql`).

const MAX_PATTERN_LENGTH = 300;

/** True when `relativePath` (with `/` separators, relative to the settings' base folder) matches `pattern`. */
export function matchesPathGlob(relativePath: string, pattern: string): boolean {
  if (!pattern || pattern.length > MAX_PATTERN_LENGTH) return false;
  const path = relativePath.split('/').filter((segment) => segment && segment !== '.');
  const anchored = pattern.startsWith('/');
  const parts = pattern.split('/').filter((segment) => segment && segment !== '.');
  if (!parts.length) return false;
  if (parts.length === 1 && !anchored) return matchSegment(path[path.length - 1] ?? '', parts[0]);
  if (anchored) return matchSegments(path, 0, parts, 0);
  for (let start = 0; start < path.length; start++) if (matchSegments(path, start, parts, 0)) return true;
  return false;
}

// Segment lists, with `**` matching any number of segments. Each (path position, pattern part) pair
// is tried once (failures are remembered), so several `**` cost at most segments² × parts.
function matchSegments(path: string[], pathIndex: number, parts: string[], partIndex: number, failed = new Set<number>()): boolean {
  const state = pathIndex * (parts.length + 1) + partIndex;
  if (failed.has(state)) return false;
  let matched: boolean;
  if (partIndex === parts.length) matched = pathIndex === path.length;
  else if (parts[partIndex] === '**') {
    matched = false;
    for (let next = pathIndex; next <= path.length && !matched; next++) matched = matchSegments(path, next, parts, partIndex + 1, failed);
  } else {
    matched = pathIndex < path.length && matchSegment(path[pathIndex], parts[partIndex]) && matchSegments(path, pathIndex + 1, parts, partIndex + 1, failed);
  }
  if (!matched) failed.add(state);
  return matched;
}

/** One segment against a pattern of literal text, `*` and `?`, in linear time: the pieces between stars are found in order. */
export function matchSegment(text: string, pattern: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return sameWithWildcards(text, 0, pattern) && text.length === pattern.length;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (text.length < first.length + last.length) return false;
  if (!sameWithWildcards(text, 0, first) || !sameWithWildcards(text, text.length - last.length, last)) return false;
  let position = first.length;
  const limit = text.length - last.length;
  for (let index = 1; index < pieces.length - 1; index++) {
    const found = indexWithWildcards(text, pieces[index], position, limit);
    if (found < 0) return false;
    position = found + pieces[index].length;
  }
  return true;
}

function sameWithWildcards(text: string, at: number, piece: string): boolean {
  for (let index = 0; index < piece.length; index++) {
    if (piece[index] !== '?' && piece[index] !== text[at + index]) return false;
  }
  return at + piece.length <= text.length;
}

// Leftmost occurrence that ends before `limit`. Pieces are segments of a short pattern; with `?`
// in them this is pieces × text at worst, never exponential.
function indexWithWildcards(text: string, piece: string, from: number, limit: number): number {
  if (!piece.includes('?')) {
    const found = text.indexOf(piece, from);
    return found >= 0 && found + piece.length <= limit ? found : -1;
  }
  for (let at = from; at + piece.length <= limit; at++) if (sameWithWildcards(text, at, piece)) return at;
  return -1;
}
