// require-fencing-token, TypeScript side. A Redis lock (SET NX, Redlock) followed in the same function
// (or inside Redlock's `using` callback) by a write that can overwrite a newer holder's work: an
// embedded SQL UPDATE/DELETE without a token predicate, an ORM update/delete, an object-store put.
// Inserts are left alone: a new row cannot overwrite what a later holder wrote.
// The fix for embedded SQL adds the predicate with a new bind parameter that carries a token variable
// of the function (a nextval()/INCR result, or a variable named fencingToken/epoch), on a table whose
// token column the migrations show. A write in the same database transaction as an earlier
// pg_advisory_xact_lock or SELECT … FOR UPDATE is fenced by that transaction and is left alone.

import type * as TS from 'typescript';
import { relationName } from '../languages/sql/ast';
import type { SqlStatement } from '../languages/sql/statement';
import { ts } from '../languages/typescript/project';
import { isFunctionLike, type CallSite, type TsModel } from '../languages/typescript/ts-file';
import type { Edit, FixProposal, RuleContext } from '../core/rule';
import { comparesToken, fencingInsertions, tokenColumn, writeFields } from './require-fencing-token.sql';
import { fencedByTransaction } from './require-fencing-token.scopes';
import { declarationsIn, isVisibleAt } from '../languages/typescript/local-variables';
import { matchesAny } from '../core/names';
import { callsUnderLock, redisLocks } from './typescript/redis-locks';
import { SqlEdits } from './sql/sql-edits';
import { isTestCode } from '../languages/typescript/test-code';
import { calleeMatches, embeddedOfStatement, objectProperty, tsEffects } from './typescript/ts-effects';

/** ORM/query-builder methods that change existing rows (inserts excepted). */
const OVERWRITES = new Set(['update', 'updateMany', 'upsert', 'delete', 'deleteMany', 'del', 'updateTable', 'deleteFrom', 'merge']);
/** Conditional object-store writes: the store compares a version before it overwrites. */
const CONDITIONAL_OPTIONS = new Set(['IfMatch', 'IfNoneMatch', 'ifGenerationMatch', 'ifMetagenerationMatch']);
/** Where a token comes from: a Redis counter, or a sequence (whose name must say it holds tokens). */
const REDIS_COUNTER = /\.(incr|incrby|incrBy|INCR|INCRBY)\s*\(/;
const NEXTVAL = /nextval\s*\(\s*'([^']+)'/gi;

/** A Redis INCR, or nextval of sequences all named like tokens (never a job or row sequence). */
function readsTokenCounter(initializer: string, tokenNames: string[]): boolean {
  if (REDIS_COUNTER.test(initializer)) return true;
  const sequences = [...initializer.matchAll(NEXTVAL)].map((match) => match[1].slice(match[1].lastIndexOf('.') + 1));
  return sequences.length > 0 && sequences.every((sequence) => matchesAny(sequence, tokenNames));
}

