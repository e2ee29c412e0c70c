import { diag, matvec, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { Chain, Dense, flatten, rng, setup } from "@udekit/nn";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import {
  connectivity,
  initialParams,
  MODELS,
  makeParams,
  netParameterCount,
  paramsFromVector,
  rhsFor,
} from "./model.js";
import { parseModelSpec } from "./model-spec.js";

const seed = loadSeed();

test("parameters: one flat vector [P row-major; W1, b1, W2, b2] whose views read back the inputs", () => {
  const p = makeParams("ude", seed.connectivity, seed.nn.layers, "identity");
  // (4·5 + 5) + (5·4 + 4), from the layer library's own shapes.
  expect(netParameterCount(MODELS.ude)).toBe(49);
  expect(p.vector.length).toBe(100 * 100 + 49);
  expect(p.vector[1]).toBe(seed.connectivity[0][1]);
  expect(p.vector[100 * 100]).toBe(seed.nn.layers[0].weight[0][0]);
  expect(p.vector[100 * 100 + 20]).toBe(seed.nn.layers[0].bias[0]);
  expect(p.P()).toEqual(seed.connectivity);
  expect(p.layers()).toEqual(seed.nn.layers);
  expect(paramsFromVector("ude", 100, p.vector).layers()).toEqual(seed.nn.layers);
  expect(makeParams("linear", seed.connectivity, [], "identity").tensor().shape).toEqual([100, 100]);
});

test("A(P)·u = P·u − (P·1)∘u equals (P − diag(P·1))·u", () => {
  const P = tensor([
    [0, 2, 1],
    [3, 0, 0.5],
    [1, 1, 0],
  ]);
  const u = tensor([1, -2, 0.5]);
  const a = connectivity(u, P).data;
  const b = matvec(sub(P, diag(sum(P, 1))), u).data;
  for (let i = 0; i < 3; i++) expect(a[i]).toBeCloseTo(b[i], 14);
});

test("the UDE right-hand side adds the blockwise net (checked by hand on one block)", () => {
  const layers = [
    {
      weight: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
        [1, 1, 1, 1],
      ],
      bias: [0, 0, 0, 0, 1],
    },
    {
      weight: [
        [1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
      ],
      bias: [0.5, 0, 0, 0],
    },
  ];
  const P = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  const p = makeParams("ude", P, layers, "identity");
  const f = rhsFor(p);
  const du = f(tensor([1, 2, 3, 4]), p.tensor(), tensor(0)).data;
  // h = [1, 2, 3, 4, 1 + 10]; y = [h1 + 0.5, h5, 0, 0]; A = 0.
  expect(Array.from(du)).toEqual([1.5, 11, 0, 0]);
});

test("a nonnegative, masked P: θ = softplus⁻¹(P) stored, P itself reported, masked entries 0", () => {
  const spec = parseModelSpec(
    {
      name: "m",
      linear: true,
      P: {
        constraint: "nonnegative",
        allowed: [
          [1, 2],
          [2, 3],
          [3, 1],
        ],
      },
    },
    { what: "test" },
  );
  const P = [
    [0.7, 0.25, 9],
    [1, 2, 40],
    [1e-3, 5, 0.5],
  ];
  const p = makeParams(spec, P, []);
  // Masked entries are stored as 0 and reported as 0; allowed ones come back through softplus.
  expect(Array.from(p.vector)).toEqual([
    0,
    Math.log(Math.expm1(0.25)),
    0,
    0,
    0,
    40 + Math.log(-Math.expm1(-40)),
    Math.log(Math.expm1(1e-3)),
    0,
    0,
  ]);
  const back = p.P();
  expect(back[0][0]).toBe(0);
  expect(back[2][2]).toBe(0);
  // softplus(softplus⁻¹(y)) = y to a few ulps (one exp and one log each way).
  for (const [i, j] of [
    [0, 1],
    [1, 2],
    [2, 0],
  ]) {
    expect(Math.abs(back[i][j] - P[i][j]) / P[i][j]).toBeLessThan(4e-16 * 8);
  }
});

test("the right-hand side of a nonnegative, masked P with a net, against loops written out by hand", () => {
  const spec = parseModelSpec(
    {
      name: "m",
      linear: true,
      P: {
        constraint: "nonnegative",
        mask: [
          [0, 1, 0, 0],
          [0, 0, 1, 1],
          [1, 0, 0, 0],
          [0, 1, 1, 0],
        ],
      },
      net: { block: 2, hidden: [] },
    },
    { what: "test" },
  );
  const theta = [
    [0.3, -1, 2, 0.1],
    [0.5, 0.2, 1.5, -0.4],
    [-2, 0.7, 0.9, 3],
    [1, 0.6, -0.3, 0.8],
  ];
  const mask = spec.P?.mask as number[][];
  const softplus = (x: number) => Math.log(1 + Math.exp(x));
  const P = theta.map((r, i) => r.map((x, j) => mask[i][j] * softplus(x)));
  // One Dense(2 → 2) on the blocks (u1, u2) and (u3, u4).
  const W = [
    [0.5, -1],
    [2, 0.25],
  ];
  const b = [0.1, -0.2];
  const p = makeParams(spec, P, [{ weight: W, bias: b }]);
  const u = [0.4, -0.3, 1.2, 0.8];
  const du = Array.from(rhsFor(p)(tensor(u), p.tensor(), tensor(0)).data);
  const expected = u.map((ui, i) => {
    const blockStart = 2 * Math.floor(i / 2);
    const r = i % 2;
    const nn = W[r][0] * u[blockStart] + W[r][1] * u[blockStart + 1] + b[r];
    let linear = 0;
    for (let j = 0; j < 4; j++) linear += P[i][j] * (u[j] - ui);
    return nn + linear;
  });
  // Different summation orders: agreement to a few ulps of the largest term (|terms| < 10).
  for (const [i, x] of du.entries()) expect(Math.abs(x - expected[i])).toBeLessThan(1e-14);
});

test("masked entries of θ get an exactly zero gradient; a net-only model has no P", () => {
  const spec = parseModelSpec(
    {
      name: "m",
      linear: true,
      P: {
        allowed: [
          [1, 2],
          [2, 1],
        ],
      },
      net: { block: 1, hidden: [] },
    },
    { what: "test" },
  );
  const p = initialParams(spec, 3, 5);
  const f = rhsFor(p);
  const u = tensor([1, 2, 3]);
  const [, g] = valueAndGrad((x: Tensor) => sum(square(f(u, x, tensor(0)))))(p.tensor()) as [Tensor, Tensor];
  const masked = [0, 4, 5, 6, 7, 8, 2]; // every entry of the 3 × 3 θ but [1, 2] and [2, 1] (0-based 1 and 3)
  for (const k of masked) expect(g.data[k]).toBe(0);
  expect(g.data[1]).not.toBe(0);
  expect(g.data[3]).not.toBe(0);
  const netOnly = parseModelSpec(
    { name: "n", linear: false, net: { block: 3, hidden: [{ width: 2, activation: "tanh" }] } },
    { what: "test" },
  );
  const q = initialParams(netOnly, 3, 1);
  expect(q.vector.length).toBe(3 * 2 + 2 + 2 * 3 + 3);
  expect(q.P()).toEqual([]);
  expect(q.layers().map((l) => [l.weight.length, l.weight[0].length])).toEqual([
    [2, 3],
    [3, 2],
  ]);
});

test("random starting parameters: P uniform in [0, 1) then the net, from one seeded generator (as before model files)", () => {
  // The seed UDE's draw order: 16 uniforms for P, then @udekit/nn's setup of Dense(4→5)→Dense(5→4).
  const r = rng(7);
  const P = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => r.uniform()));
  const { ps } = setup(r, Chain(Dense(4, 5), Dense(5, 4)));
  const p = initialParams(MODELS.ude, 4, 7);
  expect(p.P()).toEqual(P);
  expect(Array.from(p.vector.subarray(16))).toEqual(Array.from(flatten(ps).vector));
});
