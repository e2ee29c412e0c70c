// StrykerJS mutation testing (issue #23): `pnpm mutate <module>` (scripts/mutate.mjs) picks one
// module below; each runs against its own package's vitest project, so the dry run and every
// mutant run only that package's tests. Not in CI: the ode modules take tens of minutes on 2 cores.
// Scores and surviving mutants are recorded in TESTING.md.

/** Modules where a silent bug costs most: what is mutated and whose tests judge it. */
export const MODULES = {
  "autodiff-ops": {
    project: "packages/autodiff",
    mutate: [
      "packages/autodiff/src/ops/*.ts",
      "!packages/autodiff/src/ops/*.test.ts",
      "!packages/autodiff/src/ops/index.ts",
    ],
  },
  "autodiff-compile": {
    project: "packages/autodiff",
    mutate: [
      "packages/autodiff/src/compile.ts",
      "packages/autodiff/src/compile/*.ts",
      "!packages/autodiff/src/compile/*.test.ts",
    ],
  },
  "linear-ode": {
    project: "packages/linear-ode",
    mutate: ["packages/linear-ode/src/expm.ts", "packages/linear-ode/src/expm-frechet.ts"],
  },
  "ode-steppers": {
    project: "packages/ode",
    mutate: ["packages/ode/src/erk/engine.ts", "packages/ode/src/rosenbrock/engine.ts"],
  },
  "ode-sensitivity": {
    project: "packages/ode",
    mutate: [
      "packages/ode/src/sensitivity/*.ts",
      "!packages/ode/src/sensitivity/*.test.ts",
      "!packages/ode/src/sensitivity/index.ts",
    ],
    // The stiff gradient bank (≈ 70 s, 117 cases) would run for most mutants of the stiff
    // adjoints; the sensitivity tests judge them instead (TESTING.md says which).
    skipTests: ["**/stiff-gradient-bank.test.ts"],
  },
  "nn-layers": {
    project: "packages/nn",
    mutate: [
      "packages/nn/src/layers/*.ts",
      "!packages/nn/src/layers/*.test.ts",
      "!packages/nn/src/layers/index.ts",
    ],
  },
  "ude-cli": {
    project: "apps/ude",
    mutate: ["apps/ude/src/cli.ts"],
    // The exit paths are tested in process by cli.test.ts; the app's other tests spawn the CLI
    // (a child process runs unmutated code) or train models for minutes.
    tests: ["src/cli.test.ts"],
  },
};

// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by Stryker through scripts/mutate.mjs, not by a turbo task
const name = process.env.UDEKIT_MUTATE_MODULE ?? "autodiff-ops";
const module = MODULES[name];
if (module === undefined) {
  throw new Error(`unknown mutation module "${name}": use one of ${Object.keys(MODULES).join(", ")}`);
}
process.env.UDEKIT_MUTATE_PROJECT = module.project;
if (module.tests !== undefined) process.env.UDEKIT_MUTATE_TESTS = module.tests.join(",");
if (module.skipTests !== undefined) process.env.UDEKIT_MUTATE_SKIP = module.skipTests.join(",");

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // pnpm does not hoist the runner next to @stryker-mutator/core, so name it explicitly.
  plugins: ["@stryker-mutator/vitest-runner"],
  // related: false: the project root is the package, so vitest cannot match the repo-relative
  // mutated paths to its import graph; perTest coverage still picks the tests per mutant.
  // scripts/stryker-vitest.config.ts is the project's config without the allocation guards.
  vitest: { configFile: "scripts/stryker-vitest.config.ts", related: false, dir: module.project },
  mutate: module.mutate,
  // Only the tests that cover a mutant run for it (vitest reports per-test coverage).
  coverageAnalysis: "perTest",
  // 2 cores shared with other engineers' work.
  concurrency: 1,
  // A mutant that turns a loop infinite is "timeout" (detected), not a hang. Its limit is
  // 2 × the covering tests' own time + 10 s: long enough for a loaded 2-core machine, short
  // enough that the many loop mutants (i++ → i--) do not dominate the run.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // Committed (see TESTING.md): a fresh clone re-runs only the mutants whose code or tests changed.
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  // The incremental file is the full JSON report (mutation-testing-report-schema); the HTML one
  // is for reading locally and is not committed.
  reporters: ["clear-text", "progress-append-only", "html"],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // The dry run executes the module's whole test project once (minutes for ode on a loaded machine).
  dryRunTimeoutMinutes: 30,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 90, low: 85, break: null },
  ignoreStatic: true,
};
