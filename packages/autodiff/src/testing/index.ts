/**
 * @udekit/autodiff/testing — the op suite every package runs on the ops it registers
 * (dot-product test against central differences, fan-out, accumulate-not-overwrite,
 * compiled = eager). It reports instead of asserting, so it works with any test runner:
 *
 *   expect(checkOp(myOp, [x, y], attrs).failures).toEqual([]);
 */
export { OpSuiteError } from "../errors.js";
export {
  assertOpSuite,
  checkOp,
  checkOpSuite,
  type OpCheck,
  type OpCheckName,
  type OpSuiteOptions,
  type OpSuiteReport,
} from "./op-suite.js";
