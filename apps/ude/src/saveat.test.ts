// --saveat / --saveat-n / --until: the times `ude predict` reports, and every refusal as an
// OptionError (exit 2) naming the option, the bad value and a fix.
import { describe, expect, test } from "vitest";
import { OptionError } from "./errors.js";
import { parseSaveat, parseSaveatN } from "./saveat.js";

describe("--saveat start:step:stop", () => {
  test("0:0.01:20 has 2001 times, k·0.01 each, ending exactly at 20", () => {
    const r = parseSaveat("0:0.01:20", 0);
    expect(r.count).toBe(2001);
    const t = r.times();
    expect(t).toHaveLength(2001);
    expect(t[0]).toBe(0);
    expect(t[2000]).toBe(20);
    // The decimal times asked for: 0.07, not 7 · 0.01 = 0.07000000000000001.
    for (const k of [1, 7, 100, 1999]) expect(t[k]).toBe(Number((k / 100).toFixed(2)));
    expect(t[7]).toBe(0.07);
    expect(parseSaveat("0:0.1:1", 0).times()).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    for (let k = 1; k < t.length; k++) expect(t[k]).toBeGreaterThan(t[k - 1]);
  });

  test("a stop the steps do not reach is not passed: 1:0.3:2 is 1, 1.3, 1.6, 1.9", () => {
    const t = parseSaveat("1:0.3:2", 1).times();
    expect(t).toHaveLength(4);
    expect(t[3]).toBeCloseTo(1.9, 14);
  });

  test("a grid of one time: 2:1:2", () => {
    expect(parseSaveat("2:1:2", 1).times()).toEqual([2]);
  });

  test("the count is known before the times are made (10¹⁵ points are never built)", () => {
    expect(parseSaveat("0:1e-15:1", 0).count).toBe(1e15 + 1);
  });

  test.each([
    ["0:0:20", /step 0; the step must be > 0/],
    ["0:-0.1:20", /step -0\.1; the step must be > 0/],
    ["20:0.1:0", /stops at 0, before its start 20/],
    ["0:abc:20", /contains "abc", which is not a finite number/],
    ["0:0.1:inf", /contains "inf", which is not a finite number/],
    ["0:1:2:3", /neither start:step:stop nor a list/],
    ["-1:0.1:5", /starts at t = -1, before the initial condition's time t₀ = 0/],
  ])("%s is refused", (text, message) => {
    expect(() => parseSaveat(text, 0)).toThrow(OptionError);
    expect(() => parseSaveat(text, 0)).toThrow(message);
    expect(() => parseSaveat(text, 0)).toThrow(/Fix: /);
  });
});

describe("--saveat t1,t2,…", () => {
  test("a list of increasing times, beyond the data allowed", () => {
    const r = parseSaveat("1,1.5,4,40", 1);
    expect(r.count).toBe(4);
    expect(r.times()).toEqual([1, 1.5, 4, 40]);
  });

  test.each([
    ["1,3,2", /3 is followed by 2.*Fix: sort the times.*--saveat 1,2,3/],
    ["1,2,2", /2 is followed by 2/],
    ["1,NaN,2", /contains "NaN", which is not a finite number/],
    ["0.5,1,2", /starts at t = 0\.5, before the initial condition's time t₀ = 1/],
    ["1,,2", /contains "", which is not a finite number/],
  ])("%s is refused", (text, message) => {
    expect(() => parseSaveat(text, 1)).toThrow(OptionError);
    expect(() => parseSaveat(text, 1)).toThrow(message);
  });
});

describe("--saveat-n N [--until T]", () => {
  test("N evenly spaced times from t₀ to the last observation, or to --until", () => {
    expect(parseSaveatN("5", undefined, 1, 4).times()).toEqual([1, 1.75, 2.5, 3.25, 4]);
    const t = parseSaveatN("500", "20", 0, 4).times();
    expect(t).toHaveLength(500);
    expect(t[0]).toBe(0);
    expect(t[499]).toBe(20);
    expect(t[1]).toBeCloseTo(20 / 499, 15);
  });

  test.each([
    ["1", undefined, /--saveat-n must be a whole number ≥ 2/],
    ["2.5", undefined, /--saveat-n must be a whole number ≥ 2 .*, got "2\.5"/],
    ["-3", undefined, /--saveat-n must be a whole number ≥ 2/],
    ["10", "0.5", /--until 0\.5 is not after the initial condition's time t₀ = 1/],
    ["10", "x", /--until "x" contains "x", which is not a finite number/],
  ])("--saveat-n %s --until %s is refused", (n, until, message) => {
    expect(() => parseSaveatN(n, until, 1, 4)).toThrow(OptionError);
    expect(() => parseSaveatN(n, until, 1, 4)).toThrow(message);
  });
});
