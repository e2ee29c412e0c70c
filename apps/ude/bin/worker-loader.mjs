// Loader of the worker threads of `ude gradient` / `ude train` with several experiments (the
// @udekit/ensemble pool): the same hooks as bin/ude.mjs installs in the main thread — tsx for
// TypeScript source, the "@udekit/source" condition, and every @udekit/* import resolved from this
// app (which provides the packages' peer dependencies) — since each worker thread loads
// src/ensemble-worker.ts on its own.
import { register as registerHooks } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
const app = new URL("../package.json", import.meta.url).href;
const hook = `export async function resolve(specifier, context, next) {
  const conditions = [...context.conditions, "@udekit/source"];
  const parentURL = specifier.startsWith("@udekit/") ? ${JSON.stringify(app)} : context.parentURL;
  return next(specifier, { ...context, conditions, parentURL });
}`;
registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
