/**
 * Layers and containers: forward values against plain loops written here, gradients against
 * central finite differences (autodiff's gradcheck) with respect to both the input and the flat
 * parameter vector, Lux naming, reproducible initialisation, and typed errors.
 *
 * Nothing here reuses the implementation under test: references are explicit loops, the random
 * inputs come from a local LCG, and gradients are checked by finite differences.
 */
import { readFileSync } from "node:fs";
import { add, compile, concat, gradcheck, reshape, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { InputShapeError, ModelDefinitionError, ParamTreeError } from "../errors.js";
import { flatten, type ParamTree } from "../params.js";
import { rng } from "../rng.js";
import {
  apply,
  Chain,
  Dense,
  type Layer,
  Parallel,
  parameterCount,
  Scale,
  SkipConnection,
  setup,
  WrappedFunction,
} from "./index.js";

/** Uniform numbers in (−1, 1) from a 32-bit LCG (Numerical Recipes constants). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}
function randomMatrix(rows: number, cols: number, seed: number): number[][] {
  const u = lcg(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => u()));
}

const sigmoidRef = (v: number) => 1 / (1 + Math.exp(-v));
// The activations' definitions (NNlib): gelu in its tanh approximation.
const ACT_REF: Record<string, (v: number) => number> = {
  identity: (v) => v,
  tanh: Math.tanh,
  sigmoid: sigmoidRef,
  relu: (v) => Math.max(v, 0),
  softplus: (v) => Math.log1p(Math.exp(v)),
  gelu: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
  swish: (v) => v * sigmoidRef(v),
};

/** y = act(x·Wᵀ + b) by loops; W is out × in. */
function denseRef(x: number[][], W: number[][], b: number[] | null, act: (v: number) => number): number[][] {
  return x.map((row) =>
    W.map((w, j) => {
      let s = 0;
      for (let k = 0; k < row.length; k++) s += row[k] * w[k];
      return act(s + (b ? b[j] : 0));
    }),
  );
}

const rowsOf = (t: Tensor | ParamTree): number[][] => (t as Tensor).toArray() as number[][];
const vecOf = (t: Tensor | ParamTree): number[] => Array.from((t as Tensor).data);

/** max |a − b| / max |b|. */
function relErr(a: number[][], b: number[][]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    for (let j = 0; j < b[i].length; j++) {
      num = Math.max(num, Math.abs(a[i][j] - b[i][j]));
      den = Math.max(den, Math.abs(b[i][j]));
    }
  }
  return num / den;
}

/**
 * Gradcheck of model(x; p) with respect to x and the flat parameter vector p (through unflatten,
 * the documented path for differentiating parameters). Central differences with eps = 1e-6 have
 * truncation and rounding errors near 1e-10 for these O(1) smooth functions; rtol 1e-6 and
 * atol 1e-8 are autodiff's defaults.
 */
function checkGradients(model: Layer, inDims: number, batch: number, seed: number) {
  const { ps, st } = setup(rng(seed), model);
  const { vector, unflatten } = flatten(ps);
  // Random parameters (not the initial ones: biases start at 0, which would hide bias bugs).
  const u = lcg(seed + 1);
  const p = Float64Array.from(vector, () => u());
  const x = tensor(randomMatrix(batch, inDims, seed + 2));
  const result = gradcheck(
    (xt: Tensor, pt: Tensor) => apply(model, xt, unflatten(pt), st)[0],
    [x, tensor(p)],
  );
  expect(result.ok, JSON.stringify(result)).toBe(true);
}

