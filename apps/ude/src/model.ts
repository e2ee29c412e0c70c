/**
 * A model's parameters and right-hand side, built from its description (model-spec.ts):
 *
 *     du/dt = nn(u) + A(P)·u,   A(P) = P − diag(P·1), i.e. (A(P)·u)_i = Σ_j P_ij (u_j − u_i),
 *
 * either term optional. nn applies one small net Dense(b → w₁, σ₁) → … → Dense(w_k → b) to each
 * of the n/b consecutive blocks of b entries of u (as an [n/b, b] batch) and concatenates the
 * results. The two seed models (models/linear.json, models/ude.json) are the original report's
 * intended models (its first code had two mistakes: `du = …` rebinding instead of writing into
 * `du`, and a matrix product in one block where the other used an elementwise one).
 *
 * Parameters are one flat vector p = [θ (n², row-major; with the linear part); net (in
 * @udekit/nn's layout of the Chain)]; the net-less model's p is θ as an [n, n] tensor. P = θ, or
 * softplus(θ) for "nonnegative"; a mask multiplies P by its 0/1 pattern. Built with
 * @udekit/nn's `combine` and read back inside the right-hand side with `unflatten`, so one
 * gradient covers both blocks (the ComponentArrays layout of the original). The net's shapes come
 * from the layer library itself (the Chain's paramShapes), never typed by hand.
 * Loss = Σ (prediction − data)² over all times × nodes.
 */
import { add, matvec, mul, reshape, softplus, square, sub, sum, type Tensor, tensor } from "@udekit/autodiff";
import {
  type ActivationName,
  apply,
  Chain,
  combine,
  Dense,
  flatten,
  type Layer,
  type ParamTree,
  type Rng,
  rng,
  type ShapeTree,
  setup,
} from "@udekit/nn";
import type { OdeSolver, SensitivityAlgorithm, SolveOdeInfo } from "@udekit/ode";
import { solveOde } from "@udekit/ode";
import { type ModelRef, specOf } from "./builtin-models.js";
import { hiddenActivation, leadingSpec, type ModelSpec, maskOf, type NetSpec } from "./model-spec.js";

export { MODEL_KINDS, MODELS, type ModelKind, type ModelRef, specOf } from "./builtin-models.js";

/** Activations the CLI offers for --activation (a model file may use any of @udekit/nn's). */
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

/** The net of a spec: Dense(b → w₁, σ₁) → … → Dense(w_k → b). */
export function netLayer(net: NetSpec): Layer {
  const widths = [net.block, ...net.hidden.map((h) => h.width)];
  return Chain(
    ...net.hidden.map((h, k) => Dense(widths[k], widths[k + 1], { activation: h.activation })),
    Dense(widths[widths.length - 1], net.block),
  );
}

/**
 * Shapes [rows, cols] of the net's weights and biases in layout order (biases as [out, 1]), as
 * the layer library declares them (paramShapes lists them in layout order).
 */
function netShapes(net: NetSpec): [number, number][] {
  const out: [number, number][] = [];
  const walk = (t: ShapeTree) => {
    for (const v of Object.values(t)) {
      if (Array.isArray(v)) out.push([v[0], v[1] ?? 1]);
      else walk(v as ShapeTree);
    }
  };
  walk(netLayer(net).paramShapes());
  return out;
}

/** Parameters of the net alone (0 without one). */
export function netParameterCount(spec: ModelSpec): number {
  return spec.net === undefined ? 0 : netShapes(spec.net).reduce((s, [r, c]) => s + r * c, 0);
}

