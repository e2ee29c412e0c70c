/** Kernel micro-benchmarks: matvec and matmul GFLOP/s per backend at n = 25…400. */
import { kernels, matmul, matvec, useBackend } from "@udekit/kernels";
import type { BenchSection } from "../report.js";
import { timeInterleaved } from "../timing.js";

function randomArray(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

export function kernelsSuite(): BenchSection {
  const backend = kernels().name;
  const rows: (string | number)[][] = [];
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
    rows.push([
      n,
      mv.median * 1e3,
      (2 * n * n) / (mv.median * 1e6),
      mm.median,
      (2 * n * n * n) / (mm.median * 1e6),
    ]);
  }
  useBackend(backend);
  return {
    title: `Dense kernels (backend: ${backend})`,
    tables: [
      {
        caption: "Median time and GFLOP/s of y = A·x and C = A·B (n×n).",
        columns: ["n", "matvec µs", "matvec GFLOP/s", "matmul ms", "matmul GFLOP/s"],
        rows,
      },
    ],
  };
}
