// The end-to-end tests (e2e/*.e2e.ts): the built page in Chromium. Not a project of the root
// vitest.config.ts, so `pnpm test` stays browser-free; run them with `pnpm test:e2e`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "web-e2e",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
