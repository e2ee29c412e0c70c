/**
 * The Node pool (tinypool over worker_threads) against the serial reference: the same bits for
 * 1, 2 and 4 workers, central differences on a small problem, failures with their index and
 * retcode, a crashed worker's task retried once, and a shutdown that leaves no thread behind.
 */
import { createHook } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  EnsembleInputError,
  type EnsemblePool,
  ExperimentFailedError,
  evaluateSerial,
  PoolClosedError,
  WorkerCrashedError,
} from "../src/index.js";
import { createEnsemblePool } from "../src/pool-node.js";
import * as blowup from "./models/blowup.js";
import * as seed from "./models/seed-ude.js";
import * as small from "./models/small-linear.js";

// Worker threads load the TypeScript worker modules through tsx, with workspace packages from source.
const execArgv = ["--import", new URL("./source-loader.mjs", import.meta.url).href];
const moduleUrl = (name: string) => new URL(`./models/${name}.ts`, import.meta.url);

const open: EnsemblePool[] = [];
function pool(name: string, options: Omit<Parameters<typeof createEnsemblePool>[0], "worker" | "execArgv">) {
  const p = createEnsemblePool({ worker: moduleUrl(name), execArgv, ...options });
  open.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** Bit-for-bit equality of two vectors, with the first differing index in the message. */
function expectSameBits(a: Float64Array, b: Float64Array, what: string) {
  expect(a.length, what).toBe(b.length);
  const first = a.findIndex((x, i) => !Object.is(x, b[i]));
  expect(first, `${what}: first differing index (${a[first]} vs ${b[first]})`).toBe(-1);
}

describe("the seed UDE, 8 experiments", () => {
  test("gradient and loss have the same bits for 1, 2 and 4 workers and equal the serial sum", async () => {
    const experiments = seed.seedExperiments();
    expect(experiments).toHaveLength(8);
    const p = seed.seedParams();
    // The reference, independent of the pool and of sumInOrder: each experiment's gradient by the
    // model on this thread, added up in index order by a plain loop.
    const ref = new Float64Array(seed.PARAMS);
    let refLoss = 0;
    for (let e = 0; e < experiments.length; e++) {
      const ex = experiments[e];
      const g = new Float64Array(seed.PARAMS);
      const out = seed.model.lossAndGradient(
        p,
        {
          index: e,
          t0: ex.saveat[0] as number,
          u0: Float64Array.from(ex.u0),
          saveat: Float64Array.from(ex.saveat),
          data: Float64Array.from(ex.data),
          params: undefined,
        },
        g,
      );
      expect(out.retcode).toBe("Success");
      refLoss += out.loss;
      for (let j = 0; j < g.length; j++) ref[j] += g[j];
    }
    expect(refLoss).toBeGreaterThan(0);
    expect(ref.some((x) => x !== 0)).toBe(true);
    const serial = evaluateSerial(seed.model, experiments, p);
    expectSameBits(serial.grad, ref, "serial");
    expect(Object.is(serial.loss, refLoss)).toBe(true);
    for (const workers of [1, 2, 4]) {
      const ens = pool("seed-ude", { experiments, paramLength: seed.PARAMS, workers });
      expect(ens.workers).toBe(workers);
      const r = await ens.evaluate(p);
      expectSameBits(r.grad, ref, `${workers} workers`);
      expect(Object.is(r.loss, refLoss), `${workers} workers: loss ${r.loss} vs ${refLoss}`).toBe(true);
      expectSameBits(r.losses, serial.losses, `${workers} workers: per-experiment losses`);
      // A second evaluation (warm workers, reused shared buffers) gives the same bits again.
      const again = await ens.evaluate(p, new Float64Array(seed.PARAMS));
      expectSameBits(again.grad, ref, `${workers} workers, second evaluation`);
      await ens.close();
    }
  });
});

describe("a small problem with per-experiment parameters", () => {
  test("the gradient equals central differences of the ensemble loss", async () => {
    const experiments = small.smallExperiments();
    const ens = pool("small-linear", { experiments, paramLength: small.paramLength, workers: 2 });
    const p = small.smallParams();
    const { loss, grad } = await ens.evaluate(p);
    expect(loss).toBeGreaterThan(0);
    // Fixed-step Tsit5 + DiscreteAdjoint: the gradient is exact for the computed loss, which is a
    // smooth function of p; with h = 1e-5 the central difference errs by O(h²)·|L'''| ≈ 1e-10 plus
    // rounding ε·|L|/h ≈ 1e-11·|L| (L ≈ 1 here), so 1e-8 absolute + 1e-7 relative has room to spare
    // while a wrong term (e.g. a lost subset entry) is off by O(|g|).
    const h = 1e-5;
    const q = p.slice();
    for (let j = 0; j < p.length; j++) {
      q[j] = p[j] + h;
      const up = (await ens.evaluate(q)).loss;
      q[j] = p[j] - h;
      const down = (await ens.evaluate(q)).loss;
      q[j] = p[j];
      const fd = (up - down) / (2 * h);
      expect(
        Math.abs(grad[j] - fd),
        `entry ${j}: gradient ${grad[j]}, central difference ${fd}`,
      ).toBeLessThan(1e-8 + 1e-7 * Math.abs(fd));
    }
    // Each decay rate k_e belongs to experiment e alone and has a gradient of its own.
    for (let e = 0; e < 4; e++) expect(grad[small.n * small.n + e]).not.toBe(0);
  });

  test("the pool's gradient has the serial evaluation's bits on the small problem too", async () => {
    const experiments = small.smallExperiments();
    const r1 = evaluateSerial(small.model, experiments, small.smallParams());
    const r2 = await pool("small-linear", {
      experiments,
      paramLength: small.paramLength,
      workers: 2,
    }).evaluate(small.smallParams());
    expectSameBits(r2.grad, r1.grad, "pool vs serial, small problem");
  });
});

describe("failures", () => {
  const experiments = [0.5, 2, 0.3, 3].map((u0) => ({ u0: [u0], saveat: [0, 0.5, 1], data: [u0, 1, 1] }));

  test("a failed solve rejects with its experiment's index and retcode, and the pool stays usable", async () => {
    const ens = pool("blowup", { experiments, paramLength: 1, workers: 2 });
    // p = 1: experiments 1 (u0 = 2, blow-up at t = 0.5) and 3 (t = 1/3) fail; the lowest index is reported.
    const err = await ens.evaluate([1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExperimentFailedError);
    const failed = err as ExperimentFailedError;
    expect(failed.index).toBe(1);
    expect(["DtLessThanMin", "Unstable", "MaxIters"]).toContain(failed.retcode);
    expect(failed.message).toMatch(/^experiment 1 failed with retcode \w+: .*Fix this experiment/s);
    // The serial reference fails the same way.
    expect(() => evaluateSerial(blowup.model, experiments, [1])).toThrow(
      expect.objectContaining({ index: 1, retcode: failed.retcode }),
    );
    // p = 0.1: every p·u0 < 1, so the same workers now answer every experiment.
    const ok = await ens.evaluate([0.1]);
    expect(ok.losses.every(Number.isFinite)).toBe(true);
    expectSameBits(ok.grad, evaluateSerial(blowup.model, experiments, [0.1]).grad, "after a failure");
  });

  test("a crashed worker is replaced and its task retried once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ensemble-crash-"));
    const marker = join(dir, "marker");
    process.env.ENSEMBLE_CRASH_MARKER = marker;
    try {
      const experiments = small.smallExperiments();
      const ens = pool("crash-once", { experiments, paramLength: small.paramLength, workers: 2 });
      const r = await ens.evaluate(small.smallParams());
      expect(readFileSync(marker, "utf8")).toBe("crashed on experiment 1\n");
      expectSameBits(
        r.grad,
        evaluateSerial(small.model, experiments, small.smallParams()).grad,
        "after a crash",
      );
      // The replacement worker keeps serving.
      expect((await ens.evaluate(small.smallParams())).loss).toBe(r.loss);
    } finally {
      delete process.env.ENSEMBLE_CRASH_MARKER;
    }
  });

  test("a worker that crashes again on the retry rejects with WorkerCrashedError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ensemble-crash-"));
    const marker = join(dir, "marker");
    process.env.ENSEMBLE_CRASH_MARKER = marker;
    process.env.ENSEMBLE_CRASH_ALWAYS = "1";
    try {
      const experiments = small.smallExperiments();
      const ens = pool("crash-once", { experiments, paramLength: small.paramLength, workers: 2 });
      const err = await ens.evaluate(small.smallParams()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect((err as WorkerCrashedError).index).toBe(1);
      // First attempt and one retry: exactly two crashes.
      expect(readFileSync(marker, "utf8")).toBe("crashed on experiment 1\n".repeat(2));
    } finally {
      delete process.env.ENSEMBLE_CRASH_MARKER;
      delete process.env.ENSEMBLE_CRASH_ALWAYS;
    }
  });

  test("a worker module that throws while loading rejects with WorkerCrashedError", async () => {
    const ens = pool("throws-at-load", { experiments, paramLength: 1, workers: 2 });
    const err = await ens.evaluate([1]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).index).toBe(0);
    expect((err as Error).message).toMatch(/throws while loading/);
  });

  test("wrong inputs are refused with EnsembleInputError before any work", async () => {
    const ens = pool("blowup", { experiments, paramLength: 1, workers: 1 });
    await expect(ens.evaluate([1, 2])).rejects.toThrow(EnsembleInputError);
    await expect(ens.evaluate([1, 2])).rejects.toThrow("p must have length paramLength = 1; got length 2.");
    expect(() =>
      createEnsemblePool({
        worker: moduleUrl("blowup"),
        experiments: [{ u0: [1], saveat: [0, 1], data: [1] }],
        paramLength: 1,
      }),
    ).toThrow("experiment 0: data has 1 values; expected saveat.length × u0.length = 2 × 1 = 2");
  });
});

