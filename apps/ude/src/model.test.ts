import { diag, matvec, sub, sum, tensor } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import { connectivity, MODELS, makeParams, netParameterCount, paramsFromVector, rhsFor } from "./model.js";

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
