/**
 * Prints fastTanh's and Math.tanh's distance in ulp from the correctly rounded tanh on the mpmath
 * reference points (test/fixtures/tanh-reference.json), the numbers README.md and src/tanh.ts
 * quote. Run from packages/kernels: node --import tsx scripts/tanh-accuracy.ts
 */
import { readFileSync } from "node:fs";
import { fastTanh } from "../src/tanh.js";
import { ulps } from "../test/ulps.js";

const ref = JSON.parse(
  readFileSync(new URL("../test/fixtures/tanh-reference.json", import.meta.url), "utf8"),
) as { x: string[]; tanh: string[] };
for (const [name, f] of [
  ["fastTanh", fastTanh],
  ["Math.tanh", Math.tanh],
] as const) {
  const histogram = new Map<number, number>();
  ref.x.forEach((s, i) => {
    const d = ulps(f(Number(s)), Number(ref.tanh[i]));
    histogram.set(d, (histogram.get(d) ?? 0) + 1);
  });
  const exact = histogram.get(0) ?? 0;
  const worst = Math.max(...histogram.keys());
  console.log(
    `${name}: ${ref.x.length} points, ${((100 * exact) / ref.x.length).toFixed(1)} % correctly rounded, at most ${worst} ulp off ` +
      `(${[...histogram]
        .sort((a, b) => a[0] - b[0])
        .map(([d, c]) => `${d} ulp: ${c}`)
        .join(", ")})`,
  );
}