export function checkTypeScriptLocks(context: RuleContext, reported: Set<SqlStatement>): void {
  const model = context.typescript;
  // Tests take locks against a local Redis to check the lock itself.
  if (!model || isTestCode(context)) return;
  const effects = tsEffects(context);
  const fencingColumns = context.names('fencingColumns');
  const storageWrites = context.names('fencedStorageWrites');
  const reportedCalls = new Set<TS.Node>();
  for (const lock of redisLocks(context)) {
    const lockName = lock.call.callee;
    for (const call of callsUnderLock(model, lock)) {
      const statements = effects.sqlOf(call.node);
      for (const write of statements) {
        if ((write.kind !== 'UpdateStmt' && write.kind !== 'DeleteStmt') || reported.has(write)) continue;
        if (comparesToken(writeFields(write)?.whereClause, fencingColumns) || fencedByTransaction(write)) continue;
        reported.add(write);
        const fix = embeddedFencingFix(context, write);
        context.report({
          start: write.start,
          end: write.rangeOf(writeFields(write)?.relation).end,
          data: { verb: write.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE', table: relationName(writeFields(write)?.relation), lock: lockName },
          variants: { write: 'sqlWrite', held: 'lockCall', risk: 'expires', advice: 'where' },
          fixes: fix ? [fix] : [],
        });
      }
      // A link of a library call chain whose operation was judged as SQL above (supabase's
      // .from('t').update(…) under .eq(…)) is not judged again as a call.
      if (statements.length || reportedCalls.has(call.node) || effects.sqlOf(outermostOf(call.node) as typeof call.node).length) continue;
      const overwrites = isStorageOverwrite(call, storageWrites) || (OVERWRITES.has(call.method) && effects.isDatabaseWrite(call));
      if (!overwrites || passesToken(model, call, fencingColumns)) continue;
      reportedCalls.add(call.node);
      const callee = ts.isTaggedTemplateExpression(call.node) ? call.node.tag : call.node.expression;
      context.report({
        start: call.node.getStart(model.node),
        end: callee.getEnd(),
        data: { lock: lockName, call: callText(model, call) },
        variants: { write: 'callWrite', held: 'lockCall', risk: 'expires', advice: 'pass' },
      });
    }
  }
}

// supabase.storage.from(b).upload(path, body) refuses to overwrite unless { upsert: true }.
function isStorageOverwrite(call: CallSite, storageWrites: string[]): boolean {
  if (!calleeMatches(call, storageWrites)) return false;
  if (call.method !== 'upload' || !ts.isCallExpression(call.node)) return true;
  return objectProperty(call.node.arguments[2], 'upsert')?.kind === ts.SyntaxKind.TrueKeyword;
}

/** "prisma.resource.update()", "supabase.from('jobs').update()", "new PutObjectCommand()". */
function callText(model: TsModel, call: CallSite): string {
  const node = call.node;
  const callee = ts.isTaggedTemplateExpression(node) ? node.tag : node.expression;
  let text = callee.getText(model.node).replace(/\s+/g, '');
  if (text.length > 60) text = call.callee;
  return `${ts.isNewExpression(node) ? 'new ' : ''}${text}()`;
}

/**
 * True when the write mentions a token anywhere in its chain (`.lt('last_token', token)`,
 * `where: { fencingToken: { lt: token } }`) or asks the store for a conditional write (IfMatch), also
 * through a variable of the function holding its arguments.
 */
function passesToken(model: TsModel, call: CallSite, fencingColumns: string[]): boolean {
  let top: TS.Node = call.node;
  for (let parent = top.parent; parent; top = parent, parent = parent.parent) {
    const chained = (ts.isPropertyAccessExpression(parent) || ts.isCallExpression(parent) || ts.isAwaitExpression(parent)) && parent.expression === top;
    if (!chained) break;
  }
  const scope = model.scopeOf(call.node).node;
  const seen = new Set<string>();
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) || ts.isStringLiteralLike(node)) {
      if (matchesAny(node.text, fencingColumns) || CONDITIONAL_OPTIONS.has(node.text)) found = true;
      // An argument object built earlier in the function: s3.putObject(params).
      else if (ts.isIdentifier(node) && !seen.has(node.text)) {
        seen.add(node.text);
        for (const declared of declarationsIn(scope)) if (declared.name === node.text && declared.initializer) visit(declared.initializer);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(top);
  return found;
}

/** The SQL fix of an embedded UPDATE/DELETE: the predicate with a new bind parameter for the function's token. */
export function embeddedFencingFix(context: RuleContext, write: SqlStatement): FixProposal<'addFencing'> | undefined {
  const model = context.typescript;
  const entry = embeddedOfStatement(write, context.embedded);
  if (!model || !entry?.call) return undefined;
  const token = tokenVariable(model, entry.call, context.names('fencingColumns'));
  if (!token) return undefined;
  // The token's placeholder as the SQL parser sees it, and as the TypeScript literal gets it.
  let sqlToken: string;
  let tsToken: string;
  const extra: Edit[] = [];
  if (entry.parameters && entry.substitutionCount === 0) {
    // query(text, [a, b]): $3 and a third element; only when the array matches the placeholders.
    const elements = entry.parameters.elements;
    if (elements.some((element) => ts.isSpreadElement(element)) || highestParameter(write) !== elements.length) return undefined;
    sqlToken = tsToken = `$${elements.length + 1}`;
    extra.push(appendElement(model, entry.parameters, token));
  } else if (entry.substitutionsAreParameters && ts.isTaggedTemplateExpression(entry.call)) {
    // sql`…`: a substitution is a bind parameter, so ${token} goes into the template as TypeScript.
    sqlToken = `$${entry.substitutionCount + 1}`;
    tsToken = `\${${token}}`;
  } else return undefined;

  // Code cannot add a column: without one the migrations show, no fix (never a guessed column).
  const { column, confirmed } = tokenColumn(context.schema, relationName(writeFields(write)?.relation));
  if (!confirmed) return undefined;
  const insertions = fencingInsertions(write, column, sqlToken);
  if (!insertions) return undefined;
  const proof = new SqlEdits(write);
  for (const insertion of insertions) proof.insert(insertion.offset, insertion.text);
  if (!proof.parses()) return undefined;
  const edits: Edit[] = [];
  for (const insertion of insertions) {
    const text = insertion.text
      .split(sqlToken)
      .map((part) => write.source.encode(part))
      .join(tsToken);
    const at = write.source.toDocument(insertion.offset);
    const same = edits.find((edit) => edit.start === at);
    if (same) same.text += text;
    else edits.push({ start: at, end: at, text });
  }
  return { key: 'addFencing', data: { column, token }, edits: [...edits, ...extra], safe: true };
}

/** The highest $n placeholder of a statement. */
function highestParameter(write: SqlStatement): number {
  let highest = 0;
  for (const token of write.tokens()) {
    if (token.kind === 'param') highest = Math.max(highest, Number(write.source.text.slice(token.start + 1, token.end)) || 0);
  }
  return highest;
}

/** Appends an element to an array literal in its layout: `[a, b, token]`, or a new line when one per line. */
function appendElement(model: TsModel, array: TS.ArrayLiteralExpression, element: string): Edit {
  const text = model.text;
  const elements = array.elements;
  if (!elements.length) {
    const at = array.getStart(model.node) + 1;
    return { start: at, end: at, text: element };
  }
  const last = elements[elements.length - 1];
  const lastStart = last.getStart(model.node);
  const end = last.getEnd();
  if (!text.slice(array.getStart(model.node), lastStart).includes('\n')) return { start: end, end, text: `, ${element}` };
  const indent = /[ \t]*$/.exec(text.slice(0, lastStart))![0];
  if (elements.hasTrailingComma) {
    const comma = text.indexOf(',', end) + 1;
    return { start: comma, end: comma, text: `\n${indent}${element},` };
  }
  return { start: end, end, text: `,\n${indent}${element}` };
}

/**
 * A variable holding a fencing token, declared before `use` and visible there: named like one
 * (fencingToken, epoch), or named token and read from nextval() or a Redis INCR. Never an
 * authentication token that merely shares the name.
 */
function tokenVariable(model: TsModel, use: TS.Node, tokenNames: string[]): string | undefined {
  const at = use.getStart(model.node);
  // The innermost function first: a callback (redlock.using) also sees its outer function's variables.
  for (let node: TS.Node | undefined = use.parent; node && !ts.isSourceFile(node); node = node.parent) {
    if (!isFunctionLike(node)) continue;
    let found: string | undefined;
    for (const declared of declarationsIn(node)) {
      if (!isVisibleAt(model, declared, at)) continue;
      const namedFencing = /fenc|epoch/i.test(declared.name);
      const readsCounter = /token/i.test(declared.name) && !!declared.initializer && readsTokenCounter(declared.initializer.getText(model.node), tokenNames);
      if (namedFencing || readsCounter) found = declared.name;
    }
    if (found) return found;
  }
  return undefined;
}

/** The outermost call of the chain a call belongs to (the call itself when nothing is chained on it). */
function outermostOf(node: TS.Node): TS.Node {
  let current = node;
  while (
    current.parent &&
    ts.isPropertyAccessExpression(current.parent) &&
    current.parent.expression === current &&
    current.parent.parent &&
    ts.isCallExpression(current.parent.parent)
  )
    current = current.parent.parent;
  return current;
}