/** A model's parameters: one flat vector and its named views. */
export interface ModelParams {
  readonly spec: ModelSpec;
  /** The model's name (spec.name). */
  readonly kind: string;
  readonly n: number;
  /** The activation of the net's hidden layers (the first one's; identity without a net). */
  readonly activation: ActivationName;
  /** Every fitted parameter; θ first (n², row-major, with the linear part), then the net. */
  readonly vector: Float64Array;
  /** The flat vector as the tensor solveOde differentiates: [n, n] without a net, else a vector. */
  tensor(): Tensor;
  /** P itself as rows (after its constraint and mask); [] without the linear part. */
  P(): number[][];
  /** The net's layers as rows ([] without a net). */
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

/** softplus(x) = log(1 + eˣ), overflow-free (as @udekit/autodiff's op). */
function softplusValue(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * θ with softplus(θ) = y for y ≥ 0: log(eʸ − 1), as y + log(1 − e⁻ʸ) for large y. y = 0 has no
 * finite preimage; it maps to −745, whose softplus is the smallest subnormal (≈ 5e-324).
 */
function softplusInverse(y: number): number {
  if (y <= 0) return -745;
  return y > 30 ? y + Math.log(-Math.expm1(-y)) : Math.log(Math.expm1(y));
}

/** The layers of a net read from `vector` starting at `offset`. */
function layersAt(net: NetSpec, vector: Float64Array, offset: number): LayerValues[] {
  const parts = netShapes(net).map(([r, c]) => {
    const part = vector.subarray(offset, offset + r * c);
    offset += r * c;
    return rowsOf(part, r, c);
  });
  const layers: LayerValues[] = [];
  for (let k = 0; k < parts.length; k += 2) {
    layers.push({ weight: parts[k], bias: parts[k + 1].map((x) => x[0]) });
  }
  return layers;
}

/**
 * Packs P (n × n rows, the values themselves: softplus is inverted for "nonnegative", masked
 * entries are stored as 0) and the net's layers into one flat parameter vector. Shapes are checked
 * by the caller (params-file.ts validates files; the fixture is fixed). `activation`, when given,
 * goes on every hidden layer (the --activation option).
 */
export function makeParams(
  model: ModelRef,
  P: readonly number[][],
  layers: readonly LayerValues[],
  activation?: ActivationName,
): ModelParams {
  const spec = specOf(model, activation);
  const n = P.length;
  const mask = maskOf(spec, n);
  const nonnegative = spec.P?.constraint === "nonnegative";
  const theta = new Float64Array(n * n);
  if (spec.linear) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const k = i * n + j;
        theta[k] = mask !== undefined && mask[k] === 0 ? 0 : nonnegative ? softplusInverse(P[i][j]) : P[i][j];
      }
    }
  }
  const blocks: Record<string, ParamTree | Tensor> = {};
  if (spec.linear) blocks.P = tensor(theta, [n, n]);
  if (spec.net !== undefined) blocks.nn = netTree(layers);
  return paramsFromVector(spec, n, flatten(combine(blocks)).vector);
}

/**
 * Named views of a flat vector laid out as [θ (n², with the linear part); net] — parameters, or a
 * gradient with respect to them (then use rawViews: P() applies the constraint and the mask).
 */
export function paramsFromVector(
  model: ModelRef,
  n: number,
  vector: Float64Array,
  activation?: ActivationName,
): ModelParams {
  const spec = specOf(model, activation);
  const raw = rawViews(spec, n, vector);
  return {
    spec,
    kind: spec.name,
    n,
    activation: hiddenActivation(spec),
    vector,
    tensor: () => (spec.net === undefined ? tensor(vector, [n, n]) : tensor(vector, [vector.length])),
    P: () => {
      if (!spec.linear) return [];
      const mask = maskOf(spec, n);
      const nonnegative = spec.P?.constraint === "nonnegative";
      const p = vector
        .subarray(0, n * n)
        .map((x, k) => (mask !== undefined && mask[k] === 0 ? 0 : nonnegative ? softplusValue(x) : x));
      return rowsOf(p, n, n);
    },
    layers: raw.layers,
  };
}

/** The vector's parts as stored, without the constraint or the mask (for gradients): θ rows and the net's layers. */
export function rawViews(
  spec: ModelSpec,
  n: number,
  vector: Float64Array,
): { P: () => number[][]; layers: () => LayerValues[] } {
  return {
    P: () => (spec.linear ? rowsOf(vector, n, n) : []),
    layers: () => (spec.net === undefined ? [] : layersAt(spec.net, vector, spec.linear ? n * n : 0)),
  };
}

/**
 * Starting parameters with random parts drawn from one seeded generator, in this order: P uniform
 * in [0, 1) as the original rand(n, n) (unless given), then the net as @udekit/nn's setup
 * initialises it (Glorot-uniform weights, zero biases; unless given).
 */
