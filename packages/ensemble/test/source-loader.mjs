// Test-only loader for worker threads: TypeScript through tsx, and workspace packages from source
// (the "@udekit/source" export condition, as vitest's ssr.resolve.conditions does for the tests).
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
const hook = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "@udekit/source"] });
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
