// Syntax problems reported by the parser, placed on the token the parser complained about.

import { MappedText } from '../../core/text/mapped-text';
import { OffsetConverter } from '../../core/text/positions';
import { wholeCharacters } from '../../core/text/ranges';
import { tokenize } from './lexer';

export interface SyntaxProblem {
  /** Document offsets. */
  readonly start: number;
  readonly end: number;
  /** PostgreSQL's own message, e.g. 'syntax error at or near "selec"'. */
  readonly message: string;
  /** Document offsets of the whole statement that was not analysed. */
  readonly statementStart: number;
  readonly statementEnd: number;
}

/** A problem at PostgreSQL's error cursor (a code-point index into text.text). */
export function syntaxProblem(text: MappedText, message: string, cursor: number): SyntaxProblem {
  const source = text.text;
  let start = new OffsetConverter(source).fromCodePoint(cursor);
  let end = start;
  const following = tokenize(source, {}, start, Math.min(source.length, start + 200)).find((token) => token.kind !== 'comment');
  if (following && following.start === start) end = following.end;
  else if (start >= source.trimEnd().length) {
    // "at end of input": mark the last token instead of an empty range after it.
    const tokens = tokenize(source).filter((token) => token.kind !== 'comment');
    const last = tokens[tokens.length - 1];
    if (last) {
      start = last.start;
      end = last.end;
    }
  } else end = Math.min(source.length, start + 1);
  // Whole characters: the cursor or the token may stop between the halves of a surrogate pair ("0👨").
  ({ start, end } = wholeCharacters(source, start, end));
  // Offsets are mapped when read: a statement reused from an earlier analysis may have moved.
  return {
    get start() {
      return text.toDocument(start);
    },
    get end() {
      return text.toDocument(end);
    },
    get statementStart() {
      return text.toDocument(0);
    },
    get statementEnd() {
      return text.toDocument(source.length);
    },
    message,
  };
}
