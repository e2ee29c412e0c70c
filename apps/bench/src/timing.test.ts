import { expect, test } from "vitest";
import { summarise, timeInterleaved } from "./timing.js";

test("summarise reports median, min and max", () => {
  expect(summarise("x", [3, 1, 2])).toEqual({
    name: "x",
    median: 2,
    min: 1,
    max: 3,
    samples: 3,
    perCall: [3, 1, 2],
  });
  expect(summarise("y", [4, 1, 3, 2]).median).toBe(2.5);
});

test("timeInterleaved calls every competitor warmup + samples × inner times", () => {
  const calls = { a: 0, b: 0 };
  const res = timeInterleaved(
    { a: () => calls.a++, b: () => calls.b++ },
    { warmup: 2, samples: 3, inner: 4 },
  );
  expect(calls).toEqual({ a: 14, b: 14 });
  expect(res.map((r) => r.name)).toEqual(["a", "b"]);
  expect(res.every((r) => r.samples === 3 && r.min <= r.median && r.median <= r.max)).toBe(true);
});
