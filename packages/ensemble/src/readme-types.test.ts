// Every ```ts block of README.md type-checks under the workspace's strict settings, as a user
// would compile it (scripts/readme-typecheck.ts: blocks, continuations, skip markers).
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { typecheckReadme } from "../../../scripts/readme-typecheck.js";

test("README.md's ts blocks type-check under --strict", () => {
  const { errors, programs } = typecheckReadme(fileURLToPath(new URL("..", import.meta.url)));
  expect(errors).toEqual([]);
  expect(programs).toBeGreaterThan(0);
});
