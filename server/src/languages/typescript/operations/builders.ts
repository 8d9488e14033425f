// What the query-builder readers (Drizzle, Knex, Kysely) share: the links of a chain that build the
// query (a trailing .then/.catch/.finally only consumes it), where a fix inserts a link, and names
// as builders write them ('accounts as a', 'a.balance').

import type * as TS from 'typescript';
import type { Edit } from '../../../core/rule';
import { ts } from '../project';
import type { Chain, Link } from './chain';

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** The chain's links without the promise methods that consume its result. */
export function builderLinks(chain: Chain): Link[] {
  const links = [...chain.links];
  while (links.length && PROMISE_METHODS.has(links[links.length - 1].name)) links.pop();
  return links;
}

/** An edit that writes `text` (a `.method(…)` link) right after a link's call. */
export function afterLink(link: Link, text: string): Edit {
  const end = link.call.getEnd();
  return { start: end, end, text };
}

/** An edit that writes `text` (a `.method(…)` link) right before a link, after the call it is made on. */
export function beforeLink(link: Link, text: string): Edit {
  const receiver = (link.call.expression as TS.PropertyAccessExpression).expression;
  const end = receiver.getEnd();
  return { start: end, end, text };
}

/** 'public.accounts as a' → 'public.accounts'. */
export function tableName(written: string): string {
  return written.replace(/\s+as\s+\w+\s*$/i, '').trim();
}

/** 'a.balance' → 'balance' (a column qualified by its table or alias). */
export function bareColumn(written: string): string {
  const name = written.replace(/\s+as\s+\w+\s*$/i, '').trim();
  return name.slice(name.lastIndexOf('.') + 1);
}

/** 'stripe_event_id' → a string literal in the quotes the file uses most. */
export function quoted(source: TS.SourceFile, text: string): string {
  const singles = (source.text.match(/'/g) ?? []).length;
  const doubles = (source.text.match(/"/g) ?? []).length;
  const quote = doubles > singles ? '"' : "'";
  return `${quote}${text.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`)}${quote}`;
}

/** A number literal's value (`1`, `(1)`), else undefined. */
export function numberValue(expression: TS.Expression | undefined): number | undefined {
  let value = expression;
  while (value && ts.isParenthesizedExpression(value)) value = value.expression;
  return value && ts.isNumericLiteral(value) ? Number(value.text) : undefined;
}

/** `<`, `<=`, `>`, `>=` as a range comparison; undefined for any other operator. */
export function rangeComparison(operator: string | undefined): '<' | '<=' | '>' | '>=' | undefined {
  return operator === '<' || operator === '<=' || operator === '>' || operator === '>=' ? operator : undefined;
}
