// The SQL inside a format() string, as PL/pgSQL code builds dynamic statements:
// EXECUTE format($q$ UPDATE %I SET vt = clock_timestamp() + %L WHERE … $q$, tbl, delay).
// Each directive is replaced by text that parses where it stands (an identifier for %I, a literal for
// %L, either for %s); everything else is copied verbatim, so offsets map back to the document exactly
// and a fix can only touch characters the user wrote. A fix's inserted text gets its % doubled, since
// format() would read a single % as a directive.

import { MappedText, type Segment } from '../../core/text/mapped-text';

/** How %s is read: it may stand for an identifier, a literal, or any SQL text. */
export type PlainDirective = 'identifier' | 'literal';

/**
 * The format string's text with its directives replaced, or undefined when the string holds a
 * directive PostgreSQL's format() would reject.
 */
export function formatStringSql(formatString: MappedText, plain: PlainDirective): MappedText | undefined {
  const source = formatString.text;
  const segments: Segment[] = [];
  let text = '';
  let copiedFrom = 0;
  let quote: "'" | '"' | undefined;
  const copyUntil = (until: number) => {
    if (until > copiedFrom) {
      segments.push({ textStart: text.length, parentStart: copiedFrom, length: until - copiedFrom });
      text += source.slice(copiedFrom, until);
    }
  };
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === "'" || char === '"') {
      // '' and "" inside a quoted run close and reopen it: the state comes out right.
      if (quote === char) quote = undefined;
      else if (!quote) quote = char;
      continue;
    }
    if (char !== '%') continue;
    DIRECTIVE.lastIndex = index;
    const directive = DIRECTIVE.exec(source);
    if (!directive) return undefined;
    const [whole, , , type] = directive;
    // Inside a quoted literal or identifier the directive's own text already parses; it stays as written.
    if (quote || type === '%') {
      if (type === '%') {
        copyUntil(index + 1);
        copiedFrom = index + 2;
      }
      index += whole.length - 1;
      continue;
    }
    copyUntil(index);
    const glued = isWordCharacter(source[index - 1]) || isWordCharacter(source[index + whole.length]);
    text += placeholder(type === 's' ? (plain === 'identifier' ? 'I' : 'L') : type, whole, glued);
    copiedFrom = index + whole.length;
    index += whole.length - 1;
  }
  copyUntil(source.length);
  segments.push({ textStart: text.length, parentStart: source.length, length: 0 });
  return MappedText.assembled(formatString, text, segments, (inserted) => inserted.replace(/%/g, '%%'));
}

// %[position$][flags][width]type, width being digits, * or *position$ (PostgreSQL's format()).
const DIRECTIVE = /%(\d+\$)?(-?(?:\d+|\*(?:\d+\$)?)?)([sIL%])/y;

function placeholder(type: string, directive: string, glued: boolean): string {
  // Glued to a name (pgmq.q_%s), the placeholder continues the name.
  if (glued) return 'x';
  return type === 'I' ? `"${directive}"` : `'${directive}'`;
}

function isWordCharacter(char: string | undefined): boolean {
  return !!char && /[A-Za-z0-9_$]/.test(char);
}
