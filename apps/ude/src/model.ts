/**
 * The two models of the seed problem (README.md, "The problem it reproduces"), as udekit implements
 * the intended model of the original report (whose first code had two mistakes: `du = …`
 * rebinding instead of writing into `du`, and a matrix product in one block where the other
 * used an elementwise one):
 *
 * - linear: du/dt = A(P)·u with A(P) = P − diag(P·1), i.e. du_i/dt = Σ_j P_ij (u_j − u_i);
 * - ude:    du/dt = nn(u) + A(P)·u, where nn applies one small net Dense(4→5, σ) → Dense(5→4)
 *           to each of the n/4 consecutive blocks of 4 entries of u (as an [n/4, 4] batch) and
 *           concatenates the results.
 *
 * Parameters are one flat vector p = [P (n², row-major); net (49)] (for the linear model just
 * P, as an [n, n] tensor), built with @udekit/nn's `combine` and read back inside the
 * right-hand side with `unflatten`, so one gradient covers both blocks (the ComponentArrays
 * layout of the original). Loss = Σ (prediction − data)² over all times × nodes.
 */
import { add, matvec, mul, reshape, square, sub, sum, type Tensor, tensor } from "@udekit/autodiff";
import {
  type ActivationName,
  apply,
  Chain,
  combine,
  Dense,
  flatten,
  type Layer,
  type ParamTree,
} from "@udekit/nn";
import type { OdeSolver, SensitivityAlgorithm, SolveOdeInfo } from "@udekit/ode";
import { solveOde } from "@udekit/ode";

/** Entries of u that one copy of the net sees. */
export const BLOCK = 4;
/** Hidden width of the blockwise net. */
export const HIDDEN = 5;
/** Parameters of the blockwise net: (4·5 + 5) + (5·4 + 4). */
export const NET_PARAMS = BLOCK * HIDDEN + HIDDEN + HIDDEN * BLOCK + BLOCK;

export type ModelKind = "linear" | "ude";
export const MODEL_KINDS: readonly ModelKind[] = ["linear", "ude"];
/** Activations the CLI offers for the net's hidden layer. */
export const ACTIVATION_NAMES: readonly ActivationName[] = ["identity", "tanh"];

/** A dense layer's parameters as stored in the fixture and in results.json: W out × in, row-major rows. */
export interface LayerValues {
  weight: number[][];
  bias: number[];
}

/** Observations: one row per node, one column per time; column 0 is the initial condition. */
export interface Observations {
  times: number[];
  /** n rows × m columns. */
  values: number[][];
}

/** The blockwise net: Dense(4 → 5, σ) → Dense(5 → 4). */
export function blockNet(activation: ActivationName): Layer {
  return Chain(Dense(BLOCK, HIDDEN, { activation }), Dense(HIDDEN, BLOCK));
}

/** A model's parameters: one flat vector and its named views. */
export interface ModelParams {
  readonly kind: ModelKind;
  readonly n: number;
  readonly activation: ActivationName;
  /** Every parameter; P first (n², row-major), then the net (ude only). */
  readonly vector: Float64Array;
  /** The flat vector as the tensor solveOde differentiates: [n, n] (linear) or [n² + 49] (ude). */
  tensor(): Tensor;
  /** P as rows. */
  P(): number[][];
  /** The net's layers as rows (ude only; [] for linear). */
  layers(): LayerValues[];
}

function rowsOf(data: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols)));
}

function netTree(layers: readonly LayerValues[]): ParamTree {
  const tree: Record<string, ParamTree> = {};
  layers.forEach((l, i) => {
    tree[`layer_${i + 1}`] = { weight: tensor(l.weight), bias: tensor(l.bias) };
  });
  return tree;
}

/**
 * Packs P (n × n rows) and, for the UDE, the net's layers into one flat parameter vector.
 * Shapes are checked by the caller (data.ts validates files; the fixture is fixed).
 */
export function makeParams(
  kind: ModelKind,
  P: readonly number[][],
  layers: readonly LayerValues[],
  activation: ActivationName,
): ModelParams {
  const Pt = tensor(P.map((r) => [...r]));
  const tree = kind === "ude" ? combine({ P: Pt, nn: netTree(layers) }) : combine({ P: Pt });
  return paramsFromVector(kind, P.length, flatten(tree).vector, activation);
}

