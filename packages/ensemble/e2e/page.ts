/**
 * The page of web-pool.e2e.ts: runs the small ensemble through the Web Worker pool with 1 and 2
 * workers and serially on this thread, tries a worker module that does not exist, evaluates a
 * closed pool, and leaves the outcome in window.result for the test to read.
 */
import { evaluateSerial } from "../src/index.js";
import { createEnsemblePool } from "../src/pool-web.js";
import { model, paramLength, smallExperiments, smallParams } from "../test/models/small-linear.js";

const worker = new URL("../test/models/small-linear.ts", import.meta.url);
const experiments = smallExperiments();
const p = smallParams();

async function run(workers: number) {
  const ens = createEnsemblePool({ worker, experiments, paramLength, workers });
  const out = await ens.evaluate(p);
  await ens.evaluate(p); // warm workers, reused buffers
  await ens.close();
  return { grad: Array.from(out.grad), loss: out.loss, losses: Array.from(out.losses), ens };
}

async function main() {
  const serial = evaluateSerial(model, experiments, p);
  const one = await run(1);
  const two = await run(2);
  const broken = createEnsemblePool({
    worker: new URL("../test/models/no-such-module.ts", import.meta.url),
    experiments,
    paramLength,
    workers: 2,
  });
  const crash = await broken.evaluate(p).then(
    () => "resolved",
    (e: Error) => `${e.name}: ${e.message}`,
  );
  await broken.close();
  const closed = await two.ens.evaluate(p).then(
    () => "resolved",
    (e: Error) => e.name,
  );
  return {
    isolated: crossOriginIsolated,
    serial: Array.from(serial.grad),
    one: one.grad,
    two: two.grad,
    losses: two.losses,
    loss: two.loss,
    crash,
    closed,
  };
}

main().then(
  (r) => Object.assign(window, { result: r }),
  (e: Error) => Object.assign(window, { result: { error: `${e.name}: ${e.message}` } }),
);
