// Summaries of repeated measurements: min, median, max, and nearest-rank percentiles.

export interface Summary {
  runs: number;
  min: number;
  median: number;
  max: number;
  values: number[];
}

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  max: number;
  min: number;
  mean: number;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function summarize(values: number[], digits = 3): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return {
    runs: values.length,
    min: round(sorted[0] ?? NaN, digits),
    median: round(median ?? NaN, digits),
    max: round(sorted[sorted.length - 1] ?? NaN, digits),
    values: values.map((value) => round(value, digits)),
  };
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function distribution(values: number[], digits = 1): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50), digits),
    p95: round(percentile(sorted, 95), digits),
    max: round(sorted[sorted.length - 1] ?? NaN, digits),
    min: round(sorted[0] ?? NaN, digits),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || NaN), digits),
  };
}
