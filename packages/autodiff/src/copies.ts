/**
 * Two copies of @udekit/autodiff in one program (two versions installed side by side). A tensor
 * of the other copy is recognised by its brand (`isTensor`) and works as a constant; one that
 * the other copy is differentiating cannot be recorded on this copy's tape, so that is an error
 * naming both copies rather than a silently zero gradient.
 */
import { DuplicateCopyError } from "./errors.js";
import { OWN_BRAND, Tensor, tensorBrand } from "./tensor.js";

const FIX =
  "A gradient cannot cross copies: install one copy of @udekit/autodiff (@udekit/ode, @udekit/nn and @udekit/linear-ode take it as a peer dependency; `npm ls @udekit/autodiff` or `pnpm why @udekit/autodiff` shows who brought the second one; align the versions, then `npm dedupe`).";

function copyOf(x: unknown): string {
  return tensorBrand(x)?.module ?? "an unknown copy";
}

/** Throws DuplicateCopyError when an input is another copy's tensor recorded on that copy's tape. */
export function checkOwnTapes(inputs: readonly Tensor[], what: string): void {
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (t.tape !== null && !(t instanceof Tensor)) {
      throw new DuplicateCopyError(
        `${what}: input ${i} is a Tensor of another copy of @udekit/autodiff (${copyOf(t)}) that this copy (${OWN_BRAND.module}) cannot record, because that copy is differentiating it. ${FIX}`,
      );
    }
  }
}

/** The error for a function that returned another copy's tensor to this copy's grad/vjp/compile. */
export function foreignOutputError(what: string, out: unknown): DuplicateCopyError {
  return new DuplicateCopyError(
    `${what}: the function returned a Tensor of another copy of @udekit/autodiff (${copyOf(out)}), not of this one (${OWN_BRAND.module}), so none of its ops were recorded here. ${FIX}`,
  );
}

/** How to name a value that is not a Tensor of this layout in an error message. */
export function describeNonTensor(x: unknown): string {
  const brand = tensorBrand(x);
  if (brand !== undefined) {
    return `a Tensor of an incompatible copy of @udekit/autodiff (${brand.module}, layout ${brand.protocol}; this copy, ${OWN_BRAND.module}, reads layout ${OWN_BRAND.protocol})`;
  }
  return x === null ? "null" : typeof x;
}
