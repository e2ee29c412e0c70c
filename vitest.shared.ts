// Shared vitest settings, merged by every workspace member's vitest.config.ts.
// Tests import workspace dependencies from TypeScript source through the
// "@udekit/source" export condition, so no build step is needed before testing.
// For Node (SSR) tests only ssr.resolve.conditions applies, and setting it replaces
// the defaults, so they are repeated here.
import { defineConfig } from "vitest/config";

export default defineConfig({
  ssr: {
    resolve: {
      conditions: ["@udekit/source", "module", "node", "development|production"],
    },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
