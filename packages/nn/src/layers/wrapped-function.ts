/**
 * WrappedFunction, as Lux's `WrappedFunction(f)`: a parameter-free layer y = f(x) for any tensor
 * function built from autodiff ops (reshapes, slicing, custom activations).
 */
import type { Tensor } from "@udekit/autodiff";
import { ModelDefinitionError } from "../errors.js";
import type { Layer } from "./layer.js";

/** A layer without parameters that applies `fn`. */
export function WrappedFunction(fn: (x: Tensor) => Tensor): Layer {
  if (typeof fn !== "function") {
    throw new ModelDefinitionError(
      "WrappedFunction: expected a function (x: Tensor) => Tensor. Fix: WrappedFunction((x) => reshape(x, [25, 4])).",
    );
  }
  return {
    description: `WrappedFunction(${fn.name || "anonymous"})`,
    paramShapes: () => ({}),
    initParams: () => {},
    initState: () => ({}),
    forward: (x, _ps, st) => [fn(x), st],
  };
}
