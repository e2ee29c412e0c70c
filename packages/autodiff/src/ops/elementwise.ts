/**
 * Builders for elementwise ops: a binary op with broadcasting, a unary op, each defined by
 * its scalar function and partial derivatives. One loop serves every op; operands are read
 * through (row, column) strides that are 0 along broadcast axes, and the VJP scatters
 * through the same strides with +=, which sums over the broadcast axes.
 */
import { defineOp, type Op } from "../registry.js";
import { asMatrix, broadcastShapes, type Shape } from "../shape.js";

export interface BinaryRule {
  name: string;
  f(a: number, b: number): number;
  /** ∂f/∂a at (a, b), given y = f(a, b). */
  da(a: number, b: number, y: number): number;
  /** ∂f/∂b at (a, b), given y = f(a, b). */
  db(a: number, b: number, y: number): number;
}

function rowStride(s: Shape, out: Shape): number {
  const om = asMatrix(out)[0];
  const [sm, sn] = asMatrix(s);
  return sm === om && om !== 1 ? sn : 0;
}

function colStride(s: Shape, out: Shape): number {
  return asMatrix(s)[1] === asMatrix(out)[1] ? 1 : 0;
}

export function binaryOp(rule: BinaryRule): Op<undefined> {
  const { f, da, db } = rule;
  return defineOp<undefined>({
    name: rule.name,
    shape: ([a, b]) => broadcastShapes(rule.name, a, b),
    forward({ inputs: [a, b], inputShapes: [sa, sb], out, outShape }) {
      if (a.length === out.length && b.length === out.length) {
        for (let i = 0; i < out.length; i++) out[i] = f(a[i], b[i]);
        return;
      }
      const [m, n] = asMatrix(outShape);
      const ar = rowStride(sa, outShape);
      const ac = colStride(sa, outShape);
      const br = rowStride(sb, outShape);
      const bc = colStride(sb, outShape);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) out[i * n + j] = f(a[i * ar + j * ac], b[i * br + j * bc]);
      }
    },
    vjp({ inputs: [a, b], inputShapes: [sa, sb], out, outShape }, g, [ga, gb]) {
      if (a.length === out.length && b.length === out.length) {
        if (ga !== null) for (let i = 0; i < out.length; i++) ga[i] += g[i] * da(a[i], b[i], out[i]);
        if (gb !== null) for (let i = 0; i < out.length; i++) gb[i] += g[i] * db(a[i], b[i], out[i]);
        return;
      }
      const [m, n] = asMatrix(outShape);
      const ar = rowStride(sa, outShape);
      const ac = colStride(sa, outShape);
      const br = rowStride(sb, outShape);
      const bc = colStride(sb, outShape);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const k = i * n + j;
          const x = a[i * ar + j * ac];
          const y = b[i * br + j * bc];
          if (ga !== null) ga[i * ar + j * ac] += g[k] * da(x, y, out[k]);
          if (gb !== null) gb[i * br + j * bc] += g[k] * db(x, y, out[k]);
        }
      }
    },
  });
}

export interface UnaryRule {
  name: string;
  f(x: number): number;
  /** dy/dx at x, given y = f(x). */
  df(x: number, y: number): number;
}

export function unaryOp(rule: UnaryRule): Op<undefined> {
  const { f, df } = rule;
  return defineOp<undefined>({
    name: rule.name,
    shape: ([s]) => s,
    forward({ inputs: [x], out }) {
      for (let i = 0; i < out.length; i++) out[i] = f(x[i]);
    },
    vjp({ inputs: [x], out }, g, [gx]) {
      if (gx === null) return;
      for (let i = 0; i < out.length; i++) gx[i] += g[i] * df(x[i], out[i]);
    },
  });
}
