/**
 * Matrix–matrix products C = op(A)·op(B), WebAssembly SIMD (f64x2), row-major.
 *
 * One engine serves C = A·B, C = Aᵀ·B and C = A·Bᵀ: operands are addressed through strides,
 * A(i, p) at pA + 8·(i·sai + p·sap) and B(p, j) at pB + 8·(p·sbp + j·sbj). Blocking follows
 * Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (ACM TOMS 34(3),
 * 2008): a KC×NC block of B is packed into 8-column panels (one panel, KC×8, stays in L1 cache)
 * and an MC×KC block of A into row pairs (2×KC, read as one stream); a 2×8 register block of C
 * (eight f64x2 accumulators) then takes one rank-1 update per p, reading both packed streams
 * through a single running pointer each with constant offsets. Each C(i, j) therefore sums its
 * k products in increasing p order, exactly as the fallback's loops do, so the two agree bit for
 * bit. Packed panels are zero-padded past the edges of A and B; those lanes are computed and
 * dropped, except that an edge panel of at most 4 columns takes a 2×4 block (n = 100: 5% faster).
 *
 * `addAfter` selects how the old C enters when accumulating: false starts the accumulators at
 * C (C + a₀b₀ + a₁b₁ + …, like the fallback's matmul and matmulTN); true sums the products
 * from zero and adds C at the end (C + (a₀b₀ + a₁b₁ + …), like the fallback's matmulNT).
 *
 * Long products are split into blocks of KC values of p (Goto & van de Geijn's kc): C holds the
 * running sums between blocks, which keeps the per-entry order. Summing from zero before adding
 * the old C needs all k products in one block; that case packs one 8-column panel and one row
 * pair at a time so its scratch stays 80·k bytes. `pWork` points at gemmWorkBytes(…) bytes of
 * scratch: the packed blocks. Edge blocks (fewer than 2 rows or 8 columns left) read and write C lane
 * pair by lane pair (loadPair, storePair).
 */

/** Products per block: a packed B panel of KC×8 doubles (16 KiB) stays in L1 cache. */
const KC = 256;
/** Rows of A packed per block (MC×KC doubles: 256 KiB, in L2 cache). */
const MC = 128;
/** Columns of B packed per block (NC×KC doubles: 1 MiB). */
const NC = 512;

function kcMax(k: i32, addC: bool): i32 {
  return addC ? max(k, 1) : KC;
}

function mcOf(m: i32, k: i32, addC: bool): i32 {
  return addC && k > KC ? 2 : min(MC, (m + 1) & ~1);
}

function ncOf(n: i32, k: i32, addC: bool): i32 {
  return addC && k > KC ? 8 : min(NC, (n + 7) & ~7);
}

/** Bytes of scratch `gemm` needs at pWork for these dimensions. */
export function gemmWorkBytes(m: i32, k: i32, n: i32, accumulate: bool, addAfter: bool): i32 {
  const addC = accumulate && addAfter;
  const kc = min(k, kcMax(k, addC));
  return (mcOf(m, k, addC) + ncOf(n, k, addC)) * kc * 8;
}

/** Packs B(p, j) for p < kc, j < ncb into 8-column panels: panel q at dst + q·kc·64, row p at +p·64. */
function packB(kc: i32, ncb: i32, pB: usize, sbp: usize, sbj: usize, dst: usize): void {
  const stepBytes = sbp << 3;
  for (let j = 0; j < ncb; j += 8) {
    const w = min(8, ncb - j);
    let src = pB + ((<usize>j * sbj) << 3);
    let out = dst + <usize>(j >> 3) * ((<usize>kc) << 6);
    const end = out + ((<usize>kc) << 6);
    if (sbj === 1 && w === 8) {
      for (; out < end; out += 64, src += stepBytes) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        v128.store(out, v128.load(src, 32), 32);
        v128.store(out, v128.load(src, 48), 48);
      }
    } else {
      for (; out < end; out += 64, src += stepBytes) {
        for (let jj = 0; jj < 8; jj++) {
          store<f64>(out + ((<usize>jj) << 3), jj < w ? load<f64>(src + ((<usize>jj * sbj) << 3)) : 0);
        }
      }
    }
  }
}

