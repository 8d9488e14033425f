// The fix shared by both clock rules: the wall-clock call becomes now().
// now() stands still for the whole transaction, so where the statement runs again within one
// transaction the change is not neutral:
//   expiry    — in a loop the fix is offered, never applied automatically; in a loop that sleeps and
//               reads the clock again (a poll) there is no fix, since now() would keep the poll from
//               ever seeing a lease or a visibility timeout pass;
//   persisted — rows written in a loop getting one stamp is the point of the rule; rows written
//               between sleeps would all get the time the routine started: offered, not automatic.
// An expiry set or checked inside a function (or an explicit BEGIN … COMMIT) is also offered, not
// applied automatically: a caller's long transaction makes now() older than the moment the statement
// runs, so a lease set from it is shorter, and one checked against it ends later (queue libraries
// chose clock_timestamp() there for that reason). In a statement that commits on its own, now() is
// the statement's start and the change is neutral.

import type { FixProposal } from '../../core/rule';
import type { ClockUse } from './clock';
import { SqlEdits } from './sql-edits';

export function replaceWithNow(use: ClockUse): Array<FixProposal<'replaceWithNow'>> {
  const expiry = use.kind === 'expiry';
  if (expiry && use.repetition === 'poll') return [];
  const range = use.statement.sourceRangeOf({ location: use.call.location });
  const edits = new SqlEdits(use.statement).replace(range.start, range.end, 'now()');
  if (!edits.parses()) return [];
  const inLongerTransaction = !!use.statement.routine || use.statement.transaction?.kind === 'explicit';
  const unsafe = expiry ? use.repetition === 'loop' || inLongerTransaction : use.repetition === 'poll';
  return [{ key: 'replaceWithNow', data: { function: use.function }, edits: edits.toDocumentEdits(), ...(unsafe ? { safe: false } : {}) }];
}
