// libpg-query's WebAssembly build of PostgreSQL's parser, called directly. The package's own
// parseSync turns every parse tree into objects at once (JSON.parse); here the tree stays a JSON
// string until a rule looks at the statement, which most statements of a large file never need:
// only their kind is read (from the start of the JSON). Faster, and a fraction of the memory.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const createModule = require('libpg-query/wasm/libpg-query.js') as () => Promise<WasmModule>;

interface WasmModule {
  _malloc(size: number): number;
  _free(pointer: number): void;
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, size: number): void;
  UTF8ToString(pointer: number): string;
  getValue(pointer: number, type: 'i32'): number;
}

export type RawParse = { ok: true; json: string } | { ok: false; message: string; /** 0-based code-point index */ cursor: number };

let module: WasmModule | undefined;
let loading: Promise<void> | undefined;

export function loadPgQuery(): Promise<void> {
  loading ??= createModule().then((instance) => {
    module = instance;
  });
  return loading;
}

/** Parses SQL text with PostgreSQL's parser; the tree comes back as libpg-query's JSON text. */
export function parseRaw(text: string): RawParse {
  if (!module) throw new Error('The PostgreSQL parser is not loaded (call loadParser first).');
  const wasm = module;
  const size = wasm.lengthBytesUTF8(text) + 1;
  const query = wasm._malloc(size);
  let result = 0;
  try {
    wasm.stringToUTF8(text, query, size);
    result = wasm._wasm_parse_query_raw(query);
    if (!result) throw new Error('libpg-query: out of memory');
    // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const tree = wasm.getValue(result, 'i32');
    const error = wasm.getValue(result + 8, 'i32');
    if (error) {
      // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; }
      const message = wasm.getValue(error, 'i32');
      const cursor = wasm.getValue(error + 16, 'i32');
      return { ok: false, message: message ? wasm.UTF8ToString(message) : 'syntax error', cursor: cursor > 0 ? cursor - 1 : 0 };
    }
    return { ok: true, json: tree ? wasm.UTF8ToString(tree) : '{}' };
  } finally {
    wasm._free(query);
    if (result) wasm._wasm_free_parse_result(result);
  }
}
