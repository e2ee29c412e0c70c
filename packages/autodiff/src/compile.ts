/**
 * Compiled tapes: `compile(f, ...exampleInputs)` traces f once into a static program whose
 * buffers (every intermediate value, every cotangent, every op's scratch) are allocated at
 * compile time. `forward` and `vjp` then replay the program in place and allocate nothing,
 * which is what the inner loop of an adjoint solve needs.
 *
 * Limits (checked): f must be a pure tensor program — the same ops on the same shapes
 * whatever the input values. Reading a traced value (`item()`, `toArray()`) throws a
 * CompileError, and the compiled program is checked against an eager call at perturbed
 * inputs. Tensors captured from f's closure are constants: their buffers are read at each
 * replay, but anything computed from constants alone is computed once, at compile time.
 *
 * This file only puts the passes together (CONTRIBUTING.md draws how they fit):
 * compile/trace.ts → dce.ts → lower.ts give the Program (program.ts); forward.ts,
 * plan-pullback.ts (with batching.ts and scratch-ranges.ts) → pullback.ts and specialise.ts
 * replay it; self-check.ts compares it with eager mode. The program's arena buffers belong to it:
 * `dispose()`, or a FinalizationRegistry once it is garbage-collected, hands them back.
 */

import type { CompiledFunction } from "./compile/api.js";
import { liveEntries } from "./compile/dce.js";
import { makeForward } from "./compile/forward.js";
import { lower } from "./compile/lower.js";
import { planPullback } from "./compile/plan-pullback.js";
import { makePullback } from "./compile/pullback.js";
import { checkAgainstEager } from "./compile/self-check.js";
import { specialise } from "./compile/specialise.js";
import { trace } from "./compile/trace.js";
import type { Tensor } from "./tensor.js";

export type { CompiledFunction, Pullback, PullbackOptions, SpecialisedFunction } from "./compile/api.js";

export function compile(f: (...xs: Tensor[]) => Tensor, ...exampleInputs: Tensor[]): CompiledFunction {
  const traced = trace(f, exampleInputs);
  const program = lower(traced, liveEntries(traced));
  const noSkip = program.steps.map(() => false);
  const full = makePullback(
    program,
    planPullback(
      program,
      program.inputSizes.map(() => true),
      {},
      noSkip,
    ),
  );
  const leafGrads = program.inputSizes.map((size) => program.alloc(size));
  const forward = makeForward(program, program.allSteps());
  const compiled: CompiledFunction = {
    inputShapes: program.inputShapes,
    outputShape: program.outShape,
    forward,
    vjp(inputs, cotangent, grads) {
      const target = grads ?? leafGrads;
      full(inputs, cotangent, target);
      return target;
    },
    pullback: (wrt, options = {}) => makePullback(program, planPullback(program, wrt, options, noSkip)),
    specialise: (fixed) => specialise(program, fixed),
    dispose: () => program.dispose(),
  };
  try {
    checkAgainstEager(f, exampleInputs, forward);
  } catch (e) {
    program.dispose();
    throw e;
  }
  return compiled;
}
