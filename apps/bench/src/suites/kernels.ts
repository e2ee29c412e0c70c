/**
 * Kernel micro-benchmarks (issue 10): GFLOP/s of matvec, matvecT, matmul, ger, axpy and LU at
 * n = 25…400 for the WebAssembly SIMD backend (operands in its arena: the no-copy path; and
 * ordinary Float64Arrays: the copy path), the TypeScript backend, plain JS loops written here,
 * and ml-matrix where it has the operation. All competitors of one row run interleaved.
 *
 * Flop counts: matvec, matvecT, ger 2n²; matmul 2n³; axpy 2n² (on n² entries, the size of an
 * n×n parameter block); LU (2/3)n³. LU factors a fresh copy of the same matrix on every call
 * (the O(n²) copy is included for every competitor, ml-matrix's LuDecomposition copies too).
 */
import {
  allocF64From,
  allocI32,
  freeArray,
  type KernelBackend,
  tsBackend,
  useBackend,
  wasmBackend,
} from "@udekit/kernels";
import { LuDecomposition, Matrix } from "ml-matrix";
import type { BenchSection, BenchTable } from "../report.js";
import { summarise, timeInterleaved } from "../timing.js";

const SIZES = [25, 50, 100, 200, 400];
const KERNELS = ["matvec", "matvecT", "matmul", "ger", "axpy", "lu"] as const;
/**
 * Each row is measured in PASSES passes over the whole table, SAMPLES interleaved samples (about
 * 1 ms each) per pass, and its median taken over all of them: a burst of outside load (this
 * machine shares its host) then hits one pass's samples of a row, not all of them.
 */
const PASSES = 3;
const SAMPLES = 11;
type Kernel = (typeof KERNELS)[number];
const COMPETITORS = ["wasm (arena)", "wasm (copy)", "ts", "plain JS", "ml-matrix"] as const;

function flops(kernel: Kernel, n: number): number {
  if (kernel === "matmul") return 2 * n ** 3;
  if (kernel === "lu") return (2 / 3) * n ** 3;
  return 2 * n * n;
}

function randomValues(len: number, seed: number): number[] {
  const a: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a.push(s / 2 ** 32 - 0.5);
  }
  return a;
}

// ---- plain JS loops: what a user would write without a kernel library ----

function jsMatvec(n: number, A: Float64Array, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
    y[i] = s;
  }
}

function jsMatvecT(n: number, A: Float64Array, x: Float64Array, y: Float64Array): void {
  y.fill(0);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    for (let j = 0; j < n; j++) y[j] += A[i * n + j] * xi;
  }
}

function jsMatmul(n: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  C.fill(0);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const a = A[i * n + p];
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * n + j];
    }
  }
}

function jsGer(n: number, alpha: number, x: Float64Array, y: Float64Array, A: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const axi = alpha * x[i];
    for (let j = 0; j < n; j++) A[i * n + j] += axi * y[j];
  }
}

function jsAxpy(len: number, alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < len; i++) y[i] += alpha * x[i];
}

function jsLu(n: number, A: Float64Array, piv: Int32Array): void {
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(A[i * n + k]) > Math.abs(A[p * n + k])) p = i;
    piv[k] = p;
    for (let j = 0; j < n; j++) {
      const t = A[k * n + j];
      A[k * n + j] = A[p * n + j];
      A[p * n + j] = t;
    }
    for (let i = k + 1; i < n; i++) {
      const l = A[i * n + k] / A[k * n + k];
      A[i * n + k] = l;
      for (let j = k + 1; j < n; j++) A[i * n + j] -= l * A[k * n + j];
    }
  }
}

// ---- one row of one kernel's table ----

type Thunks = Partial<Record<(typeof COMPETITORS)[number], () => unknown>>;

