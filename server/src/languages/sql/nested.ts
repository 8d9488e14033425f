// SQL that lives inside other SQL: PL/pgSQL and SQL-language function bodies, DO blocks, the command
// string of cron.schedule(…), EXECUTE '<literal>' and the format string of EXECUTE format(…) (also
// through a variable: `sql := format(…)` … `EXECUTE sql`). Each is parsed as SQL with offsets that
// map back to the exact characters of the document.

import { MappedText } from '../../core/text/mapped-text';
import { columnName, definitionOptions, functionBaseName, functionName, locationOf, nodeTypeOf, typeName, walk } from './ast';
import { formatStringSql, type PlainDirective } from './format-string';
import type { Token } from './lexer';
import { parseSql, type AstNode, type ParsedStatement } from './parser';
import { splitPlpgsqlBody, type BodyPiece } from './plpgsql';
import type { BodyStatementInfo, Routine } from './plpgsql-model';
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
  const definition = statement.bodyOf('CreateFunctionStmt');
  const options = definitionOptions(kind === 'do' ? statement.bodyOf('DoStmt')?.args : definition?.options);
  const language = String(options.get('language')?.arg?.String?.sval ?? (kind === 'do' ? 'plpgsql' : 'sql')).toLowerCase();
  const routine: Routine = {
    kind: kind === 'do' ? 'do' : definition?.is_procedure ? 'procedure' : 'function',
    name: kind === 'do' ? '' : functionName(definition),
    language,
    header: statement,
    statements: [],
    variables: new Map(),
    returnsTrigger: kind === 'function' && typeName(definition?.returnType).endsWith('trigger'),
  };
  for (const parameter of definition?.parameters ?? []) {
    const name = parameter.FunctionParameter?.name;
    if (name) routine.variables.set(String(name).toLowerCase(), typeName(parameter.FunctionParameter?.argType));
  }
  result.routines.push(routine);

  // SQL-standard bodies (BEGIN ATOMIC … END) arrive already parsed, inside the statement.
  const atomic = definition?.sql_body?.List?.items?.[0]?.List?.items ?? [];
  for (const node of atomic) {
    const nested = new SqlStatement(
      { kind: nodeTypeOf(node) ?? '', node },
      statement.source,
      statement.sourceStart,
      statement.sourceEnd,
      'sql-function-body',
      routine,
      undefined,
      statement,
    );
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
    const executed = executedVariables(split.pieces, body);
    for (const piece of split.pieces) addBodyPiece(piece, body, statement, routine, result, depth, executed);
  } else if (language === 'sql') {
    for (const nested of parseScript(body, 'sql-function-body', statement, routine, result, false)) {
      routine.statements.push(nested);
      expandNested(nested, result, depth + 1);
    }
  }
}

function addBodyPiece(
  piece: BodyPiece,
  body: MappedText,
  header: SqlStatement,
  routine: Routine,
  result: NestedResult,
  depth: number,
  executed: Map<string, BodyStatementInfo>,
): void {
  if (piece.info.kind === 'execute' && !piece.literal) {
    // EXECUTE <expression>: the expression is not a statement of its own; a format(…) call in it is.
    const command = commandExpression(piece, body);
    if (command) expandFormat(command.statement, command.expression, piece.info, header, routine, result, depth);
    return;
  }
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
  // sql := format(…) … EXECUTE sql: the format string runs where the variable is executed.
  const target = piece.info.targets.length === 1 ? piece.info.targets[0] : undefined;
  const runAt = target !== undefined && (piece.info.kind === 'assign' || piece.info.kind === 'declare') ? executed.get(target) : undefined;
  // The piece is `select <expression>`: a SelectStmt.
  if (runAt) expandFormat(nested, nested.bodyOf('SelectStmt')?.targetList?.[0]?.ResTarget?.val, runAt, header, routine, result, depth);
}

/**
 * Variables whose value an EXECUTE runs (`EXECUTE sql USING …`, `RETURN QUERY EXECUTE sql`), each
 * with the details of the first EXECUTE that runs it.
 */
