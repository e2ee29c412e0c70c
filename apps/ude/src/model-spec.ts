/**
 * A model as data (issue #22: "a model is a description and its parameter layout follows from
 * it", as in Lux): which of the two terms of
 *
 *     du/dt = nn(u) + A(P)·u,    A(P) = P − diag(P·1),  i.e. (A(P)·u)_i = Σ_j P_ij (u_j − u_i),
 *
 * are present, how P is constrained, and the net's architecture. The built-in models are such
 * descriptions (models/*.json, builtin-models.ts); a user's model file is validated here by the
 * same function, with one-line errors that say what is wrong and how to fix it. No file access
 * here (the browser playground shares it); model-file.ts reads files.
 *
 * Schema (every key below; any other key is an error):
 *   name         string of letters, digits, ".", "_", "-" (default: the file's name)
 *   description  string (optional)
 *   linear       boolean: the known linear part A(P)·u is present
 *   P            (only with linear: true) { constraint, mask | allowed }, all optional:
 *     constraint "none" (default): P is fitted directly;
 *                "nonnegative": P = softplus(θ) with θ the fitted parameter (results report P)
 *     mask       n × n matrix of 0 and 1 (or, in a model file, the path of such a CSV, relative
 *                to the model file): P_ij may be non-zero only where it is 1
 *     allowed    list of [i, j] node pairs (1-based, node i = row i of the data) where P_ij may
 *                be non-zero; every other entry is 0
 *   net          (optional, or null) { block, hidden }: one small net applied to each of the n/block
 *                consecutive blocks of u (as an [n/block, block] batch), outputs concatenated
 *     block      whole number ≥ 1 that divides n
 *     hidden     list of { width, activation }: Dense(block → w₁, σ₁) → … → Dense(w_k → block);
 *                activation is any of @udekit/nn's ACTIVATIONS; [] gives one Dense(block → block)
 *
 * Masked entries of P stay in the parameter vector (so its layout does not depend on the mask)
 * but are multiplied by 0 in the right-hand side: their gradient is exactly 0, so no optimiser
 * moves them, and they are stored and reported as 0.
 */
import { ACTIVATIONS, type ActivationName } from "@udekit/nn";
import { closestName } from "./did-you-mean.js";
import { InputFileError } from "./errors.js";

export type PConstraint = "none" | "nonnegative";
export const P_CONSTRAINTS: readonly PConstraint[] = ["none", "nonnegative"];

/** How P is parameterised (present exactly when the model has the linear part). */
export interface PSpec {
  readonly constraint: PConstraint;
  /** n × n, entries 0 or 1: where P may be non-zero. */
  readonly mask?: readonly (readonly number[])[];
  /** 1-based [i, j] pairs where P may be non-zero. */
  readonly allowed?: readonly (readonly [number, number])[];
}

export interface HiddenLayerSpec {
  readonly width: number;
  readonly activation: ActivationName;
}

export interface NetSpec {
  /** Entries of u one copy of the net sees (and returns). */
  readonly block: number;
  readonly hidden: readonly HiddenLayerSpec[];
}

/** A validated model description; JSON.stringify of it is a valid model file. */
export interface ModelSpec {
  readonly name: string;
  readonly description?: string;
  readonly linear: boolean;
  readonly P?: PSpec;
  readonly net?: NetSpec;
}

/** Where a spec came from, for messages, and how to read a mask given as a CSV path. */
export interface SpecSource {
  /** Names the source in messages, e.g. `model file "m.json"`. */
  what: string;
  /** The name when the spec has none (a file's base name). */
  defaultName?: string;
  /** Reads a mask CSV named in the spec (model files only). */
  readMask?: (path: string) => number[][];
}

const FIX = 'see the model file schema in apps/ude/README.md ("Your own model")';

const KEYS = {
  top: ["name", "description", "linear", "P", "net"],
  P: ["constraint", "mask", "allowed"],
  net: ["block", "hidden"],
  hidden: ["width", "activation"],
} as const;

const ACTIVATION_LIST = Object.keys(ACTIVATIONS) as ActivationName[];

function typeOf(x: unknown): string {
  if (x === undefined) return "not given";
  if (x === null) return "null";
  if (typeof x === "function") return "a function";
  if (Array.isArray(x)) return "a list";
  if (typeof x === "object") return "an object";
  if (typeof x === "string") return `the string ${JSON.stringify(x)}`;
  return `${typeof x} ${String(x)}`;
}

