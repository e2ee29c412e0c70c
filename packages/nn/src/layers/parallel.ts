/**
 * Parallel, as Lux's `Parallel(connection, layers...)`: every child gets the same input x and
 * `connection(y_1, y_2, …)` combines their outputs (e.g. `(...ys) => ys.reduce(add)` or
 * `(...ys) => concat(ys, 1)`). Children are named layer_1, … or by the keys of an object.
 * Lux also allows a tuple input (one entry per child) and connection = nothing (a tuple
 * output); here inputs and outputs are single tensors, so a connection is required.
 */
import type { Tensor } from "@udekit/autodiff";
import { ModelDefinitionError } from "../errors.js";
import type { ParamTree } from "../params.js";
import { namedChildren } from "./children.js";
import type { Layer, StateTree } from "./layer.js";

/** Runs each layer on x and combines the outputs with `connection`. */
export function Parallel(
  connection: (...ys: Tensor[]) => Tensor,
  ...layers: Layer[] | [{ readonly [name: string]: Layer }]
): Layer {
  if (typeof connection !== "function") {
    throw new ModelDefinitionError(
      "Parallel: the first argument must be the connection, a function (...ys: Tensor[]) => Tensor. " +
        "Fix: Parallel((a, b) => add(a, b), Dense(4, 3), Dense(4, 3)).",
    );
  }
  const children = namedChildren("Parallel", layers);
  if (children.length === 0) {
    throw new ModelDefinitionError("Parallel: no layers given. Fix: Parallel(connection, layerA, layerB).");
  }
  const description = `Parallel(${children.map(([n, l]) => `${n} = ${l.description}`).join(", ")})`;
  return {
    description,
    paramShapes: () => Object.fromEntries(children.map(([n, l]) => [n, l.paramShapes()])),
    initParams(rng, ps) {
      for (const [n, l] of children) l.initParams(rng, ps[n] as ParamTree);
    },
    initState: (rng) => Object.fromEntries(children.map(([n, l]) => [n, l.initState(rng)])),
    forward(x, ps, st) {
      const ys: Tensor[] = [];
      const next: Record<string, unknown> = {};
      for (const [n, l] of children) {
        const [y, s] = l.forward(x, ps[n] as ParamTree, (st[n] ?? {}) as StateTree);
        ys.push(y);
        next[n] = s;
      }
      return [connection(...ys), next];
    },
  };
}
