/**
 * Builders for elementwise ops. Each op supplies its own loops over equal-length arrays
 * (separate function literals, so V8 specialises and inlines each one: a shared loop calling
 * per-op closures would box every returned double and allocate). Broadcasting is handled
 * once, here: a broadcast operand is expanded into a scratch buffer through (row, column)
 * strides that are 0 along broadcast axes, and its cotangent is summed back over those axes;
 * an operand already shaped like the output is used in place.
 */
import { defineOp, type Op, type OpContext, type VjpReads } from "../define-op.js";
import { broadcastShapes, colsOf, rowsOf, type Shape, sameShape, sizeOf } from "../shape.js";

export interface BinaryLoops {
  name: string;
  /** What gradA/gradB read: the operands (inputs) and/or the result (forward). */
  reads: VjpReads;
  /** out[i] = f(a[i], b[i]) for i < n. */
  forward(n: number, a: Float64Array, b: Float64Array, out: Float64Array): void;
  /**
   * out[i·cols + j] = f(a[i·cols + j], b[j]): b broadcast along the rows (a bias added to a
   * batch). Optional; used only by ops whose gradients read neither operand, since it leaves the
   * expanded b (which those would read) unwritten.
   */
  forwardRows?(rows: number, cols: number, a: Float64Array, b: Float64Array, out: Float64Array): void;
  /**
   * gb[j] += Σᵢ g[i·cols + j]·∂f/∂b: the cotangent of a b broadcast along the rows, summed over
   * them directly (no expanded cotangent to clear, fill and reduce). Optional; only for ops
   * whose ∂f/∂b is a constant (add, sub), like forwardRows.
   */
  gradRowsB?(rows: number, cols: number, g: Float64Array, gb: Float64Array): void;
  /** ga[i] += g[i]·∂f/∂a(a[i], b[i]), given out[i] = f(a[i], b[i]). */
  gradA(
    n: number,
    g: Float64Array,
    a: Float64Array,
    b: Float64Array,
    out: Float64Array,
    ga: Float64Array,
  ): void;
  /** gb[i] += g[i]·∂f/∂b(a[i], b[i]). */
  gradB(
    n: number,
    g: Float64Array,
    a: Float64Array,
    b: Float64Array,
    out: Float64Array,
    gb: Float64Array,
  ): void;
}

function rowStride(s: Shape, out: Shape): number {
  const om = rowsOf(out);
  return rowsOf(s) === om && om !== 1 ? colsOf(s) : 0;
}

function colStride(s: Shape, out: Shape): number {
  return colsOf(s) === colsOf(out) ? 1 : 0;
}

/** dst (shaped like `out`) = src broadcast from shape `s`. */
function expand(src: Float64Array, s: Shape, out: Shape, dst: Float64Array): void {
  const m = rowsOf(out);
  const n = colsOf(out);
  const r = rowStride(s, out);
  const c = colStride(s, out);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dst[i * n + j] = src[i * r + j * c];
}

/** dst (shape `s`) += src (shaped like `out`) summed over the axes along which `s` was broadcast. */
function reduceInto(src: Float64Array, s: Shape, out: Shape, dst: Float64Array): void {
  const m = rowsOf(out);
  const n = colsOf(out);
  const r = rowStride(s, out);
  const c = colStride(s, out);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) dst[i * r + j * c] += src[i * n + j];
}

const isBroadcast = (ctx: OpContext<undefined>): boolean => ctx.scratch.length > 0;

interface Expanded {
  a: Float64Array;
  b: Float64Array;
  full: Float64Array;
  /** Operands already shaped like the output: used in place, neither expanded nor reduced. */
  fullA: boolean;
  fullB: boolean;
  /** a is full and b a row broadcast down the rows: forwardRows applies (when the op has one). */
  rowsB: boolean;
}

/** Views of the scratch, made once per context (a compiled replay reuses them). */
function expanded(ctx: OpContext<undefined>): Expanded {
  if (ctx.saved === undefined) {
    const n = ctx.out.length;
    ctx.saved = {
      a: ctx.scratch.subarray(0, n),
      b: ctx.scratch.subarray(n, 2 * n),
      full: ctx.scratch.subarray(2 * n, 3 * n),
      fullA: sizeOf(ctx.inputShapes[0]) === n,
      fullB: sizeOf(ctx.inputShapes[1]) === n,
      rowsB:
        sizeOf(ctx.inputShapes[0]) === n &&
        rowStride(ctx.inputShapes[1], ctx.outShape) === 0 &&
        colStride(ctx.inputShapes[1], ctx.outShape) === 1,
    } satisfies Expanded;
  }
  return ctx.saved as Expanded;
}

