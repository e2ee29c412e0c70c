/**
 * Straight-line replays. A plan run by a loop calls every step's kernel from one call site
 * (`step.op.forward(step.ctx)`), which sees every op of the program: V8 then dispatches each
 * call through a polymorphic or megamorphic inline cache and inlines none of them. Here a plan
 * becomes one generated function with a call site per step — `f0(c0); f3(c3); …`, each fᵢ one
 * op's kernel and cᵢ its context, bound once — so each call site sees a single function.
 * Measured on gradbench's n = 8 right-hand side (five steps): 64 → 36 ns per replay.
 *
 * The same goes for binding the arguments (bind) and for a pullback's VJP sequence (vjps).
 * The generated code only calls what the loops would call, in the same order, with the same
 * arguments: results are bit for bit the same. Where code generation is not allowed (a
 * Content-Security-Policy without 'unsafe-eval' makes `new Function` throw), the loops are used.
 */
import type { OuterSite } from "./batching.js";
import type { Program } from "./program.js";

/** Whether `new Function` works here (checked once). */
const generationWorks = ((): boolean => {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
})();
let canGenerate = generationWorks;

/**
 * Turns code generation off (or back on, where it works) for programs compiled afterwards: the
 * loops are then used, as under a Content-Security-Policy without 'unsafe-eval'. For tests.
 * @internal
 */
export function setCodeGeneration(on: boolean): void {
  canGenerate = on && generationWorks;
}

/**
 * A function of the given parameter values, from its body; null where code generation is not
 * allowed. The names are p0, p1, … in the body.
 */
function generate<F>(values: readonly unknown[], body: string): F | null {
  if (!canGenerate) return null;
  const names = values.map((_, i) => `p${i}`);
  // The body is built from step indices and fixed text only, never from user strings.
  return new Function(...names, body)(...values) as F;
}

/** Collects the values a generated body refers to, as p0, p1, … */
class Bound {
  readonly values: unknown[] = [];
  ref(v: unknown): string {
    this.values.push(v);
    return `p${this.values.length - 1}`;
  }
}

/** Runs the forward kernels of `plan`'s steps (views have none), in order. */
export function straightLineRun(program: Program, plan: readonly number[]): () => void {
  const { steps } = program;
  const b = new Bound();
  const lines: string[] = [];
  for (const s of plan) {
    const step = steps[s];
    if (step.view !== undefined) continue;
    lines.push(`${b.ref(step.op.forward)}(${b.ref(step.ctx)});`);
  }
  return (
    generate<() => void>(b.values, `return function run() {\n${lines.join("\n")}\n};`) ??
    (() => program.run(plan))
  );
}

/** program.bind(inputs) as straight-line code: each argument's array into the inputs that read it. */
export function straightLineBind(program: Program): (inputs: readonly Float64Array[]) => void {
  const { steps, bindings, leafViews } = program;
  const b = new Bound();
  const lines: string[] = [];
  for (const { step, position, slot } of bindings)
    lines.push(`${b.ref(steps[step].inputs)}[${position}] = inputs[${slot}];`);
  for (const lv of leafViews) {
    lines.push(`{ const v = ${b.ref(lv.window)}.windowOf(inputs[${lv.slot}]);`);
    lines.push(`${b.ref(steps[lv.step].ctx)}.out = v;`);
    for (const { step, position } of lv.readers) lines.push(`${b.ref(steps[step].inputs)}[${position}] = v;`);
    lines.push("}");
  }
  return (
    generate<(inputs: readonly Float64Array[]) => void>(
      b.values,
      `return function bind(inputs) {\n${lines.join("\n")}\n};`,
    ) ?? ((inputs) => program.bind(inputs))
  );
}

/**
 * A pullback's backward sequence: for each step of `order`, its VJP into `inputGrads[s]`, then
 * its stacked rank-1 contributions (OuterStack.push) into grads[slot] — or a deferred step's
 * accumulator (deferred-fixed.ts) — with weight weights[slot] (1 without weights). `grads[s]` is
 * step s's cotangent buffer.
 */
export function straightLineVjps(
  program: Program,
  order: readonly number[],
  grads: readonly Float64Array[],
  inputGrads: readonly (Float64Array | null)[][],
  siteOf: readonly (readonly OuterSite[])[],
  accumulators: readonly (Float64Array | null)[],
): (targets: readonly (Float64Array | null)[], weights: readonly number[] | undefined) => void {
  const { steps } = program;
  const b = new Bound();
  const lines: string[] = [];
  for (const s of order) {
    const step = steps[s];
    const g = b.ref(grads[s]);
    lines.push(`${b.ref(step.op.vjp)}(${b.ref(step.ctx)}, ${g}, ${b.ref(inputGrads[s])});`);
    for (const { stack, slot, into } of siteOf[s]) {
      const r = stack.outer.right;
      const right = r === "ones" ? "null" : `${b.ref(step.inputs)}[${r}]`;
      const w = `(weights === undefined ? 1 : weights[${slot}])`;
      const target = into >= 0 ? b.ref(accumulators[into]) : `targets[${slot}]`;
      lines.push(`${b.ref(stack)}.push(${g}, ${right}, ${target}, ${w});`);
    }
  }
  const loop = (targets: readonly (Float64Array | null)[], weights: readonly number[] | undefined): void => {
    for (let k = 0; k < order.length; k++) {
      const s = order[k];
      const step = steps[s];
      const g = grads[s];
      step.op.vjp(step.ctx, g, inputGrads[s]);
      const here = siteOf[s];
      for (let i = 0; i < here.length; i++) {
        const { stack, slot, into } = here[i];
        const r = stack.outer.right;
        const target = into >= 0 ? accumulators[into] : targets[slot];
        stack.push(g, r === "ones" ? null : step.inputs[r], target as Float64Array, weights?.[slot] ?? 1);
      }
    }
  };
  return (
    generate<typeof loop>(b.values, `return function vjps(targets, weights) {\n${lines.join("\n")}\n};`) ??
    loop
  );
}
