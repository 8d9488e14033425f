// The shape of PL/pgSQL bodies as the rules see them.

import type { SqlStatement } from './statement';

/** A BEGIN … [EXCEPTION …] END block. */
export interface Block {
  /** Lower-cased condition names of its EXCEPTION handlers (unique_violation, others, sqlstate '23505'). */
  handlers: string[];
  parent: Block | undefined;
}

export type BodyStatementKind =
  | 'sql' // a plain SQL statement (SELECT … INTO, INSERT, UPDATE, …)
  | 'perform' // PERFORM expr, parsed as SELECT
  | 'assign' // target := expression, parsed as SELECT expression
  | 'declare' // a DECLARE entry with a default, parsed as SELECT expression
  | 'condition' // IF / ELSIF / WHILE / EXIT WHEN / CASE WHEN condition, parsed as SELECT expression
  | 'return' // RETURN expression, parsed as SELECT expression
  | 'return-query' // RETURN QUERY select
  | 'loop-query' // FOR x IN select … LOOP
  | 'cursor' // OPEN c FOR select, DECLARE c CURSOR FOR select
  | 'execute'; // EXECUTE '<literal>', parsed as the literal's SQL; EXECUTE <expression>, as SELECT expression

export interface BodyStatementInfo {
  kind: BodyStatementKind;
  /** Lower-cased variables written by the statement: INTO targets, the assignment target. */
  targets: string[];
  /** Innermost block whose protected part contains the statement. */
  block: Block | undefined;
  /** Set when the statement sits in an EXCEPTION handler of that block. */
  handlerOf: Block | undefined;
  loopDepth: number;
}

export interface Routine {
  kind: 'function' | 'procedure' | 'do';
  /** Lower-cased qualified name; empty for DO blocks. */
  name: string;
  language: string;
  /** The CREATE FUNCTION/PROCEDURE or DO statement. */
  header: SqlStatement;
  /** Statements of the body in textual order. */
  statements: SqlStatement[];
  /** Lower-cased declared variables and parameters with their lower-cased type text. */
  variables: Map<string, string>;
  returnsTrigger: boolean;
}

/** True when the statement is protected by a handler for any of the given conditions. */
export function caughtBy(info: BodyStatementInfo | undefined, conditions: string[]): boolean {
  for (let block = info?.block; block; block = block.parent) {
    if (block.handlers.some((handler) => conditions.includes(handler))) return true;
  }
  return false;
}
