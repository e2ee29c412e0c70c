// The vitest configuration of a mutation run (stryker.config.mjs): the module's own project
// config, less the allocation guards. Those count heap growth or typed-array constructions per
// step, and Stryker's instrumentation (its per-call mutant switches and coverage counters)
// allocates by itself, so they fail on unmutated code. They run in the normal suite.
import { mergeConfig, type UserConfig } from "vitest/config";
import ude from "../apps/ude/vitest.config.ts";
import autodiff from "../packages/autodiff/vitest.config.ts";
import linearOde from "../packages/linear-ode/vitest.config.ts";
import nn from "../packages/nn/vitest.config.ts";
import ode from "../packages/ode/vitest.config.ts";

// Static imports: the config loader bundles them (a dynamic import of a .ts file would not load).
const PROJECTS: Record<string, UserConfig> = {
  "packages/autodiff": autodiff,
  "packages/linear-ode": linearOde,
  "packages/ode": ode,
  "packages/nn": nn,
  "apps/ude": ude,
};
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by stryker.config.mjs for the mutation run, not a turbo task
const project = process.env.UDEKIT_MUTATE_PROJECT ?? "";
const base = PROJECTS[project];
if (base === undefined) {
  throw new Error(
    `UDEKIT_MUTATE_PROJECT is "${project}", not one of ${Object.keys(PROJECTS).join(", ")}: run mutation tests with \`pnpm mutate\`.`,
  );
}

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by stryker.config.mjs for modules that name their tests
const only = process.env.UDEKIT_MUTATE_TESTS;
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by stryker.config.mjs for modules that leave slow tests out
const skip = process.env.UDEKIT_MUTATE_SKIP?.split(",") ?? [];

const config = mergeConfig(base, {
  test: {
    // readme-types runs tsc on the README blocks, readme-run runs them in Node processes: about
    // the READMEs, and they fail in Stryker's sandbox (other paths), so they are left out too.
    exclude: [
      "**/node_modules/**",
      "**/allocation.test.ts",
      "**/backward-allocation.test.ts",
      "**/readme-types.test.ts",
      "**/readme-run.test.ts",
      ...skip,
    ],
    // Tests named "… allocate nothing …" inside other files (vitest has no negative name filter).
    testNamePattern: /^(?!.*allocate nothing).*$/,
  },
});
// mergeConfig concatenates arrays, so a module's own test list replaces the include afterwards.
if (only !== undefined && config.test !== undefined) config.test.include = only.split(",");

export default config;
