/**
 * @udekit/nn benchmark (issue 6): the seed problem's blockwise net — one Dense(4 => 5) →
 * Dense(5 => 4) applied to the 25 blocks of 4 entries of u ∈ ℝ¹⁰⁰ as a 25×4 batch — with its 49
 * parameters as one flat vector p, traced once into a compiled tape (`compile` from
 * @udekit/autodiff) and replayed: forward, and forward + VJP (cotangents for u and p).
 * The eager tape (vjp, which records and allocates on every call) runs interleaved for scale.
 *
 * Allocation after warm-up: heap growth over 1e4 calls (process.memoryUsage().heapUsed, no
 * forced GC in between) and the number of garbage collections observed during those calls
 * (PerformanceObserver, entryTypes ["gc"]). Zero collections and a growth of a few hundred
 * bytes at most (the measurement's own noise) mean the replay allocates nothing. Zero GCs alone
 * prove little: 1e4 calls × a few hundred bytes stay inside V8's young generation.
 * Both kernel backends are measured ("ts", and "wasm" when registered); the previous backend is
 * restored afterwards.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { compile, reshape, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { kernels, useBackend } from "@udekit/kernels";
import { apply, Chain, Dense, flatten, rng, setup } from "@udekit/nn";
import type { BenchSection, BenchTable } from "../report.js";
import { timeInterleaved } from "../timing.js";

const CALLS = 10_000;

interface Allocation {
  heapGrowthBytes: number;
  bytesPerCall: number;
  gcCount: number;
}

/** Heap growth and GC count over `calls` calls of f, after a warm-up. */
async function measureAllocation(f: () => unknown, calls = CALLS): Promise<Allocation> {
  for (let i = 0; i < 2000; i++) f();
  let gcCount = 0;
  const observer = new PerformanceObserver((list) => {
    gcCount += list.getEntries().length;
  });
  // Let pending GC entries from the warm-up drain before observing.
  await new Promise((r) => setTimeout(r, 50));
  observer.observe({ entryTypes: ["gc"] });
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i++) f();
  const after = process.memoryUsage().heapUsed;
  // GC entries are delivered asynchronously: give them time to arrive before disconnecting.
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  const growth = after - before;
  return { heapGrowthBytes: growth, bytesPerCall: growth / calls, gcCount };
}

export async function nnSuite(): Promise<BenchSection> {
  const rows: (string | number)[][] = [];
  const data: Record<string, unknown> = {};
  const notes: string[] = [];
  const previous = kernels().name;
  const backends: ("ts" | "wasm")[] = [];
  for (const name of ["ts", "wasm"] as const) {
    try {
      useBackend(name);
      backends.push(name);
    } catch {
      // not registered in this build: skip it
    }
  }
  for (const backend of backends) {
    useBackend(backend);
    for (const activation of ["identity", "tanh"] as const) {
      await measureNet(backend, activation, rows, data, notes);
    }
  }
  useBackend(previous);
  const table: BenchTable = {
    caption:
      `Blockwise net Dense(4 => 5, σ) → Dense(5 => 4) on a 25×4 batch (49 parameters as one flat vector), ` +
      `ns per call (median, min, max over 15 samples of 2000 calls) and allocation over ${CALLS} calls after warm-up.`,
    columns: ["kernels", "σ", "call", "median ns", "min ns", "max ns", "heap growth (B)", "B/call", "GCs"],
    rows,
  };
  return { title: "@udekit/nn: blockwise net through a compiled tape", tables: [table], notes, data };
}

async function measureNet(
  backend: string,
  activation: "identity" | "tanh",
  rows: (string | number)[][],
  data: Record<string, unknown>,
  notes: string[],
): Promise<void> {
  const model = Chain(Dense(4, 5, { activation }), Dense(5, 4));
  const { ps, st } = setup(rng(0), model);
  const { vector, unflatten } = flatten(ps);
  const net = (u: Tensor, p: Tensor) =>
    reshape(apply(model, reshape(u, [25, 4]), unflatten(p), st)[0], [100]);
  const u = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i + 1));
  const p = vector;
  const compiled = compile(net, tensor(u), tensor(p));
  const inputs = [u, p];
  const out = new Float64Array(100);
  const ct = Float64Array.from({ length: 100 }, (_, i) => Math.cos(i));
  const grads = [new Float64Array(100), new Float64Array(p.length)];
  const uT = tensor(u);
  const pT = tensor(p);

  const competitors = {
    "compiled forward": () => compiled.forward(inputs, out),
    "compiled forward + VJP": () => compiled.vjp(inputs, ct, grads),
    "eager forward + VJP (tape)": () => {
      const [, pullback] = vjp(net, uT, pT);
      return pullback(ct);
    },
  };
  const timings = timeInterleaved(competitors, { warmup: 2000, samples: 15, inner: 2000 });
  const alloc: Record<string, Allocation> = {};
  for (const [name, f] of Object.entries(competitors)) alloc[name] = await measureAllocation(f);
  for (const t of timings) {
    const a = alloc[t.name];
    rows.push([
      backend,
      activation,
      t.name,
      t.median * 1e6,
      t.min * 1e6,
      t.max * 1e6,
      a.heapGrowthBytes,
      a.bytesPerCall,
      a.gcCount,
    ]);
  }
  data[`${backend}/${activation}`] = { timings, allocation: alloc };
  const fwd = alloc["compiled forward"];
  const both = alloc["compiled forward + VJP"];
  const free = fwd.gcCount === 0 && both.gcCount === 0 && fwd.bytesPerCall < 1 && both.bytesPerCall < 1;
  notes.push(
    `${backend} kernels, ${activation}: compiled forward and forward + VJP are ${free ? "allocation-free" : "NOT allocation-free"} after ` +
      `warm-up (${fwd.gcCount} and ${both.gcCount} GCs, ${fwd.bytesPerCall.toFixed(2)} and ` +
      `${both.bytesPerCall.toFixed(2)} bytes of heap growth per call over ${CALLS} calls); the eager tape ran ` +
      `${alloc["eager forward + VJP (tape)"].gcCount} GCs over the same count. Compiled forward + VJP is ` +
      `${(timings[2].median / timings[1].median).toFixed(1)}× faster than the eager tape.`,
  );
}