describe("Dense", () => {
  test("parameters are weight [out, in] and bias [out]; parameterCount = out·in + out", () => {
    const model = Dense(4, 5);
    const { ps, st } = setup(rng(0), model);
    expect((ps.weight as Tensor).shape).toEqual([5, 4]);
    expect((ps.bias as Tensor).shape).toEqual([5]);
    expect(parameterCount(model)).toBe(25);
    expect(st).toEqual({});
    expect(Object.keys(setup(rng(0), Dense(4, 5, { useBias: false })).ps)).toEqual(["weight"]);
  });

  for (const act of Object.keys(ACT_REF)) {
    test(`forward with ${act} equals act(x·Wᵀ + b) computed by loops`, () => {
      const model = Dense(3, 4, { activation: act as "tanh" });
      const { ps, st } = setup(rng(1), model);
      const bias = ps.bias as Tensor;
      bias.data.set([0.1, -0.2, 0.3, -0.4]);
      const x = randomMatrix(6, 3, 11);
      const [y] = apply(model, tensor(x), ps, st);
      const want = denseRef(x, rowsOf(ps.weight), vecOf(bias), ACT_REF[act]);
      // Same sums in the same order up to the kernel's association, and the activation's own
      // rounding: a few ulps.
      expect(relErr(rowsOf(y), want)).toBeLessThan(1e-15 * 8);
    });
  }

  test("a vector input is one sample and gives a vector", () => {
    const model = Dense(3, 2, { activation: "tanh" });
    const { ps, st } = setup(rng(2), model);
    const [y] = apply(model, tensor([0.5, -1, 2]), ps, st);
    expect(y.shape).toEqual([2]);
    const [yb] = apply(model, tensor([[0.5, -1, 2]]), ps, st);
    expect(Array.from(y.data)).toEqual(Array.from(yb.data));
  });

  for (const act of Object.keys(ACT_REF)) {
    for (const batch of [1, 3, 25]) {
      test(`gradients (x and params) through Dense(4 => 5, ${act}), batch ${batch}`, () => {
        checkGradients(Dense(4, 5, { activation: act as "tanh" }), 4, batch, 100 + batch);
      });
    }
  }

  test("gradients without a bias and for a vector input", () => {
    checkGradients(Dense(3, 2, { useBias: false, activation: "softplus" }), 3, 3, 7);
    const model = Dense(3, 2, { activation: "tanh" });
    const { ps, st } = setup(rng(3), model);
    const { vector, unflatten } = flatten(ps);
    const r = gradcheck(
      (x, p) => apply(model, x, unflatten(p), st)[0],
      [tensor([0.3, -0.7, 0.2]), tensor(vector)],
    );
    expect(r.ok).toBe(true);
  });

  test("wrong input width → InputShapeError with a fix (and a hint for a transposed batch)", () => {
    const model = Dense(4, 5);
    const { ps, st } = setup(rng(0), model);
    expect(() => apply(model, tensor(randomMatrix(25, 3, 1)), ps, st)).toThrow(InputShapeError);
    expect(() => apply(model, tensor(randomMatrix(25, 3, 1)), ps, st)).toThrow(/expected \[batch, 4\]/);
    expect(() => apply(model, tensor(randomMatrix(4, 25, 1)), ps, st)).toThrow(/transposed/);
    expect(() => apply(model, tensor([1, 2, 3]), ps, st)).toThrow(/Fix/);
  });

  test("bad definitions → ModelDefinitionError", () => {
    expect(() => Dense(0, 3)).toThrow(ModelDefinitionError);
    expect(() => Dense(2.5, 3)).toThrow(/positive integer/);
    expect(() => Dense(2, 3, { activation: "elu" as "tanh" })).toThrow(/not known/);
  });
});

describe("Lux parity on the seed problem's net", () => {
  test("Dense(4, 5) → Dense(5, 4) with the fixture weights on the 25×4 batch of u₀ matches y = x·Wᵀ + b per layer to 1e-15", () => {
    // The seed fixture (a committed copy of ../shared/fixtures/seed-ude.json lives in apps/ude/data).
    const url = new URL("../../../../apps/ude/data/seed-ude.json", import.meta.url);
    const seed = JSON.parse(readFileSync(url, "utf8")) as {
      trainingData: number[][];
      nn: { layers: { weight: number[][]; bias: number[] }[] };
    };
    const u = seed.trainingData.map((row) => row[0]);
    const x = Array.from({ length: 25 }, (_, i) => u.slice(4 * i, 4 * i + 4));
    const [l1, l2] = seed.nn.layers;
    // Hand computation, plain loops: h = x·W₁ᵀ + b₁, y = h·W₂ᵀ + b₂.
    const h: number[][] = x.map((row) =>
      l1.weight.map((w, j) => {
        let s = l1.bias[j];
        for (let k = 0; k < 4; k++) s += row[k] * w[k];
        return s;
      }),
    );
    const want: number[][] = h.map((row) =>
      l2.weight.map((w, j) => {
        let s = l2.bias[j];
        for (let k = 0; k < 5; k++) s += row[k] * w[k];
        return s;
      }),
    );
    const model = Chain(Dense(4, 5), Dense(5, 4));
    const { ps, st } = setup(rng(0), model);
    const layer = (name: string) => ps[name] as ParamTree;
    (layer("layer_1").weight as Tensor).data.set(l1.weight.flat());
    (layer("layer_1").bias as Tensor).data.set(l1.bias);
    (layer("layer_2").weight as Tensor).data.set(l2.weight.flat());
    (layer("layer_2").bias as Tensor).data.set(l2.bias);
    const [y] = apply(model, tensor(x), ps, st);
    expect(y.shape).toEqual([25, 4]);
    // 1e-15 relative to the largest entry: both sides sum 4 (then 5) products per entry; only the
    // association order of the kernel may differ.
    expect(relErr(rowsOf(y), want)).toBeLessThanOrEqual(1e-15);
    expect(parameterCount(model)).toBe(49);
  });
});

