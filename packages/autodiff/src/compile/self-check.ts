/**
 * The eager self-check, compile's last pass. A function whose trace depends on input values
 * (value-dependent control flow, randomness, state outside the function) would replay the wrong
 * program at other values: compare the compiled forward with an eager call at perturbed inputs.
 */
import { CompileError } from "../errors.js";
import { Tensor } from "../tensor.js";
import type { Forward } from "./forward.js";

export function checkAgainstEager(
  f: (...xs: Tensor[]) => Tensor,
  examples: readonly Tensor[],
  forward: Forward,
): void {
  let seed = 0x9e3779b9;
  // Two perturbations, one up and one down, so a branch on a threshold at the traced value flips in one of them.
  for (const sign of [1, -1]) {
    const perturbed = examples.map((x) => {
      const d = x.data.slice();
      for (let i = 0; i < d.length; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const delta = sign * 1e-3 * (0.5 + 0.5 * (seed / 2 ** 32));
        d[i] = d[i] * (1 + delta) + delta;
      }
      return d;
    });
    const eager = f(...perturbed.map((d, i) => new Tensor(d, examples[i].shape))).data;
    const replayed = forward(perturbed);
    for (let i = 0; i < eager.length; i++) {
      if (!Object.is(eager[i], replayed[i])) {
        throw new CompileError(
          "compile: replaying the traced program at other input values does not reproduce an eager call, so the function's ops depend on input values " +
            "(value-dependent control flow, randomness, or state outside the function). Make it a pure tensor program, or use grad/vjp eagerly.",
        );
      }
    }
  }
}
