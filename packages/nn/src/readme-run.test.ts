// Every ```ts block of README.md runs, as a user would run it (scripts/readme-run.ts: each
// program in its own Node process through tsx; a thrown error or a non-zero exit fails).
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runReadme } from "../../../scripts/readme-run.js";

test("README.md's ts blocks run", async () => {
  const { errors, ran, skipped } = await runReadme(fileURLToPath(new URL("..", import.meta.url)));
  expect(errors).toEqual([]);
  expect(ran).toBeGreaterThan(0);
  expect(skipped).toEqual([]);
});
