// The 1-based line of an offset, as messages name it ("read on line 12"): the count of \n before it,
// plus one. The newline offsets are found once per analysis (context.memo) and searched, so that a
// rule reporting many findings does not scan the text from its start for each.

import type { RuleContext } from '../../core/rule';

export function lineNumberAt(context: RuleContext, offset: number): number {
  const newlines = context.memo('newline offsets', () => newlineOffsets(context.text));
  // The number of newlines before the offset.
  let low = 0;
  let high = newlines.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (newlines[middle] < offset) low = middle + 1;
    else high = middle;
  }
  return low + 1;
}

function newlineOffsets(text: string): number[] {
  const offsets: number[] = [];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) offsets.push(index);
  return offsets;
}
