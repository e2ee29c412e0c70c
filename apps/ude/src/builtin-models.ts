/**
 * The built-in models, by name: the two models of the seed problem (README.md, "The problem it
 * reproduces") as model files (models/linear.json, models/ude.json), imported so the app needs
 * no file path to find them, and validated like any user's model file. Adding a built-in is
 * adding a file here and a line below.
 */

import type { ActivationName } from "@udekit/nn";
import linearJson from "../models/linear.json" with { type: "json" };
import udeJson from "../models/ude.json" with { type: "json" };
import { type ModelSpec, parseModelSpec, withActivation } from "./model-spec.js";

const builtin = (json: unknown, file: string) =>
  parseModelSpec(json, { what: `built-in model file models/${file}` });

/** The built-in models by name. */
export const MODELS = {
  linear: builtin(linearJson, "linear.json"),
  ude: builtin(udeJson, "ude.json"),
} as const satisfies Record<string, ModelSpec>;

/** The name of a built-in model. */
export type ModelKind = keyof typeof MODELS;
export const MODEL_KINDS = Object.keys(MODELS) as ModelKind[];

/** A model given by a built-in's name or as a spec. */
export type ModelRef = ModelKind | ModelSpec;

/** The spec of a model reference; a built-in given with an activation gets it on its hidden layers. */
export function specOf(model: ModelRef, activation?: ActivationName): ModelSpec {
  const spec = typeof model === "string" ? MODELS[model] : model;
  return activation !== undefined ? withActivation(spec, activation) : spec;
}
