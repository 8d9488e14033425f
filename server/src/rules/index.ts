// The one registry. A rule is added by creating rules/<id>.ts and listing it here.

import type { Rule } from '../rule';
import invalidSuppression from './invalid-suppression';
import noClockTimestampExpiry from './no-clock-timestamp-expiry';
import noClockTimestampPersisted from './no-clock-timestamp-persisted';
import requireFencingToken from './require-fencing-token';
import requireOnConflict from './require-on-conflict';
import skippedFile from './skipped-file';
import syntaxError from './syntax-error';
import unusedSuppression from './unused-suppression';

export const RULES: readonly Rule[] = [
  noClockTimestampExpiry,
  noClockTimestampPersisted,
  requireFencingToken,
  requireOnConflict,
  syntaxError,
  invalidSuppression,
  unusedSuppression,
  skippedFile,
];

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
