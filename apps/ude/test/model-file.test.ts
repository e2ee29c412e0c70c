// `ude train --model my-model.json` end to end for a model that is not a built-in: the committed
// example (models/examples/nonneg-sparse.json: P ≥ 0 through softplus, a ring mask, a tanh net
// with two hidden layers of width 8 on blocks of 2) on a generated 8-node CSV. Training lowers
// the loss; results.json records the model; predict and gradient rebuild it from there; the
// adjoint gradient matches central differences of the model's loss; bad model files are refused
// with one line (exit 2).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tensor } from "@udekit/autodiff";
import { expect, test } from "vitest";
import { dataTensor, predict, rhsFor, sumSquares } from "../src/model.js";
import { parseSolver } from "../src/options.js";
import { loadParamsFile } from "../src/params-file.js";
import { APP_DIR, runCli, tempDir } from "./run-cli.js";

const EXAMPLE = join(APP_DIR, "models", "examples", "nonneg-sparse.json");
const TIGHT = ["--reltol", "1e-10", "--abstol", "1e-12"];

/** 8 nodes at t = 0, 0.5, 1, 1.5, 2: u_i(t) = 0.5 + 0.4·sin(0.7·i + t), with a t= header. */
function generatedCsv(dir: string): string {
  const times = [0, 0.5, 1, 1.5, 2];
  const rows = Array.from({ length: 8 }, (_, i) => times.map((t) => 0.5 + 0.4 * Math.sin(0.7 * i + t)));
  const path = join(dir, "ring.csv");
  writeFileSync(
    path,
    `${times.map((t) => `t=${t}`).join(",")}\n${rows.map((r) => r.join(",")).join("\n")}\n`,
  );
  return path;
}

test("a model file end to end: train lowers the loss, results.json records the model, predict and gradient rebuild it", async () => {
  const dir = tempDir("model-file");
  const data = generatedCsv(dir);
  const out = join(dir, "run");
  const train = await runCli([
    "train",
    "--model",
    EXAMPLE,
    "--data",
    data,
    "--seed",
    "3",
    "--optimizer",
    "adam",
    "--iters",
    "30",
    "--out",
    out,
    "--json",
  ]);
  expect(train.stderr).not.toMatch(/^ude: /m);
  expect(train.code).toBe(0);
  const summary = JSON.parse(train.stdout);
  expect(summary).toMatchObject({ status: "completed", iterations: 30 });
  expect(summary.final_loss).toBeLessThan(summary.initial_loss);
  expect(train.stderr).toMatch(/Training the nonneg-sparse model \(n = 8, 178 parameters\)/);

  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  // The description as the file gives it (validated, defaults filled: none missing here).
  expect(doc.model).toEqual(JSON.parse(readFileSync(EXAMPLE, "utf8")));
  expect(doc.parameters.model).toBe("nonneg-sparse");
  // 64 entries of θ and 2·8 + 8, 8·8 + 8, 8·2 + 2 for the net.
  expect(doc.settings.parameters).toBe(64 + 24 + 72 + 18);
  const allowed = new Set(doc.model.P.allowed.map(([i, j]: [number, number]) => `${i - 1},${j - 1}`));
  const P: number[][] = doc.parameters.P;
  for (const [i, row] of P.entries()) {
    for (const [j, v] of row.entries()) {
      // P itself: softplus(θ) > 0 where allowed, exactly 0 where masked.
      if (allowed.has(`${i},${j}`)) expect(v).toBeGreaterThan(0);
      else expect(v).toBe(0);
    }
  }
  expect(
    doc.parameters.nn.layers.map((l: { weight: number[][] }) => [l.weight.length, l.weight[0].length]),
  ).toEqual([
    [8, 2],
    [8, 8],
    [2, 8],
  ]);

  // predict rebuilds the model from results.json alone: the same loss as training's best iterate
  // (same solver and tolerances).
  const pred = await runCli([
    "predict",
    "--params",
    join(out, "results.json"),
    "--data",
    data,
    "--reltol",
    "1e-6",
    "--abstol",
    "1e-8",
    "--json",
  ]);
  expect(pred.code).toBe(0);
  const p = JSON.parse(pred.stdout);
  expect(p.model).toBe("nonneg-sparse");
  // 1e-12: results.json holds P, so θ = softplus⁻¹(P) comes back to within a few ulps, which the
  // loss feels at rounding level (measured 8e-16).
  expect(Math.abs(p.loss - summary.final_loss) / summary.final_loss).toBeLessThan(1e-12);

  // The gradient by the interpolating adjoint at the trained parameters, against central
  // differences of the same loss (forward solves only) in this process.
  const grad = await runCli([
    "gradient",
    "--params",
    join(out, "results.json"),
    "--data",
    data,
    "--method",
    "interpolating",
    "--repeat",
    "1",
    ...TIGHT,
    "--json",
  ]);
  expect(grad.code).toBe(0);
  const g = JSON.parse(grad.stdout);
  expect(g).toMatchObject({ model: "nonneg-sparse", n: 8, ok: true });
  const gP: number[][] = g.grad.P;
  const gNet: number[] = g.grad.nn.layers.flatMap((l: { weight: number[][]; bias: number[] }) => [
    ...l.weight.flat(),
    ...l.bias,
  ]);
  const gradient = [...gP.flat(), ...gNet];

  const params = loadParamsFile(join(out, "results.json"));
  expect(params.vector.length).toBe(gradient.length);
  const obs = {
    times: [0, 0.5, 1, 1.5, 2],
    values: Array.from({ length: 8 }, (_, i) =>
      [0, 0.5, 1, 1.5, 2].map((t) => 0.5 + 0.4 * Math.sin(0.7 * i + t)),
    ),
  };
  const f = rhsFor(params);
  const solve = { solver: parseSolver("Tsit5"), reltol: 1e-10, abstol: 1e-12 };
  const d = dataTensor(obs);
  const loss = (x: Float64Array) => sumSquares(predict(f, tensor(x, [x.length]), obs, solve), d).item();
  const x = Float64Array.from(params.vector);
  // h = 1e-4: the truncation error h²·|L'''|/6 is ~1e-9, the solves' error (reltol 1e-10 of a
  // loss of ~0.2) divided by h ~2e-7.
  const h = 1e-4;
  let worst = 0;
  const scale = Math.max(...gradient.map(Math.abs));
  for (let k = 0; k < x.length; k++) {
    const keep = x[k];
    x[k] = keep + h;
    const up = loss(x);
    x[k] = keep - h;
    const down = loss(x);
    x[k] = keep;
    const fd = (up - down) / (2 * h);
    if (k < 64 && !allowed.has(`${Math.floor(k / 8)},${k % 8}`)) {
      // A masked entry: the loss does not depend on it, and its gradient is exactly 0.
      expect(fd).toBe(0);
      expect(gradient[k]).toBe(0);
    }
    worst = Math.max(worst, Math.abs(fd - gradient[k]) / scale);
  }
  // 1e-5 of the largest component (~0.4): 10× the central difference's own error estimate above
  // (measured: 1.1e-6).
  expect(worst).toBeLessThan(1e-5);
});

