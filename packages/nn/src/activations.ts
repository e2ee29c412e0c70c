/**
 * Activation functions as autodiff tensor functions, named as in Lux/NNlib. Each records on the
 * tape like any op, so gradients flow through it.
 *
 *   identity  x (records nothing: Dense without an activation costs no extra op)
 *   tanh      tanh x
 *   sigmoid   1/(1 + e⁻ˣ)
 *   relu      max(x, 0)
 *   softplus  log(1 + eˣ)
 *   gelu      x·Φ(x) in the tanh approximation of Hendrycks & Gimpel (2016, §2), as NNlib's gelu
 *   swish     x·sigmoid(x) (Ramachandran, Zoph & Le 2017), composed from mul and sigmoid
 */
import {
  gelu as geluOp,
  mul,
  relu as reluOp,
  sigmoid as sigmoidOp,
  softplus as softplusOp,
  type Tensor,
  tanh as tanhOp,
} from "@udekit/autodiff";
import { ModelDefinitionError } from "./errors.js";

/** An activation: a tensor function applied elementwise. */
export type Activation = (x: Tensor) => Tensor;

export const identity: Activation = (x) => x;
export const tanh: Activation = (x) => tanhOp(x);
export const sigmoid: Activation = (x) => sigmoidOp(x);
export const relu: Activation = (x) => reluOp(x);
export const softplus: Activation = (x) => softplusOp(x);
export const gelu: Activation = (x) => geluOp(x);
export const swish: Activation = (x) => mul(x, sigmoidOp(x));

/** The activations by name (for configuration files and command lines). */
export const ACTIVATIONS = { identity, tanh, sigmoid, relu, softplus, gelu, swish } as const;

/** A name of a built-in activation. */
export type ActivationName = keyof typeof ACTIVATIONS;

/** An activation given as a function or by name; returns the function and a display name. */
export function resolveActivation(
  activation: Activation | ActivationName | undefined,
  who: string,
): {
  fn: Activation;
  name: string;
} {
  if (activation === undefined) return { fn: identity, name: "identity" };
  if (typeof activation === "function") {
    const known = Object.entries(ACTIVATIONS).find(([, f]) => f === activation);
    return { fn: activation, name: known ? known[0] : activation.name || "custom" };
  }
  if (typeof activation === "string" && Object.hasOwn(ACTIVATIONS, activation)) {
    return { fn: ACTIVATIONS[activation], name: activation };
  }
  throw new ModelDefinitionError(
    `${who}: activation ${JSON.stringify(activation)} is not known. Expected a function Tensor → Tensor or one of ` +
      `${Object.keys(ACTIVATIONS).join(", ")}. Fix: pass e.g. { activation: tanh } or { activation: "tanh" }.`,
  );
}
