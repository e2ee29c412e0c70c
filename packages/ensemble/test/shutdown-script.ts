/** Run by pool.test.ts in a child process: evaluate once, close, and let the process end by itself. */
import { createEnsemblePool } from "../src/pool-node.js";
import { paramLength, smallExperiments, smallParams } from "./models/small-linear.js";

const pool = createEnsemblePool({
  worker: new URL("./models/small-linear.ts", import.meta.url),
  experiments: smallExperiments(),
  paramLength,
  workers: 2,
  execArgv: ["--import", new URL("./source-loader.mjs", import.meta.url).href],
});
const r = await pool.evaluate(smallParams());
await pool.close();
console.log(`evaluated ${pool.experiments} experiments on ${pool.workers} workers, loss ${r.loss}`);
