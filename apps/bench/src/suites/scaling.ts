/**
 * Scaling (issues 5 and 9): the gradient of the seed-family linear loss with respect to P
 * (p = n² parameters) at n = 25, 50, 100, 200, 400, by the adjoint (InterpolatingAdjoint, Tsit5,
 * reltol 1e-6, abstol 1e-8) and by the expm route (solveLinearOde: one exp(A) and one Fréchet
 * derivative), interleaved at each n. The seed family: the leading n×n block of the seed P for
 * n ≤ 100; for n > 100, P and data uniform in [0, 1) from a seeded generator (seed.ts).
 * Power-law exponents are fitted by least squares on log-log data; the per-evaluation time
 * (adjoint time / (forward RHS + backward VJP evaluations)) is what issue 5 asks to grow like n².
 */
import { InterpolatingAdjoint, Tsit5 } from "@udekit/ode";
import { type PowerLaw, powerLawFit } from "../fit.js";
import { countFlops } from "../flops.js";
import { expmGradient, linearLossProblem, odeGradient, type Tolerances } from "../gradients.js";
import type { BenchContext, BenchSection, TargetResult } from "../report.js";
import { GENERATED_SEED, linearProblem, linearRhs, relativeError } from "../seed.js";
import { logLogSvg } from "../svg.js";
import { timeInterleaved } from "../timing.js";

interface Point {
  n: number;
  source: string;
  adjointMs: number;
  expmMs: number;
  evals: number;
  fwdRhs: number;
  bwdVjp: number;
  adjointFlops: number;
  expmFlops: number;
  relDiff: number;
}

const fmtFit = (f: PowerLaw) => `n^${f.exponent.toFixed(2)} (R² = ${f.r2.toFixed(3)})`;

