// What the analysis of one document's version leaves for the next version: its SQL statements, reused
// by text, and its TypeScript syntax tree, parsed again only where the text changed. Neither changes
// a result (test/incremental.test.ts checks both against analyses from scratch).

import type * as TS from 'typescript';
import { SqlModelCache } from '../languages/sql/sql-file';

export class DocumentCache {
  readonly sql: SqlModelCache;

  /**
   * reuseStatements false: only the split is kept (a CLI run analyses each text once, and holding its
   * statements by text would only cost memory and hashing).
   */
  constructor(options: { reuseStatements?: boolean } = {}) {
    this.sql = new SqlModelCache(options.reuseStatements ?? true);
  }

  /** The tree of the last analysed version; taken (undefined) while a parse may be changing it. */
  typescript: TS.SourceFile | undefined;
}
