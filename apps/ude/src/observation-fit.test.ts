import { expect, test } from "vitest";
import { fitPoints, short, thin } from "./observation-fit.js";

test("fitPoints leaves out the initial condition and missing or non-finite values", () => {
  const points = fitPoints({
    times: [0, 1, 2],
    observed: [
      [1, 2, Number.NaN],
      [3, 4, 5],
    ],
    predicted: [
      [1, 2.5, 3],
      [3, Number.POSITIVE_INFINITY, 5.5],
    ],
  });
  expect(points).toEqual([
    { node: 1, t: 1, observed: 2, predicted: 2.5, heldOut: false },
    { node: 2, t: 2, observed: 5, predicted: 5.5, heldOut: false },
  ]);
});

test("held-out observations: whole nodes or time columns after t₀", () => {
  const base = {
    times: [0, 1, 2],
    observed: [
      [1, 2, 3],
      [4, 5, 6],
    ],
    predicted: [
      [1, 2, 3],
      [4, 5, 6],
    ],
  };
  const byNode = fitPoints({ ...base, heldOut: { nodes: [1] } }).map((p) => `${p.node}@${p.t}:${p.heldOut}`);
  expect(byNode).toEqual(["1@1:false", "1@2:false", "2@1:true", "2@2:true"]);
  const byTime = fitPoints({ ...base, heldOut: { columns: [2] } }).map(
    (p) => `${p.node}@${p.t}:${p.heldOut}`,
  );
  expect(byTime).toEqual(["1@1:false", "1@2:true", "2@1:false", "2@2:true"]);
});

test("thin keeps at most max elements, evenly, starting with the first", () => {
  const xs = Array.from({ length: 10 }, (_, k) => k);
  expect(thin(xs, 20)).toEqual(xs);
  expect(thin(xs, 5)).toEqual([0, 2, 4, 6, 8]);
  expect(thin(xs, 3)).toEqual([0, 4, 8]);
});

test("short: 3 significant digits, exponent form when tiny or huge", () => {
  expect(short(0.123456)).toBe("0.123");
  expect(short(1234.5)).toBe("1230");
  expect(short(2.5e-7)).toBe("2.50e-7");
  expect(short(-3e8)).toBe("-3.00e8");
  expect(short(0)).toBe("0");
});
