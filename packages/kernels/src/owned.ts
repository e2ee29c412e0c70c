/**
 * Arena arrays with an owner — udekit's one memory rule for long-lived kernel buffers (solver
 * workspaces, compiled tapes). An array allocated for an owner object goes back to the arena when
 * the owner is released (`releaseOwned(owner)`, what a `dispose()` calls: deterministic), or, as
 * a fallback, after the owner has been garbage-collected (a FinalizationRegistry: eventually, at
 * the engine's discretion). So the owner must be reachable from everything that uses its arrays,
 * and nothing may use them after releaseOwned.
 */
import { allocF64, allocI32, freeArray } from "./memory.js";

type Block = Float64Array | Int32Array;

const collected = new FinalizationRegistry<Block[]>((blocks) => {
  for (const b of blocks) freeArray(b);
});
const owned = new WeakMap<object, Block[]>();

function track<B extends Block>(owner: object, block: B): B {
  let list = owned.get(owner);
  if (list === undefined) {
    list = [];
    owned.set(owner, list);
    collected.register(owner, list, owner);
  }
  list.push(block);
  return block;
}

/** allocF64(n), owned by `owner` (freed by releaseOwned(owner) or after owner is collected). */
export function allocOwnedF64(owner: object, n: number): Float64Array {
  return track(owner, allocF64(n));
}

/** allocI32(n), owned by `owner`. */
export function allocOwnedI32(owner: object, n: number): Int32Array {
  return track(owner, allocI32(n));
}

/** Hands every array owned by `owner` back to the arena now; a second call is a no-op. */
export function releaseOwned(owner: object): void {
  const list = owned.get(owner);
  if (list === undefined) return;
  collected.unregister(owner);
  owned.delete(owner);
  for (const b of list) freeArray(b);
}