test("a TypeScript module (.mts) through the bin's loader, with a mask CSV beside it", async () => {
  const dir = tempDir("model-module");
  const data = generatedCsv(dir);
  // Node i may feel only node i + 1 (a chain); the widths computed in code.
  writeFileSync(
    join(dir, "chain.csv"),
    Array.from({ length: 8 }, (_, i) =>
      Array.from({ length: 8 }, (_, j) => (j === i + 1 ? 1 : 0)).join(","),
    ).join("\n"),
  );
  writeFileSync(
    join(dir, "chain.mts"),
    'const widths: number[] = [4, 4];\nexport default { name: "chain", linear: true, P: { mask: "chain.csv" }, net: { block: 4, hidden: widths.map((width) => ({ width, activation: "gelu" })) } };\n',
  );
  const r = await runCli(
    ["gradient", "--model", "chain.mts", "--data", data, "--repeat", "1", "--json"],
    dir,
  );
  expect(r.stderr).not.toMatch(/^ude: /m);
  expect(r.code).toBe(0);
  const g = JSON.parse(r.stdout);
  expect(g).toMatchObject({ model: "chain", n: 8, ok: true });
  const gP: number[][] = g.grad.P;
  for (const [i, row] of gP.entries()) {
    for (const [j, v] of row.entries()) {
      if (j === i + 1) expect(v).not.toBe(0);
      else expect(v).toBe(0);
    }
  }
  expect(g.grad.nn.layers).toHaveLength(3);
});

