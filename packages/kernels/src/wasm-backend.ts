/**
 * The WebAssembly SIMD backend: instantiates the kernels compiled from assembly/*.ts (embedded in
 * wasm-binary.ts) synchronously on a fixed-size memory (wasm-layout.ts) and wraps each export
 * behind the KernelBackend interface.
 *
 * Operands: a Float64Array (or Int32Array of pivots) that already lives in the module's memory —
 * one from allocF64 or a subarray of one — is passed by its byte offset with no copy (the fast
 * path). Any other array is copied into the scratch region before the call and, if the kernel
 * writes it, copied back after. When the copied operands of one call do not fit in the scratch
 * region (16 MiB), the call runs on the TypeScript backend instead. Dimensions and array lengths
 * are checked before any memory is touched, since a too-short view of wasm memory would otherwise
 * read or write its neighbours. Calls below SMALL_SIZE run the TypeScript loops (cheaper there).
 */
import { Arena } from "./arena.js";
import type { KernelBackend } from "./backend.js";
import { KernelShapeError } from "./errors.js";
import { wasmSimdSupported } from "./simd-support.js";
import { tsBackend } from "./ts-backend.js";
import { WASM_BASE64 } from "./wasm-binary.js";
import { ARENA_END, ARENA_START, MEMORY_PAGES, SCRATCH_END, SCRATCH_START } from "./wasm-layout.js";

/** The exports of assembly/index.ts; pointers are byte offsets, booleans are passed as i32. */
interface KernelExports {
  matvec(m: number, n: number, pA: number, px: number, py: number, accumulate: boolean): void;
  matvecT(m: number, n: number, pA: number, px: number, py: number, accumulate: boolean): void;
  gemm(
    m: number,
    k: number,
    n: number,
    pA: number,
    sai: number,
    sap: number,
    pB: number,
    sbp: number,
    sbj: number,
    pC: number,
    accumulate: boolean,
    addAfter: boolean,
    pWork: number,
  ): void;
  gemmWorkBytes(m: number, k: number, n: number, accumulate: boolean, addAfter: boolean): number;
  axpy(n: number, alpha: number, px: number, py: number): void;
  scale(n: number, alpha: number, px: number): void;
  dot(n: number, px: number, py: number): number;
  ger(m: number, n: number, alpha: number, px: number, py: number, pA: number): void;
  mul(n: number, pa: number, pb: number, pout: number): void;
  allFinite(n: number, px: number): number;
  mulAdd(n: number, pa: number, pb: number, pc: number): void;
  luFactor(n: number, pA: number, pPiv: number): number;
  luSolve(n: number, pLU: number, pPiv: number, pb: number): void;
}

/**
 * Below these sizes a call costs less in plain TypeScript than the JS→wasm transition, the operand
 * checks and, for arrays outside the wasm memory, the copies in and out; the wasm backend then
 * runs the TypeScript loop instead. Each entry is [limit when every operand lives in the wasm
 * memory, limit when some operand has to be copied]. Crossover points measured on the development
 * machine (Node 20, AMD EPYC, shared); results differ from the wasm kernels' only where the
 * summation order differs (matvec, dot: within their rounding bound).
 */
export const SMALL_SIZE = {
  /** axpy, scale, dot, mul, mulAdd, allFinite: n below this. */
  vector: [32, 128],
  /** matvec, matvecT, ger: m·n below this. */
  matrix: [100, 256],
  /** matmul, matmulTN, matmulNT: m·k·n below this. */
  matmul: [64, 512],
  /** luFactor, luSolve: n below this. */
  lu: [8, 12],
} as const;

type Limits = readonly [number, number];

export interface WasmKernelsOptions {
  /** Run calls below SMALL_SIZE on the TypeScript loops (default true; tests turn it off to exercise the wasm code on small shapes). */
  smallToTs?: boolean;
}

