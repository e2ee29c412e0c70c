// Straight-line replays (straight-line.ts): the generated functions call what the loops call, in
// the same order — so a program compiled with code generation gives bit for bit what the same
// program gives without it (the path taken under a Content-Security-Policy without 'unsafe-eval').
import { afterEach, describe, expect, test } from "vitest";
import { compile } from "../compile.js";
import { add, concat, matmul, matvec, mul, reshape, slice, sub, sum, tanh, transpose } from "../ops/index.js";
import { scalar, type Tensor, tensor } from "../tensor.js";
import { liveEntries } from "./dce.js";
import { lower } from "./lower.js";
import { setCodeGeneration, straightLineRun } from "./straight-line.js";
import { trace } from "./trace.js";

const seeded = (length: number, seed: number): number[] =>
  Array.from({ length }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);

const n = 8;
const cases: { name: string; f: (...xs: Tensor[]) => Tensor; inputs: Tensor[] }[] = [
  {
    name: "A(P)·u = P·u − (P·1)∘u",
    f: (u, P) => sub(matvec(P, u), mul(sum(P, 1), u)),
    inputs: [tensor(seeded(n, 1)), tensor(seeded(n * n, 2), [n, n])],
  },
  {
    name: "gradbench's concat of slices",
    f: (y, x) => concat([slice(x, 0, 1), mul(slice(x, 1, n), slice(y, 0, n - 1))]),
    inputs: [tensor(seeded(n, 3)), tensor(seeded(n, 4))],
  },
  {
    name: "a blockwise net from a packed parameter vector, plus time",
    f: (u, p, t) => {
      const W1 = reshape(slice(p, 0, 12), [3, 4]);
      const b1 = slice(p, 12, 15);
      const W2 = reshape(slice(p, 15, 27), [4, 3]);
      const H = tanh(add(matmul(reshape(u, [2, 4]), transpose(W1)), b1));
      return add(reshape(matmul(H, transpose(W2)), [n]), mul(u, t));
    },
    inputs: [tensor(seeded(n, 5)), tensor(seeded(27, 6)), scalar(0.3)],
  },
];

/** Everything a compiled function computes, by every entry point, for one compilation. */
function everything(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Float64Array[] {
  const c = compile(f, ...inputs);
  const args = inputs.map((x) => x.data);
  const cot = Float64Array.from(
    seeded(
      c.outputShape.reduce((a, b) => a * b, 1),
      7,
    ),
  );
  const out: Float64Array[] = [c.forward(args).slice()];
  out.push(...c.vjp(args, cot).map((g) => g.slice()));
  // Weighted, accumulating, batched: the stacked rank-1 pushes with their weights.
  const all = inputs.map(() => true);
  const grads = inputs.map((x) => new Float64Array(x.size));
  const batched = c.pullback(all, { accumulate: true, batch: 3 });
  for (let k = 0; k < 4; k++)
    batched(
      args,
      cot,
      grads,
      inputs.map((_, i) => 0.5 + 0.25 * i + k),
    );
  batched.flush(grads);
  out.push(...grads);
  // Specialised on the second input: prepare, then forward and a pullback skipping the fixed steps.
  const sp = c.specialise(inputs.map((_, i) => i === 1));
  sp.prepare(args);
  out.push(sp.forward(args).slice());
  const spGrads = inputs.map((x) => new Float64Array(x.size));
  sp.pullback(all)(args, cot, spGrads);
  out.push(...spGrads);
  c.dispose();
  return out;
}

afterEach(() => setCodeGeneration(true));

describe("straight-line replays", () => {
  for (const { name, f, inputs } of cases) {
    test(`${name}: generated code = the loops, bit for bit, by every entry point`, () => {
      setCodeGeneration(true);
      const generated = everything(f, inputs);
      setCodeGeneration(false);
      const looped = everything(f, inputs);
      expect(generated.length).toBe(looped.length);
      for (let k = 0; k < generated.length; k++) expect(generated[k]).toEqual(looped[k]);
      // Not a vacuous comparison: the values are finite and not all zero.
      expect(generated.every((a) => a.every(Number.isFinite))).toBe(true);
      expect(generated.some((a) => a.some((v) => v !== 0))).toBe(true);
    });
  }

  test("code is generated where it is allowed, and not after setCodeGeneration(false)", () => {
    const { f, inputs } = cases[0];
    const tr = trace(f, inputs);
    const program = lower(tr, liveEntries(tr));
    setCodeGeneration(true);
    expect(straightLineRun(program, program.allSteps()).name).toBe("run");
    setCodeGeneration(false);
    expect(straightLineRun(program, program.allSteps()).name).not.toBe("run");
    program.dispose();
  });
});