test("a linear model with a nonnegative, masked P: the adjoint against the closed form (expm) through the same constraint", async () => {
  const dir = tempDir("model-expm");
  const data = generatedCsv(dir);
  const allowed = Array.from({ length: 8 }, (_, i) => [i + 1, ((i + 1) % 8) + 1]);
  writeFileSync(
    join(dir, "ring-linear.json"),
    JSON.stringify({ name: "ring-linear", linear: true, P: { constraint: "nonnegative", allowed } }),
  );
  const r = await runCli(
    ["gradient", "--model", "ring-linear.json", "--data", data, "--repeat", "1", ...TIGHT, "--json"],
    dir,
  );
  expect(r.code).toBe(0);
  const g = JSON.parse(r.stdout);
  expect(g).toMatchObject({ model: "ring-linear", ok: true, reference: { method: "expm" } });
  // Two independent routes to the same gradient (an adjoint ODE solve at reltol 1e-10; the
  // matrix exponential's Fréchet derivative): 1e-8 leaves 100× the solve's tolerance (measured 2.7e-12).
  expect(g.reference.relative_difference).toBeLessThan(1e-8);
  expect(g.grad.P[0][0]).toBe(0);
  expect(g.grad.P[0][1]).not.toBe(0);
});

test("--model naming the saved built-in keeps the saved model's activation; --activation changes it", async () => {
  const dir = tempDir("model-keep");
  const data = generatedCsv(dir);
  const out = join(dir, "tanh");
  const train = ["train", "--model", "ude", "--activation", "tanh", "--data", data, "--optimizer", "adam"];
  expect((await runCli([...train, "--iters", "1", "--out", out, "--json"])).code).toBe(0);
  const saved = join(out, "results.json");
  const activation = async (...extra: string[]) => {
    const r = await runCli([
      "gradient",
      "--params",
      saved,
      "--data",
      data,
      "--repeat",
      "1",
      "--json",
      ...extra,
    ]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).activation;
  };
  expect(await activation("--model", "ude")).toBe("tanh");
  expect(await activation("--model", "ude", "--activation", "identity")).toBe("identity");
});

