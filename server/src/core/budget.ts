// A work budget per analysed document. An editor must never freeze on one file: when the analysis of
// a document runs past its budget, the remaining work stops and the file gets a `skipped-file`
// finding instead. The core checks the clock between rules; rules and the helpers they use count
// their work (a call site examined, a scope searched, a node visited) through spendWork(), which
// checks the clock every few thousand units and throws BudgetExceeded when the time is up.
//
// The count is also how tests prove that the analysis is linear: the work units of a file of N
// lines and of one of 4N lines are compared, which wall-clock time on a shared machine cannot do.

/** Default time a document's rules may take, in milliseconds. */
export const DEFAULT_BUDGET_MS = 5000;

/** Thrown when a document's analysis has used up its budget; lint() ends the analysis on it. */
export class BudgetExceeded extends Error {
  constructor(readonly elapsedMs: number) {
    super(`analysis budget exceeded after ${Math.round(elapsedMs)} ms`);
  }
}

// How many units may pass between two looks at the clock (performance.now() costs ~50 ns; a unit is
// a few hundred nanoseconds of work at most).
const CHECK_EVERY = 2048;

export class WorkBudget {
  private readonly started = performance.now();
  private sinceCheck = 0;
  /** Values helpers keep for the length of one document's analysis (see documentMemo). */
  readonly memo = new Map<string, unknown>();

  constructor(private readonly limitMs: number) {}

  /** Counts work; throws BudgetExceeded when the budget has run out. */
  spend(units = 1): void {
    counted += units;
    this.sinceCheck += units;
    if (this.sinceCheck < CHECK_EVERY) return;
    this.sinceCheck = 0;
    this.check();
  }

  /** Throws BudgetExceeded when the budget has run out. */
  check(): void {
    const elapsed = this.elapsedMs();
    if (elapsed >= this.limitMs) throw new BudgetExceeded(elapsed);
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }
}

let counted = 0;
let active: WorkBudget | undefined;

/**
 * Runs `body` with `budget` charged by spendWork(). Analyses do not nest (lint() is synchronous and
 * rules never call it), so one active budget at a time is enough.
 */
export function withBudget<T>(budget: WorkBudget, body: () => T): T {
  const outer = active;
  active = budget;
  try {
    return body();
  } finally {
    active = outer;
  }
}

/**
 * A value kept for the rest of the current document's analysis, for helpers that have no RuleContext
 * at hand (caches of declaration lookups); undefined outside an analysis, where nothing is kept.
 */
export function documentMemo<T>(key: string, create: () => T): T | undefined {
  if (!active) return undefined;
  if (!active.memo.has(key)) active.memo.set(key, create());
  return active.memo.get(key) as T;
}

/** Counts work done by a helper that has no RuleContext at hand (declaration lookups, tree descents). */
export function spendWork(units = 1): void {
  if (active) active.spend(units);
  else counted += units;
}

/** Work units counted since the process started (tests compare the difference across two analyses). */
export function workCounted(): number {
  return counted;
}
