/**
 * Tensor: a float64, row-major, contiguous array with a shape of rank 0, 1 or 2.
 * A tensor is a value; when it is the output of an op recorded on a tape it also carries
 * its place on that tape (`tape`, `index`), which is all reverse mode needs to know.
 */
import { ArgumentError, ShapeError } from "./errors.js";
import { checkShape, formatShape, type Shape, sizeOf } from "./shape.js";
import type { Tape } from "./tape.js";

export class Tensor {
  readonly data: Float64Array;
  readonly shape: Shape;
  readonly size: number;
  /** The tape this tensor is recorded on, or null for a constant. @internal */
  tape: Tape | null = null;
  /** Position on `tape`. @internal */
  index = -1;

  constructor(data: Float64Array, shape: Shape) {
    checkShape(shape, "tensor");
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(
        `tensor: data has ${data.length} entries but shape ${formatShape(shape)} needs ${size}. Pass a shape whose product is the data length.`,
      );
    }
    this.data = data;
    this.shape = shape;
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The value of a scalar (or one-entry) tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(
        `item(): tensor of shape ${formatShape(this.shape)} has ${this.size} entries, not 1.`,
      );
    }
    this.tape?.checkReadable("item()");
    return this.data[0];
  }

  /** Nested plain arrays: a number, number[] or number[][]. */
  toArray(): number | number[] | number[][] {
    this.tape?.checkReadable("toArray()");
    if (this.shape.length === 0) return this.data[0];
    if (this.shape.length === 1) return Array.from(this.data);
    const [m, n] = this.shape;
    const rows: number[][] = [];
    for (let i = 0; i < m; i++) rows.push(Array.from(this.data.subarray(i * n, (i + 1) * n)));
    return rows;
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}(${JSON.stringify(this.toArray())})`;
  }
}

type NestedData = number | readonly number[] | readonly (readonly number[])[];

function inferShape(data: NestedData): number[] {
  if (typeof data === "number") return [];
  if (data.length === 0) return [0];
  const first = data[0];
  if (typeof first === "number") return [data.length];
  const n = first.length;
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as readonly number[];
    if (!Array.isArray(row) || row.length !== n) {
      throw new ShapeError(
        `tensor: nested rows have different lengths (row 0 has ${n}, row ${i} has ${Array.isArray(row) ? row.length : "no"} entries). Pass a rectangular array.`,
      );
    }
  }
  return [data.length, n];
}

/**
 * A tensor from a number, a flat or nested array, or a Float64Array with a shape.
 * A Float64Array is used as is (no copy), so the tensor and the array share memory.
 */
export function tensor(data: NestedData | Float64Array, shape?: Shape): Tensor {
  if (data instanceof Float64Array) return new Tensor(data, shape ?? [data.length]);
  const inferred = inferShape(data);
  const flat = new Float64Array(sizeOf(inferred));
  if (typeof data === "number") flat[0] = data;
  else if (inferred.length === 1) flat.set(data as readonly number[]);
  else {
    const rows = data as readonly (readonly number[])[];
    for (let i = 0; i < rows.length; i++) flat.set(rows[i], i * inferred[1]);
  }
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== "number") throw new ArgumentError("tensor: data must contain numbers only.");
  }
  return new Tensor(flat, shape ?? inferred);
}

export function scalar(x: number): Tensor {
  return new Tensor(Float64Array.of(x), []);
}

export function zeros(shape: Shape): Tensor {
  checkShape(shape, "zeros");
  return new Tensor(new Float64Array(sizeOf(shape)), shape);
}

export function ones(shape: Shape): Tensor {
  checkShape(shape, "ones");
  return new Tensor(new Float64Array(sizeOf(shape)).fill(1), shape);
}

export function fromRows(rows: readonly (readonly number[])[]): Tensor {
  if (rows.length === 0) return new Tensor(new Float64Array(0), [0, 0]);
  return tensor(rows);
}
