// The model description's validation: each rule of the schema (model-spec.ts) refuses what it
// should with its one-line message, and the built-ins and the committed example pass it.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { MODELS } from "./builtin-models.js";
import { InputFileError } from "./errors.js";
import { checkModelFits, leadingSpec, maskOf, parseModelSpec, withActivation } from "./model-spec.js";

const source = { what: 'model file "m.json"' };
const parse = (raw: unknown) => parseModelSpec(raw, source);
const net = { block: 2, hidden: [{ width: 3, activation: "tanh" }] };

/** The message of the InputFileError `f` throws. */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    return (e as Error).message;
  }
  throw new Error("expected an InputFileError, nothing was thrown");
}

test("the built-ins and the committed example are valid model files", () => {
  expect(MODELS.linear).toEqual({
    name: "linear",
    description: expect.any(String),
    linear: true,
    P: { constraint: "none" },
  });
  expect(MODELS.ude.net).toEqual({ block: 4, hidden: [{ width: 5, activation: "identity" }] });
  const example = JSON.parse(
    readFileSync(new URL("../models/examples/nonneg-sparse.json", import.meta.url), "utf8"),
  );
  const spec = parse(example);
  expect(spec.P?.constraint).toBe("nonnegative");
  expect(spec.P?.allowed).toHaveLength(16);
  expect(spec.net?.hidden.map((h) => [h.width, h.activation])).toEqual([
    [8, "tanh"],
    [8, "tanh"],
  ]);
});

test("defaults: the name from the source, P unconstrained and unmasked, no net", () => {
  expect(parseModelSpec({ linear: true }, { ...source, defaultName: "m" })).toEqual({
    name: "m",
    linear: true,
    P: { constraint: "none" },
  });
  expect(parse({ name: "n", linear: false, net: { block: 1, hidden: [] } })).toEqual({
    name: "n",
    linear: false,
    net: { block: 1, hidden: [] },
  });
  // "net": null is the same as no net.
  expect(parse({ name: "n", linear: true, net: null }).net).toBeUndefined();
});

test.each([
  [
    "unknown key, with the nearest valid one",
    { name: "m", linear: true, nett: net },
    'model file "m.json": unknown key "nett" in the model (did you mean "net"?). Fix: use only the keys name, description, linear, P, net.',
  ],
  [
    "unknown key inside P",
    { name: "m", linear: true, P: { constrant: "none" } },
    'model file "m.json": unknown key "constrant" in "P" (did you mean "constraint"?). Fix: use only the keys constraint, mask, allowed.',
  ],
  [
    "unknown key in a hidden layer",
    { name: "m", linear: true, net: { block: 2, hidden: [{ width: 3, activation: "tanh", bias: false }] } },
    'model file "m.json": unknown key "bias" in "net.hidden" layer 1. Fix: use only the keys width, activation.',
  ],
  [
    "a right-hand side in code",
    { name: "m", linear: true, rhs: "f" },
    'model file "m.json": "rhs" is not supported: a model is described by data (linear part, P\'s constraint and mask, net), not by code. Fix: describe the model with linear, P and net; a custom right-hand side needs a change to apps/ude/src/model.ts.',
  ],
  [
    "not an object",
    [1, 2],
    'model file "m.json": the model must be an object, but it is a list. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "linear missing",
    { name: "m" },
    'model file "m.json": the key "linear" is missing. Fix: say whether the known linear part A(P)·u is present: "linear": true or "linear": false.',
  ],
  [
    "linear of the wrong type",
    { name: "m", linear: "yes" },
    'model file "m.json": "linear" must be true or false, but it is the string "yes". Fix: say whether the known linear part A(P)·u is present: "linear": true or "linear": false.',
  ],
  [
    "a name with spaces",
    { name: "my model", linear: true },
    'model file "m.json": "name" must be a string of letters, digits, ".", "_" and "-", but it is the string "my model". Fix: give the model a short name, e.g. "name": "my-model".',
  ],
  [
    "description not a string",
    { name: "m", description: 3, linear: true },
    'model file "m.json": "description" must be a string, but it is number 3. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "unknown constraint",
    { name: "m", linear: true, P: { constraint: "positive" } },
    'model file "m.json": "P.constraint" is "positive", which is not known. Fix: use one of none, nonnegative.',
  ],
  [
    "misspelt constraint",
    { name: "m", linear: true, P: { constraint: "nonnegatve" } },
    'model file "m.json": "P.constraint" is "nonnegatve", which is not known (did you mean "nonnegative"?). Fix: use one of none, nonnegative.',
  ],
  [
    "P without the linear part",
    { name: "m", linear: false, P: {}, net },
    'model file "m.json": "P" is given but "linear" is false (P exists only in the linear part A(P)·u). Fix: remove "P", or set "linear": true.',
  ],
  [
    "neither term",
    { name: "m", linear: false },
    'model file "m.json": the model has neither the linear part ("linear": false) nor a net, so du/dt would be 0. Fix: set "linear": true, or add a "net".',
  ],
  [
    "mask and allowed together",
    { name: "m", linear: true, P: { mask: [[1]], allowed: [[1, 1]] } },
    'model file "m.json": "P" has both "mask" and "allowed". Fix: give the sparsity pattern one way: a 0/1 matrix (mask) or a list of pairs (allowed).',
  ],
  [
    "a ragged mask",
    { name: "m", linear: true, P: { mask: [[1, 0], [1]] } },
    'model file "m.json": "P.mask" must be a square matrix (a list of n rows of n numbers) or the path of a CSV file holding one. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "a mask entry other than 0 or 1",
    {
      name: "m",
      linear: true,
      P: {
        mask: [
          [1, 0],
          [0.5, 1],
        ],
      },
    },
    'model file "m.json": "P.mask" row 2, column 1 is number 0.5; a mask holds only 0 and 1. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "a mask file outside a model file",
    { name: "m", linear: true, P: { mask: "mask.csv" } },
    'model file "m.json": "P.mask" names a file, which only a model file may do. Fix: give the mask as a matrix of 0 and 1.',
  ],
  [
    "an allowed entry that is not a pair",
    { name: "m", linear: true, P: { allowed: [[1, 2, 3]] } },
    'model file "m.json": "P.allowed" entry 1 is a list, not an [i, j] pair. Fix: write pairs of 1-based node numbers, e.g. "allowed": [[1, 2], [2, 1]].',
  ],
  [
    "a 0-based pair",
    { name: "m", linear: true, P: { allowed: [[0, 1]] } },
    'model file "m.json": "P.allowed" entry 1\'s i must be a whole number ≥ 1, but it is number 0. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "a block that is not a whole number",
    { name: "m", linear: true, net: { block: 2.5, hidden: [] } },
    'model file "m.json": "net.block" must be a whole number ≥ 1, but it is number 2.5. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "block missing",
    { name: "m", linear: true, net: { hidden: [] } },
    'model file "m.json": "net.block" must be a whole number ≥ 1, but it is not given. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "a function where an object belongs (a module's export)",
    { name: "m", linear: true, net: () => 1 },
    'model file "m.json": "net" must be an object, but it is a function. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "hidden missing",
    { name: "m", linear: true, net: { block: 2 } },
    'model file "m.json": "net.hidden" is missing. Fix: list the hidden layers, e.g. "hidden": [{ "width": 8, "activation": "tanh" }] ([] for none).',
  ],
  [
    "a width of 0",
    { name: "m", linear: true, net: { block: 2, hidden: [{ width: 0, activation: "tanh" }] } },
    'model file "m.json": "net.hidden" layer 1\'s width must be a whole number ≥ 1, but it is number 0. Fix: see the model file schema in apps/ude/README.md ("Your own model").',
  ],
  [
    "unknown activation",
    { name: "m", linear: true, net: { block: 2, hidden: [{ width: 3, activation: "tanhh" }] } },
    'model file "m.json": "net.hidden" layer 1\'s activation is "tanhh", which is not known (did you mean "tanh"?). Fix: use one of identity, tanh, sigmoid, relu, softplus, gelu, swish.',
  ],
])("refuses %s", (_name, raw, message) => {
  expect(messageOf(() => parse(raw))).toBe(message);
});

