// VS Code snippet syntax (https://code.visualstudio.com/docs/editing/userdefinedsnippets#_grammar),
// parsed the way VS Code's SnippetParser does, including its fallbacks: `$name`/`${name}` of an
// unknown variable becomes a placeholder showing the name, a `}` closes the innermost `${…`, and only
// `\$`, `\}` and `\\` are escapes (elsewhere a backslash stays).

export type Marker =
  | { kind: 'text'; value: string }
  | { kind: 'placeholder'; index: number; children: Marker[]; choice?: string[]; transform?: boolean }
  | { kind: 'variable'; name: string; children: Marker[]; transform?: boolean };

type TokenType = '$' | ':' | ',' | '{' | '}' | '\\' | '/' | '|' | 'int' | 'name' | 'format' | 'eof';
interface Token {
  type: TokenType;
  text: string;
}

const SINGLE: Record<string, TokenType> = { $: '$', ':': ':', ',': ',', '{': '{', '}': '}', '\\': '\\', '/': '/', '|': '|' };

function scan(body: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  const isDigit = (ch: string) => ch >= '0' && ch <= '9';
  const isNameStart = (ch: string) => ch === '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
  while (position < body.length) {
    const ch = body[position];
    const start = position;
    let type: TokenType;
    if (SINGLE[ch]) {
      type = SINGLE[ch];
      position++;
    } else if (isDigit(ch)) {
      type = 'int';
      while (position < body.length && isDigit(body[position])) position++;
    } else if (isNameStart(ch)) {
      type = 'name';
      while (position < body.length && (isNameStart(body[position]) || isDigit(body[position]))) position++;
    } else {
      type = 'format';
      while (position < body.length && !SINGLE[body[position]] && !isDigit(body[position]) && !isNameStart(body[position])) position++;
    }
    tokens.push({ type, text: body.slice(start, position) });
  }
  tokens.push({ type: 'eof', text: '' });
  return tokens;
}

export function parseSnippet(body: string): Marker[] {
  const tokens = scan(body);
  let at = 0;
  const accept = (type?: TokenType): string | undefined => {
    const token = tokens[at];
    if (token.type === 'eof' || (type !== undefined && token.type !== type)) return undefined;
    at++;
    return token.text;
  };
  const parse = (into: Marker[]): boolean => escaped(into) || simple(into) || complexPlaceholder(into) || complexVariable(into) || anything(into);
  const escaped = (into: Marker[]): boolean => {
    if (accept('\\') === undefined) return false;
    into.push({ kind: 'text', value: accept('$') ?? accept('}') ?? accept('\\') ?? '\\' });
    return true;
  };
  const simple = (into: Marker[]): boolean => {
    const start = at;
    if (accept('$') === undefined) return false;
    const name = accept('name');
    if (name !== undefined) return into.push({ kind: 'variable', name, children: [] }) > 0;
    const index = accept('int');
    if (index !== undefined) return into.push({ kind: 'placeholder', index: Number(index), children: [] }) > 0;
    at = start;
    return false;
  };
  const children = (marker: { children: Marker[] }, opening: string, into: Marker[]): boolean => {
    for (;;) {
      if (accept('}') !== undefined) return into.push(marker as Marker) > 0;
      if (parse(marker.children)) continue;
      into.push({ kind: 'text', value: opening }, ...marker.children); // unclosed: VS Code keeps it as text
      return true;
    }
  };
  const complexPlaceholder = (into: Marker[]): boolean => {
    const start = at;
    if (accept('$') === undefined || accept('{') === undefined) return ((at = start), false);
    const index = accept('int');
    if (index === undefined) return ((at = start), false);
    const placeholder: Marker & { kind: 'placeholder' } = { kind: 'placeholder', index: Number(index), children: [] };
    if (accept(':') !== undefined) return children(placeholder, '${' + index + ':', into);
    if (placeholder.index > 0 && accept('|') !== undefined) {
      const options: string[] = [];
      for (;;) {
        let value = '';
        while (tokens[at].type !== ',' && tokens[at].type !== '|' && tokens[at].type !== 'eof') {
          value += accept('\\') !== undefined ? (accept(',') ?? accept('|') ?? accept('\\') ?? '\\') : accept()!;
        }
        if (!value) return ((at = start), false);
        options.push(value);
        if (accept(',') !== undefined) continue;
        if (accept('|') !== undefined && accept('}') !== undefined) {
          placeholder.choice = options;
          return into.push(placeholder) > 0;
        }
        return ((at = start), false);
      }
    }
    if (accept('/') !== undefined) placeholder.transform = true;
    else if (accept('}') !== undefined) return into.push(placeholder) > 0;
    if (placeholder.transform) return into.push(placeholder) > 0;
    at = start;
    return false;
  };
  const complexVariable = (into: Marker[]): boolean => {
    const start = at;
    if (accept('$') === undefined || accept('{') === undefined) return ((at = start), false);
    const name = accept('name');
    if (name === undefined) return ((at = start), false);
    const variable: Marker & { kind: 'variable' } = { kind: 'variable', name, children: [] };
    if (accept(':') !== undefined) return children(variable, '${' + name + ':', into);
    if (accept('/') !== undefined) return into.push({ ...variable, transform: true }) > 0;
    if (accept('}') !== undefined) return into.push(variable) > 0;
    at = start;
    return false;
  };
  const anything = (into: Marker[]): boolean => {
    const text = accept();
    if (text === undefined) return false;
    into.push({ kind: 'text', value: text });
    return true;
  };
  const root: Marker[] = [];
  while (parse(root));
  return root;
}

