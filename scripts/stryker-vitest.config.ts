// The vitest configuration of a mutation run (stryker.config.mjs): the module's own project
// config, less the allocation guards. Those count heap growth or typed-array constructions per
// step, and Stryker's instrumentation (its per-call mutant switches and coverage counters)
// allocates by itself, so they fail on unmutated code. They run in the normal suite.
import { mergeConfig } from "vitest/config";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by stryker.config.mjs for the mutation run, not a turbo task
const project = process.env.UDEKIT_MUTATE_PROJECT;
if (project === undefined)
  throw new Error("UDEKIT_MUTATE_PROJECT is not set: run mutation tests with `pnpm mutate`.");
const base = (await import(`../${project}/vitest.config.ts`)).default;

export default mergeConfig(base, {
  test: {
    exclude: ["**/node_modules/**", "**/allocation.test.ts", "**/backward-allocation.test.ts"],
    // Tests named "… allocate nothing …" inside other files (vitest has no negative name filter).
    testNamePattern: /^(?!.*allocate nothing).*$/,
  },
});
