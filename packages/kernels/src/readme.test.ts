// Runs the README's example (same code, imported from the source entry instead of the package name).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import {
  allocF64,
  allocF64From,
  freeArray,
  inWasmMemory,
  kernels,
  luFactor,
  luSolve,
  matvec,
  useBackend,
  wasmSimdSupported,
} from "./index.js";

test("README example", () => {
  const log: unknown[] = [];
  const console = { log: (...args: unknown[]) => log.push(args) };

  // --- README example start ---
  // A 3×3 matrix (row-major) and two vectors in the WebAssembly arena: kernels use them in place.
  const A = allocF64From([4, 1, 0, 1, 3, 1, 0, 1, 2]);
  const x = allocF64From([1, 2, 3]);
  const y = allocF64(3);

  matvec(3, 3, A, x, y, false); // y = A·x
  console.log(kernels().name, [...y]); // "wasm" [6, 10, 8]  ("ts" where WebAssembly SIMD is missing)

  // Ordinary Float64Arrays work too (the wasm backend copies them in and out).
  const LU = Float64Array.from(A);
  const piv = new Int32Array(3);
  luFactor(3, LU, piv); // LU with partial pivoting, in place
  const b = Float64Array.from(y);
  luSolve(3, LU, piv, b); // b becomes A⁻¹·y = x
  console.log([...b].map((v) => Math.round(v * 1e12) / 1e12)); // [1, 2, 3]

  const previous = useBackend("ts"); // force the TypeScript fallback (tests, benchmarks)
  matvec(3, 3, A, x, y, true); // y += A·x
  console.log(kernels().name, [...y]); // "ts" [12, 20, 16]
  useBackend(previous);

  freeArray(A); // hand arena blocks back when done; never use them afterwards
  freeArray(x);
  freeArray(y);
  // --- README example end ---

  const expectedName = wasmSimdSupported() ? "wasm" : "ts";
  expect(log).toEqual([[expectedName, [6, 10, 8]], [[1, 2, 3]], ["ts", [12, 20, 16]]]);
  expect(inWasmMemory(A)).toBe(wasmSimdSupported());
});

test("README.md contains the example verbatim", () => {
  const here = readFileSync(fileURLToPath(import.meta.url), "utf8");
  const start =
    here.indexOf("// --- README example start ---\n") + "// --- README example start ---\n".length;
  const end = here.indexOf("  // --- README example end ---");
  const code = here
    .slice(start, end)
    .split("\n")
    .map((line) => line.replace(/^ {2}/, ""))
    .join("\n");
  const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
  expect(readme).toContain(code);
});
