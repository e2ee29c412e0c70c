// The browser test of the Web Worker pool (e2e/*.e2e.ts): Chromium driven by playwright-core on
// pages served by Vite's dev server. Not a project of the root vitest.config.ts, so `pnpm test`
// stays browser-free; run it with `pnpm --filter @udekit/ensemble test:e2e`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "ensemble-e2e",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
