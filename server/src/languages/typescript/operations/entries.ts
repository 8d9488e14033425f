// Library calls and transaction callbacks as embedded SQL: each operation becomes the SQL it sends
// (rendered, mapped onto its call chain), and each transaction callback a BEGIN before its first
// query and a COMMIT after its last, so that the queries of `sql.begin(tx => …)` or
// `prisma.$transaction(async (tx) => …)` form one transaction for the SQL rules.

import type * as TS from 'typescript';
import { MappedText } from '../../../core/text/mapped-text';
import type { EmbeddedSql } from '../embedded-sql';
import { POSTGRES_CLIENTS, MULTI_DIALECT_CLIENTS, type TsModel } from '../ts-file';
import { resultNames } from './chain';
import { findDbOperations, transactionCallbacks } from './find';
import { renderOperation } from './render';
import { transactionCallEntries } from './transaction-calls';

export function operationEntries(model: TsModel, document: MappedText): EmbeddedSql[] {
  const source = model.node;
  const entries: EmbeddedSql[] = [];
  for (const operation of findDbOperations(model)) {
    const rendered = renderOperation(operation, source);
    entries.push({
      text: MappedText.rendered(document, rendered.text, rendered.pieces),
      call: operation.call,
      literal: undefined,
      substitutionsAreParameters: true,
      substitutionCount: rendered.parameters.length,
      interpolationCount: 0,
      parameters: undefined,
      // Rendered SQL is Armadilha's own text: it is analysed, never reported as a syntax error.
      certainty: 'likely',
      boundValues: rendered.parameters,
      resultNames: resultNames(operation.call),
      operation,
    });
  }
  const isClient = (expression: TS.Expression): boolean => {
    const kind = model.kindOf(expression);
    if (kind) return POSTGRES_CLIENTS.has(kind) || MULTI_DIALECT_CLIENTS.has(kind);
    // postgres.js by its usual name, as embedded SQL recognises its tag.
    return /^(sql|SQL)$/.test(expression.getText(source));
  };
  // queryRunner.startTransaction() … commitTransaction(), const t = await sequelize.transaction() … t.commit()
  entries.push(...transactionCallEntries(model, document));
  for (const transaction of transactionCallbacks(model, isClient)) {
    const body = transaction.callback.body;
    if (!body) continue;
    const start = body.getStart(source);
    const end = body.getEnd();
    const begin = transaction.isolation ? `BEGIN ISOLATION LEVEL ${transaction.isolation.toUpperCase()} ` : 'BEGIN ';
    for (const [text, at] of [
      [begin, start],
      ['COMMIT ', end],
    ] as const) {
      entries.push({
        text: MappedText.rendered(document, text, [{ textStart: 0, textEnd: text.length, parentStart: at, parentEnd: at }]),
        // The callback itself: its queries are grouped with it, the function they run in.
        call: undefined,
        literal: undefined,
        substitutionsAreParameters: true,
        substitutionCount: 0,
        interpolationCount: 0,
        parameters: undefined,
        certainty: 'likely',
        boundValues: [],
        resultNames: [],
        synthetic: true,
        transactionOf: transaction.callback,
      });
    }
  }
  return entries;
}
