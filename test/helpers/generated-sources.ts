// Generated TypeScript files of a chosen size, in the shapes that once made the analysis quadratic:
// flat call lists, many functions, many imports, deep nesting, many clients, many retry loops, many
// queries. Used by the scaling test (work counted) and by bench/scaling.ts (time measured).

/** Each shape makes a file of `count` repetitions. */
export const GENERATED_SHAPES: Record<string, (count: number) => string> = {
  'top-level fetch calls': (count) => lines(count, (index) => `await fetch('https://x.example/${index}');`),
  'fetch results kept in variables': (count) =>
    lines(count, (index) => `const response${index} = await fetch('https://x.example/${index}');\nconsole.log(await response${index}.json());`),
  'functions calling fetch': (count) =>
    lines(
      count,
      (index) =>
        `export async function load${index}(id: string) {\n  const response = await fetch(\`https://x.example/\${id}/${index}\`);\n  return response.json();\n}`,
    ),
  'imports and their uses': (count) =>
    `${lines(count, (index) => `import { helper${index} } from './module${index}';`)}\n${lines(count, (index) => `helper${index}();`)}`,
  'nested blocks': (count) =>
    `export async function deep(flags: boolean[]) {\n${lines(count, (index) => `if (flags[${index}]) { await fetch('https://x.example/${index}');`)}\n${'}'.repeat(count)}\n}`,
  'axios clients': (count) =>
    `import axios from 'axios';\n${lines(count, (index) => `const client${index} = axios.create({ baseURL: 'https://x.example/${index}' });\nexport const get${index} = () => client${index}.get('/items');`)}`,
  'retry loops': (count) =>
    `const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));\n${lines(count, (index) => `export async function retry${index}(run: () => Promise<void>) {\n  for (let attempt = 0; attempt < 3; attempt++) {\n    try {\n      return await run();\n    } catch {\n      await sleep(100);\n    }\n  }\n}`)}`,
  'queries in functions': (count) =>
    `import { Pool } from 'pg';\nconst pool = new Pool();\n${lines(count, (index) => `export async function query${index}(id: string) {\n  return pool.query('update items set seen = true where id = $1', [id]);\n}`)}`,
};

function lines(count: number, line: (index: number) => string): string {
  return Array.from({ length: count }, (_, index) => line(index)).join('\n');
}
