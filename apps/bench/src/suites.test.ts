// run.ts runs every src/suites/<name>.ts as a suite, in a process of its own that calls the one
// function it exports named …Suite: a helper module put in that folder fails the whole run at its
// end (as one did), so every file there must export such a function.
import { readdirSync } from "node:fs";
import { expect, test } from "vitest";

const dir = new URL("./suites/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

test("there are suites", () => {
  expect(files.length).toBeGreaterThan(5);
});

test.each(files)("suites/%s exports one function named …Suite", async (file) => {
  const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
  const suites = Object.entries(mod).filter(([k, v]) => k.endsWith("Suite") && typeof v === "function");
  expect(suites.map(([k]) => k)).toHaveLength(1);
});
