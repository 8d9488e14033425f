// SQL that lives inside other SQL: PL/pgSQL and SQL-language function bodies, DO blocks, the command
// string of cron.schedule(…) and EXECUTE '<literal>'. Each is parsed as SQL with offsets that map
// back to the exact characters of the document.

import { MappedText } from '../../text/mapped-text';
import { definitionOptions, functionName, locationOf, nodeTypeOf, typeName, walk } from './ast';
import type { Token } from './lexer';
import { parseSql } from './parser';
import { splitPlpgsqlBody, type BodyPiece } from './plpgsql';
import type { Routine } from './plpgsql-model';
import { splitStatements } from './split';
import { SqlStatement, statementsOf, type StatementOrigin } from './statement';
import type { SyntaxProblem } from './syntax';
import { syntaxProblem } from './syntax';

const MAX_NESTING = 4;
const CRON = /cron/i;

export interface NestedResult {
  statements: SqlStatement[];
  routines: Routine[];
  syntaxErrors: SyntaxProblem[];
  /** Groups of statements that run together later (one cron command each). */
  scheduled: SqlStatement[][];
}

/** Finds and parses the SQL nested in `statement`, recursively. */
export function expandNested(statement: SqlStatement, result: NestedResult, depth = 0): void {
  if (depth >= MAX_NESTING) return;
  if (statement.kind === 'CreateFunctionStmt') expandRoutine(statement, result, depth, 'function');
  else if (statement.kind === 'DoStmt') expandRoutine(statement, result, depth, 'do');
  expandCron(statement, result, depth);
}

function expandRoutine(statement: SqlStatement, result: NestedResult, depth: number, kind: 'function' | 'do'): void {
  const options = definitionOptions(kind === 'do' ? statement.body.args : statement.body.options);
  const language = String(options.get('language')?.arg?.String?.sval ?? (kind === 'do' ? 'plpgsql' : 'sql')).toLowerCase();
  const routine: Routine = {
    kind: kind === 'do' ? 'do' : statement.body.is_procedure ? 'procedure' : 'function',
    name: kind === 'do' ? '' : functionName(statement.body),
    language,
    header: statement,
    statements: [],
    variables: new Map(),
    returnsTrigger: kind === 'function' && typeName(statement.body.returnType).endsWith('trigger'),
  };
  for (const parameter of statement.body.parameters ?? []) {
    const name = parameter.FunctionParameter?.name;
    if (name) routine.variables.set(String(name).toLowerCase(), typeName(parameter.FunctionParameter.argType));
  }
  result.routines.push(routine);

  // SQL-standard bodies (BEGIN ATOMIC … END) arrive already parsed, inside the statement.
  const atomic = statement.body.sql_body?.List?.items?.[0]?.List?.items ?? [];
  for (const node of atomic) {
    const nested = new SqlStatement({ kind: nodeTypeOf(node) ?? '', node }, statement.source, statement.sourceStart, statement.sourceEnd, 'sql-function-body', routine, undefined, statement);
    routine.statements.push(nested);
    result.statements.push(nested);
  }

  const bodyOption = options.get('as');
  const location = locationOf(bodyOption);
  if (location === undefined) return;
  const literal = firstStringToken(statement, statement.sourceOffset(location));
  if (!literal || literal.unterminated) return;
  const body = MappedText.unquoted(statement.source, literal.contentStart!, literal.contentEnd!, literal.quoting ?? 'standard');
  if (language === 'plpgsql') {
    const split = splitPlpgsqlBody(body.text);
    for (const [name, type] of split.variables) routine.variables.set(name, type);
    for (const piece of split.pieces) addBodyPiece(piece, body, statement, routine, result, depth);
  } else if (language === 'sql') {
    for (const nested of parseScript(body, 'sql-function-body', statement, routine, result, false)) {
      routine.statements.push(nested);
      expandNested(nested, result, depth + 1);
    }
  }
}

