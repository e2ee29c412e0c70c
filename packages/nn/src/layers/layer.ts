/**
 * The Lux layer model (Pal, "Lux: explicit parameterization of deep neural networks in Julia",
 * 2023; https://lux.csail.mit.edu): a layer is an immutable description. Its parameters `ps` and
 * state `st` are values created by `setup(rng, model)` and passed to `apply(model, x, ps, st)`,
 * which returns `[y, st]`. Containers name their children, and `ps`/`st` nest by those names.
 *
 * Here `ps` is a tree of Tensors that are views into one flat Float64Array (see params.ts), laid
 * out in the order of `paramShapes()`, and filled by `initParams` in that order, so the same seed
 * gives the same parameters everywhere.
 */
import type { Tensor } from "@udekit/autodiff";
import { tensor } from "@udekit/autodiff";
import { ParamTreeError } from "../errors.js";
import type { Shape } from "../init.js";
import { describe, isTensor, type ParamTree } from "../params.js";
import { type Rng, rng as seededRng } from "../rng.js";

/** Parameter shapes of a layer: a leaf per parameter, nested for containers. */
export interface ShapeTree {
  readonly [name: string]: Shape | ShapeTree;
}

/** A layer's state (e.g. running statistics); the layers here are stateless and use {}. */
export interface StateTree {
  readonly [name: string]: unknown;
}

/** A layer description. Implement these four members to add a layer. */
export interface Layer {
  /** A short display form, e.g. "Dense(4 => 5, tanh)". */
  readonly description: string;
  /** The shapes of the parameters, in layout and initialisation order. */
  paramShapes(): ShapeTree;
  /** Fills the parameter views (allocated by setup, shaped as paramShapes) with initial values. */
  initParams(rng: Rng, ps: ParamTree): void;
  /** The initial state. */
  initState(rng: Rng): StateTree;
  /** The forward pass: y and the new state. `ps` has been checked against `paramShapes`. */
  forward(x: Tensor, ps: ParamTree, st: StateTree): [Tensor, StateTree];
}

/** Is this a shape (an array of dimensions) rather than a nested shape tree? */
export function isShape(x: Shape | ShapeTree): x is Shape {
  return Array.isArray(x);
}

/** Number of scalar parameters of a model. */
export function parameterCount(model: Layer): number {
  const count = (t: ShapeTree): number =>
    Object.values(t).reduce<number>(
      (s, v) => s + (isShape(v) ? v.reduce((a: number, b: number) => a * b, 1) : count(v)),
      0,
    );
  return count(model.paramShapes());
}

/**
 * Allocates the parameters of `model` as views into one new Float64Array, initialises them with
 * `rng` (a generator or a seed), and returns them with the initial state.
 */
export function setup(rng: Rng | number | bigint, model: Layer): { ps: ParamTree; st: StateTree } {
  const r = typeof rng === "number" || typeof rng === "bigint" ? seededRng(rng) : rng;
  const shapes = model.paramShapes();
  const vector = new Float64Array(parameterCount(model));
  let offset = 0;
  const allocate = (t: ShapeTree): ParamTree => {
    const out: Record<string, Tensor | ParamTree> = {};
    for (const [name, v] of Object.entries(t)) {
      if (isShape(v)) {
        const size = v.reduce((a: number, b: number) => a * b, 1);
        out[name] = tensor(vector.subarray(offset, offset + size), [...v]);
        offset += size;
      } else out[name] = allocate(v);
    }
    return out;
  };
  const ps = allocate(shapes);
  model.initParams(r, ps);
  return { ps, st: model.initState(r) };
}

/**
 * Checks that `ps` has exactly the structure and shapes of `model.paramShapes()`; throws
 * ParamTreeError naming the first mismatch.
 */
export function checkParams(model: Layer, ps: unknown): asserts ps is ParamTree {
  const walk = (shapes: ShapeTree, node: unknown, path: string): void => {
    if (node === null || typeof node !== "object" || isTensor(node)) {
      throw new ParamTreeError(
        `apply(${model.description}): ${path} is ${describe(node)}; expected an object with keys ` +
          `{${Object.keys(shapes).join(", ")}}. Fix: pass the ps that setup(rng, model) returned for this model ` +
          "(or unflatten of its flat vector).",
      );
    }
    const keys = Object.keys(node);
    for (const name of Object.keys(shapes)) {
      if (!keys.includes(name)) {
        throw new ParamTreeError(
          `apply(${model.description}): ${path}.${name} is missing (${path} has keys {${keys.join(", ")}}). ` +
            "Fix: pass the ps that setup(rng, model) returned for this very model; a ps from another model does not fit.",
        );
      }
    }
    for (const name of keys) {
      if (!(name in shapes)) {
        throw new ParamTreeError(
          `apply(${model.description}): ${path}.${name} is not a parameter of this model (expected keys ` +
            `{${Object.keys(shapes).join(", ")}}). Fix: pass the ps that setup(rng, model) returned for this model.`,
        );
      }
      const want = shapes[name];
      const got = (node as Record<string, unknown>)[name];
      if (isShape(want)) {
        if (!isTensor(got) || got.shape.length !== want.length || got.shape.some((d, i) => d !== want[i])) {
          throw new ParamTreeError(
            `apply(${model.description}): ${path}.${name} is ${describe(got)}; expected a Tensor of shape ` +
              `[${want.join(", ")}]. Fix: pass the ps that setup(rng, model) returned (Dense weights are [out, in]).`,
          );
        }
      } else walk(want, got, `${path}.${name}`);
    }
  };
  walk(model.paramShapes(), ps, "ps");
}

/**
 * Runs `model` on `x` (batch-first: rows are samples; a vector is one sample) with parameters
 * `ps` and state `st`; returns `[y, st]`. Checks `ps` against the model first.
 */
export function apply(model: Layer, x: Tensor, ps: ParamTree, st: StateTree = {}): [Tensor, StateTree] {
  checkParams(model, ps);
  return model.forward(x, ps, st);
}
