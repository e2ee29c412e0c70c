// The memory rule of compiled functions (the one @udekit/kernels' owned arrays implement):
// everything a compiled function puts in the kernels' arena — step buffers, cotangents, the
// stacks of batched pullbacks, weighted scratch — goes back on dispose(), or once the function
// and everything made from it have been garbage-collected; never while a pullback or a
// specialisation made from it is still reachable. Arena use is read with arenaStats().
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { arenaStats, wasmSimdSupported } from "@udekit/kernels";
import { describe, expect, test } from "vitest";
import { compile } from "../compile.js";
import { CompileError } from "../errors.js";
import { add, matvec, mul, sub, sum } from "../ops/index.js";
import { type Tensor, tensor } from "../tensor.js";

const n = 20;
const u0 = tensor(Array.from({ length: n }, (_, i) => Math.sin(i + 1)));
const P0 = tensor(
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.cos(i * n + j))),
);
/** A(P)·u = P·u − (P·1)∘u. */
const linear = (u: Tensor, P: Tensor) => sub(matvec(P, u), mul(sum(P, 1), u));

/** Compiles `linear` and makes one of everything that allocates: pullbacks (batched, weighted), a specialisation. */
function compileAndUse() {
  const c = compile(linear, u0, P0);
  const args = [u0.data, P0.data];
  const cot = new Float64Array(n).fill(1);
  c.vjp(args, cot);
  const grads = [new Float64Array(n), new Float64Array(n * n)];
  const batched = c.pullback([true, true], { accumulate: true, batch: 4 });
  batched(args, cot, grads, [1, 0.5]); // weighted: allocates its scratch
  batched.flush(grads);
  const sp = c.specialise([false, true]);
  sp.prepare(args);
  const spPull = sp.pullback([false, true], { accumulate: true, batch: 2 });
  spPull(args, cot, grads);
  return { c, sp, batched, spPull, args, cot, grads };
}

const exposedGc = (): (() => void) => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
};

/** Collects garbage and yields (finalizers run on a later task) until `done()` or `rounds` rounds. */
async function collectUntil(done: () => boolean, rounds = 50): Promise<void> {
  const gc = exposedGc();
  for (let round = 0; round < rounds && !done(); round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("compiled functions own their arena buffers", () => {
  test("dispose() hands every buffer back: arena use returns to what it was before compile", () => {
    const before = arenaStats();
    const { c } = compileAndUse();
    const during = arenaStats();
    if (wasmSimdSupported()) {
      // Two buffers per step (output, cotangent) at least, plus vjp's, the stacks and the scratch.
      expect(during.liveAllocations - before.liveAllocations).toBeGreaterThan(10);
      expect(during.usedBytes - before.usedBytes).toBeGreaterThan(8 * n * n);
    }
    c.dispose();
    expect(arenaStats()).toEqual(before);
    c.dispose(); // a second dispose is a no-op
    expect(arenaStats()).toEqual(before);
  });

  test("after dispose every entry point throws CompileError instead of touching freed memory", () => {
    const { c, sp, batched, spPull, args, cot, grads } = compileAndUse();
    c.dispose();
    const calls: [string, () => unknown][] = [
      ["forward", () => c.forward(args)],
      ["vjp", () => c.vjp(args, cot)],
      ["pullback", () => batched(args, cot, grads)],
      ["flush", () => batched.flush(grads)],
      ["new pullback", () => c.pullback([true, true])(args, cot, grads)],
      ["prepare", () => sp.prepare(args)],
      ["specialised forward", () => sp.forward(args)],
      ["specialised pullback", () => spPull(args, cot, grads)],
    ];
    for (const [name, call] of calls) {
      expect(call, name).toThrow(CompileError);
      expect(call, name).toThrow(/was disposed.*Compile the function again/);
    }
  });

  test("a compile rejected by its eager self-check gives its buffers back", () => {
    const before = arenaStats();
    const branchy = (x: Tensor) => (x.data[0] > 1 ? mul(x, x) : add(x, x));
    expect(() => compile(branchy, tensor([1, 3]))).toThrow(/value-dependent control flow/);
    expect(arenaStats()).toEqual(before);
  });

  test("without dispose, the buffers go back after the compiled function is garbage-collected", async () => {
    if (!wasmSimdSupported()) return;
    const before = arenaStats().liveAllocations;
    (() => {
      compileAndUse();
    })();
    expect(arenaStats().liveAllocations).toBeGreaterThan(before);
    await collectUntil(() => arenaStats().liveAllocations === before);
    expect(arenaStats().liveAllocations).toBe(before);
  });

  test("a pullback or a specialisation alone keeps the buffers alive (and working) after the compiled function is dropped", async () => {
    if (!wasmSimdSupported()) return;
    const before = arenaStats().liveAllocations;
    // Only what @udekit/ode keeps: the specialisation and pullbacks, not the compiled function.
    const { sp, spPull, args, cot } = (() => {
      const { sp, spPull, args, cot } = compileAndUse();
      return { sp, spPull, args, cot };
    })();
    const live = arenaStats().liveAllocations;
    const want = linear(tensor(args[0]), tensor(args[1], [n, n])).data;
    // Full collections with time for finalizers (10 rounds: the collected case above frees
    // within 1–2); the program is still reachable, so nothing may be freed.
    await collectUntil(() => arenaStats().liveAllocations < live, 10);
    expect(arenaStats().liveAllocations).toBe(live);
    sp.prepare(args);
    expect(Array.from(sp.forward(args))).toEqual(Array.from(want));
    const g = [null, new Float64Array(n * n)];
    spPull(args, cot, g);
    spPull.flush(g);
    expect(g[1]?.some((x) => x !== 0)).toBe(true);
    expect(before).toBeLessThan(live);
  });
});