function addBodyPiece(piece: BodyPiece, body: MappedText, header: SqlStatement, routine: Routine, result: NestedResult, depth: number): void {
  if (piece.literal) {
    // EXECUTE '<literal sql>': the literal's content is SQL that runs inside the routine.
    if (piece.literal.unterminated) return;
    const literalText = MappedText.unquoted(body, piece.literal.contentStart!, piece.literal.contentEnd!, piece.literal.quoting ?? 'standard');
    for (const span of splitStatements(literalText.text, { psql: false })) {
      const text = MappedText.slice(literalText, span.start, span.end);
      const outcome = parseSql(text.text);
      if (!outcome.ok || outcome.statements.length !== 1) continue;
      const nested = new SqlStatement(outcome.statements[0], text, 0, text.text.length, 'execute', routine, piece.info, header);
      routine.statements.push(nested);
      result.statements.push(nested);
      expandNested(nested, result, depth + 1);
    }
    return;
  }
  const text = piece.prefix
    ? MappedText.prefixed(body, piece.prefix, piece.start, piece.end, piece.blanks)
    : MappedText.slice(body, piece.start, piece.end, piece.blanks);
  const outcome = parseSql(text.text);
  // A piece that does not parse is PL/pgSQL this splitter does not model; it is skipped, never reported.
  if (!outcome.ok || outcome.statements.length !== 1) return;
  const nested = new SqlStatement(outcome.statements[0], text, piece.prefix.length, text.text.length, 'routine-body', routine, piece.info, header);
  routine.statements.push(nested);
  result.statements.push(nested);
  expandNested(nested, result, depth + 1);
}

// cron.schedule(name, schedule, command), cron.schedule(schedule, command),
// cron.schedule_in_database(name, schedule, command, database, …), or command => '…'.
function expandCron(statement: SqlStatement, result: NestedResult, depth: number): void {
  if (!statement.matches(CRON)) return;
  walk(statement.body, (visit) => {
    if (visit.type !== 'FuncCall') return;
    const name = functionName(visit.node);
    if (name !== 'cron.schedule' && name !== 'cron.schedule_in_database') return;
    const args: any[] = visit.node.args ?? [];
    const named = args.find((arg) => arg.NamedArgExpr?.name === 'command')?.NamedArgExpr?.arg;
    const positional = name === 'cron.schedule' && args.length === 2 ? args[1] : args[2];
    const command = named ?? positional;
    if (!command?.A_Const?.sval) return;
    const literal = firstStringToken(statement, statement.sourceOffset(command.A_Const.location ?? 0));
    if (!literal || literal.unterminated) return;
    const text = MappedText.unquoted(statement.source, literal.contentStart!, literal.contentEnd!, literal.quoting ?? 'standard');
    const group = parseScript(text, 'cron', statement, undefined, result, true);
    if (group.length) result.scheduled.push(group);
    for (const nested of group) expandNested(nested, result, depth + 1);
  });
}

/** Splits and parses a script nested in a statement; syntax errors are reported when `reportErrors`. */
function parseScript(text: MappedText, origin: StatementOrigin, container: SqlStatement, routine: Routine | undefined, result: NestedResult, reportErrors: boolean): SqlStatement[] {
  const parsed: SqlStatement[] = [];
  for (const span of splitStatements(text.text, { psql: false })) {
    const statementText = MappedText.slice(text, span.start, span.end);
    const outcome = parseSql(statementText.text);
    if (!outcome.ok) {
      if (reportErrors) result.syntaxErrors.push(syntaxProblem(statementText, outcome.message, outcome.cursor));
      continue;
    }
    for (const nested of statementsOf(statementText, outcome.statements, origin, routine, undefined, container)) {
      parsed.push(nested);
      result.statements.push(nested);
    }
  }
  return parsed;
}

function firstStringToken(statement: SqlStatement, sourceOffset: number): Token | undefined {
  const tokens = statement.tokens();
  for (let index = statement.tokenIndexAt(sourceOffset); index < tokens.length; index++) {
    if (tokens[index].kind === 'string') return tokens[index];
  }
  return undefined;
}
