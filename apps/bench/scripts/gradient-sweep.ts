/**
 * A randomized gradient sweep, outside the test suite (minutes per seed): random small problems
 * u' = tanh(P·u) − k·(u − c) + 0.3·sin(2t)·c (k = 0.5, or stiff with k in [30, 330)), random
 * time spans (forward or backward in time) and save-point layouts (at t0, repeated, inside steps,
 * the last before the end of tspan), through every solver kind × every sensealg, each gradient
 * with respect to u0 and P against central differences of the loss solved at reltol 1e-12
 * (Vern9, or Rodas5P when stiff). A result passes when it agrees (2e-4 relative; 2e-3 for
 * Rosenbrock23 at its looser tolerance) or fails loudly: a typed error, or NaN with a failed
 * forward retcode or an overflowing loss. Anything else is printed and the exit code is 1.
 * It found the stiff adjoints' stops outside their span (packages/ode stiff.test.ts) and
 * DirectBackprop's own step sequence (direct-backprop.test.ts). From apps/bench:
 *   node --conditions=@udekit/source --import tsx scripts/gradient-sweep.ts [seed] [trials]
 */
import {
  add,
  matvec,
  mul,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import {
  AutoTsit5,
  BS3,
  DirectBackprop,
  DiscreteAdjoint,
  DP5,
  ForwardSensitivity,
  InterpolatingAdjoint,
  type OdeSolver,
  QuadratureAdjoint,
  Rodas4,
  Rodas5P,
  Rosenbrock23,
  type SensitivityAlgorithm,
  type SolveOdeInfo,
  solveOde,
  Tsit5,
  Vern7,
  Vern9,
} from "@udekit/ode";

let state = Number(process.argv[2] ?? 1) >>> 0;
const trials = Number(process.argv[3] ?? 5);
const rnd = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};

const solvers: [string, () => OdeSolver][] = [
  ["Tsit5", Tsit5],
  ["DP5", DP5],
  ["BS3", BS3],
  ["Vern7", Vern7],
  ["Vern9", Vern9],
  ["Rodas4", Rodas4],
  ["Rodas5P", Rodas5P],
  ["Rosenbrock23", Rosenbrock23],
  ["AutoTsit5(Rodas5P())", () => AutoTsit5(Rodas5P())],
];
const algs: [string, () => SensitivityAlgorithm][] = [
  ["DiscreteAdjoint", () => DiscreteAdjoint()],
  ["DiscreteAdjoint({ checkpoints: 2 })", () => DiscreteAdjoint({ checkpoints: 2 })],
  ["InterpolatingAdjoint", () => InterpolatingAdjoint()],
  ["InterpolatingAdjoint({ checkpointing: true })", () => InterpolatingAdjoint({ checkpointing: true })],
  ["QuadratureAdjoint", () => QuadratureAdjoint()],
  ["ForwardSensitivity", () => ForwardSensitivity()],
  ["DirectBackprop", () => DirectBackprop()],
];
const stiffFamily = (name: string) => /Rodas|Rosenbrock|Auto/.test(name);

const problems: string[] = [];
for (let trial = 0; trial < trials; trial++) {
  const n = 2 + Math.floor(rnd() * 3);
  const P = tensor(
    Float64Array.from({ length: n * n }, () => (rnd() - 0.5) * 1.5),
    [n, n],
  );
  const c = tensor(Float64Array.from({ length: n }, () => rnd() - 0.5));
  const k = rnd() < 0.3 ? 30 + 300 * rnd() : 0.5;
  const f = (u: Tensor, p: Tensor, t: Tensor) =>
    add(sub(tanh(matvec(p, u)), mul(k, sub(u, c))), mul(sin(mul(2, t)), mul(0.3, c)));
  const u0 = Float64Array.from({ length: n }, () => rnd() - 0.5);
  const backward = rnd() < 0.3;
  const T = 1 + rnd();
  const tspan: [number, number] = backward ? [T, 0] : [0, T];
  const at = (x: number) => (backward ? T - x : x);
  const layout = Math.floor(rnd() * 4);
  const saveat = [
    [at(0), at(0.37 * T), at(T)],
    [at(0.5 * T), at(0.5 * T), at(0.9 * T)],
    [at(T)],
    [at(0.123), at(0.61 * T)],
  ][layout];
  const w = tensor(
    Float64Array.from({ length: saveat.length * n }, () => rnd()),
    [saveat.length, n],
  );
  const loss =
    (solver: OdeSolver, sensealg: SensitivityAlgorithm | undefined, tol: number, info?: SolveOdeInfo) =>
    (u: Tensor, p: Tensor) =>
      sum(
        mul(
          w,
          square(solveOde(f, u, p, { tspan, saveat, solver, reltol: tol, abstol: tol, sensealg, info })),
        ),
      );
  const x0 = [...u0, ...P.data];
  const at12 = (x: number[]) =>
    loss(
      k > 1 ? Rodas5P() : Vern9(),
      undefined,
      1e-12,
    )(tensor(x.slice(0, n)), tensor(x.slice(n), [n, n])).item();
  const h = 1e-5;
  const want = x0.map((_, i) => {
    const a = x0.slice();
    const b = x0.slice();
    a[i] += h;
    b[i] -= h;
    return (at12(a) - at12(b)) / (2 * h);
  });
  const norm = Math.hypot(...want);
  const where = `trial ${trial} (n = ${n}, k = ${k.toFixed(1)}, tspan [${tspan.map((t) => t.toFixed(3))}], saveat [${saveat.map((t) => t.toFixed(3))}])`;
  for (const [sn, solver] of solvers) {
    for (const [an, alg] of algs) {
      if (an === "DirectBackprop" && stiffFamily(sn)) continue; // explicit methods only
      const info: SolveOdeInfo = {};
      const tol = sn === "Rosenbrock23" ? 1e-8 : 1e-9;
      let value: number;
      let got: number[];
      try {
        const [v, [gu, gp]] = valueAndGrad(loss(solver(), alg(), tol, info), [0, 1])(tensor(u0), P);
        value = v.item();
        got = [...gu.data, ...gp.data];
      } catch (e) {
        const err = e as Error;
        // Typed errors are loud failures (AdjointFailedError, a refused combination); anything
        // else (a TypeError, a RangeError, an option error from inside the library) is a bug.
        if (!/AdjointFailedError|AdjointInstabilityError|SensitivityOptionError/.test(err.name)) {
          problems.push(`${where} ${sn} ${an}: threw ${err.name}: ${err.message}`);
        }
        continue;
      }
      const failedForward = info.retcode !== "Success";
      const overflow = !Number.isFinite(value);
      if (got.some((g) => !Number.isFinite(g))) {
        if (!failedForward && !overflow)
          problems.push(`${where} ${sn} ${an}: a non-finite gradient from a successful solve`);
        continue;
      }
      if (failedForward) {
        problems.push(`${where} ${sn} ${an}: a finite gradient from a failed solve (${info.retcode})`);
        continue;
      }
      if (!want.every(Number.isFinite)) continue; // the reference overflowed
      const rel = Math.hypot(...got.map((g, i) => g - want[i])) / norm;
      if (!(rel < (sn === "Rosenbrock23" ? 2e-3 : 2e-4)))
        problems.push(`${where} ${sn} ${an}: off by ${rel.toExponential(2)}`);
    }
  }
  console.log(`${where}: done`);
}
console.log(problems.length === 0 ? "every result agreed or failed loudly" : problems.join("\n"));
process.exitCode = problems.length === 0 ? 0 : 1;
