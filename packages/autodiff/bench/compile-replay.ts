/**
 * Micro-benchmark of compiled-tape replays on the seed problem's right-hand sides (issue 22):
 * the linear model A(P)·u = P·u − (P·1)∘u at n = 100, and the UDE right-hand side (blockwise
 * Dense(4→5, tanh) → Dense(5→4) on u as 25 blocks of 4, plus A(P)·u) with p = [P; net] one flat
 * vector, as apps/ude lays it out. Each is driven the way @udekit/ode's compiled right-hand side
 * drives it: `specialise` on p, then forward, the u-only pullback, the p pullback accumulated in
 * batches of 64 (then flushed), and the weighted (u, p) pullback; plus the plain forward and vjp.
 *
 * Several implementations of @udekit/autodiff (e.g. a copy of the source before a refactor and
 * the current one) are loaded into one process and timed interleaved, A B A B …, so that the
 * machine's noise hits them alike; their medians are then comparable. Not a unit test: speed
 * lives in benchmarks.
 *
 *   pnpm exec tsx --conditions=@udekit/source packages/autodiff/bench/compile-replay.ts \
 *     [--impl before=/path/to/autodiff/src/index.ts] [--impl after=packages/autodiff/src/index.ts] [--samples 201]
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { allocF64From } from "@udekit/kernels";

type Autodiff = typeof import("../src/index.js");
type T = InstanceType<Autodiff["Tensor"]>;

const N = 100;
const BLOCKS = N / 4;
const NET = 5 * 4 + 5 + 4 * 5 + 4;
/** Calls of the accumulating p pullback per flush: what @udekit/ode uses (P_BATCH). */
const BATCH = 64;

function random(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** The right-hand sides, written against one implementation's ops. */
function problems(ad: Autodiff) {
  const { add, matmul, matvec, mul, reshape, slice, sub, sum, tanh, transpose } = ad;
  const connectivity = (u: T, P: T) => sub(matvec(P, u), mul(sum(P, 1), u));
  const linear = (u: T, p: T, _t: T) => connectivity(u, reshape(p, [N, N]));
  const ude = (u: T, p: T, _t: T) => {
    let at = N * N;
    const part = (rows: number, cols: number) => {
      const w = reshape(slice(p, at, at + rows * cols), [rows, cols]);
      at += rows * cols;
      return w;
    };
    const P = reshape(slice(p, 0, N * N), [N, N]);
    const W1 = part(5, 4);
    const b1 = reshape(part(5, 1), [5]);
    const W2 = part(4, 5);
    const b2 = reshape(part(4, 1), [4]);
    const X = reshape(u, [BLOCKS, 4]);
    const H = tanh(add(matmul(X, transpose(W1)), b1));
    const Y = add(matmul(H, transpose(W2)), b2);
    return add(reshape(Y, [N]), connectivity(u, P));
  };
  return { linear: { f: linear, np: N * N }, ude: { f: ude, np: N * N + NET } };
}

interface Case {
  name: string;
  run: () => void;
}

/** The calls @udekit/ode's CompiledRhs makes, on one compiled right-hand side. */
function cases(ad: Autodiff, label: string, f: (u: T, p: T, t: T) => T, np: number): Case[] {
  const u = allocF64From(random(N, 1));
  // Scaled so that P·1 and the net stay O(1).
  const p = allocF64From(random(np, 2).map((v) => v / 10));
  const t = Float64Array.of(0);
  const c = ad.compile(f, ad.tensor(u.slice(), [N]), ad.tensor(p.slice(), [np]), ad.scalar(0));
  const program = c.specialise([false, true, false]);
  const args = [u, p, t];
  program.prepare(args);
  const pullU = program.pullback([true, false, false]);
  const pullP = program.pullback([false, true, false], { accumulate: true, batch: BATCH });
  const pullUPAcc = program.pullback([true, true, false], { accumulate: true, batch: BATCH });
  const lambda = allocF64From(random(N, 3));
  const du = allocF64From(new Float64Array(N));
  const uBar = allocF64From(new Float64Array(N));
  const pBar = allocF64From(new Float64Array(np));
  const weights = [1, 0.25, 0];
  const grads = [uBar, pBar, null];
  const onlyU = [uBar, null, null];
  const onlyP = [null, pBar, null];
  const full = [new Float64Array(N), new Float64Array(np), new Float64Array(1)];
  let k = 0;
  return [
    { name: `${label} compiled forward`, run: () => c.forward(args, du) },
    { name: `${label} compiled vjp (all inputs)`, run: () => c.vjp(args, lambda, full) },
    { name: `${label} specialised forward`, run: () => program.forward(args, du) },
    { name: `${label} pullback u`, run: () => pullU(args, lambda, onlyU) },
    {
      name: `${label} pullback p (accumulate, batch ${BATCH}, flushed)`,
      run: () => {
        pullP(args, lambda, onlyP);
        if (++k % BATCH === 0) pullP.flush(onlyP);
      },
    },
    {
      name: `${label} pullback u, p (weighted, batch ${BATCH}, flushed)`,
      run: () => {
        pullUPAcc(args, lambda, grads, weights);
        if (++k % BATCH === 0) pullUPAcc.flush(grads);
      },
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const impls: [string, string][] = [];
  let samples = 201;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--impl") {
      const [name, path] = argv[++i].split("=");
      impls.push([name, resolve(path)]);
    } else if (argv[i] === "--samples") samples = Number(argv[++i]);
  }
  if (impls.length === 0) impls.push(["current", resolve(import.meta.dirname, "../src/index.ts")]);
  const loaded = await Promise.all(
    impls.map(async ([name, path]) => [name, (await import(pathToFileURL(path).href)) as Autodiff] as const),
  );
  const byImpl = loaded.map(([name, ad]) => {
    const ps = problems(ad);
    return {
      name,
      cases: [...cases(ad, "linear", ps.linear.f, ps.linear.np), ...cases(ad, "ude", ps.ude.f, ps.ude.np)],
    };
  });
  const caseNames = byImpl[0].cases.map((c) => c.name);
  // Calls per sample: short samples (0.05–2 ms at 2–100 µs per call), many of them, so that
  // interleaving spreads the machine's load bursts evenly over the implementations.
  const inner = 20;
  for (const impl of byImpl) for (const c of impl.cases) for (let i = 0; i < 2000; i++) c.run();
  const perCall = byImpl.map(() => caseNames.map(() => [] as number[]));
  for (let s = 0; s < samples; s++) {
    for (let ci = 0; ci < caseNames.length; ci++) {
      // Alternate which implementation goes first, so neither always runs on a warmer cache.
      for (let j = 0; j < byImpl.length; j++) {
        const ii = (j + s) % byImpl.length;
        const run = byImpl[ii].cases[ci].run;
        const t0 = performance.now();
        for (let r = 0; r < inner; r++) run();
        perCall[ii][ci].push(((performance.now() - t0) / inner) * 1e6);
      }
    }
  }
  const header = ["case", ...byImpl.map((b) => `${b.name} median ns`)];
  if (byImpl.length > 1) header.push(`${byImpl.at(-1)?.name} / ${byImpl[0].name}`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  caseNames.forEach((name, ci) => {
    const meds = byImpl.map((_, ii) => median(perCall[ii][ci]));
    const row = [name, ...meds.map((m) => m.toFixed(0))];
    if (meds.length > 1) row.push((meds[meds.length - 1] / meds[0]).toFixed(3));
    console.log(`| ${row.join(" | ")} |`);
  });
  console.log(`\n${samples} samples × ${inner} calls per case and implementation, interleaved.`);
}

await main();
