/** transpose: [m, n] → [n, m]; a scalar or vector is returned as a copy (its transpose is itself). */
import { defineOp, READS_NOTHING } from "../define-op.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";

export const transposeOp = defineOp<undefined>({
  name: "transpose",
  vjpReads: () => READS_NOTHING,
  shape: ([s]): Shape => (s.length === 2 ? [s[1], s[0]] : s),
  forward(ctx) {
    const x = ctx.inputs[0];
    const s = ctx.inputShapes[0];
    const out = ctx.out;
    if (s.length < 2) {
      out.set(x);
      return;
    }
    const [m, n] = s;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x[i * n + j];
  },
  vjp(ctx, g, inputGrads) {
    const gx = inputGrads[0];
    const s = ctx.inputShapes[0];
    if (gx === null) return;
    if (s.length < 2) {
      for (let i = 0; i < g.length; i++) gx[i] += g[i];
      return;
    }
    const [m, n] = s;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gx[i * n + j] += g[j * m + i];
  },
});

export const transpose = (x: Tensor): Tensor => transposeOp([x], undefined);
