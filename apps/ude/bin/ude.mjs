#!/usr/bin/env node
// The `ude` command: runs src/cli.ts from TypeScript source in this very process (tsx's loader
// plus a resolve hook that adds the "@udekit/source" export condition, so workspace packages
// load from source). One process, so Ctrl-C reaches the CLI's own SIGINT handler directly.
import { register as registerHooks } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

registerTsx();
const addSourceCondition = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, "@udekit/source"] });
}`;
registerHooks(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, import.meta.url);
const { run } = await import(new URL("../src/cli.ts", import.meta.url).href);
await run();