export function scalingSuite(ctx: BenchContext): BenchSection {
  const sizes = ctx.quick ? [25, 50, 100] : [25, 50, 100, 200, 400];
  const tol: Tolerances = { solver: Tsit5(), reltol: 1e-6, abstol: 1e-8 };
  const alg = InterpolatingAdjoint();
  const points: Point[] = [];
  for (const n of sizes) {
    const lp = linearProblem(n);
    const prob = linearLossProblem(linearRhs, lp.P, lp.u0, lp.data);
    const adj = countFlops(() => odeGradient(prob, tol, alg));
    const ex = countFlops(() => expmGradient(prob.p, prob.u0, prob.data));
    if (adj.result.failure !== undefined)
      throw new Error(`adjoint failed at n = ${n}: ${adj.result.failure}`);
    const samples = ctx.quick ? 2 : n <= 100 ? 9 : n <= 200 ? 5 : 3;
    const [tAdj, tExpm] = timeInterleaved(
      {
        adjoint: () => odeGradient(prob, tol, alg),
        expm: () => expmGradient(prob.p, prob.u0, prob.data),
      },
      { warmup: n <= 100 ? 3 : 1, samples },
    );
    const fwdRhs = adj.result.info.forward?.rhsEvals ?? 0;
    const bwdVjp = adj.result.info.backward?.vjpEvals ?? 0;
    points.push({
      n,
      source: lp.source,
      adjointMs: tAdj.median,
      expmMs: tExpm.median,
      evals: fwdRhs + bwdVjp,
      fwdRhs,
      bwdVjp,
      adjointFlops: adj.flops,
      expmFlops: ex.flops,
      relDiff: relativeError(adj.result.grad, ex.result.grad),
    });
  }
  const ns = points.map((p) => p.n);
  const fitAdj = powerLawFit(
    ns,
    points.map((p) => p.adjointMs),
  );
  const fitExpm = powerLawFit(
    ns,
    points.map((p) => p.expmMs),
  );
  const perEval = points.map((p) => (1e3 * p.adjointMs) / p.evals);
  const fitPerEval = powerLawFit(ns, perEval);
  const fitEvals = powerLawFit(
    ns,
    points.map((p) => p.evals),
  );
  // Small sizes are dominated by per-call overhead; the asymptotic exponent comes from n ≥ 100.
  const large = points.map((_p, i) => i).filter((i) => ns[i] >= 100);
  const fitLarge = (ys: number[]) =>
    large.length >= 2
      ? powerLawFit(
          large.map((i) => ns[i]),
          large.map((i) => ys[i]),
        )
      : undefined;
  const fitPerEvalLarge = fitLarge(perEval);
  const fitAdjLarge = fitLarge(points.map((p) => p.adjointMs));
  const fitExpmLarge = fitLarge(points.map((p) => p.expmMs));
  const perEvalFit = fitPerEvalLarge ?? fitPerEval;
  const perEvalRange = fitPerEvalLarge === undefined ? ns : large.map((i) => ns[i]);
  // Issue 5: "time per step grows like n², not n³ or n·p" (n·p = n³ here). Midway in log scale.
  const perEvalMet = perEvalFit.exponent < 2.5;
  const targets: TargetResult[] = [
    {
      issue: 5,
      target:
        "adjoint time per step grows like n², not n³ or n·p (fitted exponent of time per RHS/VJP evaluation < 2.5)",
      measured: `n^${perEvalFit.exponent.toFixed(2)} over n = ${perEvalRange.join(", ")}`,
      met: perEvalMet,
    },
  ];
  // Guides pass through the middle size's point.
  const mid = points.length >> 1;
  const guide = (k: number, yMid: number) =>
    ns.map((n) => [n, yMid * (n / ns[mid]) ** k] as [number, number]);
  const svg = logLogSvg({
    title: "Seed-family linear gradient: time vs n (p = n²)",
    xLabel: "n (states); parameters p = n²",
    yLabel: "median ms per gradient",
    xTicks: ns,
    series: [
      { name: "adjoint", color: "#1f77b4", points: points.map((p) => [p.n, p.adjointMs]) },
      { name: "expm route", color: "#d62728", points: points.map((p) => [p.n, p.expmMs]) },
      { name: "∝ n² (guide)", color: "#7f7f7f", dashed: true, points: guide(2, points[mid].adjointMs) },
      { name: "∝ n³ (guide)", color: "#bcbd22", dashed: true, points: guide(3, points[mid].adjointMs) },
    ],
  });
  const svgPerEval = logLogSvg({
    title: "Adjoint: time per RHS/VJP evaluation vs n",
    xLabel: "n (states); parameters p = n²",
    yLabel: "µs per evaluation",
    xTicks: ns,
    series: [
      { name: "adjoint", color: "#1f77b4", points: points.map((p, i) => [p.n, perEval[i]]) },
      { name: "∝ n² (guide)", color: "#7f7f7f", dashed: true, points: guide(2, perEval[mid]) },
      { name: "∝ n³ (guide)", color: "#bcbd22", dashed: true, points: guide(3, perEval[mid]) },
    ],
  });
  return {
    title: "Scaling: seed-family linear gradient for n = 25 … 400 (p = n²), adjoint vs expm",
    figures: [
      {
        name: "scaling",
        caption: "Gradient time vs n, log-log (adjoint and expm route, with n² and n³ guides)",
        svg,
      },
      {
        name: "scaling-per-eval",
        caption: "Adjoint time per RHS/VJP evaluation vs n, log-log",
        svg: svgPerEval,
      },
    ],
    tables: [
      {
        caption: `Gradient of the seed-family linear loss w.r.t. P (InterpolatingAdjoint: Tsit5, reltol 1e-6, abstol 1e-8; expm route: solveLinearOde). Median ms of interleaved samples (${ctx.quick ? 2 : "9 for n ≤ 100, 5 at n = 200, 3 at n = 400"}); evaluations = forward RHS + backward VJP; GFLOP/s from the dense-kernel flops counted in one gradient; relative difference ‖g_adjoint − g_expm‖/‖g_expm‖. P and data for n > 100 are uniform [0, 1) draws of rng(${GENERATED_SEED}) from @udekit/nn.`,
        columns: [
          "n",
          "p",
          "P, data",
          "adjoint ms",
          "fwd RHS",
          "bwd VJP",
          "µs per evaluation",
          "adjoint GFLOP/s",
          "expm ms",
          "expm GFLOP/s",
          "adjoint / expm",
          "rel. difference",
        ],
        rows: points.map((p, i) => [
          p.n,
          p.n * p.n,
          p.source === "seed" ? "seed block" : "generated",
          p.adjointMs,
          p.fwdRhs,
          p.bwdVjp,
          perEval[i],
          p.adjointFlops / (p.adjointMs * 1e6),
          p.expmMs,
          p.expmFlops / (p.expmMs * 1e6),
          p.adjointMs / p.expmMs,
          p.relDiff.toExponential(2),
        ]),
      },
      {
        caption:
          "Fitted power laws (least squares on log-log): over all sizes, and over n ≥ 100 where per-call overhead no longer dominates.",
        columns: ["quantity", "fit, all n", "fit, n ≥ 100"],
        rows: [
          ["adjoint gradient time", fmtFit(fitAdj), fitAdjLarge ? fmtFit(fitAdjLarge) : "—"],
          ["expm-route gradient time", fmtFit(fitExpm), fitExpmLarge ? fmtFit(fitExpmLarge) : "—"],
          [
            "adjoint time per RHS/VJP evaluation",
            fmtFit(fitPerEval),
            fitPerEvalLarge ? fmtFit(fitPerEvalLarge) : "—",
          ],
          ["adjoint RHS + VJP evaluations", fmtFit(fitEvals), "—"],
        ],
      },
    ],
    notes: [
      `Adjoint gradient time grows like ${fmtFit(fitAdj)}: time per evaluation ${fmtFit(fitPerEval)} (the n² matvecs and rank-1 updates) times the number of evaluations ${fmtFit(fitEvals)} (the step count follows the stiffness: the spectrum of A(P) widens with n since its row sums grow like n/2).`,
      `The expm route grows like ${fmtFit(fitExpm)} (n×n matrix products).`,
      `Time per evaluation (fit over n = ${perEvalRange.join(", ")}: ${fmtFit(perEvalFit)}): ${perEvalMet ? "grows slower than n^2.5, i.e. like n² rather than n³ = n·p" : "grows at least like n^2.5 — closer to n³ = n·p than to n²"}.`,
    ],
    targets,
    data: {
      points,
      fits: { adjoint: fitAdj, expm: fitExpm, perEval: fitPerEval, evals: fitEvals },
      fitsLarge: { adjoint: fitAdjLarge, expm: fitExpmLarge, perEval: fitPerEvalLarge },
    },
  };
}
