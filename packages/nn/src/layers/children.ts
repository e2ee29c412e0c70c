/** Naming of container children as in Lux: layer_1, layer_2, … unless given by an object's keys. */
import { ModelDefinitionError } from "../errors.js";
import type { Layer } from "./layer.js";

/** Does this value look like a layer description? */
export function isLayer(x: unknown): x is Layer {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Layer).forward === "function" &&
    typeof (x as Layer).paramShapes === "function" &&
    typeof (x as Layer).initParams === "function"
  );
}

/** [name, layer] pairs from positional layers or one object of named layers. */
export function namedChildren(
  who: string,
  args: readonly (Layer | { readonly [name: string]: Layer })[],
): [string, Layer][] {
  let pairs: [string, unknown][];
  if (args.length === 1 && !isLayer(args[0]) && typeof args[0] === "object" && args[0] !== null) {
    pairs = Object.entries(args[0]);
  } else pairs = args.map((l, i) => [`layer_${i + 1}`, l]);
  for (const [name, l] of pairs) {
    if (!isLayer(l)) {
      throw new ModelDefinitionError(
        `${who}: child ${name} is ${typeof l === "function" ? "a function" : typeof l}, not a layer. ` +
          "Expected layer descriptions such as Dense(4, 5). Fix: wrap plain functions with WrappedFunction(fn).",
      );
    }
  }
  return pairs as [string, Layer][];
}
