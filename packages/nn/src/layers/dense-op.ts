/**
 * The fused affine op of a Dense layer, registered as the autodiff op "nn.dense":
 *   y = x·Wᵀ + b      x [batch, in] (or [in]), W [out, in], b [out] (optional), y [batch, out] (or [out])
 * VJP: x̄ += ȳ·W, W̄ += ȳᵀ·x, b̄ += ȳᵀ·1 (column sums of ȳ).
 *
 * One op instead of matmul(x, transpose(W)) + b: no transposed copy of W, no broadcast buffer,
 * and every product is one call of a kernel from @udekit/kernels (matmulNT, matmul, matmulTN)
 * writing into preallocated buffers, so a compiled tape replays it without allocating.
 */
import { defineOp, formatShape, ShapeError, type Tensor } from "@udekit/autodiff";
import { matmul, matmulNT, matmulTN } from "@udekit/kernels";

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
  // Index access instead of array destructuring in forward/vjp: destructuring goes through the
  // iterator protocol, which may allocate on every replay.
  forward(ctx) {
    const x = ctx.inputs[0];
    const W = ctx.inputs[1];
    const b = ctx.inputs.length > 2 ? ctx.inputs[2] : null;
    const m = rows(ctx.inputShapes[0]);
    const outDims = ctx.inputShapes[1][0];
    const inDims = ctx.inputShapes[1][1];
    const out = ctx.out;
    // The bias down the rows by a loop: TypedArray#set per row cost ≈ 15 ns a call (25 rows of 5
    // in the seed UDE: a third of the layer's forward).
    if (b !== null) {
      for (let r = 0, o = 0; r < m; r++) for (let j = 0; j < outDims; j++, o++) out[o] = b[j];
    }
    matmulNT(m, inDims, outDims, x, W, out, b !== null);
  },
  vjp(ctx, g, inputGrads) {
    const x = ctx.inputs[0];
    const W = ctx.inputs[1];
    const m = rows(ctx.inputShapes[0]);
    const outDims = ctx.inputShapes[1][0];
    const inDims = ctx.inputShapes[1][1];
    const gx = inputGrads[0];
    const gW = inputGrads[1];
    const gb = inputGrads.length > 2 ? inputGrads[2] : null;
    if (gx !== null) matmul(m, outDims, inDims, g, W, gx, true);
    if (gW !== null) matmulTN(outDims, m, inDims, g, x, gW, true);
    // b̄ += column sums of ȳ, by a loop (a ones vector and matvecT cost two calls per VJP).
    if (gb !== null) {
      for (let r = 0, o = 0; r < m; r++) for (let j = 0; j < outDims; j++, o++) gb[j] += g[o];
    }
  },
});

/** x·Wᵀ + b (b optional) as one differentiable op. */
export function dense(x: Tensor, W: Tensor, b?: Tensor): Tensor {
  return denseOp(b === undefined ? [x, W] : [x, W, b], undefined);
}
