// checkPredictSize refuses, from the count alone, outputs that do not fit in memory or in one
// JavaScript string, with one line saying how much was asked for and how many times would fit.
import { expect, test } from "vitest";
import { OptionError } from "./errors.js";
import { BYTES_PER_VALUE, checkPredictSize } from "./predict-memory.js";

const GB = 1e9;

test("fits: no error", () => {
  expect(() => checkPredictSize(100, 2001, "--saveat 0:0.01:20", 25 * GB, 5.4e8)).not.toThrow();
});

test("more than memory: refused with the estimate, the machine's memory and how many times fit", () => {
  // 100 nodes × 1e7 times × 150 bytes = 150 GB > 25 GB; the string limit is lifted to isolate memory.
  const run = () => checkPredictSize(100, 1e7, "--saveat-n 10000000", 25 * GB, 1e20);
  expect(run).toThrow(OptionError);
  expect(run).toThrow(
    `--saveat-n 10000000 asks for 1.00e7 times; 100 nodes at each are 1.00e9 values, which need about 150 GB of memory (${BYTES_PER_VALUE} bytes per value at its peak), but this machine has 25 GB. Fix: ask for fewer times (at most about 1.7e6 fit here for 100 nodes)`,
  );
});

test("more text than one string holds: refused even with memory to spare", () => {
  // 100 nodes × 2.5e5 times = 2.5e7 numbers of up to 24 characters: 6.1e8 > 5.4e8 characters.
  const run = () => checkPredictSize(100, 2.5e5, "--saveat 0:0.0001:25", 1e15, 5.4e8);
  expect(run).toThrow(
    /about 6\.1e8 characters of CSV or JSON text, more than the 5\.4e8 a JavaScript string can hold/,
  );
  expect(run).toThrow(/at most about 2\.2e5 fit here/);
});