describe("containers", () => {
  test("Chain names children layer_1, layer_2, … and threads the input through them", () => {
    const model = Chain(Dense(3, 4, { activation: "tanh" }), Dense(4, 2));
    const { ps, st } = setup(rng(4), model);
    expect(Object.keys(ps)).toEqual(["layer_1", "layer_2"]);
    expect(st).toEqual({ layer_1: {}, layer_2: {} });
    expect(((ps.layer_1 as ParamTree).weight as Tensor).shape).toEqual([4, 3]);
    const x = randomMatrix(5, 3, 3);
    const l1 = ps.layer_1 as ParamTree;
    const l2 = ps.layer_2 as ParamTree;
    const h = denseRef(x, rowsOf(l1.weight), vecOf(l1.bias), Math.tanh);
    const want = denseRef(h, rowsOf(l2.weight), vecOf(l2.bias), (v) => v);
    expect(relErr(rowsOf(apply(model, tensor(x), ps, st)[0]), want)).toBeLessThan(1e-14);
  });

  test("Chain({ name: layer }) uses the given names", () => {
    const { ps } = setup(rng(0), Chain({ encoder: Dense(3, 2), decoder: Dense(2, 3) }));
    expect(Object.keys(ps)).toEqual(["encoder", "decoder"]);
  });

  test("Parallel gives every child x and combines with the connection", () => {
    const model = Parallel((a, b) => concat([a, b], 1), Dense(3, 2), Dense(3, 4, { activation: "relu" }));
    const { ps, st } = setup(rng(5), model);
    const x = randomMatrix(3, 3, 5);
    const [y] = apply(model, tensor(x), ps, st);
    const a = ps.layer_1 as ParamTree;
    const b = ps.layer_2 as ParamTree;
    const ya = denseRef(x, rowsOf(a.weight), vecOf(a.bias), (v) => v);
    const yb = denseRef(x, rowsOf(b.weight), vecOf(b.bias), ACT_REF.relu);
    expect(
      relErr(
        rowsOf(y),
        ya.map((r, i) => [...r, ...yb[i]]),
      ),
    ).toBeLessThan(1e-14);
  });

  test("SkipConnection computes connection(layer(x), x) and shares the layer's parameters", () => {
    const model = SkipConnection(Dense(3, 3, { activation: "tanh" }), add);
    const { ps, st } = setup(rng(6), model);
    expect(Object.keys(ps)).toEqual(["weight", "bias"]);
    const x = randomMatrix(2, 3, 6);
    const inner = denseRef(x, rowsOf(ps.weight), vecOf(ps.bias), Math.tanh);
    const [y] = apply(model, tensor(x), ps, st);
    expect(
      relErr(
        rowsOf(y),
        inner.map((r, i) => r.map((v, j) => v + x[i][j])),
      ),
    ).toBeLessThan(1e-15 * 4);
  });

  test("WrappedFunction has no parameters; Scale is weight ⊙ x + bias", () => {
    const w = WrappedFunction((x) => reshape(x, [x.size]));
    const { ps } = setup(rng(0), w);
    expect(ps).toEqual({});
    expect(parameterCount(w)).toBe(0);
    const s = Scale(3, { activation: "sigmoid" });
    const sp = setup(rng(0), s);
    expect(Array.from((sp.ps.weight as Tensor).data)).toEqual([1, 1, 1]);
    (sp.ps.weight as Tensor).data.set([2, -1, 0.5]);
    (sp.ps.bias as Tensor).data.set([0.1, 0.2, 0.3]);
    const [y] = apply(s, tensor([[1, 2, 3]]), sp.ps, sp.st);
    const want = [2 * 1 + 0.1, -1 * 2 + 0.2, 0.5 * 3 + 0.3].map(sigmoidRef);
    expect(relErr(rowsOf(y), [want])).toBeLessThan(1e-15 * 4);
  });

  const containers: [string, () => Layer, number][] = [
    ["Chain", () => Chain(Dense(4, 5, { activation: "tanh" }), Dense(5, 3, { activation: "gelu" })), 4],
    [
      "named Chain",
      () => Chain({ a: Dense(4, 3, { activation: "swish" }), b: Scale(3, { activation: "softplus" }) }),
      4,
    ],
    ["Parallel", () => Parallel((a, b) => add(a, b), Dense(4, 3, { activation: "sigmoid" }), Dense(4, 3)), 4],
    ["SkipConnection", () => SkipConnection(Dense(4, 4, { activation: "tanh" }), add), 4],
    [
      "WrappedFunction in a Chain",
      () =>
        Chain(
          WrappedFunction((x) => add(x, x)),
          Dense(4, 2),
        ),
      4,
    ],
    ["Scale", () => Scale(4, { activation: "tanh" }), 4],
    [
      "nested",
      () =>
        Chain(
          SkipConnection(Chain(Dense(4, 6, { activation: "relu" }), Dense(6, 4)), add),
          Parallel((a, b) => concat([a, b], 1), Dense(4, 2), Scale(4)),
        ),
      4,
    ],
  ];
  for (const [name, make, inDims] of containers) {
    for (const batch of [1, 3, 25]) {
      test(`gradients (x and params) through ${name}, batch ${batch}`, () => {
        checkGradients(make(), inDims, batch, 300 + batch);
      });
    }
  }
});

