/**
 * The stiff gradient bank (issue 16; `@udekit/ode/conformance`): every case (Van der Pol
 * μ = 10³ across relaxation jumps, Robertson, HIRES, the Oregonator; the long ones too) × every
 * stiff solver × DiscreteAdjoint / InterpolatingAdjoint / ForwardSensitivity × reltol 1e-6
 * and 1e-8: the gradient's error against the scipy reference, the backward/forward step ratio
 * and the time. QuadratureAdjoint is not a separate row: after a stiff solve it takes the
 * same route as InterpolatingAdjoint (λ by the stiff method, p̄ by Gauss–Legendre), bit for bit.
 * TRBDF2 (SDIRK) has no discrete adjoint; its default is InterpolatingAdjoint.
 *
 * Also measured: the adjoints at a tenfold tighter tolerance against ForwardSensitivity at
 * the stated one (the two at comparable work: ForwardSensitivity's error control covers the
 * sensitivities and takes 1.4–3.8× the forward steps, DiscreteAdjoint walks the forward grid);
 * the gradient audit's cost (`verify: true`); and the seed model's Rosenbrock gradients against
 * the exact (expm) gradient. Times are single runs (a gradient here takes 10 ms to 30 s).
 */
import { tensor, valueAndGrad } from "@udekit/autodiff";
import {
  DiscreteAdjoint,
  ForwardSensitivity,
  GradientMismatchError,
  InterpolatingAdjoint,
  Rodas4,
  Rodas5P,
  Rosenbrock23,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
  solveOde,
  TRBDF2,
} from "@udekit/ode";
import {
  STIFF_GRADIENT_BANK,
  type StiffGradientProblem,
  type StiffGradientResult,
  stiffGradientError,
  stiffGradientLoss,
} from "@udekit/ode/conformance";
import type { BenchContext, BenchSection, TargetResult } from "../report.js";
import {
  linearProblem,
  linearReference,
  linearRhs,
  relativeError,
  sumSquares,
  TIMES,
  TSPAN,
} from "../seed.js";

const SOLVERS = [Rosenbrock23(), Rodas4(), Rodas5P(), TRBDF2()];
const TOLERANCES = [1e-6, 1e-8];
/** The adjoints a solver's family has (SDIRK has no discrete adjoint: solveOde refuses it). */
const adjointsFor = (solver: (typeof SOLVERS)[number]): SensitivityAlgorithm[] =>
  solver.family === "sdirk" ? [InterpolatingAdjoint()] : [DiscreteAdjoint(), InterpolatingAdjoint()];

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** The gradient through a bank case with the audit on: ms, and whether the audit passed. */
function auditedGradient(problem: StiffGradientProblem, reltol: number): { ms: number; outcome: string } {
  const loss = stiffGradientLoss(
    problem,
    Rodas5P(),
    DiscreteAdjoint({ verify: true }),
    reltol,
    reltol * problem.abstolScale,
  );
  const start = performance.now();
  let outcome = "agrees";
  try {
    valueAndGrad(loss, [0, 1])(tensor([...problem.u0]), tensor([...problem.p]));
  } catch (e) {
    if (!(e instanceof GradientMismatchError)) throw e;
    outcome = "mismatch (GradientMismatchError)";
  }
  return { ms: performance.now() - start, outcome };
}

/** The seed linear model's gradient (10⁴ parameters) through a Rosenbrock solve. */
function seedGradient(
  solver: ReturnType<typeof Rodas5P>,
  reltol: number,
): { ms: number; error: number; forward: number; backward: number } {
  const n = 100;
  const lp = linearProblem(n);
  const ref = linearReference(n);
  const data = tensor(
    Array.from({ length: TIMES.length }, (_, k) => Array.from(lp.data.subarray(k * n, (k + 1) * n))),
  );
  const P = tensor(Array.from({ length: n }, (_, i) => Array.from(lp.P.subarray(i * n, (i + 1) * n))));
  const info: SolveOdeInfo = {};
  // No sensealg: the default after a Rosenbrock solve (DiscreteAdjoint), as a user meets it.
  const f = valueAndGrad((Pt: typeof P) =>
    sumSquares(
      solveOde(linearRhs, tensor(lp.u0), Pt, {
        tspan: TSPAN,
        saveat: TIMES,
        solver,
        reltol,
        abstol: reltol / 100,
        info,
      }),
      data,
    ),
  );
  const start = performance.now();
  const [, g] = f(P);
  const ms = performance.now() - start;
  return {
    ms,
    error: relativeError(g.data, ref.gradP),
    forward: info.forward?.naccept ?? 0,
    backward: info.backward?.naccept ?? 0,
  };
}

