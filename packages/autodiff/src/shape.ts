/** Shapes of rank 0, 1 or 2 and the broadcasting rule for elementwise ops. */
import { ShapeError } from "./errors.js";

/** [] is a scalar, [n] a vector, [m, n] a row-major matrix. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(shape: Shape, what: string): void {
  if (shape.length > 2) {
    throw new ShapeError(
      `${what}: shape ${formatShape(shape)} has rank ${shape.length}; udekit tensors have rank 0, 1 or 2. Reshape to a matrix (batch-first rows).`,
    );
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${what}: shape ${formatShape(shape)} has a dimension that is not a non-negative integer.`,
      );
    }
  }
}

/** Rows of a shape seen as a matrix: [] and [n] have one row. */
export function rowsOf(shape: Shape): number {
  return shape.length === 2 ? shape[0] : 1;
}

/** Columns of a shape seen as a matrix: [] has one column, [n] has n. */
export function colsOf(shape: Shape): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/**
 * NumPy broadcasting restricted to rank ≤ 2: shapes are aligned on their last axis, and an
 * axis of length 1 (or a missing leading axis) stretches to match. So a scalar combines
 * with anything, a vector [n] with each row of an [m, n] matrix, and a column [m, 1] with
 * each column of an [m, n] matrix.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  if (sameShape(a, b)) return a;
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = k < rank - a.length ? 1 : a[k - (rank - a.length)];
    const db = k < rank - b.length ? 1 : b[k - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${k}: ${da} vs ${db}). ` +
          "Elementwise ops accept equal shapes, a scalar, a vector [n] against an [m, n] matrix, or a column [m, 1]; reshape or transpose one operand.",
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}