describe("setup, apply, and parameter trees", () => {
  test("same seed → bit-identical parameters; draws follow the layout order", () => {
    const model = Chain(Dense(4, 5, { activation: "tanh" }), Dense(5, 4));
    const a = flatten(setup(rng(42), model).ps).vector;
    const b = flatten(setup(rng(42), model).ps).vector;
    expect(Array.from(a)).toEqual(Array.from(b));
    // layer_1.weight takes the first 20 uniforms of rng(42): a·(2u − 1), a = √(6/(4 + 5)).
    const r = rng(42);
    const limit = Math.sqrt(6 / 9);
    for (let i = 0; i < 20; i++) expect(a[i]).toBe(limit * (2 * r.uniform() - 1));
    expect(Array.from(a.subarray(20, 25))).toEqual([0, 0, 0, 0, 0]); // zeros bias, no draws
    const limit2 = Math.sqrt(6 / 9);
    for (let i = 25; i < 45; i++) expect(a[i]).toBe(limit2 * (2 * r.uniform() - 1));
    expect(setup(42, model).ps).toEqual(setup(rng(42), model).ps);
  });

  test("a ps tree that does not match the model → ParamTreeError with a fix", () => {
    const model = Chain(Dense(4, 5), Dense(5, 4));
    const other = setup(rng(0), Chain(Dense(4, 6), Dense(6, 4))).ps;
    const x = tensor(randomMatrix(2, 4, 0));
    expect(() => apply(model, x, other, {})).toThrow(ParamTreeError);
    expect(() => apply(model, x, other, {})).toThrow(/expected a Tensor of shape \[5, 4\]/);
    const { ps } = setup(rng(0), model);
    expect(() => apply(model, x, { layer_1: ps.layer_1 }, {})).toThrow(/layer_2 is missing/);
    expect(() => apply(model, x, { ...ps, layer_3: ps.layer_1 }, {})).toThrow(/layer_3 is not a parameter/);
    expect(() => apply(Dense(4, 5), x, ps, {})).toThrow(/Fix/);
  });
});

describe("the UDE path: a flat parameter tensor on a compiled tape", () => {
  test("compile((u, p) => blockwise net) replays forward and VJP equal to eager vjp", () => {
    const model = Chain(Dense(4, 5, { activation: "tanh" }), Dense(5, 4));
    const { ps, st } = setup(rng(8), model);
    const { vector, unflatten } = flatten(ps);
    const net = (u: Tensor, p: Tensor) =>
      reshape(apply(model, reshape(u, [25, 4]), unflatten(p), st)[0], [100]);
    const u0 = tensor(Float64Array.from(randomMatrix(1, 100, 9)[0]));
    const compiled = compile(net, u0, tensor(vector));
    const ct = Float64Array.from(randomMatrix(1, 100, 10)[0]);
    const [out, pullback] = vjp(net, u0, tensor(vector));
    const [gu, gp] = pullback(ct);
    expect(Array.from(compiled.forward([u0.data, vector]))).toEqual(Array.from(out.data));
    const [cu, cp] = compiled.vjp([u0.data, vector], ct);
    expect(Array.from(cu)).toEqual(Array.from(gu.data));
    expect(Array.from(cp)).toEqual(Array.from(gp.data));
    // A parameter update in place is seen by the next replay (the parameters are an input).
    vector[0] += 1;
    expect(Array.from(compiled.forward([u0.data, vector]))).toEqual(Array.from(net(u0, tensor(vector)).data));
  });
});
