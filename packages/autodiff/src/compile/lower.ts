/**
 * Pass 3 of compile: lowering. Each live tape entry becomes a step whose output and cotangent are
 * buffers in the kernels' arena (owned by the program), where the WebAssembly kernels use them
 * without copying; consumers are rewired to read their producers' new buffers. Inputs that are
 * neither arguments nor steps are constants: their arrays are read at each replay, and anything
 * computed from constants alone was computed at trace time (it is not on the tape).
 */
import type { OpContext } from "../define-op.js";
import type { Tensor } from "../tensor.js";
import { Program, type Source } from "./program.js";
import type { Trace } from "./trace.js";

export function lower({ tape, leaves, out }: Trace, live: readonly boolean[]): Program {
  const program = new Program(
    leaves.map((l) => l.shape),
    leaves.map((l) => l.size),
    out.shape,
    out.size,
  );
  const { steps, bindings } = program;
  const stepOf = new Map<number, number>();
  const sourceOf = (t: Tensor): Source => {
    if (t.tape !== tape) return { kind: "const" };
    const slot = leaves.indexOf(t);
    return slot >= 0 ? { kind: "leaf", slot } : { kind: "step", step: stepOf.get(t.index) as number };
  };
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null || entry.ctx === null) return;
    const sources = entry.inputs.map(sourceOf);
    sources.forEach((src, position) => {
      if (src.kind === "leaf") bindings.push({ step: steps.length, position, slot: src.slot });
    });
    const inputs = entry.ctx.inputs as Float64Array[];
    sources.forEach((src, position) => {
      if (src.kind === "step") inputs[position] = steps[src.step].ctx.out;
    });
    const outBuffer = program.alloc(entry.ctx.out.length);
    outBuffer.set(entry.ctx.out);
    const ctx: OpContext<unknown> = { ...entry.ctx, inputs, out: outBuffer };
    stepOf.set(k, steps.length);
    steps.push({ op: entry.op, ctx, inputs, sources, grad: program.alloc(ctx.out.length) });
  });
  program.outSlot = leaves.indexOf(out);
  program.last = steps.length - 1;
  program.outBuffer = program.outSlot >= 0 ? new Float64Array(out.size) : steps[program.last].ctx.out;
  for (const st of steps) {
    program.reads.push(st.op.vjpReads?.(st.ctx.inputShapes, st.ctx.attrs) ?? { inputs: true, forward: true });
  }
  return program;
}