test("a worker module can build its model from the pool's config", async () => {
  const experiments = [0, 1, 2].map(() => ({ u0: [0], saveat: [0], data: [0] }));
  const ens = pool("configured", { experiments, paramLength: 2, workers: 2, config: { scale: 3 } });
  const r = await ens.evaluate([1, 2]);
  // Each of the 3 experiments: loss 3·(1 + 2) = 9, gradient [3, 3].
  expect(r.loss).toBe(27);
  expect(Array.from(r.grad)).toEqual([9, 9]);
  expect((await ens.evaluate([0, 0])).loss).toBe(0);
});

describe("shutdown", () => {
  test("close() stops every worker thread; evaluate() afterwards rejects with PoolClosedError", async () => {
    // Worker handles as Node itself tracks them: created (init) and closed (destroy) by async_hooks.
    const alive = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === "WORKER") alive.add(id);
      },
      destroy(id) {
        alive.delete(id);
      },
    }).enable();
    try {
      const ens = pool("small-linear", {
        experiments: small.smallExperiments(),
        paramLength: small.paramLength,
        workers: 2,
      });
      await ens.evaluate(small.smallParams());
      expect(alive.size).toBe(2);
      await ens.close();
      // destroy hooks run asynchronously after the handle closes: let the event loop turn.
      await new Promise((r) => setTimeout(r, 100));
      expect(alive.size).toBe(0);
      await expect(ens.evaluate(small.smallParams())).rejects.toThrow(PoolClosedError);
    } finally {
      hook.disable();
    }
  });

  test("a process that evaluates and closes a pool exits on its own", () => {
    const script = new URL("./shutdown-script.ts", import.meta.url);
    const r = spawnSync(process.execPath, [...execArgv, script.pathname], {
      encoding: "utf8",
      timeout: 60_000,
    });
    // A thread left behind keeps the event loop alive: spawnSync would then hit its timeout
    // (r.signal "SIGTERM", r.status null) instead of seeing exit code 0.
    expect(r.stderr).toBe("");
    expect(r.signal).toBe(null);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^evaluated 4 experiments on 2 workers, loss \d/);
  });
});

test("the worker modules exist where the pool looks for them", () => {
  for (const name of ["seed-ude", "small-linear", "blowup", "crash-once", "throws-at-load", "configured"]) {
    expect(existsSync(moduleUrl(name))).toBe(true);
  }
});
