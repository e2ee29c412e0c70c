/**
 * The held-out split (`--holdout time:F` or `--holdout nodes:F`): which observations the training
 * loss leaves out so that a validation loss on them shows over-fitting.
 *
 * - time:F holds out the last ⌈…⌉ F of the save times after the initial condition (at least one,
 *   and at least one left to train on): an extrapolation test;
 * - nodes:F holds out a seeded random F of the nodes (at least one, at least one left): their
 *   initial values still start the solve (the nodes are coupled through P), but their later
 *   values are not fitted.
 * The count is round(F · available), clamped to [1, available − 1].
 */
import { rng } from "@udekit/nn";
import { OptionError } from "./errors.js";

export type HoldoutBy = "time" | "nodes";

export interface HoldoutSpec {
  by: HoldoutBy;
  fraction: number;
}

/** The held-out observations: node indices (0-based rows) or time columns (0-based, never 0). */
export interface Holdout extends HoldoutSpec {
  /** Held-out nodes (by nodes), increasing. */
  nodes?: number[];
  /** Held-out time columns (by time), increasing. */
  columns?: number[];
}

const FRACTION = /^(\d+\.?\d*|\.\d+)$/;

/** Parses `time:0.2` or `nodes:0.2`. */
export function parseHoldout(value: string): HoldoutSpec {
  const m = /^\s*(time|nodes)\s*:\s*(\S+)\s*$/i.exec(value);
  const fraction = m && FRACTION.test(m[2]) ? Number(m[2]) : Number.NaN;
  if (m === null || !(fraction > 0 && fraction < 1)) {
    throw new OptionError(
      `--holdout "${value}" is not of the form time:F or nodes:F with 0 < F < 1. ` +
        "Fix: e.g. --holdout time:0.2 (the last 20 % of the save times) or --holdout nodes:0.2 (a random 20 % of the nodes, chosen by --seed).",
    );
  }
  return { by: m[1].toLowerCase() as HoldoutBy, fraction };
}

function count(fraction: number, available: number, what: string, option: string): number {
  if (available < 2) {
    throw new OptionError(
      `--holdout ${option} needs at least 2 ${what} to split, but the data has ${available}. ` +
        `Fix: ${what === "nodes" ? "hold out by time" : "hold out by nodes"}, or add ${what}.`,
    );
  }
  return Math.min(available - 1, Math.max(1, Math.round(fraction * available)));
}

/**
 * The held-out set for n nodes and m save times (column 0, the initial condition, is never held
 * out). `seed` picks the nodes (a partial Fisher–Yates shuffle with @udekit/nn's seeded RNG).
 */
export function heldOut(spec: HoldoutSpec, n: number, m: number, seed: number): Holdout {
  const option = `${spec.by}:${spec.fraction}`;
  if (spec.by === "time") {
    const k = count(spec.fraction, m - 1, "save times after the initial condition", option);
    return { ...spec, columns: Array.from({ length: k }, (_, j) => m - k + j) };
  }
  const k = count(spec.fraction, n, "nodes", option);
  const r = rng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r.uniform() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { ...spec, nodes: order.slice(0, k).sort((a, b) => a - b) };
}

/** `validation: 2 of 10 save times held out (t = 9, 10)` and the like, for the log. */
export function holdoutLine(h: Holdout, times: readonly number[]): string {
  if (h.columns !== undefined) {
    return `Held out (validation): the last ${h.columns.length} of ${times.length - 1} save times (t = ${h.columns.map((k) => times[k]).join(", ")}).`;
  }
  const nodes = h.nodes ?? [];
  const list =
    nodes.length <= 12
      ? nodes.map((i) => i + 1).join(", ")
      : `${nodes
          .slice(0, 12)
          .map((i) => i + 1)
          .join(", ")}, …`;
  return `Held out (validation): ${nodes.length} nodes (${list}).`;
}