function competitors(
  kernel: Kernel,
  n: number,
  wasm: KernelBackend,
): { thunks: Thunks; release: () => void } {
  const nn = n * n;
  const vA = randomValues(nn, 1 + n);
  const vB = randomValues(nn, 2 + n);
  const vx = randomValues(n, 3 + n);
  const vy = randomValues(n, 4 + n);
  const plain = (v: number[]) => Float64Array.from(v);
  // Arena operands (allocated once, reused: how tensors and solver caches use them).
  const arena = { A: allocF64From(vA), B: allocF64From(vB), C: allocF64From(vA), x: allocF64From(vx) };
  const ay = allocF64From(vy);
  const ax2 = allocF64From(vB); // axpy's x (n² entries)
  const apiv = allocI32(n);
  const release = () => {
    for (const a of [arena.A, arena.B, arena.C, arena.x, ay, ax2]) freeArray(a);
    freeArray(apiv);
  };
  const A = plain(vA);
  const B = plain(vB);
  const C = plain(vA);
  const x = plain(vx);
  const y = plain(vy);
  const piv = new Int32Array(n);
  const alpha = 1e-3; // small, so repeated updates stay in range
  switch (kernel) {
    case "matvec": {
      const mA = new Matrix([...Array(n)].map((_, i) => vA.slice(i * n, i * n + n)));
      const mx = Matrix.columnVector(vx);
      return {
        release,
        thunks: {
          "wasm (arena)": () => wasm.matvec(n, n, arena.A, arena.x, ay, false),
          "wasm (copy)": () => wasm.matvec(n, n, A, x, y, false),
          ts: () => tsBackend.matvec(n, n, A, x, y, false),
          "plain JS": () => jsMatvec(n, A, x, y),
          "ml-matrix": () => mA.mmul(mx),
        },
      };
    }
    case "matvecT": {
      const mA = new Matrix([...Array(n)].map((_, i) => vA.slice(i * n, i * n + n)));
      const mx = Matrix.rowVector(vx);
      return {
        release,
        thunks: {
          "wasm (arena)": () => wasm.matvecT(n, n, arena.A, arena.x, ay, false),
          "wasm (copy)": () => wasm.matvecT(n, n, A, x, y, false),
          ts: () => tsBackend.matvecT(n, n, A, x, y, false),
          "plain JS": () => jsMatvecT(n, A, x, y),
          "ml-matrix": () => mx.mmul(mA),
        },
      };
    }
    case "matmul": {
      const mA = new Matrix([...Array(n)].map((_, i) => vA.slice(i * n, i * n + n)));
      const mB = new Matrix([...Array(n)].map((_, i) => vB.slice(i * n, i * n + n)));
      return {
        release,
        thunks: {
          "wasm (arena)": () => wasm.matmul(n, n, n, arena.A, arena.B, arena.C, false),
          "wasm (copy)": () => wasm.matmul(n, n, n, A, B, C, false),
          ts: () => tsBackend.matmul(n, n, n, A, B, C, false),
          "plain JS": () => jsMatmul(n, A, B, C),
          "ml-matrix": () => mA.mmul(mB),
        },
      };
    }
    case "ger":
      return {
        release,
        thunks: {
          "wasm (arena)": () => wasm.ger(n, n, alpha, arena.x, ay, arena.C),
          "wasm (copy)": () => wasm.ger(n, n, alpha, x, y, C),
          ts: () => tsBackend.ger(n, n, alpha, x, y, C),
          "plain JS": () => jsGer(n, alpha, x, y, C),
        },
      };
    case "axpy":
      return {
        release,
        thunks: {
          "wasm (arena)": () => wasm.axpy(nn, alpha, ax2, arena.C),
          "wasm (copy)": () => wasm.axpy(nn, alpha, B, C),
          ts: () => tsBackend.axpy(nn, alpha, B, C),
          "plain JS": () => jsAxpy(nn, alpha, B, C),
        },
      };
    case "lu": {
      const mA = new Matrix([...Array(n)].map((_, i) => vA.slice(i * n, i * n + n)));
      const A0 = plain(vA);
      return {
        release,
        thunks: {
          "wasm (arena)": () => {
            arena.C.set(arena.A);
            return wasm.luFactor(n, arena.C, apiv);
          },
          "wasm (copy)": () => {
            C.set(A0);
            return wasm.luFactor(n, C, piv);
          },
          ts: () => {
            C.set(A0);
            return tsBackend.luFactor(n, C, piv);
          },
          "plain JS": () => {
            C.set(A0);
            jsLu(n, C, piv);
          },
          "ml-matrix": () => new LuDecomposition(mA),
        },
      };
    }
  }
}

/**
 * V8 first runs WebAssembly functions in its baseline compiler and optimizes them in a background
 * thread once they are hot; on a busy machine that can take a while. Run every kernel for about
 * 50 ms before anything is timed so all rows measure optimized code.
 */