/** Validates a model description (parsed JSON or a module's export) into a ModelSpec. */
export function parseModelSpec(raw: unknown, source: SpecSource): ModelSpec {
  const fail = (what: string, fix = FIX): never => {
    throw new InputFileError(`${source.what}: ${what}. Fix: ${fix}.`);
  };
  const object = (x: unknown, path: string, keys: readonly string[]): Record<string, unknown> => {
    if (typeof x !== "object" || x === null || Array.isArray(x)) {
      fail(`${path} must be an object, but it is ${typeOf(x)}`);
    }
    for (const k of Object.keys(x as object)) {
      if (keys.includes(k)) continue;
      if (path === "the model" && (k === "rhs" || k === "initParams")) {
        fail(
          `"${k}" is not supported: a model is described by data (linear part, P's constraint and mask, net), not by code`,
          "describe the model with linear, P and net; a custom right-hand side needs a change to apps/ude/src/model.ts",
        );
      }
      const near = closestName(k, keys);
      fail(
        `unknown key "${k}" in ${path}${near ? ` (did you mean "${near}"?)` : ""}`,
        `use only the keys ${keys.join(", ")}`,
      );
    }
    return x as Record<string, unknown>;
  };
  const integer = (x: unknown, path: string, min: number): number => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
      fail(`${path} must be a whole number ≥ ${min}, but it is ${typeOf(x)}`);
    }
    return x as number;
  };
  const pick = <T extends string>(x: unknown, path: string, valid: readonly T[]): T => {
    if (typeof x !== "string") fail(`${path} must be a string, but it is ${typeOf(x)}`);
    if ((valid as readonly string[]).includes(x as string)) return x as T;
    const near = closestName(x as string, valid);
    return fail(
      `${path} is "${x}", which is not known${near ? ` (did you mean "${near}"?)` : ""}`,
      `use one of ${valid.join(", ")}`,
    );
  };

  const top = object(raw, "the model", KEYS.top);
  const name = top.name ?? source.defaultName;
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]+$/.test(name)) {
    fail(
      `"name" must be a string of letters, digits, ".", "_" and "-", but it is ${typeOf(name)}`,
      'give the model a short name, e.g. "name": "my-model"',
    );
  }
  if (top.description !== undefined && typeof top.description !== "string") {
    fail(`"description" must be a string, but it is ${typeOf(top.description)}`);
  }
  if (typeof top.linear !== "boolean") {
    fail(
      top.linear === undefined
        ? 'the key "linear" is missing'
        : `"linear" must be true or false, but it is ${typeOf(top.linear)}`,
      'say whether the known linear part A(P)·u is present: "linear": true or "linear": false',
    );
  }
  const linear = top.linear as boolean;

  let P: PSpec | undefined;
  if (top.P !== undefined && !linear) {
    fail(
      '"P" is given but "linear" is false (P exists only in the linear part A(P)·u)',
      'remove "P", or set "linear": true',
    );
  }
  if (linear) {
    const p = object(top.P ?? {}, '"P"', KEYS.P);
    const constraint =
      p.constraint === undefined ? "none" : pick(p.constraint, '"P.constraint"', P_CONSTRAINTS);
    if (p.mask !== undefined && p.allowed !== undefined) {
      fail(
        '"P" has both "mask" and "allowed"',
        "give the sparsity pattern one way: a 0/1 matrix (mask) or a list of pairs (allowed)",
      );
    }
    let mask: number[][] | undefined;
    if (typeof p.mask === "string") {
      if (source.readMask === undefined)
        fail('"P.mask" names a file, which only a model file may do', "give the mask as a matrix of 0 and 1");
      mask = (source.readMask as (path: string) => number[][])(p.mask);
    } else if (p.mask !== undefined) {
      mask = p.mask as number[][];
    }
    if (mask !== undefined) {
      const n = Array.isArray(mask) ? mask.length : 0;
      const bad = !Array.isArray(mask) || n === 0 || mask.some((r) => !Array.isArray(r) || r.length !== n);
      if (bad)
        fail(
          '"P.mask" must be a square matrix (a list of n rows of n numbers) or the path of a CSV file holding one',
        );
      for (const [i, row] of mask.entries()) {
        for (const [j, v] of row.entries()) {
          if (v !== 0 && v !== 1) {
            fail(`"P.mask" row ${i + 1}, column ${j + 1} is ${typeOf(v)}; a mask holds only 0 and 1`);
          }
        }
      }
      mask = mask.map((r) => [...r]);
    }
    let allowed: [number, number][] | undefined;
    if (p.allowed !== undefined) {
      if (!Array.isArray(p.allowed))
        fail(`"P.allowed" must be a list of [i, j] pairs, but it is ${typeOf(p.allowed)}`);
      allowed = (p.allowed as unknown[]).map((pair, k) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          fail(
            `"P.allowed" entry ${k + 1} is ${typeOf(pair)}, not an [i, j] pair`,
            'write pairs of 1-based node numbers, e.g. "allowed": [[1, 2], [2, 1]]',
          );
        }
        const [i, j] = pair as unknown[];
        return [
          integer(i, `"P.allowed" entry ${k + 1}'s i`, 1),
          integer(j, `"P.allowed" entry ${k + 1}'s j`, 1),
        ];
      });
    }
    P = {
      constraint,
      ...(mask !== undefined ? { mask } : {}),
      ...(allowed !== undefined ? { allowed } : {}),
    };
  }

  let net: NetSpec | undefined;
  if (top.net !== undefined && top.net !== null) {
    const o = object(top.net, '"net"', KEYS.net);
    const block = integer(o.block, '"net.block"', 1);
    if (!Array.isArray(o.hidden)) {
      fail(
        o.hidden === undefined
          ? '"net.hidden" is missing'
          : `"net.hidden" must be a list, but it is ${typeOf(o.hidden)}`,
        'list the hidden layers, e.g. "hidden": [{ "width": 8, "activation": "tanh" }] ([] for none)',
      );
    }
    const hidden = (o.hidden as unknown[]).map((h, k) => {
      const path = `"net.hidden" layer ${k + 1}`;
      const l = object(h, path, KEYS.hidden);
      return {
        width: integer(l.width, `${path}'s width`, 1),
        activation: pick(l.activation, `${path}'s activation`, ACTIVATION_LIST),
      };
    });
    net = { block, hidden };
  }
  if (!linear && net === undefined) {
    fail(
      'the model has neither the linear part ("linear": false) nor a net, so du/dt would be 0',
      'set "linear": true, or add a "net"',
    );
  }
  return {
    name: name as string,
    ...(top.description !== undefined ? { description: top.description as string } : {}),
    linear,
    ...(P !== undefined ? { P } : {}),
    ...(net !== undefined ? { net } : {}),
  };
}