function executedVariables(pieces: BodyPiece[], body: MappedText): Map<string, BodyStatementInfo> {
  const executed = new Map<string, BodyStatementInfo>();
  for (const piece of pieces) {
    if (piece.info.kind !== 'execute' || piece.literal) continue;
    const command = commandExpression(piece, body);
    const name = command?.expression?.ColumnRef?.fields?.length === 1 ? columnName(command.expression.ColumnRef) : undefined;
    if (name && !executed.has(name.toLowerCase())) executed.set(name.toLowerCase(), piece.info);
  }
  return executed;
}

/** The command of EXECUTE <expression>, parsed as "select <expression>". */
function commandExpression(piece: BodyPiece, body: MappedText): { statement: SqlStatement; expression: AstNode | undefined } | undefined {
  const text = MappedText.prefixed(body, piece.prefix, piece.start, piece.end);
  const outcome = parseSql(text.text);
  if (!outcome.ok || outcome.statements.length !== 1 || outcome.statements[0].kind !== 'SelectStmt') return undefined;
  const statement = new SqlStatement(outcome.statements[0], text, piece.prefix.length, text.text.length, 'routine-body');
  const targets = statement.bodyOf('SelectStmt')?.targetList ?? [];
  return targets.length === 1 ? { statement, expression: targets[0].ResTarget?.val } : undefined;
}

/**
 * The statements of format('<sql>', …) when `expression` is that call: its format string, with each
 * directive replaced by text that parses there. %s may stand for a name or for a value; the first
 * reading under which every statement parses is kept, and a string that parses under neither is
 * skipped, never reported (it may be a fragment that other code completes).
 */
function expandFormat(
  container: SqlStatement,
  expression: AstNode | undefined,
  info: BodyStatementInfo,
  header: SqlStatement,
  routine: Routine,
  result: NestedResult,
  depth: number,
): void {
  const call = expression?.FuncCall;
  const formatArgument = call && functionBaseName(call) === 'format' && (call.funcname?.length ?? 0) <= 2 ? call.args?.[0]?.A_Const : undefined;
  if (formatArgument?.sval === undefined) return;
  const offset = container.sourceOffset(formatArgument.location ?? -1);
  const literal = firstStringToken(container, offset);
  if (!literal || literal.unterminated || literal.start !== offset) return;
  const formatString = MappedText.unquoted(container.source, literal.contentStart!, literal.contentEnd!, literal.quoting ?? 'standard');
  const runs: BodyStatementInfo = { ...info, kind: 'execute' };
  for (const plain of ['identifier', 'literal'] as PlainDirective[]) {
    const sql = formatStringSql(formatString, plain);
    if (!sql) return;
    const parsed = parseEach(sql);
    if (!parsed) continue;
    for (const [text, statement] of parsed) {
      const nested = new SqlStatement(statement, text, 0, text.text.length, 'execute', routine, runs, header);
      routine.statements.push(nested);
      result.statements.push(nested);
      expandNested(nested, result, depth + 1);
    }
    return;
  }
}

/** Each statement of a script with its text, or undefined when any of them does not parse. */
function parseEach(script: MappedText): Array<[MappedText, ParsedStatement]> | undefined {
  const parsed: Array<[MappedText, ParsedStatement]> = [];
  for (const span of splitStatements(script.text, { psql: false })) {
    const text = MappedText.slice(script, span.start, span.end);
    const outcome = parseSql(text.text);
    if (!outcome.ok || outcome.statements.length !== 1) return undefined;
    parsed.push([text, outcome.statements[0]]);
  }
  return parsed.length ? parsed : undefined;
}

// cron.schedule(name, schedule, command), cron.schedule(schedule, command),
// cron.schedule_in_database(name, schedule, command, database, …), or command => '…'.
function expandCron(statement: SqlStatement, result: NestedResult, depth: number): void {
  if (!statement.matches(CRON)) return;
  walk(statement.body, (visit) => {
    if (visit.type !== 'FuncCall') return;
    const name = functionName(visit.node);
    if (name !== 'cron.schedule' && name !== 'cron.schedule_in_database') return;
    const args = visit.node.args ?? [];
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
function parseScript(
  text: MappedText,
  origin: StatementOrigin,
  container: SqlStatement,
  routine: Routine | undefined,
  result: NestedResult,
  reportErrors: boolean,
): SqlStatement[] {
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
