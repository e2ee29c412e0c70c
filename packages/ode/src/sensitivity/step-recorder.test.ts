// The forward solve's recording for DiscreteAdjoint (step-recorder.ts): which states and stages
// it keeps. References: RK4 on u' = −u with fixed steps, whose k-th state is u0·R(h)^k with R
// the method's stability polynomial 1 − h + h²/2 − h³/6 + h⁴/24 (exact up to rounding), and, for
// an adaptive solve, the states of the same solve recorded in full.
import { clearBufferPool, takeBuffer } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { ODEProblem } from "../problem.js";
import { RK4, Tsit5 } from "../solvers/index.js";
import { solveRecordingSteps } from "./step-recorder.js";

const decay = new ODEProblem(
  (du: Float64Array, u: Float64Array) => {
    for (let i = 0; i < u.length; i++) du[i] = -u[i];
  },
  [1],
  [0, 1],
);
const h = 0.1;
const R = 1 - h + h ** 2 / 2 - h ** 3 / 6 + h ** 4 / 24;
const fixed = { dt: h, adaptive: false };

function expectStates(actual: Float64Array, steps: number[]): void {
  expect(actual.length).toBe(steps.length);
  steps.forEach((k, j) => {
    expect(actual[j]).toBeCloseTo(R ** k, 14);
  });
}

