import { expect, test } from "vitest";
import { loadSeed } from "./data.js";

test("the embedded seed data has the documented shapes", () => {
  const seed = loadSeed();
  expect(seed.times).toEqual([1, 2, 3, 4]);
  expect(seed.trainingData).toHaveLength(100);
  expect(seed.trainingData.every((row) => row.length === 4)).toBe(true);
  expect(seed.connectivity).toHaveLength(100);
  expect(seed.connectivity.every((row) => row.length === 100)).toBe(true);
  expect(seed.nn.layers.map((l) => [l.weight.length, l.weight[0].length, l.bias.length])).toEqual([
    [5, 4, 5],
    [4, 5, 4],
  ]);
});
