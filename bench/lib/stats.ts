/** Order statistics of a handful of per-round figures (no interpolation surprises: type 7, as R and numpy). */
export interface Spread {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles. */
  readonly q1: number;
  readonly q3: number;
  readonly values: readonly number[];
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (position - low);
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((value) => Number.isFinite(value));
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    values: finite.map((value) => Math.round(value * 1000) / 1000),
  };
}

/** Per-round ratios a[i] / b[i] (the two figures of one round, measured seconds apart). */
export function ratios(numerators: readonly number[], denominators: readonly number[]): number[] {
  return numerators.map((value, index) => {
    const base = denominators[index];
    return base === undefined || base <= 0 ? Number.NaN : value / base;
  });
}
