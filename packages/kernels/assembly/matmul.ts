/**
 * Matrix–matrix products C = op(A)·op(B), WebAssembly SIMD (f64x2), row-major.
 *
 * One engine serves C = A·B, C = Aᵀ·B and C = A·Bᵀ: operands are addressed through strides,
 * A(i, p) at pA + 8·(i·sai + p·sap) and B(p, j) at pB + 8·(p·sbp + j·sbj). Blocking follows
 * Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (ACM TOMS 34(3),
 * 2008): an 8-column panel of B is packed contiguously (k×8, it stays in L1 cache), then a
 * 2×8 register block of C (eight f64x2 accumulators) is swept down the rows of A, one rank-1
 * update per p. Each C(i, j) therefore sums its k products in increasing p order, exactly as
 * the fallback's loops do, so the two agree bit for bit.
 *
 * `addAfter` selects how the old C enters when accumulating: false starts the accumulators at
 * C (C + a₀b₀ + a₁b₁ + …, like the fallback's matmul and matmulTN); true sums the products
 * from zero and adds C at the end (C + (a₀b₀ + a₁b₁ + …), like the fallback's matmulNT).
 *
 * Long products are split into blocks of KC values of p (Goto & van de Geijn's kc): C holds the
 * running sums between blocks, which keeps the per-entry order. `pWork` points at
 * 8·(8·min(k, KC) + 16) bytes of scratch (8·(8k + 16) when addAfter and accumulate: one block):
 * the packed panel and a 2×8 edge tile.
 */

/** Products per block: a packed panel of KC×8 doubles (16 KiB) stays in L1 cache. */
const KC = 256;

function packPanel(k: i32, pB: usize, sbp: usize, sbj: usize, j0: i32, w: i32, panel: usize): void {
  // panel[p·8 + jj] = B(p, j0 + jj) for jj < w, zero beyond (those lanes are computed and dropped).
  for (let p = 0; p < k; p++) {
    const src = pB + ((<usize>p * sbp + <usize>j0 * sbj) << 3);
    const dst = panel + ((<usize>p) << 6);
    if (sbj === 1 && w === 8) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      v128.store(dst, v128.load(src, 32), 32);
      v128.store(dst, v128.load(src, 48), 48);
    } else {
      for (let jj = 0; jj < 8; jj++) {
        store<f64>(dst + ((<usize>jj) << 3), jj < w ? load<f64>(src + ((<usize>jj * sbj) << 3)) : 0);
      }
    }
  }
}

/** Stores the 2×8 block held in the tile (rows ≥ rows and columns ≥ w are dropped). */
function flushTile(tile: usize, rows: i32, w: i32, pc: usize, ldcBytes: usize, add: bool): void {
  for (let r = 0; r < rows; r++) {
    const src = tile + ((<usize>r) << 6);
    const dst = pc + <usize>r * ldcBytes;
    for (let jj = 0; jj < w; jj++) {
      const o = (<usize>jj) << 3;
      store<f64>(dst + o, add ? load<f64>(dst + o) + load<f64>(src + o) : load<f64>(src + o));
    }
  }
}

function loadTile(tile: usize, rows: i32, w: i32, pc: usize, ldcBytes: usize): void {
  for (let r = 0; r < 2; r++) {
    for (let jj = 0; jj < 8; jj++) {
      const o = (<usize>jj) << 3;
      store<f64>(
        tile + ((<usize>r) << 6) + o,
        r < rows && jj < w ? load<f64>(pc + <usize>r * ldcBytes + o) : 0,
      );
    }
  }
}

