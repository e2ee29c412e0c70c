#!/usr/bin/env node
// `pnpm mutate <module> [stryker options]`: runs StrykerJS on one module of stryker.config.mjs
// (e.g. `pnpm mutate linear-ode`, `pnpm mutate ode-sensitivity --mutate packages/ode/src/sensitivity/backward-driver.ts`).
// Without a module it lists them. Not part of CI (see TESTING.md).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { MODULES } from "../stryker.config.mjs";
import { mergeReports } from "./merge-mutation-reports.mjs";

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
// Stryker writes the incremental file with the files of this run only: a run scoped with
// --mutate would drop the other files' results. They are merged back afterwards.
const incrementalFile = `reports/mutation/${name}.incremental.json`;
const before = existsSync(incrementalFile) ? readFileSync(incrementalFile, "utf8") : undefined;
const result = spawnSync("stryker", ["run", "stryker.config.mjs", ...rest], {
  stdio: "inherit",
  env: { ...process.env, UDEKIT_MUTATE_MODULE: name },
});
if (before !== undefined && existsSync(incrementalFile)) {
  const after = readFileSync(incrementalFile, "utf8");
  if (after !== before) {
    writeFileSync(
      incrementalFile,
      JSON.stringify(mergeReports(JSON.parse(before), JSON.parse(after)), null, 2),
    );
  }
}
process.exit(result.status ?? 1);
