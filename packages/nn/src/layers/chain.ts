/**
 * Chain: layers applied in sequence, as Lux's `Chain(layers...)`. Children are named layer_1,
 * layer_2, … or by the keys of `Chain({ encoder, decoder })`; `ps` and `st` nest by those names.
 */
import type { Tensor } from "@udekit/autodiff";
import { ModelDefinitionError } from "../errors.js";
import type { ParamTree } from "../params.js";
import { namedChildren } from "./children.js";
import type { Layer, StateTree } from "./layer.js";

/** Layers in sequence: Chain(a, b, c) or Chain({ a, b, c }). */
export function Chain(...layers: Layer[] | [{ readonly [name: string]: Layer }]): Layer {
  const children = namedChildren("Chain", layers);
  if (children.length === 0) {
    throw new ModelDefinitionError(
      "Chain: no layers given. Expected at least one layer. Fix: Chain(Dense(4, 5), Dense(5, 4)).",
    );
  }
  const description = `Chain(${children.map(([n, l]) => `${n} = ${l.description}`).join(", ")})`;
  return {
    description,
    paramShapes: () => Object.fromEntries(children.map(([n, l]) => [n, l.paramShapes()])),
    initParams(rng, ps) {
      for (const [n, l] of children) l.initParams(rng, ps[n] as ParamTree);
    },
    initState: (rng) => Object.fromEntries(children.map(([n, l]) => [n, l.initState(rng)])),
    forward(x: Tensor, ps, st) {
      let y = x;
      const next: Record<string, unknown> = {};
      for (const [n, l] of children) {
        const [out, s] = l.forward(y, ps[n] as ParamTree, (st[n] ?? {}) as StateTree);
        y = out;
        next[n] = s;
      }
      return [y, next];
    },
  };
}
