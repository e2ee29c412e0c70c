// --params: parameters read back with their model — from results.json's `model` description, or
// (documents written before model files, the fixture) from the built-in they name or imply.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadSeed } from "./data.js";
import { InputFileError } from "./errors.js";
import { initialParams, MODELS } from "./model.js";
import { parseModelSpec } from "./model-spec.js";
import { loadParamsFile } from "./params-file.js";
import { savedParameters } from "./results-schema.js";

const dir = mkdtempSync(join(tmpdir(), "ude-params-file-"));
let count = 0;
const file = (doc: unknown) => {
  const path = join(dir, `p${++count}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
};

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    return (e as Error).message;
  }
  throw new Error("expected an InputFileError, nothing was thrown");
}

const spec = parseModelSpec(
  {
    name: "m",
    linear: true,
    P: {
      constraint: "nonnegative",
      allowed: [
        [1, 2],
        [2, 1],
      ],
    },
    net: { block: 2, hidden: [{ width: 3, activation: "tanh" }] },
  },
  { what: "test" },
);

test("a results document's model and parameters come back as they were saved", () => {
  const p = initialParams(spec, 4, 11);
  const path = file({ model: spec, parameters: savedParameters(p) });
  const back = loadParamsFile(path);
  expect(back.spec).toEqual(spec);
  expect(back.P()).toEqual(p.P());
  expect(back.layers()).toEqual(p.layers());
  // θ = softplus⁻¹(P): the allowed entries within a few ulps (P is what the file holds).
  for (const k of [1, 4]) expect(Math.abs(back.vector[k] - p.vector[k])).toBeLessThan(1e-14);
  // A model without the linear part: no P, n from parameters.n.
  const netOnly = parseModelSpec(
    { name: "n", linear: false, net: { block: 1, hidden: [] } },
    { what: "test" },
  );
  const q = initialParams(netOnly, 3, 2);
  const r = loadParamsFile(file({ model: netOnly, parameters: savedParameters(q) }));
  expect(r.n).toBe(3);
  expect(Array.from(r.vector)).toEqual(Array.from(q.vector));
});

test("documents without a model description: the built-in named, or implied by a net", () => {
  const seed = loadSeed();
  const fixture = loadParamsFile(file({ connectivity: seed.connectivity, nn: seed.nn }));
  expect(fixture.spec).toEqual(MODELS.ude);
  const old = loadParamsFile(
    file({ parameters: { model: "ude", activation: "tanh", n: 100, P: seed.connectivity, nn: seed.nn } }),
  );
  expect(old.spec.net?.hidden[0].activation).toBe("tanh");
  expect(
    loadParamsFile(
      file({
        P: [
          [0, 1],
          [2, 0],
        ],
      }),
    ).spec,
  ).toEqual(MODELS.linear);
});

test("parameters that do not fit their model are refused with one line", () => {
  const fix = "Fix: pass the results.json that `ude train` wrote (or the seed fixture).";
  const p = initialParams(spec, 4, 11);
  const saved = savedParameters(p);
  const negative = file({
    model: spec,
    parameters: { ...saved, P: saved.P.map((r) => r.map((v) => -v - 1)) },
  });
  expect(messageOf(() => loadParamsFile(negative))).toBe(
    `parameter file "${negative}" has a negative entry in P, but its model constrains P to be nonnegative. ${fix}`,
  );
  const wrongNet = file({ model: spec, parameters: { ...saved, nn: { layers: loadSeed().nn.layers } } });
  expect(messageOf(() => loadParamsFile(wrongNet))).toBe(
    `parameter file "${wrongNet}" has no valid net under "nn.layers" (expected 2 layers: weight 3×2 and bias 3, then weight 2×3 and bias 2). ${fix}`,
  );
  const badModel = file({ model: { ...spec, linear: "yes" }, parameters: saved });
  expect(messageOf(() => loadParamsFile(badModel))).toMatch(
    /^parameter file ".*" \(its "model"\): "linear" must be true or false, but it is the string "yes"\./,
  );
  const oddN = file({
    model: spec,
    parameters: {
      ...saved,
      P: [
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    },
  });
  expect(messageOf(() => loadParamsFile(oddN))).toMatch(
    /has 3 nodes, but the "m" model applies its net to blocks of 2 nodes/,
  );
  const noN = file({ model: { name: "n", linear: false, net: { block: 1, hidden: [] } }, parameters: {} });
  expect(messageOf(() => loadParamsFile(noN))).toBe(
    `parameter file "${noN}" has no node count under "parameters.n". ${fix}`,
  );
});
