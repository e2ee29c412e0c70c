/**
 * Op definitions: an op is defined once, with its shape rule, its forward kernel and its
 * vector–Jacobian product side by side (the JAX `defvjp` / tfjs gradient-config model).
 * `defineOp` returns a callable that applies the op to tensors and records it on the active
 * tape when one of its inputs is being differentiated. It has no side effect: an op is a value,
 * and looking ops up by name is the registry's business (registry.ts, built from explicit lists).
 *
 * Contract for a VJP rule: it ACCUMULATES (+=) the cotangent of each input into
 * `inputGrads[i]`, which may already hold contributions from other uses of that input
 * (fan-out); `inputGrads[i]` is null when that input's gradient is not needed.
 */
import { checkAllocation } from "@udekit/kernels";
import { checkOwnTapes } from "./copies.js";
import type { Shape } from "./shape.js";
import { formatShape, sizeOf } from "./shape.js";
import { activeTape } from "./tape.js";
import { Tensor } from "./tensor.js";

export interface OpContext<A> {
  readonly inputs: Float64Array[];
  readonly inputShapes: Shape[];
  readonly out: Float64Array;
  readonly outShape: Shape;
  readonly attrs: A;
  /** Scratch of the length `workspace` asked for, reused across replays of a compiled tape. */
  readonly scratch: Float64Array;
  /** Whatever `forward` kept for `vjp` (e.g. a forward solution). */
  saved: unknown;
  /**
   * False when this application is a plain evaluation that no tape records (its VJP cannot
   * run), so `forward` may skip what only the VJP would read (e.g. an ODE solve's dense
   * output); true or undefined (compiled tapes) when the VJP may run.
   */
  recorded?: boolean;
}

export interface OpDefinition<A> {
  /** Unique among registered ops (prefix it with your package's name); `getOp(name)` finds a registered op. */
  name: string;
  /** Validates the input shapes (throwing ShapeError with a fix-it message) and returns the output shape. */
  shape(inputShapes: readonly Shape[], attrs: A): Shape;
  /** Writes the output into `ctx.out` (which holds garbage on entry) from `ctx.inputs`. */
  forward(ctx: OpContext<A>): void;
  /** Accumulates the input cotangents given the output cotangent `outGrad`. */
  vjp(ctx: OpContext<A>, outGrad: Float64Array, inputGrads: (Float64Array | null)[]): void;
  /** Length of `ctx.scratch`; 0 when omitted. */
  workspace?(inputShapes: readonly Shape[], attrs: A): number;
  /**
   * What `vjp` reads of the forward pass, so that a compiled pullback can skip forward work
   * nobody reads (default: everything). `inputs`: the values of ctx.inputs; `forward`: what
   * this op's own forward wrote (ctx.out, ctx.scratch, ctx.saved). Linear ops read neither.
   */
  vjpReads?(inputShapes: readonly Shape[], attrs: A): VjpReads;
  /**
   * Declares that `vjp`'s contribution to one input, a matrix [m, n], is the rank-1 update
   * x̄ += scale·ḡ·rᵀ (ḡ the output cotangent, r another input or a vector of ones). A compiled
   * pullback that accumulates many calls into an argument (`pullback(wrt, { accumulate,
   * batch })`) then stacks the ḡ and r of K calls and adds them with one matrix product, which
   * the kernels run several times faster than K separate rank-1 updates.
   */
  outerVjp?(inputShapes: readonly Shape[], attrs: A): OuterVjp | undefined;
  /**
   * For ops whose output is entries [offset, offset + size) of input 0's flat data, unchanged
   * (reshape, slice): that offset. A batched pullback then sends stacked rank-1 contributions
   * through such ops straight into the argument they view (e.g. P = reshape(slice(p, …))).
   */
  viewOf?(inputShapes: readonly Shape[], attrs: A): number;
  /**
   * For ops whose output holds each input unchanged and contiguous (concat along rows): each
   * input's offset in the output. A compiled program may then have an input's producer write
   * into that window directly; `forward` must skip an input that is already there (same buffer
   * and offset).
   */
  placesInputs?(inputShapes: readonly Shape[], attrs: A): readonly number[] | undefined;
}

