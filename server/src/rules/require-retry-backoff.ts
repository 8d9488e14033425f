import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { defineRule, type Edit, type FixProposal, type RuleContext } from '../core/rule';
import { findRetries, SLEEP_FUNCTIONS, type Pace, type Retry } from './require-retry-backoff.retries';
import { isTestCode } from '../languages/typescript/test-code';
import { declarationOf, unwrap } from './typescript/ts-declarations';
import { lineIndent } from './typescript/ts-edits';
import { nodeRange } from './typescript/ts-effects';

/** Pacing problems the rule reports; the other paces (backoff with jitter, a helper it cannot read) are left alone. */
const PROBLEMS = ['none', 'constant', 'constantJitter', 'noJitter'] as const;

function isProblem(pace: Pace): pace is (typeof PROBLEMS)[number] {
  return (PROBLEMS as readonly Pace[]).includes(pace);
}
/** First wait when the retry has none (ms), and the smallest cap of the backoff. */
const DEFAULT_BASE = 100;
const MIN_CAP = 30000;

export default defineRule({
  id: 'require-retry-backoff',
  severity: 'warning',
  languages: ['ts'],
  fix: 'unsafe',
  skill: {
    name: 'distributed-systems-fundamentals',
    section:
      'Minimal Distributed Hygiene (2: retry with exponential backoff and jitter); Cascading Failures; Thundering Herd; Signals You Are Ignoring Distribution',
  },
  settings: [
    {
      key: 'sleepFunctions',
      default: SLEEP_FUNCTIONS,
      description: {
        en: 'Functions that wait for the number of milliseconds they are given (plain names, or dotted names such as Bun.sleep). A retry that waits through another helper is left alone, because its pacing cannot be read.',
        'pt-BR':
          'Funções que esperam o número de milissegundos recebido (nomes simples, ou nomes com ponto como Bun.sleep). Um retry que espera por outro helper fica de fora, porque o ritmo dele não pode ser lido.',
      },
    },
  ],
  text: {
    en: {
      message:
        '{subject} {problem}{forever}. When the service it calls struggles, every client retries on the same schedule and the synchronized attempts keep it down; wait a random delay that grows with each attempt (exponential backoff with full jitter), and give up after a few attempts.',
      summary: 'Retries must back off exponentially, with jitter, and stop after a bounded number of attempts.',
      rationale:
        'Failures are correlated: when a dependency slows down or restarts, all of its clients see errors at the same moment. Clients that retry at once, or after the same fixed delay, come back together in waves, adding load exactly when the service has the least capacity; its timeouts cause more retries, and a short blip becomes a long outage (a retry storm, or thundering herd). Backoff alone is not enough: clients that failed together and double their delay together still arrive together. Random jitter spreads them out, and a bound on attempts keeps a permanent failure from being hammered forever.',
      remedy:
        'Wait `Math.random() * Math.min(cap, base * 2 ** attempt)` before each new attempt (full jitter), stop after a few attempts (3 to 5 is common) and rethrow the last error. Retry only errors that can succeed later (timeouts, 429, 503, connection resets, serialization failures) and only operations that are idempotent or carry an idempotency key. A library such as p-retry does the same. Loops that are not retries are left alone: scanners and pagination, pollers that keep their pace whatever happens, readiness polls up to a deadline, and a new attempt with a new value after a unique-key collision (a regenerated code or slug).',
      fixes: { backoff: 'Wait with exponential backoff and full jitter on {counter}' },
      variants: {
        loop: 'This retry loop',
        recursion: '{name}(), which calls itself again to retry,',
        none: 'tries again at once, with no wait between attempts',
        constant: 'waits the same {delay} before every attempt',
        constantJitter: 'waits about the same {delay} before every attempt (jitter with no backoff under it)',
        noJitter: 'backs off without jitter ({delay}), so clients that failed together retry together',
        forever: ' and never gives up',
        bounded: '',
      },
    },
    'pt-BR': {
      message:
        '{subject} {problem}{forever}. Quando o serviço chamado está em apuros, todos os clientes tentam de novo no mesmo ritmo e as tentativas sincronizadas o mantêm fora do ar; espere um atraso aleatório que cresce a cada tentativa (backoff exponencial com jitter completo) e desista depois de poucas tentativas.',
      summary: 'Retries precisam de backoff exponencial com jitter e de um limite de tentativas.',
      rationale:
        'Falhas são correlacionadas: quando uma dependência fica lenta ou reinicia, todos os seus clientes veem erros no mesmo instante. Clientes que tentam de novo na hora, ou depois do mesmo atraso fixo, voltam juntos em ondas e somam carga justamente quando o serviço tem menos capacidade; os timeouts dele geram mais retries, e um soluço curto vira uma longa indisponibilidade (retry storm, ou thundering herd). Só backoff não basta: clientes que falharam juntos e dobram o atraso juntos continuam chegando juntos. O jitter aleatório os espalha, e um limite de tentativas impede que uma falha permanente seja martelada para sempre.',
      remedy:
        'Espere `Math.random() * Math.min(teto, base * 2 ** tentativa)` antes de cada nova tentativa (jitter completo), pare depois de poucas tentativas (3 a 5 é comum) e relance o último erro. Repita só erros que podem dar certo depois (timeouts, 429, 503, conexões derrubadas, falhas de serialização) e só operações idempotentes ou com idempotency key. Uma biblioteca como p-retry faz o mesmo. Laços que não são retries ficam de fora: varreduras e paginação, pollers que mantêm o ritmo aconteça o que acontecer, esperas por prontidão até um prazo, e uma nova tentativa com um novo valor depois de colisão de chave única (um código ou slug gerado de novo).',
      fixes: { backoff: 'Esperar com backoff exponencial e jitter completo em {counter}' },
      variants: {
        loop: 'Este loop de retry',
        recursion: '{name}(), que chama a si mesma de novo para tentar outra vez,',
        none: 'tenta de novo na hora, sem espera entre as tentativas',
        constant: 'espera o mesmo {delay} antes de cada tentativa',
        constantJitter: 'espera quase o mesmo {delay} antes de cada tentativa (jitter sem backoff por baixo)',
        noJitter: 'faz backoff sem jitter ({delay}), então clientes que falharam juntos tentam de novo juntos',
        forever: ' e nunca desiste',
        bounded: '',
      },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
          '',
          'export async function chargeWithRetry(charge: () => Promise<void>) {',
          '  for (let attempt = 0; attempt < 5; attempt++) {',
          '    try {',
          '      return await charge();',
          '    } catch (error) {',
          '      if (attempt === 4) throw error;',
          '      await sleep(1000);',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        fixed: [
          'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
          '',
          'export async function chargeWithRetry(charge: () => Promise<void>) {',
          '  for (let attempt = 0; attempt < 5; attempt++) {',
          '    try {',
          '      return await charge();',
          '    } catch (error) {',
          '      if (attempt === 4) throw error;',
          '      await sleep(Math.random() * Math.min(30000, 1000 * 2 ** attempt));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function publish(send: () => Promise<void>) {',
          '  let attempt = 0;',
          '  while (attempt < 3) {',
          '    try {',
          '      await send();',
          '      return;',
          '    } catch {',
          '      attempt++;',
          '      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        fixed: [
          'export async function publish(send: () => Promise<void>) {',
          '  let attempt = 0;',
          '  while (attempt < 3) {',
          '    try {',
          '      await send();',
          '      return;',
          '    } catch {',
          '      attempt++;',
          '      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(30000, 200 * 2 ** attempt)));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
          'const DELAYS_MS = [1000, 5000, 15000];',
          '',
          'export async function deliver(send: () => Promise<void>) {',
          '  for (let attempt = 0; attempt <= DELAYS_MS.length; attempt++) {',
          '    try {',
          '      return await send();',
          '    } catch (error) {',
          '      if (attempt === DELAYS_MS.length) throw error;',
          '      await sleep(DELAYS_MS[attempt]);',
          '    }',
          '  }',
          '}',
        ].join('\n'),
        fixed: [
          'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
          'const DELAYS_MS = [1000, 5000, 15000];',
          '',
          'export async function deliver(send: () => Promise<void>) {',
          '  for (let attempt = 0; attempt <= DELAYS_MS.length; attempt++) {',
          '    try {',
          '      return await send();',
          '    } catch (error) {',
          '      if (attempt === DELAYS_MS.length) throw error;',
          '      await sleep(Math.random() * Math.min(30000, DELAYS_MS[attempt]));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function connect(open: () => Promise<WebSocket>): Promise<WebSocket> {',
          '  while (true) {',
          '    try {',
          '      return await open();',
          '    } catch (error) {',
          "      console.warn('reconnecting', error);",
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      {
        language: 'ts',
        code: [
          "import { nanoid } from 'nanoid';",
          '',
          '// A taken code is not a failure to wait out: the next attempt uses a new code.',
          'export async function createCode(insert: (code: string) => Promise<void>, prefix: string) {',
          '  for (let attempt = 0; attempt < 5; attempt++) {',
          '    const code = `${prefix}-${nanoid(6)}`;',
          '    try {',
          '      await insert(code);',
          '      return code;',
          '    } catch (error) {',
          "      if ((error as { code?: string }).code !== '23505') throw error;",
          '    }',
          '  }',
          "  throw new Error('no free code');",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function withRetry<T>(operation: () => Promise<T>, attempts = 4): Promise<T> {',
          '  for (let attempt = 0; ; attempt++) {',
          '    try {',
          '      return await operation();',
          '    } catch (error) {',
          '      if (attempt + 1 >= attempts) throw error;',
          '      const delay = Math.random() * Math.min(10000, 100 * 2 ** attempt);',
          '      await new Promise((resolve) => setTimeout(resolve, delay));',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          '// A worker polling at a fixed interval is not a retry: it goes on after each batch.',
          'export async function work(state: { running: boolean }, poll: () => Promise<void>) {',
          '  while (state.running) {',
          '    try {',
          '      await poll();',
          '    } catch (error) {',
          "      console.error('poll failed', error);",
          '    }',
          '    await new Promise((resolve) => setTimeout(resolve, 1000));',
          '  }',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'export async function fetchOnce(load: () => Promise<string>) {',
          '  for (let attempt = 0; attempt < 3; attempt++) {',
          '    try {',
          '      return await load();',
          '    } catch (error) {',
          '      throw new Error(`load failed: ${error}`);',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    // Test code retries against local services it starts itself; nobody else shares them.
    if (!context.typescript || isTestCode(context)) return;
    for (const retry of findRetries(context)) {
      context.spend();
      const pace = retry.pace;
      if (!isProblem(pace)) continue;
      const delay = retry.wait?.delay;
      context.report({
        ...reportRange(context, retry),
        data: { name: retry.name ?? '', delay: delay ? delayLabel(delay, retry) : '', counter: retry.counter ?? '' },
        variants: { subject: retry.kind, problem: pace, forever: retry.unbounded ? 'forever' : 'bounded' },
        fixes: backoffFixes(context, retry),
      });
    }
  },
});

/** The wait call when there is one; else the retrying call, or the loop's head (`while (true)`). */
function reportRange(context: RuleContext, retry: Retry): { start: number; end: number } {
  const model = context.typescript!;
  if (retry.wait) return nodeRange(model, retry.wait.call);
  if (retry.retryCall) return nodeRange(model, retry.retryCall);
  const loop = retry.node as TS.IterationStatement;
  const start = loop.getStart(model.node);
  if (ts.isDoStatement(loop)) return { start, end: start + 2 };
  return { start, end: context.text.slice(0, loop.statement.getStart(model.node)).trimEnd().length };
}

/** The delay as written: a number, or the expression (through a local variable: `delay` is `base * attempt`). */
function delayLabel(delay: TS.Expression, retry: Retry): string {
  let value = unwrap(delay);
  const declared = ts.isIdentifier(value) ? declarationOf(value) : undefined;
  const initializer = unwrap(declared?.initializer);
  if (declared && initializer && declared.pos >= retry.node.pos && declared.end <= retry.node.end) value = initializer;
  if (ts.isNumericLiteral(value)) return `${value.text} ms`;
  const text = value.getText().replace(/\s+/g, ' ');
  return `\`${text.length > 48 ? `${text.slice(0, 47)}…` : text}\``;
}

/**
 * Unsafe: the new waits are random and usually longer, which changes how long callers wait. Only
 * when an attempt counter gives the exponent.
 */
function backoffFixes(context: RuleContext, retry: Retry): Array<FixProposal<'backoff'>> {
  const counter = retry.counter;
  if (!counter) return [];
  const delay = unwrap(retry.wait?.delay);
  let edit: Edit | undefined;
  if (retry.pace === 'constant' && delay) {
    const base = operand(delay);
    edit = { ...nodeRange(context.typescript!, delay), text: `Math.random() * Math.min(${capFor(delay)}, ${base} * 2 ** ${counter})` };
  } else if (retry.pace === 'noJitter' && delay) {
    const capped = ts.isCallExpression(delay) && delay.expression.getText() === 'Math.min';
    edit = { ...nodeRange(context.typescript!, delay), text: `Math.random() * ${capped ? delay.getText() : `Math.min(${MIN_CAP}, ${delay.getText()})`}` };
  } else if (retry.pace === 'none' && retry.async) {
    edit = insertWait(
      context,
      retry,
      `await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(${MIN_CAP}, ${DEFAULT_BASE} * 2 ** ${counter})));`,
    );
  }
  return edit ? [{ key: 'backoff', data: { counter }, edits: [edit] }] : [];
}

/** The delay as an operand of `*`: parenthesized unless it is a name, a literal, a call or a property. */
function operand(expression: TS.Expression): string {
  const simple =
    ts.isIdentifier(expression) ||
    ts.isNumericLiteral(expression) ||
    ts.isPropertyAccessExpression(expression) ||
    ts.isCallExpression(expression) ||
    ts.isElementAccessExpression(expression);
  return simple ? expression.getText() : `(${expression.getText()})`;
}

/** 30 s, or ten times the base delay when that is larger and known. */
function capFor(delay: TS.Expression): number {
  let value: TS.Expression | undefined = delay;
  if (ts.isIdentifier(value)) value = unwrap(declarationOf(value)?.initializer);
  const base = value && ts.isNumericLiteral(value) ? Number(value.text.replace(/_/g, '')) : 0;
  return Math.max(MIN_CAP, base * 10);
}

/**
 * A new wait statement in the block that retries: before the statement that calls the function
 * again (recursion), else at the end of the catch block (before a final `continue`).
 */
function insertWait(context: RuleContext, retry: Retry, statement: string): Edit | undefined {
  const block = retry.region;
  let before: TS.Node | undefined;
  if (retry.retryCall) {
    for (let current: TS.Node = retry.retryCall; current !== block; current = current.parent) {
      if (ts.isBlock(current.parent)) {
        before = current;
        break;
      }
    }
    if (!before) return undefined;
  } else {
    const last = block.statements[block.statements.length - 1];
    if (last && ts.isContinueStatement(last)) before = last;
  }
  const model = context.typescript!;
  if (before) {
    const start = before.getStart(model.node);
    return { start, end: start, text: `${statement}\n${lineIndent(context.text, start)}` };
  }
  const last = block.statements[block.statements.length - 1];
  if (last) return { start: last.getEnd(), end: last.getEnd(), text: `\n${lineIndent(context.text, last.getStart(model.node))}${statement}` };
  const open = block.getStart(model.node);
  const close = block.getEnd() - 1;
  // An empty block whose braces are both there; broken code (`catch function ({`) leaves a block
  // without its closing brace, whose "inside" would be an inverted range.
  if (context.text[open] !== '{' || context.text[close] !== '}' || close < open + 1) return undefined;
  const indent = lineIndent(context.text, open);
  return { start: open + 1, end: close, text: `\n${indent}  ${statement}\n${indent}` };
}
