// "@udekit/autodiff/testing" must resolve under every TypeScript module resolution, node10 and
// the CommonJS ones included (they ignore `exports`: package.json's `typesVersions` maps it).
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { resolutionProblems } from "../../../scripts/package-resolutions.js";

test("every exported subpath resolves under node10, node16 (CJS and ESM) and bundler", async () => {
  expect(await resolutionProblems(fileURLToPath(new URL("..", import.meta.url)))).toEqual([]);
});
