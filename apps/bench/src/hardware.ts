/**
 * The hardware floor: the machine's measured peak for the dense loops udekit's algorithms are
 * made of, run once at the start of `pnpm bench`. The tuned loops are @udekit/kernels'
 * WebAssembly SIMD matvec and matmul (operands allocated in its memory, so no copies), the
 * fastest implementation of these loops available to JavaScript on this machine; the peak is
 * the best median GFLOP/s over a few sizes. Every suite reports its achieved GFLOP/s (counted
 * flops / median time) next to this figure. Flop counts: matvec 2n², matmul 2n³.
 */
import { allocF64From, freeArray, type KernelBackend, tsBackend, wasmBackend } from "@udekit/kernels";
import type { BenchTable, HardwarePeak } from "./report.js";
import { uniformArray } from "./seed.js";
import { timeInterleaved } from "./timing.js";

export interface HardwareFloor {
  peak: HardwarePeak;
  table: BenchTable;
}

function gflopsOf(
  backend: KernelBackend,
  kind: "matvec" | "matmul",
  n: number,
  samples: number,
): { wasm: number; ts: number } {
  const A = allocF64From(uniformArray(n * n, 11 + n));
  const B = allocF64From(uniformArray(n * n, 12 + n));
  const C = allocF64From(new Float64Array(n * n));
  const x = allocF64From(uniformArray(n, 13 + n));
  const y = allocF64From(new Float64Array(n));
  const flops = kind === "matvec" ? 2 * n * n : 2 * n ** 3;
  // About 1 ms of work per sample at a few GFLOP/s, so the clock resolves it.
  const inner = Math.max(1, Math.round(3e6 / flops));
  const run = (k: KernelBackend) =>
    kind === "matvec" ? () => k.matvec(n, n, A, x, y, false) : () => k.matmul(n, n, n, A, B, C, false);
  const [tuned, plain] = timeInterleaved(
    { tuned: run(backend), ts: run(tsBackend) },
    { warmup: 3 * inner, samples, inner },
  );
  for (const a of [A, B, C, x, y]) freeArray(a);
  return { wasm: flops / (tuned.median * 1e6), ts: flops / (plain.median * 1e6) };
}

export function measureHardwareFloor(quick: boolean): HardwareFloor {
  const backend = wasmBackend ?? tsBackend;
  const samples = quick ? 5 : 21;
  const rows: (string | number)[][] = [];
  const best = { matvec: { g: 0, n: 0 }, matmul: { g: 0, n: 0 } };
  for (const kind of ["matvec", "matmul"] as const) {
    for (const n of kind === "matvec" ? [100, 200, 400] : [100, 200]) {
      const g = gflopsOf(backend, kind, n, samples);
      rows.push([kind, n, g.wasm, g.ts]);
      if (g.wasm > best[kind].g) best[kind] = { g: g.wasm, n };
    }
  }
  return {
    peak: {
      matvecGflops: best.matvec.g,
      matvecN: best.matvec.n,
      matmulGflops: best.matmul.g,
      matmulN: best.matmul.n,
      backend: backend.name,
    },
    table: {
      caption: `Measured peak of the tuned loops (GFLOP/s, median of ${samples} interleaved samples): @udekit/kernels "${backend.name}" backend with operands in its memory, and the plain TypeScript backend for scale.`,
      columns: ["loop", "n", `${backend.name} GFLOP/s`, "ts GFLOP/s"],
      rows,
    },
  };
}
