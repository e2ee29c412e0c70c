// Every ```ts block of README.md type-checks under the workspace's strict settings, as a user
// would compile it (scripts/readme-typecheck.ts: blocks, continuations, skip markers). The
// checker itself is tested here on a README written for the purpose.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { readmePrograms, typecheckReadme } from "../../../scripts/readme-typecheck.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

test("the checker: continuations join programs, skips need a reason, errors point at README lines", () => {
  const readme = [
    "# A package", // 1
    "", // 2
    "```ts", // 3
    'import { tensor } from "@udekit/autodiff";', // 4
    "const x = tensor([1, 2]);", // 5
    "```", // 6
    "", // 7
    "```ts", // 8
    "// continues the example above", // 9
    "const n: string = x.size;", // 10: a number is not a string
    "```", // 11
    "", // 12
    "```ts", // 13
    "// readme-check: skip pseudo-code, not TypeScript", // 14
    "for each x in xs: print x", // 15
    "```", // 16
    "", // 17
    "```ts", // 18
    "// readme-check: skip", // 19
    "```", // 20
    "", // 21
    "```ts", // 22
    "// continues the example above", // 23
    "```", // 24
    "", // 25
    "```sh", // 26
    "not checked: not a ts block", // 27
    "```", // 28
    "", // 29
  ].join("\n");
  const markerErrors: string[] = [];
  const programs = readmePrograms(readme, markerErrors);
  // The block continuing a skipped one is reported, then checked on its own.
  expect(programs.map((p) => p.readmeLines)).toEqual([[4, 5, 9, 10], [23]]);
  expect(markerErrors).toEqual([
    'README.md:19: a "// readme-check: skip" marker must say why the block is not checked.',
    'README.md:23: "// continues the example above" but the block before it is not checked; make this block self-contained.',
  ]);

  // A package folder of its own (inside this package, so @udekit/autodiff resolves), checked for real.
  const dir = join(packageDir, ".readme-check", "checker-test");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "README.md"), readme);
  const { errors, programs: count } = typecheckReadme(dir);
  expect(count).toBe(2);
  expect(errors.slice(2)).toEqual([
    "README.md:10:7: error TS2322: Type 'number' is not assignable to type 'string'.",
  ]);
});

test("README.md's ts blocks type-check under --strict", () => {
  const { errors, programs } = typecheckReadme(packageDir);
  expect(errors).toEqual([]);
  expect(programs).toBeGreaterThan(0);
});
