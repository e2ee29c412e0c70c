/**
 * The worker's engine run in Node, without a browser (the end-to-end tests in e2e/ drive the
 * built page in Chromium): its losses against scipy's reference values, its errors, training,
 * Stop, and the results document.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { start } from "./engine.js";
import type { PageRequest, ProblemConfig, WorkerReply } from "./protocol.js";

/** scipy's values for the seed problem (apps/ude/scripts/gen-reference.py). */
const ref = JSON.parse(
  readFileSync(new URL("../../ude/test/fixtures/reference.json", import.meta.url), "utf8"),
) as { linear: { loss: number }; ude: { loss_identity: number } };

const DEFAULTS: ProblemConfig = {
  model: "ude",
  activation: "identity",
  solver: "Tsit5",
  reltol: "1e-6",
  abstol: "1e-8",
  dt: "",
  sensealg: "interpolating",
};
const TIGHT: Partial<ProblemConfig> = { solver: "Vern7", reltol: "1e-10", abstol: "1e-12" };

/** An engine with its replies recorded; `next` waits for the next reply of a type (after those already taken). */
function engine(config: Partial<ProblemConfig> = {}) {
  const replies: WorkerReply[] = [];
  let taken = 0;
  const handle = start((r) => replies.push(r), { ...DEFAULTS, ...config });
  async function next<T extends WorkerReply["type"]>(type: T): Promise<Extract<WorkerReply, { type: T }>> {
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const i = replies.findIndex((r, k) => k >= taken && r.type === type);
      if (i >= 0) {
        taken = i + 1;
        return replies[i] as Extract<WorkerReply, { type: T }>;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`no "${type}" reply; got ${replies.map((r) => r.type).join(", ")}`);
  }
  const send = (request: PageRequest) => handle(request);
  return { replies, next, send };
}

describe("engine", () => {
  test("the seed UDE's loss at tight tolerances is scipy's", async () => {
    const e = engine(TIGHT);
    const ready = await e.next("ready");
    expect(ready.solvers.map((s) => s.name)).toContain("Vern7");
    const { summary } = await e.next("problem");
    expect(summary).toMatchObject({ model: "ude", n: 100, parameters: 10_049, data: "built-in seed data" });
    // Loss vs scipy's DOP853 at rtol 1e-12: both solves are accurate to ~1e-10 relative here.
    expect(Math.abs(summary.loss - ref.ude.loss_identity) / ref.ude.loss_identity).toBeLessThan(1e-8);
    expect(summary.fit.nodes).toEqual([0, 25, 50, 75]);
    // The fit plot's trajectories start at the data's first column.
    expect(summary.fit.current[0][0]).toEqual({ t: 1, u: summary.values[0][0] });
  });

  test("switching to the linear model evaluates it afresh: scipy's loss", async () => {
    const e = engine(TIGHT);
    await e.next("idle");
    e.send({ type: "configure", problem: { ...DEFAULTS, ...TIGHT, model: "linear" } });
    const { summary } = await e.next("problem");
    expect(summary.parameters).toBe(10_000);
    // The adjoint's loss at reltol 1e-10 vs scipy's closed form: within 1e-8 (as apps/ude's tests).
    expect(Math.abs(summary.loss - ref.linear.loss) / ref.linear.loss).toBeLessThan(1e-8);
  });

  test("a malformed CSV, a method that does not fit the model and one that fails are refused with their own words, changing nothing", async () => {
    const e = engine();
    const before = (await e.next("problem")).summary.loss;
    await e.next("idle");
    e.send({ type: "data", csv: { name: "bad.csv", text: "0.1,0.2,0.3\n0.4,0.5\n" }, times: "" });
    const err = await e.next("error");
    expect(err).toMatchObject({ name: "InputFileError", request: "data" });
    expect(err.message).toBe(
      "bad.csv line 2 has 2 values but line 1 has 3 (ragged rows). Fix: give every node (row) exactly one value per observation time (column).",
    );
    await e.next("idle");
    e.send({ type: "configure", problem: { ...DEFAULTS, sensealg: "expm" } });
    expect((await e.next("error")).message).toMatch(/^the expm method applies only to the linear model/);
    await e.next("idle");
    // Accepted settings whose gradient then fails: put back as they were.
    e.send({ type: "configure", problem: { ...DEFAULTS, sensealg: "backsolve" } });
    expect((await e.next("error")).message).toMatch(/^AdjointInstabilityError: BacksolveAdjoint: /);
    await e.next("idle");
    e.send({ type: "nodes", nodes: "1, 2" });
    const { summary } = await e.next("problem");
    expect(summary).toMatchObject({ n: 100, data: "built-in seed data", sensealg: "interpolating" });
    expect(summary.loss).toBe(before);
    expect(summary.fit.nodes).toEqual([0, 1]);
  });

  test("training lowers the loss, keeps the best parameters, and results.json has the CLI's schema", async () => {
    const e = engine();
    await e.next("idle");
    e.send({
      type: "train",
      train: { optimizer: "adam", iters: "3", lbfgsIters: "0", lr: "0.01", timeBudget: "60" },
    });
    const progress = [await e.next("progress"), await e.next("progress"), await e.next("progress")];
    expect(progress.map((p) => p.event.iteration)).toEqual([1, 2, 3]);
    const { summary: run } = await e.next("trained");
    expect(run).toMatchObject({ status: "completed", iterations: 3 });
    expect(run.bestLoss).toBeLessThan(run.initialLoss);
    expect(run.line).toMatch(/^Stopped: completed\. Loss 26\.6135 → /);
    // As `ude train`, the first gradient is audited against a forward-mode directional derivative.
    expect(run.audit).toMatch(/^Gradient audit: 1 check \(evaluation 1\)/);
    const after = (await e.next("problem")).summary;
    // Evaluated afresh at the kept (best) parameters: the same solve, the same number.
    expect(after.loss).toBe(run.bestLoss);
    expect(after.trained).toBe(true);
    await e.next("idle");
    e.send({ type: "results" });
    const results = await e.next("results");
    const doc = JSON.parse(results.json);
    expect(doc).toMatchObject({
      format: "udekit-ude-results",
      format_version: 1,
      command: "web",
      settings: { model: "ude", optimizer: "adam", iters: 3, data: "built-in seed data", kernels: "wasm" },
      training: { status: "completed", iterations: 3, final_loss: run.bestLoss, gradient_audits: [{}] },
      parameters: { model: "ude", n: 100 },
    });
    expect(doc.versions).toHaveProperty("@udekit/ode");
    expect(results.lossTitle).toBe("Training loss, ude model (adam, interpolating)");
  });

  test("Stop ends training after the current iteration", async () => {
    const e = engine();
    await e.next("idle");
    e.send({
      type: "train",
      train: { optimizer: "adam", iters: "100000", lbfgsIters: "0", lr: "0.01", timeBudget: "3600" },
    });
    await e.next("progress");
    e.send({ type: "stop" });
    const { summary } = await e.next("trained");
    expect(summary.status).toBe("interrupted");
    // The stop request is seen at the next check, after at most an iteration or two.
    expect(summary.iterations).toBeLessThanOrEqual(3);
  });
});