/** Packs A(i, p) for i < mcb, p < kc into row pairs: pair r at dst + r·kc·16, [A(2r, p), A(2r+1, p)] at +p·16. */
function packA(kc: i32, mcb: i32, pA: usize, sai: usize, sap: usize, dst: usize): void {
  const stepBytes = sap << 3;
  for (let i = 0; i < mcb; i += 2) {
    let s0 = pA + ((<usize>i * sai) << 3);
    let out = dst + <usize>(i >> 1) * ((<usize>kc) << 4);
    const end = out + ((<usize>kc) << 4);
    if (i + 1 < mcb && sap === 1) {
      // Rows stored contiguously (C = A·B): two p at a time, [A(i, p), A(i, p+1)] and the same of
      // row i+1 interleaved by two shuffles.
      let s1 = s0 + (sai << 3);
      const end2 = out + ((<usize>(kc & ~1)) << 4);
      for (; out < end2; out += 32, s0 += 16, s1 += 16) {
        const v0 = v128.load(s0);
        const v1 = v128.load(s1);
        v128.store(out, v128.shuffle<f64>(v0, v1, 0, 2));
        v128.store(out, v128.shuffle<f64>(v0, v1, 1, 3), 16);
      }
      if (out < end) {
        store<f64>(out, load<f64>(s0));
        store<f64>(out, load<f64>(s1), 8);
      }
    } else if (i + 1 < mcb) {
      let s1 = s0 + (sai << 3);
      for (; out < end; out += 16, s0 += stepBytes, s1 += stepBytes) {
        store<f64>(out, load<f64>(s0));
        store<f64>(out, load<f64>(s1), 8);
      }
    } else {
      for (; out < end; out += 16, s0 += stepBytes) {
        store<f64>(out, load<f64>(s0));
        store<f64>(out, 0, 8);
      }
    }
  }
}

/**
 * Columns [2q, 2q + 2) of a C row at `row`, of which the first w are real: a full pair is one
 * load, a half pair loads lane 0, the rest is zero. No loop, so binaryen inlines it; an edge
 * block then reads C straight into registers (a copy through a scratch tile cost half the time of
 * a 25×4·4×5 product).
 */
function loadPair(row: usize, q: i32, w: i32): v128 {
  const j = q << 1;
  if (j + 2 <= w) return v128.load(row + ((<usize>j) << 3));
  if (j < w) return f64x2.replace_lane(f64x2.splat(0), 0, load<f64>(row + ((<usize>j) << 3)));
  return f64x2.splat(0);
}