function warmUp(wasm: KernelBackend): void {
  for (const kernel of KERNELS) {
    const { thunks, release } = competitors(kernel, 100, wasm);
    const run = thunks["wasm (arena)"]!;
    const t0 = performance.now();
    while (performance.now() - t0 < 50) run();
    release();
  }
}

export interface KernelTiming {
  kernel: Kernel;
  n: number;
  competitor: string;
  medianMs: number;
  gflops: number;
}

export function kernelsSuite(): BenchSection {
  const wasm = wasmBackend;
  if (wasm === undefined) {
    return {
      title: "Dense kernels",
      tables: [],
      notes: ["WebAssembly SIMD is not available in this engine: only the TypeScript backend exists."],
    };
  }
  // The suite calls the backend objects directly; restore whatever backend was active.
  const previous = useBackend("wasm");
  warmUp(wasm);
  const data: KernelTiming[] = [];
  const tables: BenchTable[] = [];
  // Samples per kernel, size and competitor, pooled over the passes.
  const pooled = new Map<string, number[]>();
  for (let pass = 0; pass < PASSES; pass++) {
    for (const kernel of KERNELS) {
      for (const n of SIZES) {
        const { thunks, release } = competitors(kernel, n, wasm);
        // About 1 ms of the fastest competitor per sample; warm-up long enough for V8 to tier up.
        const inner = Math.max(1, Math.round(1e7 / flops(kernel, n)));
        const results = timeInterleaved(thunks as Record<string, () => unknown>, {
          warmup: Math.max(5, 2 * inner),
          samples: SAMPLES,
          inner,
        });
        release();
        for (const r of results) {
          const key = `${kernel}|${n}|${r.name}`;
          pooled.set(key, [...(pooled.get(key) ?? []), ...r.perCall]);
        }
      }
    }
  }
  for (const kernel of KERNELS) {
    const rows: (string | number)[][] = [];
    for (const n of SIZES) {
      const f = flops(kernel, n);
      const results = COMPETITORS.flatMap((c) => {
        const samples = pooled.get(`${kernel}|${n}|${c}`);
        return samples === undefined ? [] : [summarise(c, samples)];
      });
      const byName = new Map(results.map((r) => [r.name, r]));
      const gf = (name: string) => {
        const r = byName.get(name);
        return r === undefined ? "—" : f / (r.median * 1e6);
      };
      for (const r of results) {
        data.push({ kernel, n, competitor: r.name, medianMs: r.median, gflops: f / (r.median * 1e6) });
      }
      const wasmArena = byName.get("wasm (arena)")!;
      rows.push([
        n,
        ...COMPETITORS.map(gf),
        wasmArena.median * 1e3,
        byName.get("ts")!.median / wasmArena.median,
      ]);
    }
    tables.push({
      caption: `${kernel}: GFLOP/s (median of ${PASSES} passes × ${SAMPLES} interleaved samples), time per call of wasm (arena), speed-up over ts.`,
      columns: ["n", ...COMPETITORS.map((c) => `${c} GFLOP/s`), "wasm (arena) µs", "× ts"],
      rows,
    });
  }
  useBackend(previous);
  const at = (kernel: Kernel, n: number) =>
    data.find((d) => d.kernel === kernel && d.n === n && d.competitor === "wasm (arena)")!;
  const mmMin = Math.min(...SIZES.filter((n) => n >= 100).map((n) => at("matmul", n).gflops));
  const mv100 = at("matvec", 100).medianMs * 1e3;
  const notes = [
    `matmul target ≥ 20 GFLOP/s at n ≥ 100: ${mmMin >= 20 ? "met" : "MISSED"} (slowest: ${mmMin.toFixed(1)} GFLOP/s).`,
    `100×100 matvec target ≤ 1.5 µs (arena arrays): ${mv100 <= 1.5 ? "met" : "MISSED"} (${mv100.toFixed(2)} µs).`,
    "wasm (copy) passes ordinary Float64Arrays: operands are copied into the wasm memory and results out on every call.",
    "Shared 2-core machine: other processes add noise; compare competitors within a row (they ran interleaved).",
  ];
  return { title: "Dense kernels (issue 10)", tables, notes, data };
}
