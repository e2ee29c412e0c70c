/**
 * The fused affine op of a Dense layer, registered as the autodiff op "nn.dense":
 *   y = x·Wᵀ + b      x [batch, in] (or [in]), W [out, in], b [out] (optional), y [batch, out] (or [out])
 * VJP: x̄ += ȳ·W, W̄ += ȳᵀ·x, b̄ += ȳᵀ·1 (column sums of ȳ).
 *
 * One op instead of matmul(x, transpose(W)) + b: no transposed copy of W, no broadcast buffer,
 * and every pass is one call of a kernel from @udekit/kernels (matmulNT, matmul, matmulTN, matvecT)
 * writing into preallocated buffers, so a compiled tape replays it without allocating.
 */
import { defineOp, formatShape, ShapeError, type Tensor } from "@udekit/autodiff";
import { matmul, matmulNT, matmulTN, matvecT } from "@udekit/kernels";

const rows = (s: readonly number[]) => (s.length === 2 ? s[0] : 1);

export const denseOp = defineOp<undefined>({
  name: "nn.dense",
  shape([x, W, b]) {
    if (W.length !== 2 || (x.length !== 1 && x.length !== 2) || x[x.length - 1] !== W[1]) {
      throw new ShapeError(
        `nn.dense: input ${formatShape(x)} does not fit weight ${formatShape(W)}; expected x [batch, ${W[1]}] or ` +
          `[${W[1]}] for a weight [out, in] = ${formatShape(W)}. Fix: pass rows of ${W[1]} features.`,
      );
    }
    if (b !== undefined && (b.length !== 1 || b[0] !== W[0])) {
      throw new ShapeError(
        `nn.dense: bias ${formatShape(b)} does not fit weight ${formatShape(W)}; expected [${W[0]}]. Fix: pass a bias of the output width.`,
      );
    }
    return x.length === 2 ? [x[0], W[0]] : [W[0]];
  },
  workspace: ([x]) => rows(x),
  forward({ inputs: [x, W, b], inputShapes: [xs, [outDims, inDims]], out }) {
    const m = rows(xs);
    if (b !== undefined) {
      for (let r = 0; r < m; r++) out.set(b, r * outDims);
    }
    matmulNT(m, inDims, outDims, x, W, out, b !== undefined);
  },
  vjp({ inputs: [x, W], inputShapes: [xs, [outDims, inDims]], scratch }, g, [gx, gW, gb]) {
    const m = rows(xs);
    if (gx !== null) matmul(m, outDims, inDims, g, W, gx, true);
    if (gW !== null) matmulTN(outDims, m, inDims, g, x, gW, true);
    if (gb !== undefined && gb !== null) {
      scratch.fill(1);
      matvecT(m, outDims, g, scratch, gb, true);
    }
  },
});

/** x·Wᵀ + b (b optional) as one differentiable op. */
export function dense(x: Tensor, W: Tensor, b?: Tensor): Tensor {
  return denseOp(b === undefined ? [x, W] : [x, W, b], undefined);
}