/** Stores the real columns of pair q of a C row (see loadPair), adding the old C first when `add`. */
function storePair(row: usize, q: i32, w: i32, v: v128, add: bool): void {
  const j = q << 1;
  const at = row + ((<usize>j) << 3);
  if (j + 2 <= w) v128.store(at, add ? f64x2.add(v128.load(at), v) : v);
  else if (j < w) {
    const x = f64x2.extract_lane(v, 0);
    store<f64>(at, add ? load<f64>(at) + x : x);
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
  const kcm = kcMax(k, addC);
  const mc = mcOf(m, k, addC);
  const nc = ncOf(n, k, addC);
  const aPack = pWork;
  const bPack = aPack + ((<usize>mc * <usize>min(k, kcm)) << 3);
  const ldcBytes = (<usize>n) << 3;
  let kb = 0;
  do {
    const kc = min(kcm, k - kb);
    const initFromC = kb > 0 || (accumulate && !addAfter);
    for (let j0 = 0; j0 < n; j0 += nc) {
      const ncb = min(nc, n - j0);
      const bSrc = pB + ((<usize>kb * <usize>sbp + <usize>j0 * <usize>sbj) << 3);
      packB(kc, ncb, bSrc, <usize>sbp, <usize>sbj, bPack);
      for (let i0 = 0; i0 < m; i0 += mc) {
        const mcb = min(mc, m - i0);
        const aSrc = pA + ((<usize>i0 * <usize>sai + <usize>kb * <usize>sap) << 3);
        packA(kc, mcb, aSrc, <usize>sai, <usize>sap, aPack);
        for (let jp = 0; jp < ncb; jp += 8) {
          const w = min(8, ncb - jp);
          const panel = bPack + <usize>(jp >> 3) * ((<usize>kc) << 6);
          for (let ip = 0; ip < mcb; ip += 2) {
            const pc = pC + <usize>(i0 + ip) * ldcBytes + ((<usize>(j0 + jp)) << 3);
            // One rows×w (≤ 2×8) block of C at pc from the packed row pair and panel: C = init +
            // Σₚ a(·, p)·b(p, ·) over kc values of p, init = C (initFromC) or 0, the old C added
            // afterwards when addC. Written inline: binaryen does not inline a function that has a
            // loop, and in a function of its own V8 did not unroll the loop: 7% slower at n = 100.
            let a = aPack + <usize>(ip >> 1) * ((<usize>kc) << 4);
            let b = panel;
            const rows = min(2, mcb - ip);
            if (w <= 4) {
              // Edge panel of at most 4 columns: 2×4 block, its zero half not computed.
              let d00 = f64x2.splat(0);
              let d01 = f64x2.splat(0);
              let d10 = f64x2.splat(0);
              let d11 = f64x2.splat(0);
              if (initFromC) {
                d00 = loadPair(pc, 0, w);
                d01 = loadPair(pc, 1, w);
                if (rows === 2) {
                  d10 = loadPair(pc + ldcBytes, 0, w);
                  d11 = loadPair(pc + ldcBytes, 1, w);
                }
              }
              const end4 = b + ((<usize>kc) << 6);
              for (; b < end4; a += 16, b += 64) {
                const b0 = v128.load(b);
                const b1 = v128.load(b, 16);
                const x0 = v128.load64_splat(a);
                const x1 = v128.load64_splat(a, 8);
                d00 = f64x2.add(d00, f64x2.mul(x0, b0));
                d01 = f64x2.add(d01, f64x2.mul(x0, b1));
                d10 = f64x2.add(d10, f64x2.mul(x1, b0));
                d11 = f64x2.add(d11, f64x2.mul(x1, b1));
              }
              storePair(pc, 0, w, d00, addC);
              storePair(pc, 1, w, d01, addC);
              if (rows === 2) {
                storePair(pc + ldcBytes, 0, w, d10, addC);
                storePair(pc + ldcBytes, 1, w, d11, addC);
              }
              continue;
            }
            const direct = w === 8 && rows === 2;
            let c00 = f64x2.splat(0);
            let c01 = f64x2.splat(0);
            let c02 = f64x2.splat(0);
            let c03 = f64x2.splat(0);
            let c10 = f64x2.splat(0);
            let c11 = f64x2.splat(0);
            let c12 = f64x2.splat(0);
            let c13 = f64x2.splat(0);
            if (initFromC && direct) {
              c00 = v128.load(pc);
              c01 = v128.load(pc, 16);
              c02 = v128.load(pc, 32);
              c03 = v128.load(pc, 48);
              c10 = v128.load(pc + ldcBytes);
              c11 = v128.load(pc + ldcBytes, 16);
              c12 = v128.load(pc + ldcBytes, 32);
              c13 = v128.load(pc + ldcBytes, 48);
            } else if (initFromC) {
              c00 = loadPair(pc, 0, w);
              c01 = loadPair(pc, 1, w);
              c02 = loadPair(pc, 2, w);
              c03 = loadPair(pc, 3, w);
              if (rows === 2) {
                c10 = loadPair(pc + ldcBytes, 0, w);
                c11 = loadPair(pc + ldcBytes, 1, w);
                c12 = loadPair(pc + ldcBytes, 2, w);
                c13 = loadPair(pc + ldcBytes, 3, w);
              }
            }
            // One p per iteration: binaryen would interleave a hand-unrolled body and V8 would then spill;
            // V8 unrolls this loop itself.
            const end = b + ((<usize>kc) << 6);
            for (; b < end; a += 16, b += 64) {
              const b0 = v128.load(b);
              const b1 = v128.load(b, 16);
              const b2 = v128.load(b, 32);
              const b3 = v128.load(b, 48);
              const x0 = v128.load64_splat(a);
              const x1 = v128.load64_splat(a, 8);
              c00 = f64x2.add(c00, f64x2.mul(x0, b0));
              c01 = f64x2.add(c01, f64x2.mul(x0, b1));
              c02 = f64x2.add(c02, f64x2.mul(x0, b2));
              c03 = f64x2.add(c03, f64x2.mul(x0, b3));
              c10 = f64x2.add(c10, f64x2.mul(x1, b0));
              c11 = f64x2.add(c11, f64x2.mul(x1, b1));
              c12 = f64x2.add(c12, f64x2.mul(x1, b2));
              c13 = f64x2.add(c13, f64x2.mul(x1, b3));
            }
            if (direct && !addC) {
              v128.store(pc, c00);
              v128.store(pc, c01, 16);
              v128.store(pc, c02, 32);
              v128.store(pc, c03, 48);
              v128.store(pc + ldcBytes, c10);
              v128.store(pc + ldcBytes, c11, 16);
              v128.store(pc + ldcBytes, c12, 32);
              v128.store(pc + ldcBytes, c13, 48);
            } else {
              storePair(pc, 0, w, c00, addC);
              storePair(pc, 1, w, c01, addC);
              storePair(pc, 2, w, c02, addC);
              storePair(pc, 3, w, c03, addC);
              if (rows === 2) {
                storePair(pc + ldcBytes, 0, w, c10, addC);
                storePair(pc + ldcBytes, 1, w, c11, addC);
                storePair(pc + ldcBytes, 2, w, c12, addC);
                storePair(pc + ldcBytes, 3, w, c13, addC);
              }
            }
          }
        }
      }
    }
    kb += kc;
  } while (kb < k);
}