/**
 * Named views of a flat vector laid out as [P (n², row-major); net (49, ude only)] — parameters,
 * or a gradient with respect to them.
 */
export function paramsFromVector(
  kind: ModelKind,
  n: number,
  vector: Float64Array,
  activation: ActivationName = "identity",
): ModelParams {
  const shapes: [number, number][] = [
    [HIDDEN, BLOCK],
    [HIDDEN, 1],
    [BLOCK, HIDDEN],
    [BLOCK, 1],
  ];
  return {
    kind,
    n,
    activation,
    vector,
    tensor: () => (kind === "ude" ? tensor(vector, [vector.length]) : tensor(vector, [n, n])),
    P: () => rowsOf(vector, n, n),
    layers: () => {
      if (kind !== "ude") return [];
      let offset = n * n;
      const parts = shapes.map(([r, c]) => {
        const part = vector.subarray(offset, offset + r * c);
        offset += r * c;
        return rowsOf(part, r, c);
      });
      return [
        { weight: parts[0], bias: parts[1].map((x) => x[0]) },
        { weight: parts[2], bias: parts[3].map((x) => x[0]) },
      ];
    },
  };
}

/** A(P)·u = P·u − (P·1)∘u, without forming A (one matvec, one row sum, one product). */
export function connectivity(u: Tensor, P: Tensor): Tensor {
  return sub(matvec(P, u), mul(sum(P, 1), u));
}

/**
 * The right-hand side f(u, p, t) of a model as a pure tensor program (solveOde compiles it once
 * per shape). Each call of rhsFor returns a new function, so keep one per training run: the
 * compiled tape is cached per function.
 */
export function rhsFor(params: ModelParams): (u: Tensor, p: Tensor, t: Tensor) => Tensor {
  const { n, kind } = params;
  if (kind === "linear") return (u, P) => connectivity(u, P);
  const net = blockNet(params.activation);
  const { unflatten } = flatten(
    combine({ P: tensor(new Float64Array(n * n), [n, n]), nn: netTree(params.layers()) }),
  );
  return (u, p) => {
    const tree = unflatten(p) as { P: Tensor; nn: ParamTree };
    const [y] = apply(net, reshape(u, [n / BLOCK, BLOCK]), tree.nn);
    return add(reshape(y, [n]), connectivity(u, tree.P));
  };
}

/** Options of one differentiable forward solve. */
export interface SolveSettings {
  solver: OdeSolver;
  reltol: number;
  abstol: number;
  /** Fixed step for solvers without step control. */
  dt?: number;
}

/** The observations as the [m, n] tensor of solveOde's layout (one row per time). */
export function dataTensor(obs: Observations): Tensor {
  const n = obs.values.length;
  const m = obs.times.length;
  const d = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) d[k * n + i] = obs.values[i][k];
  return tensor(d, [m, n]);
}

/** The initial condition: the first column of the observations. */
export function initialState(obs: Observations): Tensor {
  return tensor(obs.values.map((r) => r[0]));
}

/** Predicted states at the observation times, [m, n], by an ODE solve (differentiable in p). */
export function predict(
  f: (u: Tensor, p: Tensor, t: Tensor) => Tensor,
  p: Tensor,
  obs: Observations,
  settings: SolveSettings,
  sensealg?: SensitivityAlgorithm,
  info?: SolveOdeInfo,
): Tensor {
  const times = obs.times;
  return solveOde(f, initialState(obs), p, {
    tspan: [times[0], times[times.length - 1]],
    saveat: times,
    solver: settings.solver,
    reltol: settings.reltol,
    abstol: settings.abstol,
    ...(settings.dt !== undefined ? { dt: settings.dt } : {}),
    ...(sensealg !== undefined ? { sensealg } : {}),
    ...(info !== undefined ? { info } : {}),
  });
}

/** Σ (prediction − data)² over every time and node. */
export function sumSquares(prediction: Tensor, data: Tensor): Tensor {
  return sum(square(sub(prediction, data)));
}

/** The first k nodes of a problem: observations, P block and (same) net; used for reduced-size runs. */
export function leadingBlock(obs: Observations, params: ModelParams, k: number): [Observations, ModelParams] {
  const P = params.P();
  return [
    { times: obs.times, values: obs.values.slice(0, k) },
    makeParams(
      params.kind,
      P.slice(0, k).map((r) => r.slice(0, k)),
      params.layers(),
      params.activation,
    ),
  ];
}
