/**
 * Counts typed-array constructions while a function runs: the allocation guard's instrument
 * (the method of src/sensitivity/allocation.test.ts, widened to every typed-array kind).
 *
 * Counted: `new X(…)` and `X.from`/`X.of` for every typed-array constructor X (the global is
 * swapped for a counting subclass for the duration), and every view or copy made by
 * `subarray`, `slice`, `map` or `filter` on any typed array (patched on the shared
 * %TypedArray%.prototype), whenever the array was made. Views count because each one is a
 * heap object a per-step loop would leave behind. The counting subclasses derive their views
 * with the original constructor (Symbol.species), so nothing is counted twice.
 * Not counted: plain objects, JS arrays, and the doubles V8 boxes around calls; what counts is
 * what a buffer made per step would be.
 */

const NAMES = [
  "Float64Array",
  "Float32Array",
  "Int32Array",
  "Uint32Array",
  "Int16Array",
  "Uint16Array",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "BigInt64Array",
  "BigUint64Array",
] as const;
const DERIVING = ["subarray", "slice", "map", "filter"] as const;

type Ctor = new (...args: unknown[]) => object;
const globals = globalThis as unknown as Record<string, Ctor>;
const originals = new Map<string, Ctor>(NAMES.map((name) => [name, globals[name]]));
const typedArrayPrototype = Object.getPrototypeOf(Float64Array.prototype) as Record<
  string,
  (...args: unknown[]) => unknown
>;
const originalMethods = new Map(DERIVING.map((m) => [m, typedArrayPrototype[m]]));

let created = 0;
let active = false;

function countingSubclass(Original: Ctor): Ctor {
  return class Counting extends Original {
    constructor(...args: unknown[]) {
      created++;
      super(...args);
    }
    // Views and copies of a counting array are made by the original constructor and counted
    // once, by the patched prototype method.
    static get [Symbol.species](): Ctor {
      return Original;
    }
    // `x instanceof Float64Array` must stay true for arrays made before the swap.
    static override [Symbol.hasInstance](x: unknown): boolean {
      return x instanceof Original;
    }
  };
}

function install(): void {
  for (const [name, Original] of originals) globals[name] = countingSubclass(Original);
  for (const [m, original] of originalMethods) {
    typedArrayPrototype[m] = function (this: unknown, ...args: unknown[]) {
      created++;
      return original.apply(this, args);
    };
  }
}

/** Puts every constructor and method back (also safe to call when nothing is installed). */
export function restoreTypedArrays(): void {
  for (const [name, Original] of originals) globals[name] = Original;
  for (const [m, original] of originalMethods) typedArrayPrototype[m] = original;
  active = false;
}

/** Runs fn and returns its result with the number of typed arrays (and views) it constructed. */
export function countTypedArrays<T>(fn: () => T): [T, number] {
  if (active) throw new Error("countTypedArrays: calls do not nest; count the outer function once.");
  created = 0;
  active = true;
  install();
  try {
    return [fn(), created];
  } finally {
    restoreTypedArrays();
  }
}
