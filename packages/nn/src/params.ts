/**
 * Parameters as one flat vector with named views — the ComponentArrays.jl idea (Pal et al.,
 * "Lux: explicit parameterization of deep neural networks in Julia", 2023; ComponentArrays.jl by
 * J. Jonnie). A parameter tree `ps` is a nested object whose leaves are Tensors; after `setup`
 * (or `combine`) every leaf's data is a `subarray` of one Float64Array, in tree order.
 *
 * - `flatten(ps)` returns that Float64Array (no copy), the layout, and `unflatten`, which maps a
 *   flat vector back to a tree of the same shape:
 *     · a Float64Array or a constant Tensor → leaves are views (no copy, no tape);
 *     · a Tensor recorded on an autodiff tape → leaves are `slice` + `reshape` ops of it, so the
 *       gradient of anything computed from the leaves lands in that Tensor's flat gradient.
 *   The second form is the documented path for UDEs: differentiate with respect to one vector
 *   `p`, call `unflatten(p)` inside the differentiated function, hand the tree to `apply`.
 * - `combine({ nn: ps, P })` packs several parameter blocks (trees, Tensors, Float64Arrays) into
 *   one new flat vector (one copy) and returns the tree of views, e.g. the seed model's net (49
 *   parameters) next to a 100×100 matrix.
 */
import { reshape, slice, type Tensor, tensor } from "@udekit/autodiff";
import { NotContiguousError, ParamTreeError } from "./errors.js";
import type { Shape } from "./init.js";

/** A nested object of named parameter tensors (Lux's `ps`). */
export interface ParamTree {
  readonly [name: string]: Tensor | ParamTree;
}

/** One leaf of a flattened tree: its dotted path, where it starts in the vector, its shape. */
export interface ParamEntry {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly shape: Shape;
}

/** What `flatten` returns. */
export interface Flattened {
  /** The parameters as one vector; shares memory with every leaf of the tree. */
  readonly vector: Float64Array;
  /** Every leaf in vector order. */
  readonly entries: readonly ParamEntry[];
  /** A tree shaped like the flattened one, whose leaves are views (or tape slices) of `v`. */
  unflatten(v: Float64Array): ParamTree;
  unflatten(v: Tensor): ParamTree;
}

/** True for an autodiff Tensor (duck-typed on data + shape so it also accepts tensors of other realms). */
export function isTensor(x: unknown): x is Tensor {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as Tensor).data instanceof Float64Array &&
    Array.isArray((x as Tensor).shape)
  );
}

function isOnTape(t: Tensor): boolean {
  return (t as unknown as { tape: unknown }).tape != null;
}

/** Leaves of a tree in its key order, with dotted paths. */
export function leaves(ps: ParamTree, prefix = ""): { path: string; leaf: Tensor }[] {
  if (ps === null || typeof ps !== "object" || isTensor(ps)) {
    throw new ParamTreeError(
      `${prefix || "ps"} is ${describe(ps)}, not a parameter tree. Expected a nested object whose leaves are Tensors ` +
        "(what setup(rng, model) returns as ps). Fix: pass the ps from setup, or unflatten(vector).",
    );
  }
  const out: { path: string; leaf: Tensor }[] = [];
  for (const [name, child] of Object.entries(ps)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (isTensor(child)) out.push({ path, leaf: child });
    else if (child !== null && typeof child === "object") out.push(...leaves(child, path));
    else {
      throw new ParamTreeError(
        `ps.${path} is ${describe(child)}; expected a Tensor or a nested object of Tensors. ` +
          "Fix: wrap numbers with tensor(...) from @udekit/autodiff, or rebuild ps with setup(rng, model).",
      );
    }
  }
  return out;
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (isTensor(x)) return `a Tensor of shape [${x.shape.join(", ")}]`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x === null) return "null";
  if (typeof x === "object") return `an object with keys {${Object.keys(x as object).join(", ")}}`;
  return `${typeof x} ${String(x)}`;
}

interface Skeleton {
  readonly [name: string]: ParamEntry | Skeleton;
}

function isEntry(x: ParamEntry | Skeleton): x is ParamEntry {
  return typeof (x as ParamEntry).offset === "number" && Array.isArray((x as ParamEntry).shape);
}

function skeletonOf(ps: ParamTree, entries: Map<string, ParamEntry>, prefix = ""): Skeleton {
  const out: Record<string, ParamEntry | Skeleton> = {};
  for (const [name, child] of Object.entries(ps)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out[name] = isTensor(child) ? (entries.get(path) as ParamEntry) : skeletonOf(child, entries, path);
  }
  return out;
}

