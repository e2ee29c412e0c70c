/**
 * The memory `ude predict` needs for its output, estimated from the number of nodes and of times
 * before any time is made or solved for (a grid such as --saveat 0:1e-12:20 asks for 2e13 times),
 * in the way memory.ts estimates the model's own memory.
 *
 * The output holds n × m values: the solve's states, the rows of the CSV or JSON, and the text.
 * Its peak resident memory per value was measured (GNU time's %M, Node 20, n = 100, the seed
 * UDE, m = 20 000 and 100 000 times; growth between the two per added value):
 *   --csv FILE 374 960 → 1 372 452 KB, 128 bytes per value; --json 274 608 → 1 011 552 KB, 94.
 * The estimate rounds the larger up to BYTES_PER_VALUE = 150. The text of the CSV or JSON is one
 * JavaScript string, so n × m numbers of up to 24 characters must also fit in the longest string
 * V8 can make (about 5.4e8 characters).
 */
import { constants } from "node:buffer";
import { totalmem } from "node:os";
import { OptionError } from "./errors.js";
import { bytesText, JSON_CHARS_PER_NUMBER } from "./memory.js";

/** Peak bytes per predicted value (measured, rounded up; see the file header). */
export const BYTES_PER_VALUE = 150;

/**
 * Throws OptionError (exit 2) when n nodes at `count` times cannot be held or written: `option`
 * names how the times were asked for. `memory` and `maxChars` default to this machine's physical
 * memory and V8's longest string.
 */
export function checkPredictSize(
  n: number,
  count: number,
  option: string,
  memory = totalmem(),
  maxChars: number = constants.MAX_STRING_LENGTH,
): void {
  const values = n * count;
  const bytes = BYTES_PER_VALUE * values;
  const chars = JSON_CHARS_PER_NUMBER * (values + count);
  if (bytes <= memory && chars <= maxChars) return;
  // The most times that fit both limits for these n nodes.
  const most = Math.floor(
    Math.min(memory / (BYTES_PER_VALUE * n), maxChars / (JSON_CHARS_PER_NUMBER * (n + 1))),
  );
  const why =
    bytes > memory
      ? `about ${bytesText(bytes)} of memory (${BYTES_PER_VALUE} bytes per value at its peak), but this machine has ${bytesText(memory)}`
      : `about ${chars.toExponential(1).replace("e+", "e")} characters of CSV or JSON text, more than the ${maxChars.toExponential(1).replace("e+", "e")} a JavaScript string can hold`;
  throw new OptionError(
    `${option} asks for ${count.toExponential(2).replace("e+", "e")} times; ${n} nodes at each are ${values.toExponential(2).replace("e+", "e")} values, which need ${why}. ` +
      `Fix: ask for fewer times (at most about ${most.toExponential(1).replace("e+", "e")} fit here for ${n} nodes), e.g. a larger --saveat step or a smaller --saveat-n.`,
  );
}
