// Owned arena arrays: releaseOwned hands every array of one owner back (and only that owner's);
// a second release is a no-op; an owner that is garbage-collected gets its arrays freed by the
// FinalizationRegistry fallback.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "vitest";
import {
  allocOwnedF64,
  allocOwnedI32,
  arenaStats,
  inWasmMemory,
  releaseOwned,
  wasmSimdSupported,
} from "./index.js";

test("releaseOwned frees exactly the owner's arrays, once", () => {
  const before = arenaStats();
  const a = {};
  const b = {};
  const xa = allocOwnedF64(a, 100);
  allocOwnedI32(a, 10);
  const xb = allocOwnedF64(b, 50);
  expect(inWasmMemory(xa)).toBe(wasmSimdSupported());
  const live = wasmSimdSupported() ? 3 : 0;
  expect(arenaStats().liveAllocations - before.liveAllocations).toBe(live);
  releaseOwned(a);
  expect(arenaStats().liveAllocations - before.liveAllocations).toBe(live / 3);
  releaseOwned(a);
  expect(arenaStats().liveAllocations - before.liveAllocations).toBe(live / 3);
  xb[0] = 1; // b's array is untouched and still its own
  releaseOwned(b);
  expect(arenaStats()).toEqual(before);
});

test("an owner that is garbage-collected has its arrays freed", async () => {
  if (!wasmSimdSupported()) return;
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const before = arenaStats().liveAllocations;
  (() => {
    const owner = {};
    allocOwnedF64(owner, 1000);
    allocOwnedF64(owner, 1000);
  })();
  expect(arenaStats().liveAllocations).toBe(before + 2);
  // Finalizers run after a collection, on a later task: collect and yield until they have.
  for (let round = 0; round < 50 && arenaStats().liveAllocations > before; round++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(arenaStats().liveAllocations).toBe(before);
});
