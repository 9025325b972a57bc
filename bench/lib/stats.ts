/** Exact percentiles of recorded samples (milliseconds, sub-millisecond resolution). */
export class Samples {
  private values: number[] = [];

  record(value: number): void {
    this.values.push(value);
  }

  get count(): number {
    return this.values.length;
  }

  summary(): LatencySummary {
    const sorted = Float64Array.from(this.values).sort();
    const at = (p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
    const mean = sorted.length === 0 ? NaN : sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
    return { count: sorted.length, mean: round(mean), p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(at(100)) };
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export const round = (value: number, digits = 2): number => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

export function median(values: number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}
