// The browser test of the Web Worker pool (e2e/*.e2e.ts): Chromium driven by playwright-core on
// pages served by Vite's dev server. Not a project of the root vitest.config.ts, so `pnpm test`
// stays browser-free; run it with `pnpm --filter @udekit/ensemble test:e2e`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages from TypeScript source (as vitest.shared.ts does for the unit tests): a
  // fresh clone has no dist/ to resolve them to.
  ssr: {
    resolve: {
      conditions: ["@udekit/source", "module", "node", "development|production"],
    },
  },
  test: {
    name: "ensemble-e2e",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