/** See OpDefinition.outerVjp: inputs[input] gets scale·ḡ·rᵀ, r = inputs[right] or ones. */
export interface OuterVjp {
  input: number;
  right: number | "ones";
  scale: number;
}

export interface VjpReads {
  inputs: boolean;
  forward: boolean;
}

/** For ops whose VJP is a fixed linear map of the cotangent (add, reshape, sum, …). */
export const READS_NOTHING: VjpReads = { inputs: false, forward: false };
/** For ops whose VJP reads their inputs but not their own output (mul, matvec, log, …). */
export const READS_INPUTS: VjpReads = { inputs: true, forward: false };
/** For ops whose VJP reads only their own output (exp, tanh, sigmoid, sqrt). */
export const READS_OUTPUT: VjpReads = { inputs: false, forward: true };

/** A registered op as stored on tapes. @internal */
export type OpRecord = OpDefinition<unknown>;

/** A registered op: call it on tensors (and its attributes) to apply it. */
export interface Op<A> {
  (inputs: readonly Tensor[], attrs: A): Tensor;
  readonly definition: OpDefinition<A>;
}

const EMPTY = new Float64Array(0);

/**
 * The op `definition` describes, as a function on tensors. Pure: nothing is registered, so a
 * module that defines ops may be loaded twice (hot reload, two copies of a package). To find an
 * op by name with getOp, register it: `registerOps([op])`.
 */
export function defineOp<A = undefined>(definition: OpDefinition<A>): Op<A> {
  const apply = (inputs: readonly Tensor[], attrs: A): Tensor => applyOp(definition, inputs, attrs);
  return Object.assign(apply, { definition }) as Op<A>;
}

/** Builds the context of one application of an op (allocates its output and scratch). */
export function makeContext<A>(
  def: OpDefinition<A>,
  inputs: readonly Tensor[],
  attrs: A,
): { ctx: OpContext<A>; outShape: Shape } {
  const inputShapes = inputs.map((t) => t.shape);
  const outShape = def.shape(inputShapes, attrs);
  const scratchLength = def.workspace?.(inputShapes, attrs) ?? 0;
  const size = sizeOf(outShape);
  // A view op's output is its window of the input's data (as in PyTorch): no copy. For a
  // gradient through solveOde at n = 10⁵, a reshape's fresh copy was a 0.6 ms first touch.
  const at = def.viewOf?.(inputShapes, attrs);
  const viewed = at === undefined ? undefined : inputs[0].data;
  if (viewed === undefined)
    checkAllocation(size, () => `${def.name}: its output of shape ${formatShape(outShape)}`);
  checkAllocation(scratchLength, () => `${def.name}: its scratch space`);
  const ctx: OpContext<A> = {
    inputs: inputs.map((t) => t.data),
    inputShapes,
    out:
      viewed === undefined
        ? new Float64Array(size)
        : at === 0 && size === viewed.length
          ? viewed
          : viewed.subarray(at as number, (at as number) + size),
    outShape,
    attrs,
    scratch: scratchLength > 0 ? new Float64Array(scratchLength) : EMPTY,
    saved: undefined,
    // Present from the start (set by applyOp), so every context has one hidden class.
    recorded: undefined,
  };
  return { ctx, outShape };
}

function applyOp<A>(def: OpDefinition<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  checkOwnTapes(inputs, def.name);
  const { ctx, outShape } = makeContext(def, inputs, attrs);
  const tape = activeTape();
  const recorded = tape !== null && inputs.some((t) => t.tape === tape);
  ctx.recorded = recorded;
  // A view (makeContext) already holds its values.
  if (def.viewOf === undefined) def.forward(ctx);
  const output = new Tensor(ctx.out, outShape);
  if (recorded) {
    tape.push({ op: def as OpRecord, inputs: [...inputs], output, ctx: ctx as OpContext<unknown> });
  }
  return output;
}