export function binaryOp(loops: BinaryLoops): Op<undefined> {
  return defineOp<undefined>({
    name: loops.name,
    shape: ([a, b]) => broadcastShapes(loops.name, a, b),
    // With broadcasting the VJP reads the operands as expanded by the forward pass.
    vjpReads: ([a, b]) =>
      sameShape(a, b) || !loops.reads.inputs ? loops.reads : { inputs: true, forward: true },
    // Broadcasting needs the two operands expanded, plus one buffer for a cotangent.
    workspace: ([a, b]) => {
      if (sameShape(a, b)) return 0;
      return 3 * sizeOf(broadcastShapes(loops.name, a, b));
    },
    forward(ctx) {
      const out = ctx.out;
      const n = out.length;
      if (!isBroadcast(ctx)) {
        loops.forward(n, ctx.inputs[0], ctx.inputs[1], out);
        return;
      }
      const e = expanded(ctx);
      if (e.rowsB && loops.forwardRows !== undefined && !loops.reads.inputs) {
        const cols = colsOf(ctx.outShape);
        loops.forwardRows(n / cols, cols, ctx.inputs[0], ctx.inputs[1], out);
        return;
      }
      if (!e.fullA) expand(ctx.inputs[0], ctx.inputShapes[0], ctx.outShape, e.a);
      if (!e.fullB) expand(ctx.inputs[1], ctx.inputShapes[1], ctx.outShape, e.b);
      loops.forward(n, e.fullA ? ctx.inputs[0] : e.a, e.fullB ? ctx.inputs[1] : e.b, out);
    },
    vjp(ctx, g, inputGrads) {
      const out = ctx.out;
      const n = out.length;
      const ga = inputGrads[0];
      const gb = inputGrads[1];
      if (!isBroadcast(ctx)) {
        if (ga !== null) loops.gradA(n, g, ctx.inputs[0], ctx.inputs[1], out, ga);
        if (gb !== null) loops.gradB(n, g, ctx.inputs[0], ctx.inputs[1], out, gb);
        return;
      }
      // The expanded operands in scratch are still those of the forward pass; an operand
      // shaped like the output is read in place and its cotangent needs no reduction.
      const e = expanded(ctx);
      const a = e.fullA ? ctx.inputs[0] : e.a;
      const b = e.fullB ? ctx.inputs[1] : e.b;
      const full = e.full;
      if (ga !== null) {
        if (e.fullA) loops.gradA(n, g, a, b, out, ga);
        else {
          full.fill(0);
          loops.gradA(n, g, a, b, out, full);
          reduceInto(full, ctx.inputShapes[0], ctx.outShape, ga);
        }
      }
      if (gb !== null) {
        if (e.fullB) loops.gradB(n, g, a, b, out, gb);
        else if (e.rowsB && loops.gradRowsB !== undefined) {
          const cols = colsOf(ctx.outShape);
          loops.gradRowsB(n / cols, cols, g, gb);
        } else {
          full.fill(0);
          loops.gradB(n, g, a, b, out, full);
          reduceInto(full, ctx.inputShapes[1], ctx.outShape, gb);
        }
      }
    },
  });
}

export interface UnaryLoops {
  name: string;
  /** What grad reads: x (inputs) and/or f(x) (forward). */
  reads: VjpReads;
  /** out[i] = f(x[i]) for i < n. */
  forward(n: number, x: Float64Array, out: Float64Array): void;
  /** gx[i] += g[i]·f'(x[i]), given out[i] = f(x[i]). */
  grad(n: number, g: Float64Array, x: Float64Array, out: Float64Array, gx: Float64Array): void;
}

export function unaryOp(loops: UnaryLoops): Op<undefined> {
  return defineOp<undefined>({
    name: loops.name,
    shape: ([s]) => s,
    vjpReads: () => loops.reads,
    forward(ctx) {
      loops.forward(ctx.out.length, ctx.inputs[0], ctx.out);
    },
    vjp(ctx, g, inputGrads) {
      const gx = inputGrads[0];
      if (gx !== null) loops.grad(ctx.out.length, g, ctx.inputs[0], ctx.out, gx);
    },
  });
}
