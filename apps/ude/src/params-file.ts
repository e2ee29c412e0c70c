/**
 * Reading parameters back (`--params`): from a results.json (its `model` description and its
 * `parameters`), a bare parameter object `{ model, activation, n, P, nn }`, or the seed fixture's
 * `{ connectivity, nn }`. Documents without a `model` description (written before model files
 * existed, and the fixture) name a built-in model, or imply one (a net: ude; none: linear).
 * Checked shape by shape against the model.
 */
import { ACTIVATIONS, type ActivationName } from "@udekit/nn";
import { readUserFile } from "./data.js";
import { InputFileError } from "./errors.js";
import {
  type LayerValues,
  layersFit,
  MODEL_KINDS,
  MODELS,
  type ModelParams,
  makeParams,
  netLayer,
} from "./model.js";
import { checkModelFits, type ModelSpec, parseModelSpec, withActivation } from "./model-spec.js";

function isMatrix(x: unknown, rows: number, cols: number): x is number[][] {
  return (
    Array.isArray(x) &&
    x.length === rows &&
    x.every(
      (r) =>
        Array.isArray(r) && r.length === cols && r.every((v) => typeof v === "number" && Number.isFinite(v)),
    )
  );
}

/** "2 layers: weight 5×4 and bias 5, then weight 4×5 and bias 4". */
function layerShapes(spec: ModelSpec): string {
  if (spec.net === undefined) return "no net";
  const dense = netLayer(spec.net).paramShapes();
  const parts = Object.values(dense).map((l) => {
    const { weight, bias } = l as { weight: number[]; bias: number[] };
    return `weight ${weight[0]}×${weight[1]} and bias ${bias[0]}`;
  });
  return `${parts.length} layer${parts.length === 1 ? "" : "s"}: ${parts.join(", then ")}`;
}

/** The model a parameter document describes. */
function modelOf(
  doc: Record<string, unknown>,
  src: Record<string, unknown>,
  file: string,
  fallbackActivation: ActivationName,
): ModelSpec {
  if (typeof doc.model === "object" && doc.model !== null) {
    return parseModelSpec(doc.model, { what: `parameter file "${file}" (its "model")` });
  }
  const name = MODEL_KINDS.find((k) => k === src.model) ?? (src.nn ? "ude" : "linear");
  const activation =
    typeof src.activation === "string" && Object.hasOwn(ACTIVATIONS, src.activation)
      ? (src.activation as ActivationName)
      : fallbackActivation;
  return withActivation(MODELS[name], activation);
}

/** Parameters from a file, with the model they belong to. */
export function loadParamsFile(file: string, fallbackActivation: ActivationName = "identity"): ModelParams {
  const fix = "pass the results.json that `ude train` wrote (or the seed fixture).";
  const text = readUserFile(file, "parameter file", fix);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InputFileError(`parameter file "${file}" is not valid JSON. Fix: ${fix}`);
  }
  if (typeof doc !== "object" || doc === null) {
    throw new InputFileError(`parameter file "${file}" holds no object. Fix: ${fix}`);
  }
  const src = (
    typeof doc.parameters === "object" && doc.parameters !== null ? doc.parameters : doc
  ) as Record<string, unknown>;
  const spec = modelOf(doc, src, file, fallbackActivation);
  let P = (src.P ?? src.connectivity) as number[][];
  let n: number;
  if (spec.linear) {
    n = Array.isArray(P) ? P.length : 0;
    if (!isMatrix(P, n, n) || n === 0) {
      throw new InputFileError(
        `parameter file "${file}" has no square matrix of finite numbers under "parameters.P" (or "connectivity"). Fix: ${fix}`,
      );
    }
    if (spec.P?.constraint === "nonnegative" && P.some((r) => r.some((v) => v < 0))) {
      throw new InputFileError(
        `parameter file "${file}" has a negative entry in P, but its model constrains P to be nonnegative. Fix: ${fix}`,
      );
    }
  } else {
    n = typeof src.n === "number" && Number.isSafeInteger(src.n) && src.n > 0 ? src.n : 0;
    if (n === 0) {
      throw new InputFileError(
        `parameter file "${file}" has no node count under "parameters.n". Fix: ${fix}`,
      );
    }
    P = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  }
  let layers: LayerValues[] = [];
  if (spec.net !== undefined) {
    const ls = (src.nn as { layers?: unknown } | undefined)?.layers as LayerValues[];
    if (!layersFit(spec, ls)) {
      throw new InputFileError(
        `parameter file "${file}" has no valid net under "nn.layers" (expected ${layerShapes(spec)}). Fix: ${fix}`,
      );
    }
    layers = ls;
  }
  checkModelFits(spec, n, `parameter file "${file}"`);
  return makeParams(spec, P, layers);
}
