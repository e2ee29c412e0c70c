/**
 * The op registry: ops by name, for lookups (`getOp`, `listOps`). It is data built from explicit
 * lists — the built-in ops (ALL_OPS) on first use, then whatever `registerOps` adds — never from
 * import side effects (the tfjs model: kernels are registered from an array). Registering the
 * same op again is a no-op, so a module that registers its ops may run twice (hot reload, two
 * copies of a package); a different op under a taken name throws DuplicateOpError.
 *
 * Applying an op needs no registration: `defineOp` (define-op.ts) returns the callable.
 */

import type { Op } from "./define-op.js";
import { DuplicateOpError, UnknownOpError } from "./errors.js";
import { ALL_OPS } from "./ops/index.js";

export {
  defineOp,
  type Op,
  type OpContext,
  type OpDefinition,
  type OpRecord,
  type OuterVjp,
  READS_INPUTS,
  READS_NOTHING,
  READS_OUTPUT,
  type VjpReads,
} from "./define-op.js";

let table: Map<string, Op<never>> | undefined;

/** The registry, built from ALL_OPS on first use. */
function ops(): Map<string, Op<never>> {
  if (table === undefined) {
    table = new Map();
    add(table, ALL_OPS);
  }
  return table;
}

/** The same op: the same callable, or another callable for the same definition object. */
const same = (a: Op<never>, b: Op<never>): boolean => a === b || a.definition === b.definition;

function add(into: Map<string, Op<never>>, list: readonly Op<never>[]): void {
  // Check every entry before adding any, so a rejected call registers nothing.
  const names = new Map<string, Op<never>>();
  for (const op of list) {
    const name = op.definition.name;
    const taken = into.get(name) ?? names.get(name);
    if (taken !== undefined && !same(taken, op)) {
      throw new DuplicateOpError(
        `registerOps: an op named "${name}" is already registered, and this is a different op. Op names are global: choose another name (e.g. prefix it with your package's name).`,
      );
    }
    names.set(name, op);
  }
  for (const [name, op] of names) if (!into.has(name)) into.set(name, op);
}

/**
 * Adds ops to the registry, so that getOp and listOps find them (the built-ins are there
 * already). Idempotent for ops already registered; throws DuplicateOpError, registering none of
 * `list`, when a different op has one of their names.
 */
export function registerOps(list: readonly Op<never>[]): void {
  add(ops(), list);
}

/** The op registered under `name`. */
export function getOp(name: string): Op<unknown> {
  const op = ops().get(name);
  if (op === undefined) {
    throw new UnknownOpError(
      `getOp: no op named "${name}" is registered (known: ${listOps().join(", ")}). Register it first with registerOps([op]); importing a package does not register its ops.`,
    );
  }
  return op as Op<unknown>;
}

/** Names of every registered op, sorted. */
export function listOps(): string[] {
  return [...ops().keys()].sort();
}
