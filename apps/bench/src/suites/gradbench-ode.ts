/**
 * gradbench's `ode` eval (issue 17; after cmpad's "an ODE"): y₀' = x₀, yᵢ' = xᵢ·yᵢ₋₁, y(0) = 0,
 * the classical RK4 with s fixed steps on [0, 2]; the output is the last state y_{n−1}(2) and the
 * gradient is with respect to all n inputs x (uniform on [0, 1)). Written with the public API as a
 * user would: a tensor right-hand side from slice/mul/concat and `solveOde` with `RK4()`, `dt` and
 * `adaptive: false`. Measured: the forward (`solveOde`, a plain evaluation), the gradient by
 * DiscreteAdjoint and by DirectBackprop, and `solve` with an in-place right-hand side (the
 * forward's floor). Reference: torch autograd through the same RK4 loop, float64, one thread,
 * recorded on this machine by apps/bench/scripts/gradbench-ode-torch.py (references/).
 * Correctness: DiscreteAdjoint against DirectBackprop (the same discrete derivative on the
 * generic tape) where that fits; both are tested against each other to 1e-12 in @udekit/ode.
 */
import { readFileSync } from "node:fs";
import { concat, mul, reshape, slice, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { clearBufferPool } from "@udekit/kernels";
import {
  DirectBackprop,
  DiscreteAdjoint,
  ODEProblem,
  RK4,
  type SolveOdeInfo,
  solve,
  solveOde,
} from "@udekit/ode";
import { exposedGc } from "../memory.js";
import type { BenchContext, BenchSection, TargetResult } from "../report.js";
import { timeInterleaved } from "../timing.js";

interface TorchRow {
  n: number;
  s: number;
  forward_ms: number;
  gradient_ms: number;
  gradient_first: number[];
  gradient_last: number[];
  output: number;
}
interface TorchReference {
  torch: string;
  date: string;
  rows: TorchRow[];
}

const reference = JSON.parse(
  readFileSync(new URL("../../references/gradbench-ode-torch.json", import.meta.url), "utf8"),
) as TorchReference;

const rhs = (y: Tensor, x: Tensor) => {
  const n = y.size;
  return concat([slice(x, 0, 1), mul(slice(x, 1, n), slice(y, 0, n - 1))]);
};

/** x uniform on [0, 1) from a fixed LCG (the values differ from torch's; timing does not depend on them). */
function inputs(n: number): Float64Array {
  let state = 12345;
  return Float64Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  });
}

/** Warm-up per competitor: this long, or this many calls, whichever comes first. */
const WARMUP_MS = 250;
const WARMUP_CALLS = 2000;

function warmUp(f: () => unknown): void {
  const t0 = performance.now();
  for (let i = 0; i < WARMUP_CALLS && performance.now() - t0 < WARMUP_MS; i++) f();
}

