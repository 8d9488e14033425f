// Inputs built from the corpus at run time: the file lists, the large documents for the editor
// measurements (written to a temporary folder), and the keystrokes typed into them.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function listFiles(dir: string, extension: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(extension)) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

/** squawk panics ("parser seems stuck") on four regress files and stops on the non-UTF-8 one. */
export const SQUAWK_BREAKERS = /\/postgres_regress\/regress\/(alter_table|create_table|rules|with)\.sql$|win1252/;

const lineCount = (text: string) => text.split('\n').length - 1;

/** A file's text as an editor opens it: UTF-16 or UTF-8 by byte-order mark, else UTF-8 (invalid bytes become U+FFFD). */
export function readAsEditor(file: string): string {
  const raw = fs.readFileSync(file);
  if (raw[0] === 0xff && raw[1] === 0xfe) return new TextDecoder('utf-16le').decode(raw.subarray(2));
  if (raw[0] === 0xfe && raw[1] === 0xff) return new TextDecoder('utf-16be').decode(raw.subarray(2));
  return new TextDecoder('utf-8').decode(raw); // drops a UTF-8 byte-order mark
}

/**
 * Concatenates whole corpus files, in order, skipping any that would overflow, until exactly `lines`
 * lines (the remainder padded with comment lines). Whole files keep every statement and dollar quote
 * intact, so the document analyses as its parts do.
 */
export function composeDocument(files: string[], lines: number, comment: string): string {
  const parts: string[] = [];
  let total = 0;
  for (const file of files) {
    let text = readAsEditor(file).replace(/\r\n/g, '\n');
    if (!text.endsWith('\n')) text += '\n';
    const count = lineCount(text);
    if (total + count > lines) continue;
    parts.push(text);
    total += count;
    if (total === lines) break;
  }
  while (total < lines) {
    parts.push(`${comment} padding\n`);
    total++;
  }
  return parts.join('');
}

export interface Keystroke {
  label: string;
  /** UTF-16 offset and position in the text before the keystroke. */
  offset: number;
  line: number;
  character: number;
  text: string;
}

export interface TypingPlan {
  label: string;
  /** Where the caret starts, in the text as it is when this position's turn comes. */
  locate(text: string): number;
  /** Typed one character at a time; cycled when shorter than the count. */
  characters: string;
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, character: offset - lineStart };
}

/** The keystrokes, in order, with positions computed on the text as it is at each step. */
export function planKeystrokes(initial: string, plans: TypingPlan[], perPosition: number): Keystroke[] {
  const keystrokes: Keystroke[] = [];
  let text = initial;
  for (const plan of plans) {
    const start = plan.locate(text);
    if (start < 0) throw new Error(`no place to type "${plan.label}"`);
    for (let index = 0; index < perPosition; index++) {
      const offset = start + index;
      const character = plan.characters[index % plan.characters.length];
      keystrokes.push({ label: plan.label, offset, ...positionOf(text, offset), text: character });
      text = text.slice(0, offset) + character + text.slice(offset);
    }
  }
  return keystrokes;
}

/** The end of the first match at or after a line, or -1. */
function afterMatch(pattern: RegExp, fromLineFraction: number): (text: string) => number {
  return (text) => {
    const lines = lineCount(text);
    let from = 0;
    for (let line = 0, target = Math.floor(lines * fromLineFraction); line < target; line++) from = text.indexOf('\n', from) + 1;
    const regex = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
    regex.lastIndex = from;
    const match = regex.exec(text);
    return match ? match.index + match[0].length : -1;
  };
}

// A table name being typed at the top and in the middle of a migration, and a new statement at its end.
const SQL_TABLE_NAME = /^(?:create|alter)\s+table\s+(?:if\s+not\s+exists\s+)?(?:only\s+)?[\w."]*\w/im;
export const SQL_TYPING: TypingPlan[] = [
  { label: 'first statement', locate: afterMatch(SQL_TABLE_NAME, 0), characters: 'abcdefghijklmnopqrstuvwxyz' },
  { label: 'middle statement', locate: afterMatch(SQL_TABLE_NAME, 0.5), characters: 'abcdefghijklmnopqrstuvwxyz' },
  { label: 'end of file', locate: (text) => text.length, characters: '\nupdate accounts set balance = balance - 1 where id = 42;' },
];

// A variable name near the top and in the middle, and a new fetch call at the end.
const TS_DECLARATION = /^\s*(?:export\s+)?(?:const|let)\s+[A-Za-z_$][\w$]*/m;
export const TS_TYPING: TypingPlan[] = [
  { label: 'first declaration', locate: afterMatch(TS_DECLARATION, 0), characters: 'abcdefghijklmnopqrstuvwxyz' },
  { label: 'middle declaration', locate: afterMatch(TS_DECLARATION, 0.5), characters: 'abcdefghijklmnopqrstuvwxyz' },
  { label: 'end of file', locate: (text) => text.length, characters: "\nconst res = await fetch('https://api.stripe.com/v1/charges', { method: 'POST' });" },
];
