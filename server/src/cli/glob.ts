// Glob expansion for `armadilha check 'migrations/**/*.sql'`, in time linear in the length of each
// name. Regular-expression glob libraries backtrack: `*a*a*a*a*a*c` against one 60-character file
// name took over two minutes, and a repository chooses its file names. Here each path segment is
// matched by the two-pointer wildcard algorithm (at most pattern × name steps), and `**` walks every
// folder at most once per pattern position.
//
// Syntax: `*` and `?` within a segment, `**` for any number of folders, `[abc]`, `[a-z]`, `[!a]`,
// `{a,b}` (expanded; at most MAX_ALTERNATIVES patterns), `\` escapes the next character. Names
// starting with a dot are matched only by a pattern segment that starts with a dot; node_modules and
// .git are never entered; symbolic links to folders are not followed (no loops).

import * as fs from 'node:fs';
import * as path from 'node:path';

export const MAX_ALTERNATIVES = 1024;
const MAX_PATTERN_LENGTH = 4096;
const NEVER_ENTERED = new Set(['node_modules', '.git']);

export class GlobError extends Error {}

export interface GlobResult {
  /** Absolute paths of the entries that are not folders (files, links, anything else: the reader decides). */
  matches: string[];
  /** Folders that could not be listed. */
  unreadable: Array<{ path: string; error: NodeJS.ErrnoException }>;
}

export function hasGlobSyntax(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

export function expandGlob(pattern: string, cwd: string, onFolder?: (folder: string) => void): GlobResult {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new GlobError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const result: GlobResult = { matches: [], unreadable: [] };
  const found = new Set<string>();
  for (const alternative of expandBraces(pattern)) {
    const { base, segments } = compile(alternative, cwd);
    const seen = new Set<string>();
    crawl(base, 0, segments, seen, found, result, onFolder);
  }
  result.matches = [...found].sort();
  return result;
}

/** Whether one path segment (a file or folder name) matches one pattern segment. */
export function matchSegment(pattern: string, name: string): boolean {
  return matchTokens(tokenize(pattern), name);
}

type Token = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; negated: boolean; ranges: Array<[string, string]> };
type Segment = { kind: 'globstar' } | { kind: 'literal'; name: string } | { kind: 'wild'; tokens: Token[] };

function compile(pattern: string, cwd: string): { base: string; segments: Segment[] } {
  const parts = pattern.split('/');
  let base = pattern.startsWith('/') ? '/' : cwd;
  if (pattern.startsWith('/')) parts.shift();
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '**') {
      if (segments[segments.length - 1]?.kind !== 'globstar') segments.push({ kind: 'globstar' });
    } else if (hasGlobSyntax(part.replace(/\\./g, ''))) segments.push({ kind: 'wild', tokens: tokenize(part) });
    else segments.push({ kind: 'literal', name: part.replace(/\\(.)/g, '$1') });
  }
  // Leading literal folders are the base: `../db/migrations/*.sql` starts in ../db/migrations.
  while (segments.length > 1 && segments[0].kind === 'literal') base = path.resolve(base, (segments.shift() as { name: string }).name);
  return { base, segments };
}

function crawl(
  directory: string,
  index: number,
  segments: Segment[],
  seen: Set<string>,
  found: Set<string>,
  result: GlobResult,
  onFolder?: (folder: string) => void,
): void {
  const key = `${index}\u0000${directory}`;
  if (seen.has(key) || index >= segments.length) return;
  seen.add(key);
  const segment = segments[index];
  const last = index === segments.length - 1;
  if (segment.kind === 'literal' && !last) {
    crawl(path.join(directory, segment.name), index + 1, segments, seen, found, result, onFolder);
    return;
  }
  onFolder?.(directory);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A folder named in the pattern that does not exist matches nothing; one that exists and cannot be listed is a problem.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') result.unreadable.push({ path: directory, error: error as NodeJS.ErrnoException });
    return;
  }
  if (segment.kind === 'globstar') {
    crawl(directory, index + 1, segments, seen, found, result, onFolder);
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !NEVER_ENTERED.has(entry.name))
        crawl(path.join(directory, entry.name), index, segments, seen, found, result, onFolder);
    }
    return;
  }
  for (const entry of entries) {
    const matches = segment.kind === 'literal' ? entry.name === segment.name : matchTokens(segment.tokens, entry.name);
    if (!matches) continue;
    const full = path.join(directory, entry.name);
    if (last) {
      if (!entry.isDirectory()) found.add(full);
    } else if (entry.isDirectory() && !NEVER_ENTERED.has(entry.name)) crawl(full, index + 1, segments, seen, found, result, onFolder);
  }
}

