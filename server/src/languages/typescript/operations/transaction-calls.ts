// Transactions opened and closed by calls rather than by a callback: TypeORM's query runner
// (`queryRunner.startTransaction('SERIALIZABLE')` … `commitTransaction()` / `rollbackTransaction()`)
// and Sequelize's unmanaged transactions (`const t = await sequelize.transaction({ isolationLevel })`
// … `t.commit()` / `t.rollback()`). Each call becomes the BEGIN, COMMIT or ROLLBACK it sends, so that
// the queries between them form one transaction for the SQL rules, at the isolation level asked for.

import type * as TS from 'typescript';
import { MappedText } from '../../../core/text/mapped-text';
import type { EmbeddedSql } from '../embedded-sql';
import { ts } from '../project';
import { isFunctionLike, type TsModel } from '../ts-file';
import { property, stringValue, unwrapExpression } from './chain';

export function transactionCallEntries(model: TsModel, document: MappedText): EmbeddedSql[] {
  const source = model.node;
  const entries: EmbeddedSql[] = [];
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      const node = site.node;
      if ((site.kind !== 'typeorm' && site.kind !== 'sequelize') || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) continue;
      const text = controlText(site.kind, site.method, node);
      if (!text) continue;
      entries.push({
        text: MappedText.rendered(document, text, [{ textStart: 0, textEnd: text.length, parentStart: node.getStart(source), parentEnd: node.getEnd() }]),
        call: node,
        literal: undefined,
        substitutionsAreParameters: true,
        substitutionCount: 0,
        interpolationCount: 0,
        parameters: undefined,
        certainty: 'likely',
        boundValues: [],
        resultNames: [],
        // Armadilha's text: the level the call asks for is read from the call itself where a rule needs it.
        synthetic: true,
      });
    }
  }
  return entries;
}

function controlText(kind: 'typeorm' | 'sequelize', method: string, call: TS.CallExpression): string | undefined {
  if (kind === 'typeorm') {
    if (method === 'startTransaction') return begin(stringValue(call.arguments[0]));
    if (method === 'commitTransaction') return 'COMMIT ';
    return method === 'rollbackTransaction' ? 'ROLLBACK ' : undefined;
  }
  // sequelize.transaction(options?) without a callback returns the transaction: BEGIN; t.commit(), t.rollback().
  if (method === 'transaction' && !call.arguments.some((argument) => isFunctionLike(unwrapExpression(argument)))) {
    const level = property(call.arguments[0], 'isolationLevel');
    return begin(level && unwrapExpression(level).getText());
  }
  if ((method === 'commit' || method === 'rollback') && call.arguments.length === 0) return method === 'commit' ? 'COMMIT ' : 'ROLLBACK ';
  return undefined;
}

function begin(level: string | undefined): string {
  const isolation = level && LEVELS.find(([pattern]) => pattern.test(level))?.[1];
  return isolation ? `BEGIN ISOLATION LEVEL ${isolation} ` : 'BEGIN ';
}

const LEVELS: Array<[RegExp, string]> = [
  [/serializ/i, 'SERIALIZABLE'],
  [/repeatable/i, 'REPEATABLE READ'],
  [/read.?committed/i, 'READ COMMITTED'],
  [/read.?uncommitted/i, 'READ UNCOMMITTED'],
];
