/**
 * The stiff gradient bank (issue #16): stiff problems whose loss gradient, taken by
 * `valueAndGrad` through `solveOde`, is compared with references computed independently
 * (scripts/gen-stiff-gradient-bank.py: forward sensitivity equations through scipy's Radau at
 * rtol 1e-12, each entry cross-checked by central differences at rtol 1e-13). A new stiff
 * solver or sensitivity algorithm is checked by running `stiffGradientError` over
 * `STIFF_GRADIENT_BANK`; the package's own test runs the fast cases for every stiff method
 * (Rosenbrock, SDIRK) × the adjoints its family has, against ForwardSensitivity.
 *
 * Problems (Hairer & Wanner, Solving ODEs II, §IV.1 and §IV.10):
 * - Van der Pol in Liénard form, u₁' = u₂, u₂' = μ(1 − u₁²)u₂ − u₁, μ = 1000, u0 = [2, 0]:
 *   relaxation jumps at t ≈ 807, 1614, 2421, save points between them.
 * - Robertson's chemical kinetics, p = [k1, k2, k3] = [0.04, 3e7, 1e4].
 * - HIRES (8 states; its twelve rate constants p1 … p12 in DiffEqProblemLibrary's order).
 * - The Oregonator (Field–Noyes, HW II's OREGO), p = [s, q, w] = [77.27, 8.375e-6, 0.161].
 * Loss L = Σₖ Σᵢ wᵢ·uᵢ(tₖ)², with weights that make every component count.
 */