function build(skeleton: Skeleton, leaf: (e: ParamEntry) => Tensor): ParamTree {
  const out: Record<string, Tensor | ParamTree> = {};
  for (const [name, child] of Object.entries(skeleton)) {
    out[name] = isEntry(child) ? leaf(child) : build(child, leaf);
  }
  return out;
}

/**
 * The flat vector behind a parameter tree, without copying, and the way back.
 * Throws NotContiguousError when the leaves are not consecutive views of one buffer (a tree
 * assembled by hand): pack it with `combine` first.
 */
export function flatten(ps: ParamTree): Flattened {
  const found = leaves(ps);
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const { path, leaf } of found) {
    entries.push({ path, offset, size: leaf.size, shape: [...leaf.shape] });
    offset += leaf.size;
  }
  const total = offset;
  let vector: Float64Array;
  if (found.length === 0) vector = new Float64Array(0);
  else {
    const first = found[0].leaf.data;
    const start = first.byteOffset;
    found.forEach(({ path, leaf }, i) => {
      const expected = start + entries[i].offset * 8;
      if (leaf.data.buffer !== first.buffer || leaf.data.byteOffset !== expected) {
        throw new NotContiguousError(
          `flatten: ps.${path} is not stored right after the previous leaf in the same buffer, so the tree has no ` +
            "single flat vector to return without copying. Expected the leaves to be consecutive views of one " +
            "Float64Array (as setup and combine produce). Fix: ps = combine({ ...blocks }) packs them into one vector.",
        );
      }
    });
    vector = new Float64Array(first.buffer, start, total);
  }
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const skeleton = skeletonOf(ps, byPath);

  function unflatten(v: Float64Array | Tensor): ParamTree {
    if (isTensor(v)) {
      if (v.shape.length !== 1 || v.size !== total) {
        throw new ParamTreeError(
          `unflatten: got a Tensor of shape [${v.shape.join(", ")}]; expected a vector of ${total} entries ` +
            `(the flattened tree). Fix: pass flatten(ps).vector wrapped as tensor(vector), or a vector of that length.`,
        );
      }
      if (isOnTape(v)) {
        return build(skeleton, (e) => {
          const part = slice(v, e.offset, e.offset + e.size);
          return e.shape.length === 1 ? part : reshape(part, e.shape);
        });
      }
      return unflatten(v.data);
    }
    if (!(v instanceof Float64Array) || v.length !== total) {
      throw new ParamTreeError(
        `unflatten: got ${v instanceof Float64Array ? `a Float64Array of length ${v.length}` : describe(v)}; expected ` +
          `${total} entries (the flattened tree). Fix: pass a vector of the flattened length.`,
      );
    }
    return build(skeleton, (e) => tensor(v.subarray(e.offset, e.offset + e.size), e.shape));
  }

  return { vector, entries, unflatten: unflatten as Flattened["unflatten"] };
}

/** A block for `combine`: a parameter tree, a Tensor, or a plain vector. */
export type ParamBlock = ParamTree | Tensor | Float64Array;

/**
 * Packs several parameter blocks into one new flat vector (their values are copied once) and
 * returns the tree of views, in the order of `blocks`' keys. Like ComponentArrays'
 * `ComponentArray(nn = ps, P = P)`: `combine({ nn: ps, P: tensor(P, [100, 100]) })` then
 * `flatten(...)` gives one vector of 49 + 10 000 entries; `.nn.layer_1.weight` is a view into it.
 */
export function combine(blocks: { readonly [name: string]: ParamBlock }): ParamTree {
  const normalised: Record<string, Tensor | ParamTree> = {};
  for (const [name, block] of Object.entries(blocks)) {
    normalised[name] = block instanceof Float64Array ? tensor(block, [block.length]) : block;
  }
  const found = leaves(normalised);
  const total = found.reduce((s, { leaf }) => s + leaf.size, 0);
  const vector = new Float64Array(total);
  let offset = 0;
  const views = new Map<string, Tensor>();
  for (const { path, leaf } of found) {
    const view = vector.subarray(offset, offset + leaf.size);
    view.set(leaf.data);
    views.set(path, tensor(view, [...leaf.shape]));
    offset += leaf.size;
  }
  const rebuild = (tree: { readonly [name: string]: Tensor | ParamTree }, prefix: string): ParamTree => {
    const out: Record<string, Tensor | ParamTree> = {};
    for (const [name, child] of Object.entries(tree)) {
      const path = prefix ? `${prefix}.${name}` : name;
      out[name] = isTensor(child) ? (views.get(path) as Tensor) : rebuild(child, path);
    }
    return out;
  };
  return rebuild(normalised, "");
}

/** Number of scalar parameters in a tree. */
export function countParams(ps: ParamTree): number {
  return leaves(ps).reduce((s, { leaf }) => s + leaf.size, 0);
}
