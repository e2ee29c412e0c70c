// The page's unit tests (src/**/*.test.ts, in Node), part of `pnpm test`. The end-to-end tests
// in Chromium are e2e/*.e2e.ts, run by vitest.e2e.config.ts (`pnpm test:e2e`), not from here.
import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(shared, defineProject({ test: { name: "web" } }));
