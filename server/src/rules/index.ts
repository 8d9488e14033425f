// The one registry. A rule is added by creating rules/<id>.ts and listing it here.

import type { Rule } from '../core/rule';
import invalidSuppression from './invalid-suppression';
import requireLockOwnerCheck from './require-lock-owner-check';
import requireIdempotencyKey from './require-idempotency-key';
import noSideEffectBeforeCommit from './no-side-effect-before-commit';
import noDualWrite from './no-dual-write';
import requireNetworkTimeout from './require-network-timeout';
import requireRetryBackoff from './require-retry-backoff';
import requireSerializationRetry from './require-serialization-retry';
import noWallClockEventOrder from './no-wall-clock-event-order';
import noReadUncommitted from './no-read-uncommitted';
import noGlobalSerializable from './no-global-serializable';
import requireLockOrder from './require-lock-order';
import noReadModifyWrite from './no-read-modify-write';
import noRepeatableReadWriteSkew from './no-repeatable-read-write-skew';
import noTwoPhaseCommit from './no-two-phase-commit';
import noNotifyEventLog from './no-notify-event-log';
import requireQueueDedup from './require-queue-dedup';
import requireStreamJoinWindow from './require-stream-join-window';
import requireConcurrentRefresh from './require-concurrent-refresh';
import requireAppendOnlyEvents from './require-append-only-events';
import preferSnapshotReplay from './prefer-snapshot-replay';
import noFixedFailureTimeout from './no-fixed-failure-timeout';
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
  noReadUncommitted,
  noGlobalSerializable,
  requireLockOrder,
  noReadModifyWrite,
  noRepeatableReadWriteSkew,
  noTwoPhaseCommit,
  noNotifyEventLog,
  requireQueueDedup,
  requireStreamJoinWindow,
  requireConcurrentRefresh,
  requireAppendOnlyEvents,
  preferSnapshotReplay,
  noFixedFailureTimeout,
  requireLockOwnerCheck,
  requireIdempotencyKey,
  noSideEffectBeforeCommit,
  noDualWrite,
  requireNetworkTimeout,
  requireRetryBackoff,
  requireSerializationRetry,
  noWallClockEventOrder,
  syntaxError,
  invalidSuppression,
  unusedSuppression,
  skippedFile,
];

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return byId.get(id);
}
