/**
 * Pass 1 of compile: tracing. Runs f once on a fresh tape whose leaves are copies of the example
 * inputs, with reads of traced values forbidden (`tape.tracing`: item()/toArray() throw), so the
 * tape records the whole program f stands for at these shapes.
 */
import { CompileError } from "../errors.js";
import { Tape, withTape } from "../tape.js";
import { isTensor, Tensor } from "../tensor.js";

export interface Trace {
  tape: Tape;
  /** The arguments as recorded on the tape, in order. */
  leaves: Tensor[];
  out: Tensor;
}

export function trace(f: (...xs: Tensor[]) => Tensor, exampleInputs: readonly Tensor[]): Trace {
  exampleInputs.forEach((x, i) => {
    if (!isTensor(x)) throw new CompileError(`compile: example input ${i} is not a Tensor.`);
  });
  const tape = new Tape();
  tape.tracing = true;
  const leaves = exampleInputs.map((x) => tape.leaf(new Tensor(x.data.slice(), x.shape)));
  let out: Tensor;
  try {
    out = withTape(tape, () => f(...leaves));
  } finally {
    tape.tracing = false;
  }
  if (!(out instanceof Tensor)) throw new CompileError("compile: the function must return a Tensor.");
  if (out.tape !== tape) {
    throw new CompileError(
      "compile: the output does not depend on any input, so there is nothing to compile. Return a tensor computed from the inputs.",
    );
  }
  return { tape, leaves, out };
}
