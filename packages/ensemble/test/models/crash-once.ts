/**
 * The small linear model, except that the first worker to meet experiment 1 exits its thread
 * (process.exit, as a native crash or an out-of-memory kill would end it). The marker file named
 * by ENSEMBLE_CRASH_MARKER records that it happened, so the retry in a fresh worker succeeds.
 * ENSEMBLE_CRASH_ALWAYS=1 crashes on every attempt.
 */
import { existsSync, writeFileSync } from "node:fs";
import { serveEnsemble } from "../../src/index.js";
import { model } from "./small-linear.js";

export default serveEnsemble({
  lossAndGradient(p, e, grad) {
    const marker = process.env.ENSEMBLE_CRASH_MARKER;
    if (
      e.index === 1 &&
      marker !== undefined &&
      (process.env.ENSEMBLE_CRASH_ALWAYS === "1" || !existsSync(marker))
    ) {
      writeFileSync(marker, `crashed on experiment ${e.index}\n`, { flag: "a" });
      process.exit(3);
    }
    return model.lossAndGradient(p, e, grad);
  },
});
