// Cotangent windows (grad-windows.ts): which steps a pullback gives a window instead of a
// cotangent of its own, and that the cotangents stay those of the eager tape — weighted,
// accumulating, overwriting, with the caller's arrays changing from call to call (more than a
// window's cache remembers) and with initial values in them. References: the eager VJP at the same
// point, times the weight, summed by hand.
import { describe, expect, test } from "vitest";
import { vjp } from "../grad.js";
import { add, concat, matvec, mul, reshape, slice, sum, tanh } from "../ops/index.js";
import { type Tensor, tensor } from "../tensor.js";
import { liveEntries } from "./dce.js";
import { lower } from "./lower.js";
import { planPullback } from "./plan-pullback.js";
import { makePullback } from "./pullback.js";
import { trace } from "./trace.js";

const N = 600;

function data(seed: number, length: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

type F = (y: Tensor, x: Tensor) => Tensor;

/** gradbench's ode right-hand side. */
const chain: F = (y, x) => concat([slice(x, 0, 1), mul(slice(x, 1, N), slice(y, 0, N - 1))]);
/**
 * Every rule and its exceptions: overlapping slices of one argument, a slice read twice by one
 * op, a reshape of a whole argument, a concat input with two readers (no window), a concat of a
 * concat, a short slice, and a concat that is not the output.
 */
const mixed: F = (y, x) => {
  const a = mul(slice(x, 0, 300), slice(y, 100, 400)); // read by inner and by sum: no window
  const b = tanh(slice(y, 50, 350));
  const s = slice(x, 10, 20);
  const inner = concat([a, b, mul(s, s)]); // a window of the output's cotangent, windows in it
  const mid = mul(concat([b, slice(y, 0, 10)]), slice(x, 0, 310)); // a concat that is not the output
  const both = add(slice(x, 200, 500), slice(x, 250, 550));
  const whole = reshape(x, [N / 2, 2]);
  return concat([inner, reshape(sum(a), [1]), mid, both, reshape(sum(whole, 1), [N / 2])]);
};

function program(f: F) {
  const traced = trace(f, [tensor(data(1, N)), tensor(data(2, N))]);
  return lower(traced, liveEntries(traced));
}

function eager(f: F, y: Float64Array, x: Float64Array, cot: Float64Array): [Float64Array, Float64Array] {
  const [out, pullback] = vjp(f, tensor(y), tensor(x));
  const [gy, gx] = pullback(tensor(cot, out.shape));
  return [gy.data, gx.data];
}

function expectClose(actual: Float64Array, expected: Float64Array): void {
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(1e-13 * scale);
}

describe("which steps get windows", () => {
  test("gradbench's right-hand side pulls back with mul's VJP alone", () => {
    const p = program(chain);
    const plan = planPullback(
      p,
      [true, true],
      {},
      p.steps.map(() => false),
    );
    const names = plan.order.map((s) => p.steps[s].op.name);
    // The long slices' cotangents are windows of the arguments' (their VJPs never run); mul's is
    // its window of the concat's; the short slice x[0:1] is the concat's other input.
    expect(names.filter((n) => n === "slice")).toHaveLength(1);
    expect(names).toContain("mul");
    expect(plan.argumentWindows.map((w) => w.slot).sort()).toEqual([0, 1]);
    const mulStep = p.steps.findIndex((st) => st.op.name === "mul");
    expect(plan.grads[mulStep].buffer).toBe(plan.grads[p.last].buffer);
    expect(plan.grads[mulStep].byteOffset).toBe(plan.grads[p.last].byteOffset + 8);
    expect(plan.cleared).not.toContain(mulStep);
    // ... and the concat's VJP no longer adds into it.
    const at = p.steps[p.last].sources.findIndex((src) => src.kind === "step" && src.step === mulStep);
    expect(plan.inputGrads[p.last][at]).toBeNull();
  });

  test("a concat input with two readers keeps a cotangent of its own", () => {
    const p = program(mixed);
    const plan = planPullback(
      p,
      [true, true],
      {},
      p.steps.map(() => false),
    );
    const a = p.steps.findIndex((st) => st.op.name === "mul");
    expect(plan.grads[a]).toBe(p.steps[a].grad);
    expect(plan.cleared).toContain(a);
  });

  test("without a flagged argument, a slice of it keeps its VJP out of the plan", () => {
    const p = program(chain);
    const plan = planPullback(
      p,
      [true, false],
      {},
      p.steps.map(() => false),
    );
    expect(plan.argumentWindows.map((w) => w.slot)).toEqual([0]);
  });
});

test("a stacked rank-1 site reading an argument's window adds once: through its stack, not the window too", () => {
  // reshape(x) is a view of the whole argument read by matvec, whose contribution to the matrix
  // is stacked (batch), and by mul, which adds its own into the window in place.
  const m = 24;
  const f: F = (y, x) => {
    const P = reshape(x, [m, m]);
    return add(matvec(P, y), sum(mul(P, P), 1));
  };
  const traced = trace(f, [tensor(data(1, m)), tensor(data(2, m * m))]);
  const p = lower(traced, liveEntries(traced));
  const pull = makePullback(
    p,
    planPullback(
      p,
      [true, true],
      { accumulate: true, batch: 4 },
      p.steps.map(() => false),
    ),
  );
  const gy = new Float64Array(m);
  const gx = new Float64Array(m * m);
  const refY = new Float64Array(m);
  const refX = new Float64Array(m * m);
  for (let call = 0; call < 7; call++) {
    const y = data(20 + call, m);
    const x = data(40 + call, m * m);
    const cot = data(60 + call, m);
    pull([y, x], cot, [gy, gx]);
    const [ey, ex] = eager(f, y, x, cot);
    for (let i = 0; i < m; i++) refY[i] += ey[i];
    for (let i = 0; i < m * m; i++) refX[i] += ex[i];
  }
  pull.flush([gy, gx]);
  expectClose(gy, refY);
  expectClose(gx, refX);
});

describe.each([
  ["gradbench's ode", chain],
  ["slices, reshapes and concats mixed", mixed],
] as const)("%s: cotangents equal the eager tape's", (_name, f) => {
  const p = program(f);
  const noSkip = p.steps.map(() => false);
  const outSize = p.outSize;

  test("accumulating and weighted, into arrays that change from call to call", () => {
    const pull = makePullback(p, planPullback(p, [true, true], { accumulate: true }, noSkip));
    // Twelve target pairs in rotation: more than the eight windows a ViewCache keeps.
    const targets = Array.from({ length: 12 }, (_, k) => [data(300 + k, N), data(400 + k, N)]);
    const refs = targets.map(([a, b]) => [a.slice(), b.slice()]);
    const weights = [1, 0.5, -2, 0, 3];
    for (let call = 0; call < 30; call++) {
      const y = data(10 + call, N);
      const x = data(50 + call, N);
      const cot = data(90 + call, outSize);
      const w: [number, number] = [weights[call % 5], weights[(call + 2) % 5]];
      const k = call % targets.length;
      pull([y, x], cot, targets[k], call % 3 === 0 ? undefined : w);
      const [gy, gx] = eager(f, y, x, cot);
      const [wy, wx] = call % 3 === 0 ? [1, 1] : w;
      for (let i = 0; i < N; i++) {
        refs[k][0][i] += wy * gy[i];
        refs[k][1][i] += wx * gx[i];
      }
    }
    targets.forEach(([a, b], k) => {
      expectClose(a, refs[k][0]);
      expectClose(b, refs[k][1]);
    });
  });

  test("overwriting: the arrays' old values go, entries no VJP writes become 0", () => {
    const pull = makePullback(p, planPullback(p, [true, true], {}, noSkip));
    const y = data(7, N);
    const x = data(8, N);
    const cot = data(9, outSize);
    const gy = new Float64Array(N).fill(5);
    const gx = new Float64Array(N).fill(5);
    pull([y, x], cot, [gy, gx], [2, -1]);
    const [ey, ex] = eager(f, y, x, cot);
    expectClose(
      gy,
      ey.map((v) => 2 * v),
    );
    expectClose(
      gx,
      ex.map((v) => -v),
    );
  });
});