describe("checkpoints: K states, the stride doubling whenever a (K+1)-th would be kept", () => {
  test.each([
    // 10 steps: K = 4 keeps 0…3, then 0, 2, 4, 6, then 0, 4, 8 (stride 4; step 10 is not a multiple).
    [4, 4, [0, 4, 8]],
    // K = 6: 0…5, then 0, 2, 4, 6, 8, 10 (stride 2).
    [6, 2, [0, 2, 4, 6, 8, 10]],
    // K = 11 or more: every state.
    [11, 1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    // K = 2: 0 and the latest multiple of the stride (8 after doubling to 8).
    [2, 8, [0, 8]],
  ] as const)("K = %s: stride %s, states %j", (K, stride, steps) => {
    const { sol, recorded } = solveRecordingSteps(decay, RK4(), fixed, { checkpoints: K });
    expect(sol.retcode).toBe("Success");
    expect(recorded.steps.length).toBe(10);
    expect(recorded.stride).toBe(stride);
    expect(recorded.store).toBeUndefined();
    expectStates(recorded.states as Float64Array, [...steps]);
    recorded.release();
  });
});

describe("storeBytes: every step stored within the budget, else checkpoints", () => {
  test("Infinity: every state and every step's stages (RK4: 5 vectors per step)", () => {
    const { recorded } = solveRecordingSteps(decay, RK4(), fixed, { storeBytes: Number.POSITIVE_INFINITY });
    expect(recorded.states).toBeUndefined();
    const store = recorded.store as NonNullable<typeof recorded.store>;
    expect(store.width).toBe(5);
    expectStates(store.us, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.ks.length).toBe(10 * 5);
    // Stage 0 of step k is f(u_k) = −u_k.
    for (let k = 0; k < 10; k++) expect(store.ks[k * 5]).toBeCloseTo(-(R ** k), 14);
    recorded.release();
  });

  test("exactly the bytes the store needs: stored; one number less: checkpoints", () => {
    // 11 states and 10 steps of 5 stages, 1 number each: 61 numbers, 488 bytes.
    const fits = solveRecordingSteps(decay, RK4(), fixed, { storeBytes: 488 }).recorded;
    expect(fits.store).toBeDefined();
    expect(fits.states).toBeUndefined();
    const over = solveRecordingSteps(decay, RK4(), fixed, { storeBytes: 487 }).recorded;
    expect(over.store).toBeUndefined();
    expect(over.states).toBeDefined();
  });

  test("a fixed-step solve over budget switches after its first step, with √(2·N·width) checkpoints at most", () => {
    // Budget 100 bytes: at most 100/2/8 = 6 states (fewer than √(2·11·5) ≈ 11): K = 6 as above.
    const small = solveRecordingSteps(decay, RK4(), fixed, { storeBytes: 100 }).recorded;
    expect(small.store).toBeUndefined();
    expect(small.stride).toBe(2);
    expectStates(small.states as Float64Array, [0, 2, 4, 6, 8, 10]);
    // 20 steps of h = 0.05: budget 400 bytes allows 25 states, but K = ⌈√(2·20·5)⌉ = 15: 0…14,
    // then 0, 2, …, 20 (stride 2). Budget 100: K = 6, ending with 0, 4, …, 20 (stride 4).
    const h2 = 0.05;
    const R2 = 1 - h2 + h2 ** 2 / 2 - h2 ** 3 / 6 + h2 ** 4 / 24;
    const at = (bytes: number) =>
      solveRecordingSteps(decay, RK4(), { dt: h2, adaptive: false }, { storeBytes: bytes }).recorded;
    for (const [bytes, stride] of [
      [400, 2],
      [100, 4],
    ]) {
      const r = at(bytes);
      expect(r.stride).toBe(stride);
      const states = r.states as Float64Array;
      expect(states.length).toBe(20 / stride + 1);
      states.forEach((x, j) => {
        expect(x).toBeCloseTo(R2 ** (j * stride), 14);
      });
    }
    // No budget at all still keeps two states.
    const none = solveRecordingSteps(decay, RK4(), fixed, { storeBytes: 0 }).recorded;
    expect((none.states as Float64Array).length).toBeGreaterThanOrEqual(2);
  });

  test("an adaptive solve switches mid-solve: its checkpoints are the stored solve's states", () => {
    const osc = new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
        du[0] = u[1];
        du[1] = -u[0] + 0.1 * Math.sin(3 * t);
      },
      [1, 0],
      [0, 20],
    );
    const options = { reltol: 1e-8, abstol: 1e-10 };
    const all = solveRecordingSteps(osc, Tsit5(), options, { storeBytes: Number.POSITIVE_INFINITY }).recorded;
    const us = (all.store as NonNullable<typeof all.store>).us;
    const N = all.steps.length;
    expect(N).toBeGreaterThan(40);
    // 2 states and 7 stages of 2 numbers per step (128 bytes): 2 000 bytes hold 15 steps.
    const part = solveRecordingSteps(osc, Tsit5(), options, { storeBytes: 2000 }).recorded;
    expect(part.store).toBeUndefined();
    expect(Array.from(part.steps)).toEqual(Array.from(all.steps));
    const stride = part.stride as number;
    const states = part.states as Float64Array;
    expect(states.length / 2).toBe(Math.floor(N / stride) + 1);
    for (let j = 0; j < states.length / 2; j++) {
      expect([states[2 * j], states[2 * j + 1]]).toEqual([us[2 * j * stride], us[2 * j * stride + 1]]);
    }
  });
});

describe("release hands the kept arrays back to the buffer pool", () => {
  // 4 096 states: every kept array is large enough to be pooled (2¹² entries and more).
  const n = 4096;
  const wide = new ODEProblem(decay.f as NonNullable<typeof decay.f>, new Float64Array(n).fill(1), [0, 1]);

  test("the store's states and stages", () => {
    const { recorded } = solveRecordingSteps(wide, RK4(), fixed, { storeBytes: Number.POSITIVE_INFINITY });
    const { us, ks } = recorded.store as NonNullable<typeof recorded.store>;
    clearBufferPool();
    recorded.release();
    // 11 states (capacity 2¹⁶ after doubling from 2·n) and 10 steps of 5 stages (sized once).
    // (Identity as a boolean: a failing toBe on two ArrayBuffers would print megabytes.)
    expect(takeBuffer(ks.length).buffer === ks.buffer).toBe(true);
    expect(takeBuffer(us.length).buffer === us.buffer).toBe(true);
  });

  test("the checkpoints", () => {
    const { recorded } = solveRecordingSteps(wide, RK4(), fixed, { checkpoints: 4 });
    const states = recorded.states as Float64Array;
    clearBufferPool();
    recorded.release();
    expect(takeBuffer(states.length).buffer === states.buffer).toBe(true);
  });
});
