import { expect, test } from "vitest";
import { BAR_MARGIN, barLine } from "./progress.js";
import type { ProgressEvent } from "./training.js";

const event: ProgressEvent = {
  phase: "lbfgs",
  iteration: 353,
  total: 400,
  loss: 13.76621234,
  elapsed_s: 8.1,
  itPerSec: 43.69,
  eta_s: 1.1,
};

test("the bar fits the width it is given and always ends with the ETA", () => {
  // issue #21: at 80 columns the bar was cut before the ETA.
  for (const columns of [200, 120, 100, 80, 72, 60, 50, 40]) {
    const line = barLine(event, columns - BAR_MARGIN);
    expect(line.length).toBeLessThanOrEqual(columns - BAR_MARGIN);
    expect(line).toMatch(/ETA 1\.1 s$/);
    expect(line).toMatch(/^L-BFGS /);
    expect(line).toMatch(/353\/400 it/);
  }
});

test("wide terminals show every field; narrow ones drop elapsed time, then the rate, then the bar", () => {
  expect(barLine(event, 200)).toBe(
    `L-BFGS |${"#".repeat(26)}${"-".repeat(4)}| 353/400 it | loss 13.7662 | 43.69 it/s | elapsed 8.1 s | ETA 1.1 s`,
  );
  expect(barLine(event, 77)).toMatch(
    /^L-BFGS \|#+-+\| 353\/400 it \| loss 13.7662 \| 43.69 it\/s \| ETA 1.1 s$/,
  );
  expect(barLine(event, 57)).toMatch(/^L-BFGS \|#+-+\| 353\/400 it \| loss 13.7662 \| ETA 1.1 s$/);
  expect(barLine(event, 44)).toBe("L-BFGS 353/400 it | loss 13.7662 | ETA 1.1 s");
  expect(barLine(event, 40)).toBe("L-BFGS 353/400 it ETA 1.1 s");
});

test("with a hold-out the bar shows the validation loss beside the loss, still ending with the ETA", () => {
  const v = { ...event, validation: 2.5 };
  expect(barLine(v, 200)).toMatch(/\| loss 13\.7662 val 2\.50000 \| 43\.69 it\/s \|/);
  expect(barLine(v, 80 - BAR_MARGIN)).toMatch(/val 2\.50000 .*ETA 1\.1 s$/);
});
