#!/usr/bin/env node
// The `ude` command: runs src/cli.ts from TypeScript source in this very process (tsx's loader
// plus a resolve hook that adds the "@udekit/source" export condition, so workspace packages
// load from source). One process, so Ctrl-C reaches the CLI's own SIGINT handler directly.
//
// The hook also resolves every @udekit/* import from this app, whichever package asks: the
// packages name each other as peer dependencies, which the consumer — this app — provides. A
// production install (`pnpm install --prod --filter ude...`, the root README's run command)
// gives the packages no copies of their own (those are dev dependencies), so a package's own
// import of a sibling would not resolve from its folder.
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
const { run } = await import(new URL("../src/cli.ts", import.meta.url).href);
await run();