export function stiffBankSuite(ctx: BenchContext): BenchSection {
  const cases = ctx.quick ? STIFF_GRADIENT_BANK.filter((p) => p.fast) : STIFF_GRADIENT_BANK;
  const rows: (string | number)[][] = [];
  const results: StiffGradientResult[] = [];
  const tally = new Map<string, { within: number; total: number; worst: number; worstCase: string }>();
  const fairRows: (string | number)[][] = [];
  let fairWithin = 0;
  let fairFaster = 0;
  let fairTotal = 0;
  let fairIaWithin = 0;
  let fairIaFaster = 0;
  let fairIaTotal = 0;
  let maxDefaultRatio = 0;
  for (const problem of cases) {
    for (const solver of SOLVERS) {
      for (const reltol of TOLERANCES) {
        const abstol = reltol * problem.abstolScale;
        const fs = stiffGradientError(problem, solver, ForwardSensitivity(), reltol, abstol);
        results.push(fs);
        rows.push([
          problem.name,
          solver.name,
          reltol,
          "ForwardSensitivity",
          fmt(fs.relativeError),
          "1",
          fs.forwardSteps,
          fs.backwardSteps,
          fs.ratio,
          Math.round(fs.seconds * 1000),
          fs.retcode,
        ]);
        const fsError = Math.max(fs.relativeError, problem.selfConvergenceNorm);
        for (const alg of adjointsFor(solver)) {
          const r = stiffGradientError(problem, solver, alg, reltol, abstol);
          results.push(r);
          const vsFs = r.relativeError / fsError;
          if (alg.kind === "DiscreteAdjoint" && r.retcode === "Success") {
            maxDefaultRatio = Math.max(maxDefaultRatio, r.ratio);
          }
          if (fs.retcode === "Success") {
            const t = tally.get(alg.kind) ?? { within: 0, total: 0, worst: 0, worstCase: "" };
            t.total++;
            if (r.retcode === "Success" && vsFs <= 3) t.within++;
            if (!(vsFs <= t.worst)) {
              t.worst = vsFs;
              t.worstCase = `${problem.name} ${solver.name} ${reltol}`;
            }
            tally.set(alg.kind, t);
          }
          rows.push([
            problem.name,
            solver.name,
            reltol,
            alg.kind,
            fmt(r.relativeError),
            fs.retcode === "Success" ? vsFs.toFixed(2) : "— (FS failed)",
            r.forwardSteps,
            r.backwardSteps,
            r.ratio,
            Math.round(r.seconds * 1000),
            r.retcode,
          ]);
        }
        if (fs.retcode === "Success") {
          const row: (string | number)[] = [
            problem.name,
            solver.name,
            reltol,
            fmt(fs.relativeError),
            Math.round(fs.seconds * 1000),
          ];
          if (solver.family === "rosenbrock") {
            const tight = stiffGradientError(problem, solver, DiscreteAdjoint(), reltol / 10, abstol / 10);
            const errRatio = tight.relativeError / fsError;
            const timeRatio = tight.seconds / fs.seconds;
            fairTotal++;
            if (errRatio <= 3) fairWithin++;
            if (timeRatio <= 1) fairFaster++;
            row.push(fmt(tight.relativeError), errRatio.toFixed(2), timeRatio.toFixed(2));
          } else {
            row.push("—", "—", "—");
          }
          const ia = stiffGradientError(problem, solver, InterpolatingAdjoint(), reltol / 10, abstol / 10);
          const iaErr = ia.relativeError / fsError;
          const iaTime = ia.seconds / fs.seconds;
          fairIaTotal++;
          if (ia.retcode === "Success" && iaErr <= 3) fairIaWithin++;
          if (iaTime <= 1) fairIaFaster++;
          row.push(fmt(ia.relativeError), iaErr.toFixed(2), iaTime.toFixed(2));
          fairRows.push(row);
        }
      }
    }
  }

  const auditRows: (string | number)[][] = [];
  for (const problem of cases) {
    const reltol = 1e-6;
    const plain = stiffGradientError(
      problem,
      Rodas5P(),
      DiscreteAdjoint(),
      reltol,
      reltol * problem.abstolScale,
    );
    const audited = auditedGradient(problem, reltol);
    auditRows.push([
      problem.name,
      Math.round(plain.seconds * 1000),
      Math.round(audited.ms),
      (audited.ms / (plain.seconds * 1000)).toFixed(2),
      fmt(plain.relativeError),
      audited.outcome,
    ]);
  }

  const seedRows: (string | number)[][] = [];
  let seedFast = true;
  let seedAccurate = true;
  for (const solver of [Rodas5P(), Rodas4()]) {
    seedGradient(solver, 1e-6); // warm-up (compilation of the right-hand side's tape)
    for (const reltol of [1e-6, 1e-10]) {
      const s = seedGradient(solver, reltol);
      if (reltol === 1e-6) seedFast &&= s.ms < 1000;
      if (reltol === 1e-10) seedAccurate &&= s.error <= 1e-6;
      seedRows.push([solver.name, reltol, Math.round(s.ms), fmt(s.error), s.forward, s.backward]);
    }
  }

  const targets: TargetResult[] = [
    {
      issue: 16,
      target:
        "stiff bank: the default stiff adjoint's (DiscreteAdjoint) backward pass ≤ 3× the forward steps on every case",
      measured: `largest ratio ${maxDefaultRatio.toFixed(2)} over ${cases.length} cases × 3 Rosenbrock solvers × 2 tolerances`,
      met: maxDefaultRatio <= 3,
    },
    ...[...tally.entries()].map(([kind, t]) => ({
      issue: 16,
      target: `stiff bank: ${kind} error within 3× of ForwardSensitivity's at the same tolerance, every (case, solver, tolerance)`,
      measured: `${t.within}/${t.total} within; worst ${t.worst.toFixed(1)}× (${t.worstCase})`,
      met: ctx.quick ? undefined : t.within === t.total,
    })),
    {
      issue: 16,
      target: "seed model gradient with Rodas5P and Rodas4 under 1 s at 1e-6",
      measured: seedRows
        .filter((r) => r[1] === 1e-6)
        .map((r) => `${r[0]} ${r[2]} ms`)
        .join(", "),
      met: seedFast,
    },
    {
      issue: 16,
      target: "seed model Rosenbrock gradients match the exact (expm) gradient to 1e-6 at 1e-10",
      measured: seedRows
        .filter((r) => r[1] === 1e-10)
        .map((r) => `${r[0]} ${r[3]}`)
        .join(", "),
      met: seedAccurate,
    },
  ];
  const worstAudit = Math.max(...auditRows.map((r) => Number(r[3])));
  return {
    title: "Stiff gradient bank (issue 16)",
    tables: [
      {
        caption:
          "Every case of `@udekit/ode/conformance`'s stiff gradient bank × stiff solver (the Rosenbrock methods and TRBDF2, which has no discrete adjoint) × sensealg × reltol (abstol = reltol × the case's scale). Error: ‖g − g_ref‖/‖g_ref‖ against scipy Radau forward sensitivities at 1e-12. \"× FS\": the error over ForwardSensitivity's (floored at the reference's own error). Steps: forward accepted, then the gradient pass's (backward, or the sensitivity solve's). ms: one run.",
        columns: [
          "case",
          "solver",
          "reltol",
          "sensealg",
          "rel. error",
          "× FS",
          "forward steps",
          "gradient-pass steps",
          "ratio",
          "ms",
          "retcode",
        ],
        rows,
      },
      {
        caption:
          "The adjoints at a tenfold tighter tolerance against ForwardSensitivity at the stated one (comparable work: ForwardSensitivity refines its grid for the sensitivities, an adjoint differentiates or reads the forward grid). ×: error over ForwardSensitivity's (floored at the reference's own error); time: over ForwardSensitivity's. One run each.",
        columns: [
          "case",
          "solver",
          "reltol",
          "FS error",
          "FS ms",
          "DA error at reltol/10",
          "DA ×",
          "DA time",
          "IA error at reltol/10",
          "IA ×",
          "IA time",
        ],
        rows: fairRows,
      },
      {
        caption:
          "The gradient audit's cost: DiscreteAdjoint({ verify: true }) against DiscreteAdjoint() with Rodas5P at 1e-6 (one run each). The audit compares gᵀv with a forward tangent along a random v and throws GradientMismatchError beyond what the tolerance explains.",
        columns: ["case", "gradient ms", "with audit ms", "ratio", "gradient rel. error", "audit"],
        rows: auditRows,
      },
      {
        caption:
          "The seed linear model (n = 100, 10⁴ parameters) through Rosenbrock solves with solveOde's default sensealg (DiscreteAdjoint after a Rosenbrock solve), against the exact gradient (expm + Fréchet derivative); ms: one run after a warm-up.",
        columns: ["solver", "reltol", "gradient ms", "rel. error vs expm", "forward steps", "backward steps"],
        rows: seedRows,
      },
    ],
    notes: [
      `DiscreteAdjoint at reltol/10 is within 3× of ForwardSensitivity's error at reltol in ${fairWithin}/${fairTotal} (case, Rosenbrock solver, tolerance) triples, and takes no longer in ${fairFaster}/${fairTotal}.`,
      `InterpolatingAdjoint at reltol/10 is within 3× of ForwardSensitivity's error at reltol in ${fairIaWithin}/${fairIaTotal} (case, solver, tolerance) triples, and takes no longer in ${fairIaFaster}/${fairIaTotal}.`,
      `The audit costs at most ${worstAudit.toFixed(2)}× the gradient on the bank (Rodas5P, 1e-6).`,
    ],
    targets,
    data: { results, fair: fairRows, audit: auditRows, seed: seedRows },
  };
}