/** The wasm backend together with its memory's arena. */
export interface WasmKernels {
  readonly backend: KernelBackend;
  readonly arena: Arena;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function dim(kernel: string, name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 0)) {
    throw new KernelShapeError(
      `${kernel}: dimension ${name} = ${v} is not a non-negative integer. Pass the operand sizes as whole numbers.`,
    );
  }
}

function need(kernel: string, name: string, a: ArrayBufferView & { length: number }, len: number): void {
  if (a.length < len) {
    throw new KernelShapeError(
      `${kernel}: ${name} has ${a.length} entries but the dimensions need ${len}. Pass a longer array or smaller dimensions.`,
    );
  }
}

/**
 * Instantiates the wasm backend, or returns null when WebAssembly SIMD is unavailable or the
 * module cannot be instantiated here (e.g. a content-security policy forbids compiling wasm).
 */
export function createWasmKernels({ smallToTs = true }: WasmKernelsOptions = {}): WasmKernels | null {
  if (!wasmSimdSupported()) return null;
  const none: Limits = [0, 0];
  const small = smallToTs ? SMALL_SIZE : { vector: none, matrix: none, matmul: none, lu: none };
  let memory: WebAssembly.Memory;
  let ex: KernelExports;
  try {
    memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
    const module = new WebAssembly.Module(decodeBase64(WASM_BASE64));
    ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  } catch {
    return null;
  }
  // The memory never grows (nothing calls memory.grow), so this buffer and these views stay valid.
  const buf = memory.buffer;
  const f64 = new Float64Array(buf);
  const i32 = new Int32Array(buf);
  // Layout bounds copied to locals: the per-call paths below read them on every call.
  const scratchStart = SCRATCH_START;
  const scratchEnd = SCRATCH_END;
  let cursor = scratchStart;
  /** Arrays up to this length are copied by a loop rather than TypedArray#set. */
  const SHORT = 64;

  // Where each operand lives: its byte offset in the memory, or -1 for an array elsewhere.
  // Reading `.buffer` and `.byteOffset` of a view of the memory costs about 45 ns in V8; a
  // WeakMap lookup 8–13 ns whether the program passes a few arrays or forty in turn. (A table of
  // the last 8, scanned first, cost 31–37 ns per call once more than 8 arrays cycled, as they do
  // in a compiled UDE right-hand side; replacing it made the seed UDE's DiscreteAdjoint gradient
  // about 3 % faster.) A typed array's buffer and offset never change, so an entry cannot go
  // stale. Arrays outside the memory are not remembered (they are often short-lived), except the
  // last one (a caller's array passed again and again).
  const inMemory = new WeakMap<ArrayBufferView, number>();
  let lastOutside: ArrayBufferView | undefined;
  function offsetOf(a: ArrayBufferView): number {
    const p = inMemory.get(a);
    if (p !== undefined) return p;
    if (a === lastOutside) return -1;
    const q = a.buffer === buf ? a.byteOffset : -1;
    if (q >= 0) inMemory.set(a, q);
    else lastOutside = a;
    return q;
  }
  // The operands' offsets as smallForWasm looked them up, for the call that follows (one lookup
  // per operand and call instead of three: 40–60 ns of a 25×4·4×5 product).
  let at0 = -1;
  let at1 = -1;
  let at2 = -1;
  /** True when a call of this size is cheaper on the TypeScript loops (see SMALL_SIZE). Sets at0–at2. */
  function smallForWasm(
    size: number,
    limits: Limits,
    a: ArrayBufferView,
    b?: ArrayBufferView,
    c?: ArrayBufferView,
  ) {
    if (size < limits[0]) return true;
    at0 = offsetOf(a);
    at1 = b === undefined ? -1 : offsetOf(b);
    at2 = c === undefined ? -1 : offsetOf(c);
    if (size >= limits[1]) return false;
    return at0 < 0 || (b !== undefined && at1 < 0) || (c !== undefined && at2 < 0);
  }

  /** Reserves scratch for len entries of `bytes` each; -1 when it does not fit. */
  function reserve(len: number, bytes: number): number {
    const p = cursor;
    const end = p + Math.ceil((len * bytes) / 16) * 16;
    if (end > scratchEnd) return -1;
    cursor = end;
    return p;
  }
  /** Byte offset of the first len entries of a (at q when it lives in the memory, q = offsetOf(a)), else a copy's. */
  function input(a: Float64Array, len: number, q: number): number {
    if (q >= 0) return q;
    const p = reserve(len, 8);
    if (p >= 0) {
      // A loop beats TypedArray#set (and its subarray view) on short arrays.
      const e = p >> 3;
      // A loop beats TypedArray#set on short arrays; a longer array than needed is also copied
      // by a loop, since a subarray view would allocate on every call.
      if (len <= SHORT || len !== a.length) for (let i = 0; i < len; i++) f64[e + i] = a[i];
      else f64.set(a, e);
    }
    return p;
  }
  /** Like input, for an array the kernel only writes (nothing to copy in). */
  function output(len: number, q: number): number {
    return q >= 0 ? q : reserve(len, 8);
  }
  // Views of scratch ranges, by start index: scratch positions repeat from call to call, so
  // copying results back reuses a view instead of allocating a subarray each time.
  const scratchViews = new Map<number, Float64Array>();
  function scratchView(e: number, len: number): Float64Array {
    let v = scratchViews.get(e);
    if (v === undefined || v.length !== len) {
      if (scratchViews.size > 256) scratchViews.clear();
      v = new Float64Array(buf, e * 8, len);
      scratchViews.set(e, v);
    }
    return v;
  }
  /** Copies a kernel's result back into an array that does not live in the memory. */
  function copyBack(a: Float64Array, p: number, len: number, q: number): void {
    if (q >= 0) return;
    const e = p >> 3;
    if (len <= SHORT) for (let i = 0; i < len; i++) a[i] = f64[e + i];
    else a.set(scratchView(e, len));
  }
  /** Like input, for the Int32 pivots of luSolve (q = offsetOf(a)). */
  function inputI32(a: Int32Array, len: number, q: number): number {
    if (q >= 0) return q;
    const p = reserve(len, 4);
    if (p >= 0) for (let i = 0; i < len; i++) i32[(p >> 2) + i] = a[i];
    return p;
  }

  function gemm(
    kernel: "matmul" | "matmulTN" | "matmulNT",
    m: number,
    k: number,
    n: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
    accumulate: boolean,
  ): void {
    dim(kernel, "m", m);
    dim(kernel, "k", k);
    dim(kernel, "n", n);
    need(kernel, "A", A, m * k);
    need(kernel, "B", B, k * n);
    need(kernel, "C", C, m * n);
    if (smallForWasm(m * k * n, small.matmul, A, B, C)) {
      tsBackend[kernel](m, k, n, A, B, C, accumulate);
      return;
    }
    cursor = scratchStart;
    const pA = input(A, m * k, at0);
    const pB = input(B, k * n, at1);
    const pC = accumulate ? input(C, m * n, at2) : output(m * n, at2);
    const pWork = reserve(ex.gemmWorkBytes(m, k, n, accumulate, kernel === "matmulNT"), 1);
    if (pA < 0 || pB < 0 || pC < 0 || pWork < 0) {
      tsBackend[kernel](m, k, n, A, B, C, accumulate);
      return;
    }
    // Strides of A(i, p) and B(p, j), in entries (see assembly/matmul.ts).
    if (kernel === "matmul") ex.gemm(m, k, n, pA, k, 1, pB, n, 1, pC, accumulate, false, pWork);
    else if (kernel === "matmulTN") ex.gemm(m, k, n, pA, 1, m, pB, n, 1, pC, accumulate, false, pWork);
    else ex.gemm(m, k, n, pA, k, 1, pB, 1, k, pC, accumulate, true, pWork);
    copyBack(C, pC, m * n, at2);
  }

  const backend: KernelBackend = {
    name: "wasm",
    matvec(m, n, A, x, y, accumulate) {
      dim("matvec", "m", m);
      dim("matvec", "n", n);
      need("matvec", "A", A, m * n);
      need("matvec", "x", x, n);
      need("matvec", "y", y, m);
      if (smallForWasm(m * n, small.matrix, A, x, y)) return tsBackend.matvec(m, n, A, x, y, accumulate);
      cursor = scratchStart;
      const pA = input(A, m * n, at0);
      const px = input(x, n, at1);
      const py = accumulate ? input(y, m, at2) : output(m, at2);
      if (pA < 0 || px < 0 || py < 0) return tsBackend.matvec(m, n, A, x, y, accumulate);
      ex.matvec(m, n, pA, px, py, accumulate);
      copyBack(y, py, m, at2);
    },
    matvecT(m, n, A, x, y, accumulate) {
      dim("matvecT", "m", m);
      dim("matvecT", "n", n);
      need("matvecT", "A", A, m * n);
      need("matvecT", "x", x, m);
      need("matvecT", "y", y, n);
      if (smallForWasm(m * n, small.matrix, A, x, y)) return tsBackend.matvecT(m, n, A, x, y, accumulate);
      cursor = scratchStart;
      const pA = input(A, m * n, at0);
      const px = input(x, m, at1);
      const py = accumulate ? input(y, n, at2) : output(n, at2);
      if (pA < 0 || px < 0 || py < 0) return tsBackend.matvecT(m, n, A, x, y, accumulate);
      ex.matvecT(m, n, pA, px, py, accumulate);
      copyBack(y, py, n, at2);
    },
    matmul: (m, k, n, A, B, C, accumulate) => gemm("matmul", m, k, n, A, B, C, accumulate),
    matmulTN: (m, k, n, A, B, C, accumulate) => gemm("matmulTN", m, k, n, A, B, C, accumulate),
    matmulNT: (m, k, n, A, B, C, accumulate) => gemm("matmulNT", m, k, n, A, B, C, accumulate),
    axpy(n, alpha, x, y) {
      dim("axpy", "n", n);
      need("axpy", "x", x, n);
      need("axpy", "y", y, n);
      if (smallForWasm(n, small.vector, x, y)) return tsBackend.axpy(n, alpha, x, y);
      cursor = scratchStart;
      const px = input(x, n, at0);
      const py = input(y, n, at1);
      if (px < 0 || py < 0) return tsBackend.axpy(n, alpha, x, y);
      ex.axpy(n, alpha, px, py);
      copyBack(y, py, n, at1);
    },
    scale(n, alpha, x) {
      dim("scale", "n", n);
      need("scale", "x", x, n);
      if (smallForWasm(n, small.vector, x)) return tsBackend.scale(n, alpha, x);
      cursor = scratchStart;
      const px = input(x, n, at0);
      if (px < 0) return tsBackend.scale(n, alpha, x);
      ex.scale(n, alpha, px);
      copyBack(x, px, n, at0);
    },
    dot(n, x, y) {
      dim("dot", "n", n);
      need("dot", "x", x, n);
      need("dot", "y", y, n);
      if (smallForWasm(n, small.vector, x, y)) return tsBackend.dot(n, x, y);
      cursor = scratchStart;
      const px = input(x, n, at0);
      const py = input(y, n, at1);
      if (px < 0 || py < 0) return tsBackend.dot(n, x, y);
      return ex.dot(n, px, py);
    },
    ger(m, n, alpha, x, y, A) {
      dim("ger", "m", m);
      dim("ger", "n", n);
      need("ger", "x", x, m);
      need("ger", "y", y, n);
      need("ger", "A", A, m * n);
      if (smallForWasm(m * n, small.matrix, x, y, A)) return tsBackend.ger(m, n, alpha, x, y, A);
      cursor = scratchStart;
      const px = input(x, m, at0);
      const py = input(y, n, at1);
      const pA = input(A, m * n, at2);
      if (px < 0 || py < 0 || pA < 0) return tsBackend.ger(m, n, alpha, x, y, A);
      ex.ger(m, n, alpha, px, py, pA);
      copyBack(A, pA, m * n, at2);
    },
    mul(n, a, b, out) {
      dim("mul", "n", n);
      need("mul", "a", a, n);
      need("mul", "b", b, n);
      need("mul", "out", out, n);
      if (smallForWasm(n, small.vector, a, b, out)) return tsBackend.mul(n, a, b, out);
      cursor = scratchStart;
      // out may be a or b itself: then it needs no copy of its own.
      const pa = input(a, n, at0);
      const pb = input(b, n, at1);
      const pout = out === a ? pa : out === b ? pb : output(n, at2);
      if (pa < 0 || pb < 0 || pout < 0) return tsBackend.mul(n, a, b, out);
      ex.mul(n, pa, pb, pout);
      copyBack(out, pout, n, at2);
    },
    allFinite(n, x) {
      dim("allFinite", "n", n);
      need("allFinite", "x", x, n);
      if (smallForWasm(n, small.vector, x)) return tsBackend.allFinite(n, x);
      cursor = scratchStart;
      const px = input(x, n, at0);
      if (px < 0) return tsBackend.allFinite(n, x);
      return ex.allFinite(n, px) === 1;
    },
    mulAdd(n, a, b, c) {
      dim("mulAdd", "n", n);
      need("mulAdd", "a", a, n);
      need("mulAdd", "b", b, n);
      need("mulAdd", "c", c, n);
      if (smallForWasm(n, small.vector, a, b, c)) return tsBackend.mulAdd(n, a, b, c);
      cursor = scratchStart;
      const pa = input(a, n, at0);
      const pb = input(b, n, at1);
      const pc = input(c, n, at2);
      if (pa < 0 || pb < 0 || pc < 0) return tsBackend.mulAdd(n, a, b, c);
      ex.mulAdd(n, pa, pb, pc);
      copyBack(c, pc, n, at2);
    },
    luFactor(n, A, piv) {
      dim("luFactor", "n", n);
      need("luFactor", "A", A, n * n);
      need("luFactor", "piv", piv, n);
      if (smallForWasm(n, small.lu, A, piv)) return tsBackend.luFactor(n, A, piv);
      cursor = scratchStart;
      const pA = input(A, n * n, at0);
      const inMemory = at1 >= 0;
      const pPiv = inMemory ? at1 : reserve(n, 4);
      if (pA < 0 || pPiv < 0) return tsBackend.luFactor(n, A, piv);
      const info = ex.luFactor(n, pA, pPiv);
      copyBack(A, pA, n * n, at0);
      if (!inMemory) for (let i = 0; i < n; i++) piv[i] = i32[(pPiv >> 2) + i];
      return info;
    },
    luSolve(n, LU, piv, b) {
      dim("luSolve", "n", n);
      need("luSolve", "LU", LU, n * n);
      need("luSolve", "piv", piv, n);
      need("luSolve", "b", b, n);
      // The pivots become addresses inside the module; luFactor always writes k ≤ piv[k] < n.
      for (let k = 0; k < n; k++) {
        if (!(piv[k] >= k && piv[k] < n)) {
          throw new KernelShapeError(
            `luSolve: piv[${k}] = ${piv[k]} is outside [${k}, ${n}). Pass the pivots luFactor wrote for this matrix.`,
          );
        }
      }
      if (smallForWasm(n, small.lu, LU, piv, b)) return tsBackend.luSolve(n, LU, piv, b);
      cursor = scratchStart;
      const pLU = input(LU, n * n, at0);
      const pPiv = inputI32(piv, n, at1);
      const pb = input(b, n, at2);
      if (pLU < 0 || pPiv < 0 || pb < 0) return tsBackend.luSolve(n, LU, piv, b);
      ex.luSolve(n, pLU, pPiv, pb);
      copyBack(b, pb, n, at2);
    },
  };
  return { backend, arena: new Arena(buf, ARENA_START, ARENA_END) };
}
