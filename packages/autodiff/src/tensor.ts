/**
 * Tensor: a float64, row-major, contiguous array with a shape of rank 0, 1 or 2.
 * A tensor is a value; when it is the output of an op recorded on a tape it also carries
 * its place on that tape (`tape`, `index`), which is all reverse mode needs to know.
 *
 * Tensors carry a brand under `Symbol.for("@udekit/autodiff.Tensor")` so that a tensor made by
 * another copy of this package (two versions installed side by side) is still recognised by
 * `isTensor`, where `instanceof` would say no.
 */
import { checkAllocation } from "@udekit/kernels";
import { ArgumentError, ShapeError } from "./errors.js";
import { isMatrixLike, type MatrixLike, matrixLikeData } from "./matrix-like.js";
import { checkShape, formatShape, type Shape, sizeOf } from "./shape.js";
import type { Tape } from "./tape.js";

/** The registry-wide symbol every copy of @udekit/autodiff brands its tensors with. */
export const TENSOR_BRAND: unique symbol = Symbol.for("@udekit/autodiff.Tensor");

/**
 * What the brand holds: the layout version (`protocol`: 1 = `data`, `shape`, `size`, `tape`,
 * `index` as in this file) and the URL of the module that made the tensor, which names the copy.
 */
export interface TensorBrand {
  readonly protocol: number;
  readonly module: string;
}

/** This copy's brand. */
export const OWN_BRAND: TensorBrand = Object.freeze({ protocol: 1, module: import.meta.url });

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

  /** The cross-copy brand (see `isTensor`). */
  get [TENSOR_BRAND](): TensorBrand {
    return OWN_BRAND;
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

/**
 * The brand of a tensor-like value, or undefined when `x` carries none. A tensor of this copy
 * returns OWN_BRAND; one of another copy returns that copy's brand.
 */
export function tensorBrand(x: unknown): TensorBrand | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  const brand = (x as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND];
  if (typeof brand !== "object" || brand === null) return undefined;
  const { protocol, module } = brand as Partial<TensorBrand>;
  return typeof protocol === "number" && typeof module === "string" ? (brand as TensorBrand) : undefined;
}

/**
 * True for a Tensor of this copy of @udekit/autodiff and for one of another copy with the same
 * layout (brand protocol 1). Use it instead of `instanceof Tensor`, which is false across copies.
 * A tensor of another copy works as a constant here; one being differentiated by the other copy
 * cannot be (its tape is not ours): ops then throw `DuplicateCopyError`.
 */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor || tensorBrand(x)?.protocol === OWN_BRAND.protocol;
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
 * A tensor from a number, a flat or nested array, a Float64Array, or a matrix object such as
 * ml-matrix's `Matrix` (anything with `rows`, `columns` and `get(i, j)`; its entries are
 * copied, row-major), with an optional shape. A Float64Array is used as is (no copy), so the
 * tensor and the array share memory.
 */
export function tensor(data: NestedData | Float64Array | MatrixLike, shape?: Shape): Tensor {
  if (data instanceof Float64Array) return new Tensor(data, shape ?? [data.length]);
  if (isMatrixLike(data)) return new Tensor(matrixLikeData(data), shape ?? [data.rows, data.columns]);
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
  checkAllocation(sizeOf(shape), `zeros(${formatShape(shape)})`);
  return new Tensor(new Float64Array(sizeOf(shape)), shape);
}

export function ones(shape: Shape): Tensor {
  checkShape(shape, "ones");
  checkAllocation(sizeOf(shape), `ones(${formatShape(shape)})`);
  return new Tensor(new Float64Array(sizeOf(shape)).fill(1), shape);
}

export function fromRows(rows: readonly (readonly number[])[]): Tensor {
  if (rows.length === 0) return new Tensor(new Float64Array(0), [0, 0]);
  return tensor(rows);
}
