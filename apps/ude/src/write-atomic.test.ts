// results.json and checkpoint.json are written atomically: a temporary file in the same folder,
// renamed over the target; a failed write leaves the previous file and no temporary behind.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { InputFileError } from "./errors.js";
import { writeAtomic } from "./results.js";

test("writeAtomic replaces the file whole and leaves no temporary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ude-atomic-"));
  const path = join(dir, "checkpoint.json");
  writeFileSync(path, "old");
  writeAtomic(path, "new");
  expect(readFileSync(path, "utf8")).toBe("new");
  expect(readdirSync(dir)).toEqual(["checkpoint.json"]);
});

test("a write that fails (the target is a folder) throws the app's error and cleans up", () => {
  const dir = mkdtempSync(join(tmpdir(), "ude-atomic-"));
  const target = join(dir, "results.json");
  mkdirSync(target);
  writeFileSync(join(target, "inside"), "x");
  expect(() => writeAtomic(target, "new")).toThrow(InputFileError);
  expect(() => writeAtomic(target, "new")).toThrow(
    /cannot write .*results\.json.*Fix: keep the output folder writable/,
  );
  expect(readdirSync(dir)).toEqual(["results.json"]);
  expect(readdirSync(target)).toEqual(["inside"]);
});
