/**
 * `pnpm bench`: runs udekit's benchmark suite and prints a summary table.
 * Sections are added as the packages land (see BENCHMARKS.md once it is generated).
 */
import { matmul, matvec, tsBackend, useBackend } from "@udekit/kernels";
import { timeInterleaved } from "./timing.js";

function randomArray(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

useBackend(tsBackend.name);
const rows: string[] = [];
for (const n of [25, 50, 100, 200, 400]) {
  const A = randomArray(n * n);
  const B = randomArray(n * n);
  const C = new Float64Array(n * n);
  const x = randomArray(n);
  const y = new Float64Array(n);
  const [mv, mm] = timeInterleaved(
    { matvec: () => matvec(n, n, A, x, y, false), matmul: () => matmul(n, n, n, A, B, C, false) },
    { warmup: 20, samples: 15, inner: Math.max(1, Math.round(2e6 / (n * n * n))) },
  );
  rows.push(
    `| ${n} | ${(mv.median * 1e3).toFixed(2)} µs | ${((2 * n * n) / (mv.median * 1e6)).toFixed(2)} | ` +
      `${mm.median.toFixed(3)} ms | ${((2 * n * n * n) / (mm.median * 1e6)).toFixed(2)} |`,
  );
}
process.stdout.write(
  `kernels (backend: ts)\n| n | matvec median | matvec GFLOP/s | matmul median | matmul GFLOP/s |\n|---|---|---|---|---|\n${rows.join("\n")}\n`,
);
