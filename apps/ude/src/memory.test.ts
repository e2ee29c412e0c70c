import { expect, test } from "vitest";
import { checkMemory, estimateMemory, largestFittingN } from "./memory.js";

const train = { command: "train", json: true } as const;
const gradientJson = { command: "gradient", json: true } as const;
const gradient = { command: "gradient", json: false } as const;

test("the estimate counts copies of the dense P: 55 for training, 15 for predict", () => {
  expect(estimateMemory("linear", 100, train)).toEqual({
    parameters: 10_000,
    bytes: 55 * 8 * 10_000,
    jsonChars: 24 * 10_000,
  });
  expect(estimateMemory("ude", 100, { command: "predict", json: false })).toEqual({
    parameters: 10_049,
    bytes: 15 * 8 * 10_049,
    jsonChars: 0,
  });
});

test("the largest n that fits: it fits, the next one does not", () => {
  const memory = 1e9;
  const maxChars = 5e8;
  for (const kind of ["linear", "ude"] as const) {
    for (const job of [train, gradient]) {
      const n = largestFittingN(kind, job, memory, maxChars);
      expect(() => checkMemory(kind, n, "x", job, memory, maxChars)).not.toThrow();
      const next = n + (kind === "ude" ? 4 : 1);
      expect(() => checkMemory(kind, next, "x", job, memory, maxChars)).toThrow(/Fix: use fewer nodes/);
      if (kind === "ude") expect(n % 4).toBe(0);
    }
  }
});

test("refusal by memory names what it needs, what the machine has, and how many nodes fit", () => {
  // 2000 nodes, linear: 55 copies × 8 bytes × 4e6 = 1.76 GB > 1 GB; √(1e9 / 440) = 1507.5.
  expect(() => checkMemory("linear", 2000, "a.csv", gradient, 1e9, 5e8)).toThrow(
    "a.csv has 2000 nodes, so the linear model has a dense 2000 × 2000 P (4.00e6 parameters, 32 MB each copy): " +
      "`ude gradient` needs about 1.8 GB of memory for it (55 copies of P at its peak), but this machine has 1.0 GB. " +
      "Fix: use fewer nodes (at most about 1507 fit here), e.g. by aggregating nodes into groups or fitting a subset.",
  );
});

test("refusal by the length of the JSON text (a JavaScript string has a maximum length)", () => {
  // 300 nodes as JSON: 24 × 9e4 = 2.16e6 characters > 1e6; √(1e6 / 24) = 204.1.
  expect(() => checkMemory("linear", 300, "a.csv", gradientJson, 1e12, 1e6)).toThrow(
    /writing P as JSON \(--json\) needs about 2\.2e\+6 characters of text, more than the 1\.0e\+6 a JavaScript string can hold\. Fix: use fewer nodes \(at most about 204 fit here\), .*, or leave out --json\.$/,
  );
  expect(() => checkMemory("linear", 300, "a.csv", gradient, 1e12, 1e6)).not.toThrow();
});