test("every activation @udekit/nn offers is accepted", () => {
  for (const activation of ["identity", "tanh", "sigmoid", "relu", "softplus", "gelu", "swish"]) {
    const spec = parse({ name: "m", linear: false, net: { block: 1, hidden: [{ width: 2, activation }] } });
    expect(spec.net?.hidden[0].activation).toBe(activation);
  }
});

test("a model must fit the data: the block divides n, the mask is n × n, pairs name nodes 1..n", () => {
  const spec = parse({ name: "m", linear: true, net });
  expect(() => checkModelFits(spec, 8, "a.csv")).not.toThrow();
  expect(messageOf(() => checkModelFits(spec, 7, "a.csv"))).toBe(
    'a.csv has 7 nodes, but the "m" model applies its net to blocks of 2 nodes, so the node count must be a multiple of 2. Fix: use a model whose net.block divides 7, or give 6 or 8 nodes.',
  );
  const masked = parse({ name: "m", linear: true, P: { mask: [[0]] } });
  expect(() => checkModelFits(masked, 1, "a.csv")).not.toThrow();
  expect(messageOf(() => checkModelFits(masked, 3, "a.csv"))).toBe(
    'the "m" model\'s P.mask is 1 × 1, but a.csv has 3 nodes. Fix: give a 3 × 3 mask (one row and one column per node).',
  );
  const pairs = parse({ name: "m", linear: true, P: { allowed: [[1, 3]] } });
  expect(() => checkModelFits(pairs, 3, "a.csv")).not.toThrow();
  expect(messageOf(() => checkModelFits(pairs, 2, "a.csv"))).toBe(
    'the "m" model\'s P.allowed names the pair [1, 3], but a.csv has only 2 nodes. Fix: use node numbers from 1 to 2.',
  );
});

test("masks as a 0/1 pattern; the leading block of a spec; --activation on every hidden layer", () => {
  const pairs = parse({
    name: "m",
    linear: true,
    P: {
      allowed: [
        [1, 2],
        [3, 1],
      ],
    },
  });
  expect(Array.from(maskOf(pairs, 3) ?? [])).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0]);
  expect(leadingSpec(pairs, 2).P?.allowed).toEqual([[1, 2]]);
  const matrix = parse({
    name: "m",
    linear: true,
    P: {
      mask: [
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 0],
      ],
    },
  });
  expect(leadingSpec(matrix, 2).P?.mask).toEqual([
    [0, 1],
    [1, 0],
  ]);
  expect(maskOf(MODELS.ude, 4)).toBeUndefined();
  const two = parse({
    name: "m",
    linear: true,
    net: {
      block: 2,
      hidden: [
        { width: 3, activation: "tanh" },
        { width: 3, activation: "relu" },
      ],
    },
  });
  expect(withActivation(two, "identity").net?.hidden.map((h) => h.activation)).toEqual([
    "identity",
    "identity",
  ]);
});

test("the README's example model is the committed file, verbatim", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Your own model"));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBe(readFileSync(new URL("../models/examples/nonneg-sparse.json", import.meta.url), "utf8"));
});
