// Every documented error, asserted with its type and the fix-it part of its message.
import { describe, expect, test } from "vitest";
import * as errors from "./errors.js";
import { DuplicateOpError, ShapeError, UnknownOpError } from "./errors.js";
import { ALL_OPS, add, concat, matmul, matvec, reshape, slice, sum } from "./ops/index.js";
import { defineOp, getOp, listOps, registerOps } from "./registry.js";
import { type Tensor, tensor, zeros } from "./tensor.js";

describe("shape errors name the op and both shapes", () => {
  test.each([
    ["add", () => add(zeros([2, 3]), zeros([3, 2])), /add: shapes \[2, 3\] and \[3, 2\] do not broadcast/],
    [
      "matmul",
      () => matmul(zeros([2, 3]), zeros([2, 3])),
      /matmul: cannot multiply A \[2, 3\] by B \[2, 3\]/,
    ],
    ["matvec", () => matvec(zeros([2, 3]), zeros([2])), /matvec: cannot multiply A \[2, 3\] by x \[2\]/],
    ["reshape", () => reshape(zeros([2, 3]), [4]), /reshape: cannot reshape \[2, 3\] \(6 entries\) to \[4\]/],
    ["slice", () => slice(zeros([3]), 2, 5), /slice: range \[2, 5\) is not inside 0…3/],
    ["sum", () => sum(zeros([3]), 1), /sum: axis 1 does not exist for shape \[3\]/],
    [
      "concat",
      () => concat([zeros([2, 3]), zeros([2, 2])], 0),
      /concat: shapes \[2, 3\], \[2, 2\] differ along axis 1/,
    ],
  ])("%s", (_name, f, message) => {
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(message);
  });
});

describe("registry errors", () => {
  test("an unknown op name lists the known ones", () => {
    expect(() => getOp("nope")).toThrow(UnknownOpError);
    expect(() => getOp("nope")).toThrow(/known: .*matmul/);
    expect(() => getOp("nope")).toThrow(/Register it first with registerOps\(\[op\]\)/);
  });

  test("registering a different op under a taken name is rejected, and registers nothing", () => {
    const impostor = defineOp({ name: "add", shape: ([s]) => s, forward: () => {}, vjp: () => {} });
    expect(() => registerOps([impostor])).toThrow(DuplicateOpError);
    expect(() => registerOps([impostor])).toThrow(
      /an op named "add" is already registered, and this is a different op/,
    );
    // Two different ops of one name in one call: neither lands, nor does a fresh name beside them.
    const a = defineOp({ name: "test.twin", shape: ([s]) => s, forward: () => {}, vjp: () => {} });
    const b = defineOp({ name: "test.twin", shape: ([s]) => s, forward: () => {}, vjp: () => {} });
    const c = defineOp({ name: "test.bystander", shape: ([s]) => s, forward: () => {}, vjp: () => {} });
    expect(() => registerOps([c, a, b])).toThrow(DuplicateOpError);
    expect(listOps()).not.toContain("test.twin");
    expect(listOps()).not.toContain("test.bystander");
    expect(getOp("add")).toBe(ALL_OPS.find((op) => op.definition.name === "add"));
  });

  test("defining ops has no side effect, and registering the same op again is a no-op", () => {
    const before = listOps();
    const definition = {
      name: "test.twice",
      shape: ([s]: readonly number[][]) => s,
      forward: () => {},
      vjp: () => {},
    };
    // A module loaded twice defines its op twice: no DuplicateOpError, nothing registered.
    const first = defineOp(definition);
    const second = defineOp({ ...definition });
    expect(listOps()).toEqual(before);
    registerOps([first]);
    registerOps([first, first]);
    registerOps([defineOp(definition)]); // another callable for the same definition object
    expect(getOp("test.twice")).toBe(first);
    expect(() => registerOps([second])).toThrow(DuplicateOpError);
    registerOps(ALL_OPS); // the built-ins are registered already
    expect(listOps()).toEqual([...before, "test.twice"].sort());
  });

  test("user-defined ops record and differentiate like built-ins", async () => {
    const { grad } = await import("./grad.js");
    const cube = defineOp<undefined>({
      name: "test.cube",
      shape: ([s]) => s,
      forward: ({ inputs, out }) => {
        for (let i = 0; i < out.length; i++) out[i] = inputs[0][i] ** 3;
      },
      vjp: ({ inputs }, g, inputGrads) => {
        const gx = inputGrads[0];
        if (gx !== null) for (let i = 0; i < g.length; i++) gx[i] += 3 * inputs[0][i] ** 2 * g[i];
      },
    });
    expect(listOps()).not.toContain("test.cube");
    registerOps([cube]);
    expect(listOps()).toContain("test.cube");
    expect(getOp("test.cube")).toBe(cube);
    const g = grad((x: Tensor) => sum(cube([x], undefined)))(tensor([1, 2]));
    expect(g.toArray()).toEqual([3, 12]);
  });
});

describe("error classes", () => {
  test.each(Object.entries(errors))(
    "%s is named after itself and extends AutodiffError",
    (name, ErrorClass) => {
      const e = new ErrorClass("what was wrong. How to fix it.");
      expect(e.name).toBe(name);
      expect(e).toBeInstanceOf(errors.AutodiffError);
      expect(e).toBeInstanceOf(Error);
      expect(e.message).toBe("what was wrong. How to fix it.");
      expect(String(e)).toBe(`${name}: what was wrong. How to fix it.`);
    },
  );
});