// The two-pointer wildcard match: on a mismatch, only the most recent `*` takes one more character,
// which is enough for patterns whose only variable-length element is `*`.
function matchTokens(tokens: Token[], name: string): boolean {
  if (name.startsWith('.') && !(tokens[0]?.kind === 'char' && tokens[0].char === '.')) return false;
  let token = 0;
  let position = 0;
  let star = -1;
  let starPosition = 0;
  while (position < name.length) {
    const current = tokens[token];
    if (current && current.kind !== 'star' && matchesOne(current, name[position])) {
      token++;
      position++;
    } else if (current?.kind === 'star') {
      star = token++;
      starPosition = position;
    } else if (star >= 0) {
      token = star + 1;
      position = ++starPosition;
    } else return false;
  }
  while (tokens[token]?.kind === 'star') token++;
  return token === tokens.length;
}

function matchesOne(token: Token, char: string): boolean {
  if (token.kind === 'char') return token.char === char;
  if (token.kind === 'any') return char !== '/';
  if (token.kind === 'class') return token.ranges.some(([low, high]) => char >= low && char <= high) !== token.negated;
  return false;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\' && index + 1 < pattern.length) tokens.push({ kind: 'char', char: pattern[++index] });
    else if (char === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') tokens.push({ kind: 'any' });
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close < 0) {
        tokens.push({ kind: 'char', char });
        continue;
      }
      let body = pattern.slice(index + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      const ranges: Array<[string, string]> = [];
      for (let at = 0; at < body.length; at++) {
        if (body[at + 1] === '-' && at + 2 < body.length) {
          ranges.push([body[at], body[at + 2]]);
          at += 2;
        } else ranges.push([body[at], body[at]]);
      }
      tokens.push({ kind: 'class', negated, ranges });
      index = close;
    } else tokens.push({ kind: 'char', char });
  }
  return tokens;
}

/** `{a,b}` alternatives expanded (nested too), at most MAX_ALTERNATIVES. */
export function expandBraces(pattern: string): string[] {
  const open = findUnescaped(pattern, '{', 0);
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let index = open; index < pattern.length && close < 0; index++) {
    const char = pattern[index];
    if (char === '\\') index++;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) close = index;
    else if (char === ',' && depth === 1) commas.push(index);
  }
  if (close < 0 || !commas.length) {
    // Not a list: the brace is literal; expand what follows it.
    const rest = close < 0 ? [pattern.slice(open + 1)] : expandBraces(pattern.slice(open + 1));
    return rest.map((tail) => `${pattern.slice(0, open)}\\{${tail}`);
  }
  const prefix = pattern.slice(0, open);
  const suffixes = expandBraces(pattern.slice(close + 1));
  const bounds = [open, ...commas, close];
  const results: string[] = [];
  for (let part = 0; part + 1 < bounds.length; part++) {
    for (const middle of expandBraces(pattern.slice(bounds[part] + 1, bounds[part + 1]))) {
      for (const suffix of suffixes) {
        results.push(prefix + middle + suffix);
        if (results.length > MAX_ALTERNATIVES) throw new GlobError(`the pattern expands to more than ${MAX_ALTERNATIVES} alternatives`);
      }
    }
  }
  return results;
}

function findUnescaped(text: string, char: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === char) return index;
  }
  return -1;
}