/**
 * Checks that a model fits data with n nodes: the net's block divides n, the mask is n × n and
 * the allowed pairs name nodes 1..n. `source` names the data; `model` names the model's origin.
 */
export function checkModelFits(spec: ModelSpec, n: number, source: string): void {
  const b = spec.net?.block;
  if (b !== undefined && n % b !== 0) {
    const below = n - (n % b);
    const sizes = below > 0 ? `${below} or ${below + b}` : `${b}`;
    throw new InputFileError(
      `${source} has ${n} nodes, but the ${modelTitle(spec)} model applies its net to blocks of ${b} nodes, so the node count must be a multiple of ${b}. ` +
        `Fix: ${spec.name === "ude" ? "use --model linear, or give" : `use a model whose net.block divides ${n}, or give`} ${sizes} nodes.`,
    );
  }
  const mask = spec.P?.mask;
  if (mask !== undefined && mask.length !== n) {
    throw new InputFileError(
      `the ${modelTitle(spec)} model's P.mask is ${mask.length} × ${mask.length}, but ${source} has ${n} nodes. Fix: give a ${n} × ${n} mask (one row and one column per node).`,
    );
  }
  const out = spec.P?.allowed?.find(([i, j]) => i > n || j > n);
  if (out !== undefined) {
    throw new InputFileError(
      `the ${modelTitle(spec)} model's P.allowed names the pair [${out[0]}, ${out[1]}], but ${source} has only ${n} nodes. Fix: use node numbers from 1 to ${n}.`,
    );
  }
}

/** How messages name a model: "UDE" and "linear" for the built-ins, the quoted name otherwise. */
export function modelTitle(spec: ModelSpec): string {
  if (spec.name === "ude") return "UDE";
  if (spec.name === "linear") return "linear";
  return `"${spec.name}"`;
}

/** True when the model is du/dt = A(P)·u alone, which the matrix exponential solves in closed form. */
export function hasClosedForm(spec: ModelSpec): boolean {
  return spec.linear && spec.net === undefined;
}

/** The spec with every hidden layer's activation replaced (the --activation option). */
export function withActivation(spec: ModelSpec, activation: ActivationName): ModelSpec {
  if (spec.net === undefined) return spec;
  return { ...spec, net: { ...spec.net, hidden: spec.net.hidden.map((h) => ({ ...h, activation })) } };
}

/** The activation of the net's hidden layers as one name: the first hidden layer's (identity without one). */
export function hiddenActivation(spec: ModelSpec): ActivationName {
  return spec.net?.hidden[0]?.activation ?? "identity";
}

/** The model on the first k nodes: the mask's leading k × k block, the allowed pairs within it. */
export function leadingSpec(spec: ModelSpec, k: number): ModelSpec {
  const P = spec.P;
  if (P === undefined || (P.mask === undefined && P.allowed === undefined)) return spec;
  return {
    ...spec,
    P: {
      constraint: P.constraint,
      ...(P.mask !== undefined ? { mask: P.mask.slice(0, k).map((r) => r.slice(0, k)) } : {}),
      ...(P.allowed !== undefined ? { allowed: P.allowed.filter(([i, j]) => i <= k && j <= k) } : {}),
    },
  };
}

/** The 0/1 pattern of P for n nodes (row-major), or undefined when every entry is free. */
export function maskOf(spec: ModelSpec, n: number): Float64Array | undefined {
  const P = spec.P;
  if (P?.mask !== undefined) return Float64Array.from(P.mask.flat());
  if (P?.allowed !== undefined) {
    const m = new Float64Array(n * n);
    for (const [i, j] of P.allowed) m[(i - 1) * n + (j - 1)] = 1;
    return m;
  }
  return undefined;
}

/** What the expm route applies to, worded for a model it does not apply to (hasClosedForm false). */
export function expmScope(spec: ModelSpec): string {
  const why = `${spec.name === "ude" ? "the UDE's" : `the ${modelTitle(spec)} model's`} net makes the ODE nonlinear`;
  return spec.name === "ude"
    ? `the linear model (${why})`
    : `models without a net, such as the linear model (${why})`;
}
