/**
 * The timing protocol every udekit benchmark uses: warm up, then time repeated runs and
 * report median, min and max. Competitors are measured interleaved (A B A B …) in one
 * process so that machine noise hits them alike and their ratio is meaningful.
 */

export interface Timing {
  name: string;
  /** Milliseconds per call. */
  median: number;
  min: number;
  max: number;
  samples: number;
  /** Every sample's milliseconds per call, in the order taken (to pool samples of several passes). */
  perCall: number[];
}

export interface TimingOptions {
  /** Calls before timing starts (JIT warm-up). */
  warmup?: number;
  /** Timed samples per competitor. */
  samples?: number;
  /** Calls per sample; raise for sub-microsecond functions so the clock resolves them. */
  inner?: number;
}

export function summarise(name: string, perCallMs: number[]): Timing {
  const s = [...perCallMs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { name, median, min: s[0], max: s[s.length - 1], samples: s.length, perCall: [...perCallMs] };
}

/** Times the competitors interleaved; returns one Timing per competitor, in the given order. */
export function timeInterleaved(
  competitors: Record<string, () => unknown>,
  { warmup = 5, samples = 15, inner = 1 }: TimingOptions = {},
): Timing[] {
  const names = Object.keys(competitors);
  for (const name of names) for (let i = 0; i < warmup; i++) competitors[name]();
  const perCall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let s = 0; s < samples; s++) {
    for (const name of names) {
      const f = competitors[name];
      const t0 = performance.now();
      for (let i = 0; i < inner; i++) f();
      perCall[name].push((performance.now() - t0) / inner);
    }
  }
  return names.map((n) => summarise(n, perCall[n]));
}