/** Variables VS Code resolves, with the values a test needs (none of the snippets uses them today). */
const KNOWN_VARIABLES: Record<string, string> = {
  TM_FILENAME: 'example.ts',
  TM_FILENAME_BASE: 'example',
  TM_DIRECTORY: '/work',
  TM_FILEPATH: '/work/example.ts',
  RELATIVE_FILEPATH: 'example.ts',
  WORKSPACE_NAME: 'work',
  WORKSPACE_FOLDER: '/work',
  TM_SELECTED_TEXT: '',
  SELECTION: '',
  TM_CURRENT_LINE: '',
  TM_CURRENT_WORD: '',
  TM_LINE_INDEX: '0',
  TM_LINE_NUMBER: '1',
  CLIPBOARD: '',
  CURSOR_INDEX: '0',
  CURSOR_NUMBER: '1',
  CURRENT_YEAR: '2024',
  CURRENT_YEAR_SHORT: '24',
  CURRENT_MONTH: '01',
  CURRENT_MONTH_NAME: 'January',
  CURRENT_MONTH_NAME_SHORT: 'Jan',
  CURRENT_DATE: '02',
  CURRENT_DAY_NAME: 'Tuesday',
  CURRENT_DAY_NAME_SHORT: 'Tue',
  CURRENT_HOUR: '03',
  CURRENT_MINUTE: '04',
  CURRENT_SECOND: '05',
  CURRENT_SECONDS_UNIX: '1704164645',
  CURRENT_TIMEZONE_OFFSET: '+00:00',
  RANDOM: '123456',
  RANDOM_HEX: 'abcdef',
  UUID: '00000000-0000-4000-8000-000000000000',
  BLOCK_COMMENT_START: '/*',
  BLOCK_COMMENT_END: '*/',
  LINE_COMMENT: '//',
};

export interface Expansion {
  /** The inserted text with every tab stop at its default. */
  text: string;
  /** Tab stop indexes, 0 included. */
  tabstops: number[];
  /** Indexes 1…n in the order they first appear in the text. */
  readingOrder: number[];
  finalTabstops: number;
  /** `$name` / `${name}` of variables VS Code does not know: it shows the name as a placeholder. */
  unknownVariables: string[];
  transforms: number;
}

export function expandSnippet(body: string): Expansion {
  const markers = parseSnippet(body);
  // As VS Code: the first placeholder of an index (in document order) with a value gives it to all.
  const defaults = new Map<number, Marker[]>();
  const tabstops = new Set<number>();
  const readingOrder: number[] = [];
  let finalTabstops = 0;
  let transforms = 0;
  const unknownVariables: string[] = [];
  const collect = (list: Marker[]) => {
    for (const marker of list) {
      if (marker.kind === 'placeholder') {
        tabstops.add(marker.index);
        if (marker.index !== 0 && !readingOrder.includes(marker.index)) readingOrder.push(marker.index);
        if (marker.index === 0) finalTabstops++;
        if (marker.transform) transforms++;
        const value: Marker[] | undefined = marker.choice ? [{ kind: 'text', value: marker.choice[0] }] : marker.children.length ? marker.children : undefined;
        if (value && !defaults.has(marker.index) && marker.index !== 0) defaults.set(marker.index, value);
        collect(marker.children);
      } else if (marker.kind === 'variable') {
        if (marker.transform) transforms++;
        if (!(marker.name in KNOWN_VARIABLES) && marker.children.length === 0) unknownVariables.push(marker.name);
        collect(marker.children);
      }
    }
  };
  collect(markers);
  const render = (list: Marker[], stack: number[]): string =>
    list
      .map((marker) => {
        if (marker.kind === 'text') return marker.value;
        if (marker.kind === 'variable') {
          if (marker.name in KNOWN_VARIABLES) return KNOWN_VARIABLES[marker.name];
          return marker.children.length ? render(marker.children, stack) : marker.name;
        }
        if (marker.choice) return marker.choice[0];
        if (marker.children.length) return render(marker.children, [...stack, marker.index]);
        const value = defaults.get(marker.index);
        return value && !stack.includes(marker.index) ? render(value, [...stack, marker.index]) : '';
      })
      .join('');
  return { text: render(markers, []), tabstops: [...tabstops].sort((a, b) => a - b), readingOrder, finalTabstops, unknownVariables, transforms };
}
