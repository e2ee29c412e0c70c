// Every ```ts block of README.md runs (scripts/readme-run.ts: each program in its own Node
// process through tsx; a thrown error or a non-zero exit fails). The runner itself is tested
// here on a README written for the purpose.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runReadme } from "../../../scripts/readme-run.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

test("the runner: a throw and a non-zero exit fail with their README line, skips need a reason", async () => {
  const readme = [
    "```ts", // 1
    'import { tensor } from "@udekit/autodiff";', // 2
    "const x = tensor([1, 2]);", // 3
    "```", // 4
    "```ts", // 5
    "// continues the example above", // 6
    'if (x.size !== 2) throw new Error("unreachable");', // 7
    "```", // 8
    "```ts", // 9
    'import { tensor } from "@udekit/autodiff";', // 10
    "tensor([1, 2]).item(); // a vector has no single item: throws", // 11
    "```", // 12
    "```ts", // 13
    "process.exitCode = 3;", // 14
    "```", // 15
    "```ts", // 16
    "// An example for the browser.", // 17
    "// readme-run: skip needs a DOM", // 18
    "document.title = 'x';", // 19
    "```", // 20
    "```ts", // 21
    "// readme-run: skip", // 22
    "```", // 23
  ].join("\n");
  // A package folder of its own (inside this package, so @udekit/autodiff resolves).
  const dir = join(packageDir, ".readme-run", "runner-test");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "README.md"), readme);
  const { errors, ran, skipped } = await runReadme(dir);
  expect(ran).toBe(3);
  expect(skipped).toEqual([
    { line: 17, reason: "needs a DOM" },
    { line: 22, reason: "" },
  ]);
  expect(errors).toHaveLength(3);
  expect(errors[0]).toBe('README.md:22: a "// readme-run: skip" marker must say why the block does not run.');
  const failed = errors.slice(1).sort();
  expect(failed[0]).toMatch(
    /^README\.md:10: the example starting here exited with code 1:\n[\s\S]*ShapeError/,
  );
  expect(failed[1]).toMatch(/^README\.md:14: the example starting here exited with code 3:/);
});

test("README.md's ts blocks run", async () => {
  const { errors, ran, skipped } = await runReadme(packageDir);
  expect(errors).toEqual([]);
  expect(ran).toBeGreaterThan(0);
  expect(skipped).toEqual([]);
});
