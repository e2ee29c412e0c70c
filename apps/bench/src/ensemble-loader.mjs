// Loader of the ensemble suite's worker threads: TypeScript through tsx, and the workspace
// packages from source (the "@udekit/source" export condition), as `pnpm bench` runs this process.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
const hook = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "@udekit/source"] });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