export function initialParams(
  spec: ModelSpec,
  n: number,
  seed: number | Rng,
  given: { P?: readonly number[][]; layers?: readonly LayerValues[] } = {},
): ModelParams {
  const r = typeof seed === "number" ? rng(seed) : seed;
  const P =
    given.P ??
    (spec.linear
      ? Array.from({ length: n }, () => Array.from({ length: n }, () => r.uniform()))
      : Array.from({ length: n }, () => new Array<number>(n).fill(0)));
  let layers = given.layers;
  if (layers === undefined && spec.net !== undefined) {
    const net = spec.net;
    layers = layersAt(net, flatten(setup(r, netLayer(net)).ps).vector, 0);
  }
  return makeParams(spec, P, layers ?? []);
}

/** True when `layers` have exactly the shapes of the spec's net. */
export function layersFit(spec: ModelSpec, layers: readonly LayerValues[]): boolean {
  if (spec.net === undefined) return layers.length === 0;
  const shapes = netShapes(spec.net);
  const isMatrix = (x: unknown, rows: number, cols: number) =>
    Array.isArray(x) &&
    x.length === rows &&
    x.every(
      (row) =>
        Array.isArray(row) &&
        row.length === cols &&
        row.every((v) => typeof v === "number" && Number.isFinite(v)),
    );
  return (
    Array.isArray(layers) &&
    layers.length * 2 === shapes.length &&
    layers.every(
      (l, k) =>
        typeof l === "object" &&
        l !== null &&
        isMatrix(l.weight, shapes[2 * k][0], shapes[2 * k][1]) &&
        isMatrix(
          Array.isArray(l.bias) ? l.bias.map((b: unknown) => [b]) : undefined,
          shapes[2 * k + 1][0],
          1,
        ),
    )
  );
}

/** A(P)·u = P·u − (P·1)∘u, without forming A (one matvec, one row sum, one product). */
export function connectivity(u: Tensor, P: Tensor): Tensor {
  return sub(matvec(P, u), mul(sum(P, 1), u));
}

/**
 * P from θ as a tensor program — softplus for "nonnegative", then the mask's 0/1 pattern (made
 * once, here) — or undefined when P is θ itself (no constraint, no mask: no extra ops).
 */
export function constrainP(spec: ModelSpec, n: number): ((theta: Tensor) => Tensor) | undefined {
  const nonnegative = spec.P?.constraint === "nonnegative";
  const pattern = maskOf(spec, n);
  if (!nonnegative && pattern === undefined) return undefined;
  const mask = pattern !== undefined ? tensor(pattern, [n, n]) : undefined;
  return (theta) => {
    const P = nonnegative ? softplus(theta) : theta;
    return mask !== undefined ? mul(P, mask) : P;
  };
}

/**
 * The right-hand side f(u, p, t) of a model as a pure tensor program (solveOde compiles it once
 * per shape). Each call of rhsFor returns a new function, so keep one per training run: the
 * compiled tape is cached per function.
 */
export function rhsFor(params: ModelParams): (u: Tensor, p: Tensor, t: Tensor) => Tensor {
  const { n, spec } = params;
  const toP = constrainP(spec, n);
  const linearPart = (u: Tensor, theta: Tensor) => connectivity(u, toP !== undefined ? toP(theta) : theta);
  if (spec.net === undefined) return (u, theta) => linearPart(u, theta);
  const b = spec.net.block;
  const net = netLayer(spec.net);
  const blocks: Record<string, ParamTree | Tensor> = {};
  if (spec.linear) blocks.P = tensor(new Float64Array(n * n), [n, n]);
  blocks.nn = netTree(params.layers());
  const { unflatten } = flatten(combine(blocks));
  return (u, p) => {
    const tree = unflatten(p) as { P?: Tensor; nn: ParamTree };
    const [y] = apply(net, reshape(u, [n / b, b]), tree.nn);
    const nn = reshape(y, [n]);
    return tree.P !== undefined ? add(nn, linearPart(u, tree.P)) : nn;
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
  const P = params.spec.linear ? params.P() : Array.from({ length: k }, () => new Array<number>(k).fill(0));
  return [
    { times: obs.times, values: obs.values.slice(0, k) },
    makeParams(
      leadingSpec(params.spec, k),
      P.slice(0, k).map((r) => r.slice(0, k)),
      params.layers(),
    ),
  ];
}
