#!/usr/bin/env node
// `pnpm mutate <module> [stryker options]`: runs StrykerJS on one module of stryker.config.mjs
// (e.g. `pnpm mutate linear-ode`, `pnpm mutate ode-sensitivity --mutate packages/ode/src/sensitivity/backward-driver.ts`).
// Without a module it lists them. Not part of CI (see TESTING.md).
import { spawnSync } from "node:child_process";
import { MODULES } from "../stryker.config.mjs";

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !(name in MODULES)) {
  const known = Object.keys(MODULES).join(", ");
  console.error(
    name === undefined
      ? `usage: pnpm mutate <module> [stryker options]; modules: ${known}`
      : `unknown module "${name}"; modules: ${known}`,
  );
  process.exit(name === undefined ? 0 : 2);
}
const result = spawnSync("stryker", ["run", "stryker.config.mjs", ...rest], {
  stdio: "inherit",
  env: { ...process.env, UDEKIT_MUTATE_MODULE: name },
});
process.exit(result.status ?? 1);
