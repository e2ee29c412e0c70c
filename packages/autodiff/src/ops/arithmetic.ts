/** add, sub, mul, div: elementwise with broadcasting (rules in ../shape.ts). */
import { scalar, type Tensor } from "../tensor.js";
import { binaryOp } from "./elementwise.js";

export const addOp = binaryOp({ name: "add", f: (a, b) => a + b, da: () => 1, db: () => 1 });
export const subOp = binaryOp({ name: "sub", f: (a, b) => a - b, da: () => 1, db: () => -1 });
export const mulOp = binaryOp({ name: "mul", f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a });
export const divOp = binaryOp({
  name: "div",
  f: (a, b) => a / b,
  da: (_a, b) => 1 / b,
  db: (_a, b, y) => -y / b,
});

const lift = (x: Tensor | number): Tensor => (typeof x === "number" ? scalar(x) : x);

/** a + b, broadcasting; a number is a scalar. */
export const add = (a: Tensor | number, b: Tensor | number): Tensor => addOp([lift(a), lift(b)], undefined);
/** a − b, broadcasting. */
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => subOp([lift(a), lift(b)], undefined);
/** a ∘ b (elementwise product), broadcasting. */
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => mulOp([lift(a), lift(b)], undefined);
/** a / b (elementwise), broadcasting. */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => divOp([lift(a), lift(b)], undefined);