export function gemm(
  m: i32,
  k: i32,
  n: i32,
  pA: usize,
  sai: i32,
  sap: i32,
  pB: usize,
  sbp: i32,
  sbj: i32,
  pC: usize,
  accumulate: bool,
  addAfter: bool,
  pWork: usize,
): void {
  const addC = accumulate && addAfter;
  // Blocks of KC products: C holds the running sums between blocks, which keeps every C(i, j)'s
  // additions in increasing p order. Summing from zero before adding the old C (addC) needs all
  // k products in one block.
  const kcMax = addC ? max(k, 1) : KC;
  const panel = pWork;
  const tile = pWork + ((<usize>min(k, kcMax)) << 6);
  const ldcBytes = (<usize>n) << 3;
  const saiBytes = (<usize>sai) << 3;
  const sapBytes = (<usize>sap) << 3;
  let kb = 0;
  do {
    const kc = min(kcMax, k - kb);
    const initFromC = kb > 0 || (accumulate && !addAfter);
    for (let j0 = 0; j0 < n; j0 += 8) {
      const w = min(8, n - j0);
      packPanel(kc, pB + ((<usize>kb * <usize>sbp) << 3), <usize>sbp, <usize>sbj, j0, w, panel);
      const full = w === 8;
      for (let i = 0; i < m; i += 2) {
        const rows = min(2, m - i);
        const pc = pC + <usize>i * ldcBytes + ((<usize>j0) << 3);
        let c00 = f64x2.splat(0);
        let c01 = f64x2.splat(0);
        let c02 = f64x2.splat(0);
        let c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0);
        let c11 = f64x2.splat(0);
        let c12 = f64x2.splat(0);
        let c13 = f64x2.splat(0);
        if (initFromC) {
          let src = pc;
          let stride = ldcBytes;
          if (!full || rows < 2) {
            loadTile(tile, rows, w, pc, ldcBytes);
            src = tile;
            stride = 64;
          }
          c00 = v128.load(src);
          c01 = v128.load(src, 16);
          c02 = v128.load(src, 32);
          c03 = v128.load(src, 48);
          c10 = v128.load(src + stride);
          c11 = v128.load(src + stride, 16);
          c12 = v128.load(src + stride, 32);
          c13 = v128.load(src + stride, 48);
        }
        // Row i+1 of A is read only when it exists; otherwise row i is read twice and dropped.
        const a0 = pA + <usize>i * saiBytes + <usize>kb * sapBytes;
        const a1 = rows === 2 ? a0 + saiBytes : a0;
        let b = panel;
        let ap: usize = 0;
        for (let p = 0; p < kc; p++, b += 64, ap += sapBytes) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          const b2 = v128.load(b, 32);
          const b3 = v128.load(b, 48);
          const x0 = f64x2.splat(load<f64>(a0 + ap));
          const x1 = f64x2.splat(load<f64>(a1 + ap));
          c00 = f64x2.add(c00, f64x2.mul(x0, b0));
          c01 = f64x2.add(c01, f64x2.mul(x0, b1));
          c02 = f64x2.add(c02, f64x2.mul(x0, b2));
          c03 = f64x2.add(c03, f64x2.mul(x0, b3));
          c10 = f64x2.add(c10, f64x2.mul(x1, b0));
          c11 = f64x2.add(c11, f64x2.mul(x1, b1));
          c12 = f64x2.add(c12, f64x2.mul(x1, b2));
          c13 = f64x2.add(c13, f64x2.mul(x1, b3));
        }
        if (full && rows === 2 && !addC) {
          v128.store(pc, c00);
          v128.store(pc, c01, 16);
          v128.store(pc, c02, 32);
          v128.store(pc, c03, 48);
          v128.store(pc + ldcBytes, c10);
          v128.store(pc + ldcBytes, c11, 16);
          v128.store(pc + ldcBytes, c12, 32);
          v128.store(pc + ldcBytes, c13, 48);
        } else {
          v128.store(tile, c00);
          v128.store(tile, c01, 16);
          v128.store(tile, c02, 32);
          v128.store(tile, c03, 48);
          v128.store(tile, c10, 64);
          v128.store(tile, c11, 80);
          v128.store(tile, c12, 96);
          v128.store(tile, c13, 112);
          flushTile(tile, rows, w, pc, ldcBytes, addC);
        }
      }
    }
    kb += kc;
  } while (kb < k);
}