import {
  add,
  concat,
  div,
  mul,
  neg,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import type { ReturnCode } from "../retcode.js";
import type { TensorOdeRhs } from "../sensitivity/differentiable-rhs.js";
import { AdjointFailedError } from "../sensitivity/errors.js";
import type { SensitivityAlgorithm } from "../sensitivity/sensealg.js";
import { type SolveOdeInfo, solveOde } from "../sensitivity/solve-ode.js";
import type { OdeSolver } from "../stepper.js";
import { STIFF_GRADIENT_CASES, type StiffGradientCase } from "./stiff-gradient-references.js";

export type { StiffGradientCase } from "./stiff-gradient-references.js";

/** A bank case with its tensor right-hand side. */
export interface StiffGradientProblem extends StiffGradientCase {
  rhs: TensorOdeRhs;
  /**
   * abstol = reltol · abstolScale: at most ~1 % of the smallest magnitude a component takes along
   * the solution (where it is not passing through 0), so that every component is controlled
   * relatively (solveOde takes a scalar abstol).
   */
  abstolScale: number;
}

/** Entry i of a vector, as a [1] tensor. */
const at = (x: Tensor, i: number): Tensor => slice(x, i, i + 1);

/** Van der Pol, Liénard form: u₁' = u₂, u₂' = μ(1 − u₁²)u₂ − u₁. */
const vanDerPol: TensorOdeRhs = (u, p) => {
  const x = at(u, 0);
  const y = at(u, 1);
  return concat([y, sub(mul(at(p, 0), mul(sub(1, square(x)), y)), x)]);
};

/** Robertson: y₁' = −k1 y₁ + k3 y₂y₃, y₂' = k1 y₁ − k2 y₂² − k3 y₂y₃, y₃' = k2 y₂². */
const robertson: TensorOdeRhs = (u, p) => {
  const [y1, y2, y3] = [at(u, 0), at(u, 1), at(u, 2)];
  const [k1, k2, k3] = [at(p, 0), at(p, 1), at(p, 2)];
  const a = mul(k1, y1);
  const b = mul(k2, square(y2));
  const c = mul(k3, mul(y2, y3));
  return concat([sub(c, a), sub(sub(a, b), c), b]);
};

/** HIRES (HW II §IV.10), the rate constants p1 … p12 as parameters. */
const hires: TensorOdeRhs = (u, p) => {
  const y = Array.from({ length: 8 }, (_, i) => at(u, i));
  const k = Array.from({ length: 12 }, (_, i) => at(p, i));
  const [p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12] = k;
  const r = mul(p10, mul(y[5], y[7]));
  const s = mul(p12, y[6]);
  return concat([
    add(add(add(neg(mul(p1, y[0])), mul(p2, y[1])), mul(p3, y[2])), p4),
    sub(mul(p1, y[0]), mul(p5, y[1])),
    add(add(neg(mul(p6, y[2])), mul(p2, y[3])), mul(p7, y[4])),
    sub(add(mul(p3, y[1]), mul(p1, y[2])), mul(p8, y[3])),
    add(neg(mul(p9, y[4])), mul(p2, add(y[5], y[6]))),
    add(sub(add(sub(mul(p11, y[3]), r), mul(p1, y[4])), mul(p2, y[5])), mul(p11, y[6])),
    sub(r, s),
    sub(s, r),
  ]);
};

/** Oregonator: y₁' = s(y₂ − y₁y₂ + y₁ − q y₁²), y₂' = (−y₂ − y₁y₂ + y₃)/s, y₃' = w(y₁ − y₃). */
const oregonator: TensorOdeRhs = (u, p) => {
  const [y1, y2, y3] = [at(u, 0), at(u, 1), at(u, 2)];
  const [s, q, w] = [at(p, 0), at(p, 1), at(p, 2)];
  const y1y2 = mul(y1, y2);
  return concat([
    mul(s, sub(add(sub(y2, y1y2), y1), mul(q, square(y1)))),
    div(sub(sub(y3, y2), y1y2), s),
    mul(w, sub(y1, y3)),
  ]);
};

const FAMILIES: Record<StiffGradientCase["family"], { rhs: TensorOdeRhs; abstolScale: number }> = {
  // u₂ ≈ 7e-4 … 1e-3 on the slow branches (up to 1.3e3 inside a jump)
  vanDerPol: { rhs: vanDerPol, abstolScale: 1e-5 },
  // y₂: 3.6e-5 at its peak, 7.3e-8 at t = 1e5
  robertson: { rhs: robertson, abstolScale: 1e-9 },
  // the smallest states at the save points: y₈ = 5.3e-5 at t = 5
  hires: { rhs: hires, abstolScale: 1e-7 },
  // y₂'s minimum is 3e-3 (between the bursts; y₁ peaks at 1.2e5)
  oregonator: { rhs: oregonator, abstolScale: 1e-6 },
};

/** Every case of the bank; `fast` ones run in `pnpm test`, all of them in the measurement. */
export const STIFF_GRADIENT_BANK: readonly StiffGradientProblem[] = STIFF_GRADIENT_CASES.map((c) => ({
  ...c,
  ...FAMILIES[c.family],
}));

/** What one gradient through a bank case gave, against the reference. */
export interface StiffGradientResult {
  problem: string;
  solver: string;
  sensealg: string;
  reltol: number;
  abstol: number;
  /** ‖g − g_ref‖ / ‖g_ref‖ over the u0 and p gradients together (NaN without a gradient). */
  relativeError: number;
  /**
   * Largest per-entry |gⱼ − g_ref,ⱼ| / max(|g_ref,ⱼ|, 1e-6 · the largest reference entry of its
   * kind, u0 or p) — the floor keeps a near-zero entry from dominating, as in the script.
   */
  maxEntryError: number;
  /** |L − L_ref| / |L_ref|: the forward solve's accuracy. */
  lossError: number;
  /** Accepted steps of the forward solve and of the gradient pass (backward, or the sensitivity solve). */
  forwardSteps: number;
  backwardSteps: number;
  /** backwardSteps / forwardSteps. */
  ratio: number;
  /** "Success", or the failed pass's retcode. */
  retcode: ReturnCode;
  /** The failure's message (empty on success). */
  message: string;
  seconds: number;
}

/** The weighted loss of a bank case through solveOde. */
export function stiffGradientLoss(
  problem: StiffGradientProblem,
  solver: OdeSolver,
  sensealg: SensitivityAlgorithm,
  reltol: number,
  abstol: number,
  info?: SolveOdeInfo,
): (u0: Tensor, p: Tensor) => Tensor {
  const W = tensor(problem.saveat.map(() => [...problem.weights]));
  return (u0, p) =>
    sum(
      mul(
        square(
          solveOde(problem.rhs, u0, p, {
            tspan: problem.tspan,
            saveat: problem.saveat,
            solver,
            sensealg,
            reltol,
            abstol,
            info,
          }),
        ),
        W,
      ),
    );
}

/**
 * The gradient of a bank case's loss by `sensealg` through `solver` at (reltol, abstol), and
 * its error against the reference. A failed gradient pass (AdjointFailedError) is reported in
 * `retcode` and `message` with NaN errors, not thrown; other errors propagate.
 */
export function stiffGradientError(
  problem: StiffGradientProblem,
  solver: OdeSolver,
  sensealg: SensitivityAlgorithm,
  reltol: number,
  abstol: number,
): StiffGradientResult {
  const info: SolveOdeInfo = {};
  // The bank measures the method itself: no audit unless the caller asks for one (solveOde
  // audits a stiff solve's first gradient by default, and a mismatch would throw).
  const alg: SensitivityAlgorithm =
    sensealg.kind === "DirectBackprop" ? sensealg : { ...sensealg, verify: sensealg.verify ?? false };
  const f = valueAndGrad(stiffGradientLoss(problem, solver, alg, reltol, abstol, info), [0, 1]);
  const start = performance.now();
  let value = Number.NaN;
  let g: Float64Array | undefined;
  let retcode: ReturnCode = "Success";
  let message = "";
  try {
    const [L, [gu, gp]] = f(tensor([...problem.u0]), tensor([...problem.p]));
    value = L.item();
    g = Float64Array.from([...gu.data, ...gp.data]);
    retcode = info.retcode ?? "Success";
    message = retcode === "Success" ? "" : (info.message ?? "");
  } catch (e) {
    if (!(e instanceof AdjointFailedError)) throw e;
    retcode = e.retcode;
    message = e.message;
  }
  const seconds = (performance.now() - start) / 1000;
  const ref = [...problem.gradU0, ...problem.gradP];
  const n = problem.gradU0.length;
  let relativeError = Number.NaN;
  let maxEntryError = Number.NaN;
  if (g !== undefined) {
    let num = 0;
    let den = 0;
    maxEntryError = 0;
    for (let j = 0; j < ref.length; j++) {
      const d = g[j] - ref[j];
      num += d * d;
      den += ref[j] * ref[j];
      const kind = j < n ? problem.gradU0 : problem.gradP;
      const floor = 1e-6 * Math.max(...kind.map(Math.abs));
      // NaN propagates through Math.max, so a non-finite entry makes the error NaN.
      maxEntryError = Math.max(maxEntryError, Math.abs(d) / Math.max(Math.abs(ref[j]), floor));
    }
    relativeError = Math.sqrt(num / den);
  }
  const forwardSteps = info.forward?.naccept ?? 0;
  const backwardSteps = info.backward?.naccept ?? 0;
  return {
    problem: problem.name,
    solver: solver.name,
    sensealg: sensealg.kind,
    reltol,
    abstol,
    relativeError,
    maxEntryError,
    lossError: Math.abs(value - problem.loss) / Math.abs(problem.loss),
    forwardSteps,
    backwardSteps,
    ratio: backwardSteps / forwardSteps,
    retcode,
    message,
    seconds,
  };
}