test.each([
  [
    "a model file that does not exist",
    ["gradient", "--model", "nope.json"],
    /^ude: model file "nope\.json" does not exist \(looked at .*\)\. Fix: check the path, or pass --model with a built-in model \(linear, ude\)\.\n$/,
  ],
  [
    "a JSON syntax error",
    ["gradient", "--model", "SYNTAX"],
    /^ude: model file ".*syntax\.json" is not valid JSON: line 3, column 1 \(at "}"\): .*\. Fix: correct the JSON syntax there .*\n$/,
  ],
  [
    "a block that does not divide n",
    ["gradient", "--model", "BLOCK3", "--data", "DATA"],
    /^ude: .*ring\.csv has 8 nodes, but the "b3" model applies its net to blocks of 3 nodes, so the node count must be a multiple of 3\. Fix: use a model whose net\.block divides 8, or give 6 or 9 nodes\.\n$/,
  ],
  [
    "an unknown activation",
    ["train", "--model", "ACT"],
    /^ude: model file ".*act\.json": "net\.hidden" layer 1's activation is "tahn", which is not known \(did you mean "tanh"\?\)\. Fix: use one of identity, tanh, sigmoid, relu, softplus, gelu, swish\.\n$/,
  ],
  [
    "a mask of the wrong size",
    ["gradient", "--model", "MASK", "--data", "DATA"],
    /^ude: the "m2" model's P\.mask is 2 × 2, but .*ring\.csv has 8 nodes\. Fix: give a 8 × 8 mask \(one row and one column per node\)\.\n$/,
  ],
  [
    "expm for a model with a net",
    ["gradient", "--model", "EXAMPLE", "--data", "DATA", "--method", "expm"],
    /^ude: the expm method applies only to models without a net, such as the linear model \(the "nonneg-sparse" model's net makes the ODE nonlinear\)\. Fix: pass --model linear, or choose another --method\.\n$/,
  ],
])("bad model input, end to end: %s", async (_name, args, message) => {
  const dir = tempDir("bad-model");
  const files: Record<string, string> = {
    SYNTAX: join(dir, "syntax.json"),
    BLOCK3: join(dir, "b3.json"),
    ACT: join(dir, "act.json"),
    MASK: join(dir, "m2.json"),
    DATA: generatedCsv(dir),
    EXAMPLE,
  };
  writeFileSync(files.SYNTAX, '{\n  "linear": true,\n}\n');
  writeFileSync(files.BLOCK3, JSON.stringify({ name: "b3", linear: true, net: { block: 3, hidden: [] } }));
  writeFileSync(
    files.ACT,
    JSON.stringify({ linear: true, net: { block: 2, hidden: [{ width: 4, activation: "tahn" }] } }),
  );
  writeFileSync(
    files.MASK,
    JSON.stringify({
      linear: true,
      P: {
        mask: [
          [0, 1],
          [1, 0],
        ],
      },
    }),
  );
  const r = await runCli(
    args.map((a) => files[a] ?? a),
    dir,
  );
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(2);
});

test("a net-only model with mixed activations: the start note names no P, settings.activation lists every hidden layer", async () => {
  const dir = tempDir("model-net-only");
  const data = generatedCsv(dir);
  const net = {
    block: 2,
    hidden: [
      { width: 4, activation: "tanh" },
      { width: 4, activation: "gelu" },
    ],
  };
  writeFileSync(join(dir, "net-only.json"), JSON.stringify({ name: "net-only", linear: false, net }));
  writeFileSync(join(dir, "both.json"), JSON.stringify({ name: "both", linear: true, net }));
  const run = (model: string) =>
    runCli(
      [
        "train",
        "--model",
        model,
        "--data",
        data,
        "--optimizer",
        "adam",
        "--iters",
        "1",
        "--out",
        join(dir, `out-${model}`),
        "--json",
      ],
      dir,
    );
  const [netOnly, both] = [await run("net-only.json"), await run("both.json")];
  expect(netOnly.code, netOnly.stderr).toBe(0);
  expect(both.code, both.stderr).toBe(0);
  const note = (m: string) =>
    `note: the "${m}" model's net differs from the built-in fixture's (4 → 5 → 4), so the net starts from random weights (--seed 0)`;
  expect(netOnly.stderr).toContain(`${note("net-only")}.\n`);
  expect(both.stderr).toContain(`${note("both")} and P from the fixture.\n`);
  const doc = JSON.parse(readFileSync(join(dir, "out-net-only.json", "results.json"), "utf8"));
  expect(doc.settings.activation).toEqual(["tanh", "gelu"]);
});

/** A model whose two hidden layers have different activations. */
const MIXED_MODEL = {
  name: "mixed",
  linear: true,
  net: {
    block: 2,
    hidden: [
      { width: 3, activation: "tanh" },
      { width: 3, activation: "gelu" },
    ],
  },
};

test("mixed activations: parameters.activation equals settings.activation; --params and --resume read it, and an older results.json (first layer's name only)", async () => {
  const dir = tempDir("model-mixed-params");
  const data = generatedCsv(dir);
  writeFileSync(join(dir, "mixed.json"), JSON.stringify(MIXED_MODEL));
  const train = (out: string, ...more: string[]) =>
    runCli(["train", "--data", data, "--optimizer", "adam", "--out", join(dir, out), "--json", ...more], dir);
  const first = await train("first", "--model", "mixed.json", "--iters", "2");
  expect(first.code, first.stderr).toBe(0);
  const path = join(dir, "first", "results.json");
  const doc = JSON.parse(readFileSync(path, "utf8"));
  expect(doc.settings.activation).toEqual(["tanh", "gelu"]);
  expect(doc.parameters.activation).toEqual(doc.settings.activation);
  // The document as written before parameters.activation followed settings.activation.
  const older = join(dir, "older.json");
  writeFileSync(older, JSON.stringify({ ...doc, parameters: { ...doc.parameters, activation: "tanh" } }));
  for (const file of [path, older]) {
    const back = loadParamsFile(file);
    expect(back.spec.net?.hidden.map((h) => h.activation)).toEqual(["tanh", "gelu"]);
    const fromParams = await train(`params-${file === older}`, "--params", file, "--iters", "1");
    expect(fromParams.code, fromParams.stderr).toBe(0);
    const resumed = await train(`resume-${file === older}`, "--resume", file, "--iters", "3");
    expect(resumed.code, resumed.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, `resume-${file === older}`, "results.json"), "utf8"));
    // Continued: 2 saved iterations, then 1 more, with the saved model.
    expect(r.training.history).toHaveLength(3);
    expect(r.model).toEqual(doc.model);
    expect(r.parameters.activation).toEqual(["tanh", "gelu"]);
  }
}, 120_000);

test("mixed activations: gradient --json names each hidden layer's activation, for one experiment and for several", async () => {
  const dir = tempDir("model-mixed-gradient");
  const data = generatedCsv(dir);
  writeFileSync(join(dir, "mixed.json"), JSON.stringify(MIXED_MODEL));
  for (const more of [[], ["--data", data]]) {
    const r = await runCli(
      [
        "gradient",
        "--data",
        data,
        ...more,
        "--model",
        "mixed.json",
        "--method",
        "discrete",
        "--repeat",
        "1",
        "--json",
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).activation).toEqual(["tanh", "gelu"]);
  }
}, 120_000);
