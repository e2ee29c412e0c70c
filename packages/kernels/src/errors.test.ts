// Every error class of @udekit/kernels is named after itself (the base class sets the name from
// new.target, the idiom every udekit package uses) and extends KernelsError.
import { describe, expect, test } from "vitest";
import * as errors from "./errors.js";

describe("error classes", () => {
  test.each(Object.entries(errors))(
    "%s is named after itself and extends KernelsError",
    (name, ErrorClass) => {
      const e = new ErrorClass("what was wrong. How to fix it.");
      expect(e.name).toBe(name);
      expect(e).toBeInstanceOf(errors.KernelsError);
      expect(e.message).toBe("what was wrong. How to fix it.");
      expect(String(e)).toBe(`${name}: what was wrong. How to fix it.`);
    },
  );
});
