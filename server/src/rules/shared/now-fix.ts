// The fix shared by both clock rules: the wall-clock call becomes now().

import type { FixProposal } from '../../rule';
import type { ClockUse } from './clock';
import { SqlEdits } from './sql-edits';

export function replaceWithNow(use: ClockUse): FixProposal[] {
  const range = use.statement.sourceRangeOf({ location: use.call.location });
  const edits = new SqlEdits(use.statement).replace(range.start, range.end, 'now()');
  return edits.parses() ? [{ key: 'replaceWithNow', data: { function: use.function }, edits: edits.toDocumentEdits() }] : [];
}
