/**
 * Which kind of right-hand side a function is, when the problem does not say (`kind`).
 * JavaScript cannot see parameter types, so the arity decides where it can: 4 parameters (or
 * fewer than 3) is in place, `(du, u, p, t) => void`. A function of exactly 3 parameters is
 * either a tensor function `(u, p, t) => Tensor` or an in-place one that ignores t,
 * `(du, u, p) => void`; the type checker tells them apart by the return type (ODEProblem's
 * overloads), and so does this: f is called once with tensors (u0, p, t0) and is a tensor
 * right-hand side exactly when it returns a Tensor.
 */
import { isTensor, scalar, tensor } from "@udekit/autodiff";

export function inferRhsKind(
  // biome-ignore lint/complexity/noBannedTypes: any function; its kind is what is being found out
  f: Function,
  u0: Float64Array,
  p: Float64Array,
  pShape: readonly number[] | undefined,
  t0: number,
): "inplace" | "tensor" {
  if (f.length !== 3) return "inplace";
  let out: unknown;
  try {
    // The same inputs tensor-rhs.ts compiles with (an empty p is one unused zero).
    const pt = p.length === 0 ? tensor([0]) : tensor(p.slice(), pShape ?? [p.length]);
    out = f(tensor(u0.slice()), pt, scalar(t0));
  } catch {
    // An in-place function may throw on tensor arguments (du.fill, u.subarray): called as one,
    // with scratch buffers, it runs. A tensor function that throws here (a bug in it) is left
    // as a tensor function, whose compilation then reports the error with the fix.
    try {
      f(new Float64Array(u0.length), u0.slice(), p.slice(), t0);
      return "inplace";
    } catch {
      return "tensor";
    }
  }
  return isTensor(out) ? "tensor" : "inplace";
}
