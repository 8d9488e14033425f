// Every database operation of a document written with a client library, found from the outermost
// calls of known clients, and the transaction callbacks (`sql.begin(tx => …)`,
// `prisma.$transaction(async (tx) => …)`, `db.transaction(…)`) that group queries into one transaction.

import type * as TS from 'typescript';
import { ts } from '../project';
import { isFunctionLike, type ClientKind, type TsModel } from '../ts-file';
import { isOutermostCall, readChain, stringValue, property, unwrapExpression, type Chain } from './chain';
import type { DbOperation } from './operation';
import { drizzleOperation } from './drizzle';
import { knexOperation } from './knex';
import { kyselyOperation } from './kysely';
import { prismaOperation } from './prisma';
import { sequelizeOperation } from './sequelize';
import { supabaseOperation } from './supabase';
import { typeormOperation } from './typeorm';

/** Reads one chain of a client kind into an operation, or says it is not one. */
export type OperationReader = (model: TsModel, chain: Chain) => DbOperation | undefined;

/** The reader of each client library. Libraries are added here, one file each. */
export const OPERATION_READERS: Partial<Record<ClientKind, OperationReader>> = {
  supabase: supabaseOperation,
  prisma: prismaOperation,
  drizzle: drizzleOperation,
  knex: knexOperation,
  kysely: kyselyOperation,
  sequelize: sequelizeOperation,
  typeorm: typeormOperation,
};

export function findDbOperations(model: TsModel): DbOperation[] {
  const operations: DbOperation[] = [];
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      const reader = site.kind && OPERATION_READERS[site.kind];
      if (!reader || !isOutermostCall(site.node)) continue;
      const chain = readChain(site.node);
      const operation = chain && reader(model, chain);
      if (operation) operations.push(operation);
    }
  }
  return operations;
}

export interface TransactionCallback {
  /** The function whose queries run in one transaction. */
  callback: TS.FunctionLikeDeclaration;
  /** The call that opens it. */
  call: TS.CallExpression;
  /** The isolation level the call asks for, in SQL words, when it asks. */
  isolation?: string;
}

const TRANSACTION_METHODS = new Set(['begin', '$transaction', 'transaction', 'tx', 'execute']);
const LEVELS: Array<[RegExp, string]> = [
  [/serializ/i, 'serializable'],
  [/repeatable/i, 'repeatable read'],
  [/read.?committed/i, 'read committed'],
  [/read.?uncommitted/i, 'read uncommitted'],
];

/** Callbacks that run as one transaction, from the client kinds that offer them. */
export function transactionCallbacks(model: TsModel, isClient: (expression: TS.Expression) => boolean): TransactionCallback[] {
  const found: TransactionCallback[] = [];
  for (const scope of model.functions) {
    for (const site of scope.calls) {
      const node = site.node;
      if (!ts.isCallExpression(node) || !TRANSACTION_METHODS.has(site.method) || !ts.isPropertyAccessExpression(node.expression)) continue;
      const callback = node.arguments.find((argument) => isFunctionLike(argument)) as TS.FunctionLikeDeclaration | undefined;
      if (!callback) continue;
      const receiver = node.expression.expression;
      // kysely: db.transaction().setIsolationLevel('serializable').execute(async (trx) => …)
      const chain = site.method === 'execute' ? readChain(node) : undefined;
      if (site.method === 'execute' && !chain?.links.some((link) => link.name === 'transaction')) continue;
      if (!isClient(chain ? chain.root : receiver)) continue;
      found.push({ callback, call: node, isolation: isolationOf(node, chain) });
    }
  }
  return found;
}

function isolationOf(call: TS.CallExpression, chain: Chain | undefined): string | undefined {
  const texts: string[] = [];
  for (const argument of call.arguments) {
    const text = stringValue(argument);
    if (text) texts.push(text);
    const option = property(argument, 'isolationLevel');
    if (option) texts.push(unwrapExpression(option).getText());
  }
  for (const link of chain?.links ?? []) if (link.name === 'setIsolationLevel') texts.push(link.args[0]?.getText() ?? '');
  const joined = texts.join(' ');
  return LEVELS.find(([pattern]) => pattern.test(joined))?.[1];
}