export async function gradbenchOdeSuite(ctx: BenchContext): Promise<BenchSection> {
  const rows: (string | number)[][] = [];
  const data: unknown[] = [];
  const targets: TargetResult[] = [];
  const sizes = ctx.quick ? reference.rows.filter((r) => r.n * r.s <= 1e5) : reference.rows;
  let allGradient = true;
  let allForward = true;
  for (const ref of sizes) {
    const { n, s } = ref;
    // Each row from a clean heap and an empty buffer pool: the rows before it leave garbage by
    // the hundred megabytes (DirectBackprop's tapes) and pooled arrays of other sizes, which made
    // the n = 10⁵, s = 100 gradient 2.2× slower at the end of the suite than alone.
    exposedGc()();
    clearBufferPool();
    const x = tensor(inputs(n));
    const y0 = tensor(new Float64Array(n));
    const options = { tspan: [0, 2] as const, saveat: [2], solver: RK4(), dt: 2 / s, adaptive: false };
    const last = (alg: ReturnType<typeof DiscreteAdjoint>, info?: SolveOdeInfo) => (xx: Tensor) =>
      slice(reshape(solveOde(rhs, y0, xx, { ...options, sensealg: alg, info }), [n]), n - 1, n);
    // DiscreteAdjoint's default memory rule: every step stored within its budget, else
    // checkpoints (the walk then recomputes the steps: backward right-hand-side evaluations).
    const daInfo: SolveOdeInfo = {};
    const daGrad = valueAndGrad(last(DiscreteAdjoint(), daInfo));
    const dbGrad = valueAndGrad(last(DirectBackprop()));
    const xs = x.data;
    const inPlace = new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, _t: number) => {
        du[0] = xs[0];
        for (let i = 1; i < n; i++) du[i] = xs[i] * u[i - 1];
      },
      new Float64Array(n),
      [0, 2],
      new Float64Array(0),
    );
    const gDa = daGrad(x)[1];
    const recomputed = daInfo.backward?.rhsEvals ?? 0;
    const daMemory =
      recomputed > 0 ? `checkpoints (${recomputed} evaluations recomputed)` : "every step stored";
    const gDb = n * s <= 1e6 ? dbGrad(x)[1] : undefined;
    let agreement = Number.NaN;
    if (gDb !== undefined) {
      agreement = 0;
      for (let i = 0; i < n; i++) {
        agreement = Math.max(
          agreement,
          Math.abs(gDa.data[i] - gDb.data[i]) / Math.max(1e-300, Math.abs(gDb.data[i])),
        );
      }
    }
    const competitors: Record<string, () => unknown> = {
      "solve (in-place)": () => solve(inPlace, RK4(), { dt: 2 / s, adaptive: false, saveat: [2] }),
      "solveOde forward": () => solveOde(rhs, y0, x, options),
      "DiscreteAdjoint gradient": () => daGrad(x),
    };
    const big = n * s >= 1e6;
    // JIT warm-up to the steady state a training loop sees (torch's reference runs compiled
    // kernels): each call repeated for WARMUP_MS (at most WARMUP_CALLS calls) before the
    // interleaved samples. Ten calls were not enough: in the run of 2026-12-05 18:03 the n = 1 000,
    // s = 1 row measured 1.33 ms per gradient after ten, 0.28 ms after a few hundred.
    if (!ctx.quick && !big) for (const f of Object.values(competitors)) warmUp(f);
    // Big rows: two warm-up rounds, since the first call of each is cold (n = 10⁵, s = 100: the
    // first gradient 745 ms, the next ones 380–430 ms).
    const protocol = { warmup: ctx.quick ? 1 : big ? 2 : 3, samples: ctx.quick ? 3 : big ? 5 : 15 };
    const timings = timeInterleaved(competitors, protocol);
    // DirectBackprop builds a tape of every op (garbage by the megabyte): timed on its own, like
    // torch's reference, which interleaves only its forward and its gradient.
    if (gDb !== undefined && n * s <= 1e5) {
      if (!ctx.quick) warmUp(() => dbGrad(x));
      timings.push(...timeInterleaved({ "DirectBackprop gradient": () => dbGrad(x) }, protocol));
    }
    const ms = Object.fromEntries(timings.map((t) => [t.name, t.median]));
    const fwdRatio = ms["solveOde forward"] / ms["solve (in-place)"];
    const gradVsTorch = ms["DiscreteAdjoint gradient"] / ref.gradient_ms;
    allGradient &&= gradVsTorch <= 1;
    allForward &&= fwdRatio <= 1.5;
    rows.push([
      n,
      s,
      ms["solve (in-place)"],
      ms["solveOde forward"],
      fwdRatio,
      ms["DiscreteAdjoint gradient"],
      ms["DirectBackprop gradient"] ?? "—",
      ref.forward_ms,
      ref.gradient_ms,
      gradVsTorch,
      Number.isNaN(agreement) ? "—" : agreement,
      daMemory,
    ]);
    data.push({
      n,
      s,
      ms,
      torch: ref,
      agreementWithDirectBackprop: agreement,
      discreteAdjointMemory: daMemory,
    });
  }
  targets.push(
    {
      issue: 17,
      target: "gradbench ode: DiscreteAdjoint gradient ≤ torch's time at every (n, s) (same machine)",
      measured: rows.map((r) => `${r[0]}/${r[1]}: ${(r[9] as number).toFixed(2)}×`).join(", "),
      met: ctx.quick ? undefined : allGradient,
    },
    {
      issue: 17,
      target: "gradbench ode: solveOde forward ≤ 1.5× solve with an in-place right-hand side",
      measured: rows.map((r) => `${r[0]}/${r[1]}: ${(r[4] as number).toFixed(2)}×`).join(", "),
      met: ctx.quick ? undefined : allForward,
    },
  );
  return {
    title: "gradbench ode eval: udekit against torch autograd (recorded reference)",
    tables: [
      {
        caption: `gradbench's \`ode\` eval (RK4, s fixed steps on [0, 2], gradient of y_{n−1}(2) with respect to all n inputs): median ms of interleaved samples (in-place solve, solveOde forward and DiscreteAdjoint interleaved, each first warmed up for ${WARMUP_MS} ms or ${WARMUP_CALLS} calls, whichever ends first, to the steady state of a training loop — one call for n·s ≥ 10⁶; DirectBackprop timed on its own, since its tapes make garbage by the megabyte). torch ${reference.torch} autograd, float64, one thread, recorded ${reference.date} on this machine by apps/bench/scripts/gradbench-ode-torch.py. "max rel. diff" compares DiscreteAdjoint with DirectBackprop (the same discrete derivative on the generic tape; — where DirectBackprop's tape would not fit). "DiscreteAdjoint memory": its default rule stores every step's states and stages while they fit 224 MiB (7/8 of the buffer pool), else keeps checkpoints and recomputes the steps between them.`,
        columns: [
          "n",
          "s",
          "solve in-place ms",
          "solveOde forward ms",
          "forward / in-place",
          "DiscreteAdjoint ms",
          "DirectBackprop ms",
          "torch forward ms",
          "torch gradient ms",
          "DiscreteAdjoint / torch",
          "max rel. diff",
          "DiscreteAdjoint memory",
        ],
        rows,
      },
    ],
    targets,
    data,
  };
}
