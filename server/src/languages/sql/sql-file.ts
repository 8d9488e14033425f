// Builds the model the SQL rules run on: every statement of a script (and of the scripts nested in
// it), the routines, the transactions and the syntax problems.

import { MappedText } from '../../text/mapped-text';
import { expandNested, type NestedResult } from './nested';
import { parseSql, type ParseOutcome } from './parser';
import type { Routine } from './plpgsql-model';
import { splitStatements, type StatementSpan } from './split';
import { SqlStatement, statementsOf, type StatementOrigin } from './statement';
import { syntaxProblem, type SyntaxProblem } from './syntax';
import { buildTransactions, type TransactionUnit } from './transactions';

export interface SqlModel {
  /** Every statement, top-level and nested, in document order of their containers. */
  statements: SqlStatement[];
  /** Top-level statements of each script, in order. */
  scripts: SqlStatement[][];
  routines: Routine[];
  transactions: TransactionUnit[];
  syntaxErrors: SyntaxProblem[];
}

export interface ScriptSource {
  text: MappedText;
  origin: StatementOrigin;
  /** psql meta-commands and variables are recognised in .sql files only. */
  psql: boolean;
  /**
   * Sources with the same group run one after the other on one connection (the queries of one
   * TypeScript function): they form one script for transactions. Default: each source alone.
   */
  group?: number;
  /** Report statements the parser rejects (off for SQL with substitutions it cannot see). Default: on. */
  reportSyntaxErrors?: boolean;
  /** $1-style placeholders may stand for identifiers too: retry a failing statement with _1. */
  placeholders?: boolean;
}

export function buildSqlModel(sources: ScriptSource[]): SqlModel {
  const nested: NestedResult = { statements: [], routines: [], syntaxErrors: [], scheduled: [] };
  const statements: SqlStatement[] = [];
  const scripts: SqlStatement[][] = [];
  const groups = new Map<number, SqlStatement[]>();
  for (const source of sources) {
    const script = parseScript(source, source.reportSyntaxErrors === false ? [] : nested.syntaxErrors);
    if (source.group === undefined) scripts.push(script);
    else {
      const group = groups.get(source.group);
      if (group) group.push(...script);
      else {
        groups.set(source.group, script);
        scripts.push(script);
      }
    }
    for (const statement of script) {
      statements.push(statement);
      const before = nested.statements.length;
      expandNested(statement, nested);
      for (let index = before; index < nested.statements.length; index++) statements.push(nested.statements[index]);
    }
  }
  const transactions = buildTransactions(scripts, nested.routines, nested.scheduled);
  return { statements, scripts, routines: nested.routines, transactions, syntaxErrors: nested.syntaxErrors };
}

/** Convenience for a whole .sql document. */
export function buildSqlFileModel(text: string): SqlModel {
  return buildSqlModel([{ text: MappedText.document(text), origin: 'file', psql: true }]);
}

// Statements are split first and parsed one by one (each parse is cached by its text, so an edit
// re-parses one statement). When a statement fails, the failing run is parsed again together with
// the statement after it: if that parses, the split was wrong (a construct the splitter does not
// know) and the joined parse wins; otherwise each failing statement reports its own error, and every
// other statement of the file is still analysed.
function parseScript(source: ScriptSource, syntaxErrors: SyntaxProblem[]): SqlStatement[] {
  const spans = splitStatements(source.text.text, { psql: source.psql });
  const results: Array<{ span: StatementSpan; text: MappedText; outcome: ParseOutcome }> = spans.map((span) => parseSpan(source.text, span, !!source.placeholders));
  const statements: SqlStatement[] = [];
  for (let index = 0; index < results.length; index++) {
    const result = results[index];
    if (result.outcome.ok) {
      statements.push(...statementsOf(result.text, result.outcome.statements, source.origin));
      continue;
    }
    let runEnd = index;
    while (runEnd + 1 < results.length && !results[runEnd + 1].outcome.ok) runEnd++;
    const joinedEnd = Math.min(runEnd + 1, results.length - 1);
    if (joinedEnd > index) {
      const blanks = spans.slice(index, joinedEnd + 1).flatMap((span) => span.metaRanges);
      const joined = MappedText.slice(source.text, result.span.start, results[joinedEnd].span.end, blanks);
      const outcome = parseSql(joined.text);
      if (outcome.ok) {
        statements.push(...statementsOf(joined, outcome.statements, source.origin));
        index = joinedEnd;
        continue;
      }
    }
    for (let failing = index; failing <= runEnd; failing++) {
      const failed = results[failing];
      // Statements with psql variables cannot be checked without their values: tolerated.
      if (failed.span.usesPsqlVariables || failed.outcome.ok) continue;
      syntaxErrors.push(syntaxProblem(failed.text, failed.outcome.message, failed.outcome.cursor));
    }
    index = runEnd;
  }
  return statements;
}

function parseSpan(document: MappedText, span: StatementSpan, placeholders: boolean): { span: StatementSpan; text: MappedText; outcome: ParseOutcome } {
  const text = MappedText.slice(document, span.start, span.end, span.metaRanges);
  let outcome = parseSql(text.text);
  if (!outcome.ok && span.usesPsqlVariables) {
    const retried = parseSql(substitutePsqlVariables(text.text));
    if (retried.ok) outcome = retried;
  }
  // A ${…} placeholder in an identifier position (a table name): $1 → _1, same length, same offsets.
  if (!outcome.ok && placeholders && /\$\d/.test(text.text)) {
    const retried = parseSql(text.text.replace(/\$(\d+)/g, '_$1'));
    if (retried.ok) outcome = retried;
  }
  return { span, text, outcome };
}

// :name → $1 (an expression), :'name' → a string literal, :"name" → an identifier; same lengths, so
// every offset stays put.
function substitutePsqlVariables(text: string): string {
  return text.replace(/(?<![:\w])(:'[^']*'|:"[^"]*"|:[A-Za-z_]\w*)/g, (variable) => {
    if (variable[1] === "'") return "'" + ' '.repeat(variable.length - 2) + "'";
    if (variable[1] === '"') return '"' + 'x'.repeat(variable.length - 2) + '"';
    return '$1' + ' '.repeat(variable.length - 2);
  });
}
