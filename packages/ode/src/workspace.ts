/**
 * Per-solve buffers in the kernels' WebAssembly arena (allocF64 from @udekit/kernels), so that
 * every axpy / LU call in the stepping loop takes the in-place fast path instead of copying its
 * operands (which costs time and allocates a view per call). One block per owner, carved into
 * views; the block is handed back to the arena when the owner is garbage-collected (or
 * explicitly, with releaseWorkspace). When the arena is full, allocF64 returns an ordinary
 * Float64Array and the kernels fall back to copying: still correct.
 */
import { allocEmptyF64, allocF64, allocI32, checkAllocation, freeArray } from "@udekit/kernels";

const registry = new FinalizationRegistry<(Float64Array | Int32Array)[]>((blocks) => {
  for (const b of blocks) freeArray(b);
});
const owned = new WeakMap<object, (Float64Array | Int32Array)[]>();

/**
 * Float64 buffers of the given lengths, in one arena block tied to `owner`'s lifetime: zero-filled,
 * or with `zeroed: false` holding whatever the arena held (for owners that write every entry
 * before reading it — workspace-poison.test.ts checks them with NaN-filled memory; zero-filling an
 * explicit method's 17n entries per solve was a tenth of a gradient at n = 10⁵).
 */
export function workspace(
  owner: object,
  lengths: readonly number[],
  { zeroed = true }: { zeroed?: boolean } = {},
): Float64Array[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  // Sizes come from the user's problem (a stiff solver's n×n matrices): refuse what cannot fit
  // with a message that says whose arrays they are.
  checkAllocation(
    total,
    () =>
      `@udekit/ode: the work arrays of a solve (largest ${Math.max(...lengths)} entries; a stiff solver keeps n×n matrices)`,
  );
  const block = (zeroed ? allocF64 : allocEmptyF64)(Math.max(1, total));
  track(owner, block);
  const out: Float64Array[] = [];
  let off = 0;
  for (const len of lengths) {
    out.push(block.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** An Int32 buffer (LU pivots) in the arena, tied to `owner`'s lifetime. */
export function workspaceI32(owner: object, length: number): Int32Array {
  const block = allocI32(Math.max(1, length));
  track(owner, block);
  return block.subarray(0, length);
}

function track(owner: object, block: Float64Array | Int32Array): void {
  let list = owned.get(owner);
  if (list === undefined) {
    list = [];
    owned.set(owner, list);
    registry.register(owner, list, owner);
  }
  list.push(block);
}

const aliases = new WeakMap<object, readonly object[]>();

/**
 * Makes releaseWorkspace(wrapper) release the `inner` owners' blocks too: for objects that wrap
 * owners (a stepper with hooks, a composite's member steppers) and stand in for them wherever
 * buffers are handed back.
 */
export function aliasWorkspace(wrapper: object, ...inner: object[]): void {
  aliases.set(wrapper, inner);
}

/** Hands `owner`'s blocks (and those of the owners it wraps) back to the arena now; do not use it afterwards. */
export function releaseWorkspace(owner: object): void {
  const inner = aliases.get(owner);
  if (inner !== undefined) for (const o of inner) releaseWorkspace(o);
  const list = owned.get(owner);
  if (list === undefined) return;
  registry.unregister(owner);
  owned.delete(owner);
  for (const b of list) freeArray(b);
}

/**
 * `count` consecutive views of `n` entries each, from the start of `buf` (stage vectors K₀, K₁, …).
 * A loop: Array.from with a mapping function took four times as long, a measurable part of a
 * small solve's set-up.
 */
export function vectorViews(buf: Float64Array, count: number, n: number): Float64Array[] {
  const views = new Array<Float64Array>(count);
  for (let i = 0; i < count; i++) views[i] = buf.subarray(i * n, (i + 1) * n);
  return views;
}
