/**
 * SkipConnection, as Lux's `SkipConnection(layer, connection)`: y = connection(layer(x), x),
 * e.g. a residual block with connection = add. The wrapped layer's parameters and state are the
 * skip connection's own (no extra nesting level), as in Lux.
 */
import type { Tensor } from "@udekit/autodiff";
import { ModelDefinitionError } from "../errors.js";
import { isLayer } from "./children.js";
import type { Layer } from "./layer.js";

/** connection(layer(x), x). */
export function SkipConnection(layer: Layer, connection: (y: Tensor, x: Tensor) => Tensor): Layer {
  if (!isLayer(layer) || typeof connection !== "function") {
    throw new ModelDefinitionError(
      "SkipConnection(layer, connection): expected a layer and a function (y, x) => Tensor. " +
        "Fix: SkipConnection(Dense(4, 4), add).",
    );
  }
  return {
    description: `SkipConnection(${layer.description})`,
    paramShapes: () => layer.paramShapes(),
    initParams: (rng, ps) => layer.initParams(rng, ps),
    initState: (rng) => layer.initState(rng),
    forward(x, ps, st) {
      const [y, s] = layer.forward(x, ps, st);
      return [connection(y, x), s];
    },
  };
}
