// The op suite catches what it claims to: a correct op passes every check, and ops with one
// deliberate bug each (a wrong derivative, an overwriting rule, a rule that overwrites only
// when two inputs alias, a VJP that reads a forward value it did not declare) fail the check
// meant for that bug, with a message naming the op and the fix.
import { describe, expect, test } from "vitest";
import { OpSuiteError } from "../errors.js";
import { mul, scale, sum } from "../ops/index.js";
import { defineOp, READS_NOTHING } from "../registry.js";
import { type Tensor, tensor } from "../tensor.js";
import { assertOpSuite, checkOp, checkOpSuite } from "./index.js";

const x = tensor([0.3, -1.2, 2.1, 0.7], [4]);
const y = tensor([1.4, 0.2, -0.9, -1.6], [4]);

/** x³ with a VJP rule built by `rule` (the correct one adds 3x²·ḡ). */
function cube(name: string, rule: (g: number, x: number, old: number) => number) {
  return defineOp<undefined>({
    name,
    shape: ([s]) => s,
    forward(ctx) {
      const a = ctx.inputs[0];
      for (let i = 0; i < a.length; i++) ctx.out[i] = a[i] ** 3;
    },
    vjp(ctx, g, [gx]) {
      if (gx === null) return;
      const a = ctx.inputs[0];
      for (let i = 0; i < a.length; i++) gx[i] = rule(g[i], a[i], gx[i]);
    },
  });
}

const failedChecks = (r: ReturnType<typeof checkOpSuite>) => r.checks.filter((c) => !c.ok).map((c) => c.name);

describe("op suite", () => {
  test("a correct op passes every check and reports the ops it covered", () => {
    const op = cube("suite-test.cube", (g, a, old) => old + 3 * a * a * g);
    const r = checkOp(op, [x], undefined);
    expect(r.failures).toEqual([]);
    expect(r.checks.map((c) => c.name)).toEqual([
      "dot-product",
      "fan-out",
      "aliased-inputs",
      "accumulate",
      "compiled-eager",
    ]);
    expect(r.ops).toEqual(["suite-test.cube"]);
    expect(assertOpSuite(r)).toBe(r);
  });

  test("a wrong derivative fails the dot-product check", () => {
    const op = cube("suite-test.cube-wrong", (g, a, old) => old + 2 * a * a * g);
    const r = checkOp(op, [x], undefined);
    expect(failedChecks(r)).toEqual(["dot-product"]);
    expect(r.failures[0]).toMatch(/^suite-test\.cube-wrong: dot-product: seed 1/);
  });

  test("an overwriting rule fails fan-out and accumulate (and the compiled fan-out form), not the dot-product", () => {
    const op = cube("suite-test.cube-overwrite", (g, a) => 3 * a * a * g);
    const r = checkOp(op, [x], undefined);
    expect(failedChecks(r)).toEqual(["fan-out", "accumulate", "compiled-eager"]);
    expect(r.failures.join("\n")).toMatch(/overwrites/);
    expect(() => assertOpSuite(r)).toThrow(OpSuiteError);
    expect(() => assertOpSuite(r)).toThrow(
      /suite-test\.cube-overwrite: accumulate: op "suite-test\.cube-overwrite"/,
    );
  });

  test("the accumulate check reaches every op application inside a composite function", () => {
    const op = cube("suite-test.cube-overwrite-inner", (g, a) => 3 * a * a * g);
    const r = checkOpSuite((a: Tensor, b: Tensor) => sum(mul(op([a], undefined), b)), [x, y], {
      label: "composite",
    });
    expect(r.ops).toEqual(["mul", "suite-test.cube-overwrite-inner", "sum"]);
    expect(r.checks.find((c) => c.name === "accumulate")?.detail).toMatch(
      /"suite-test\.cube-overwrite-inner"/,
    );
    expect(r.checks.find((c) => c.name === "accumulate")?.detail).not.toMatch(/"mul"|"sum"/);
  });

  test("a binary rule that assigns its second input's cotangent fails when both inputs are one tensor", () => {
    // a·b with gb assigned after ga was added: harmless for distinct inputs whose buffers start
    // at zero, wrong when a and b are the same tensor (the two slots are one array).
    const op = defineOp<undefined>({
      name: "suite-test.mul-assign-b",
      shape: ([s]) => s,
      forward(ctx) {
        const [a, b] = ctx.inputs;
        for (let i = 0; i < a.length; i++) ctx.out[i] = a[i] * b[i];
      },
      vjp(ctx, g, [ga, gb]) {
        const [a, b] = ctx.inputs;
        if (ga !== null) for (let i = 0; i < a.length; i++) ga[i] += g[i] * b[i];
        if (gb !== null) for (let i = 0; i < a.length; i++) gb[i] = g[i] * a[i];
      },
    });
    const r = checkOp(op, [x, y], undefined);
    expect(failedChecks(r)).toContain("aliased-inputs");
    expect(r.failures.join("\n")).toMatch(/inputs 0 and 1 bound to one tensor/);
  });

  test("a VJP that reads a forward value it declared it does not read fails compiled = eager", () => {
    // Declares READS_NOTHING but reads its input: a compiled pullback then skips the forward
    // work producing that input and reads a stale value.
    const op = defineOp<undefined>({
      name: "suite-test.square-reads-nothing",
      vjpReads: () => READS_NOTHING,
      shape: ([s]) => s,
      forward(ctx) {
        const a = ctx.inputs[0];
        for (let i = 0; i < a.length; i++) ctx.out[i] = a[i] * a[i];
      },
      vjp(ctx, g, [gx]) {
        const a = ctx.inputs[0];
        if (gx !== null) for (let i = 0; i < a.length; i++) gx[i] += 2 * a[i] * g[i];
      },
    });
    const r = checkOp(op, [x], undefined);
    expect(failedChecks(r)).toEqual(["compiled-eager"]);
    expect(r.failures[0]).toMatch(/fan-out form: compiled VJP of input 0 differs from eager/);
  });

  test("a throwing function is a failed check, not a crash; bad arguments throw OpSuiteError", () => {
    const r = checkOpSuite(() => {
      throw new RangeError("boom");
    }, [x]);
    expect(r.ok).toBe(false);
    expect(r.failures[0]).toBe("f: dot-product: threw RangeError: boom");
    expect(() => checkOpSuite((a) => scale(a, 2), [x], { movedInputs: [y, y] })).toThrow(OpSuiteError);
    expect(() => checkOpSuite((a) => a, [[1, 2] as unknown as Tensor])).toThrow(/input 0 is not a Tensor/);
  });
});
