// --out is made ready before any work: a path that cannot be a results folder fails at once with
// one `ude: … Fix: …` line and exit code 2 (before this, train ran to the end and then lost its
// results, and /proc/… hung in Node's recursive mkdir). A folder that already holds results is
// kept, and the run writes to the first free numbered sibling, saying so.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

const dir = tempDir("out");
const aFile = join(dir, "a-file");
writeFileSync(aFile, "not a folder\n");
const FIX =
  "Fix: pass --out with a folder in a writable place (it is created if missing), e.g. --out ude-results.";

const CASES: [string, string[], string][] = [
  [
    "train --out an existing file",
    ["train", "--out", aFile],
    `ude: --out "${aFile}" is a file, not a folder. Fix: pass --out with a folder name (it is created if missing), e.g. --out ude-results.`,
  ],
  [
    "train --out inside a file",
    ["train", "--out", join(aFile, "sub")],
    `ude: cannot create the output folder "${join(aFile, "sub")}": ${aFile} is a file, not a folder. ${FIX}`,
  ],
  [
    "train --out /sys/nope",
    ["train", "--out", "/sys/nope"],
    `ude: cannot create the output folder "/sys/nope": permission denied. ${FIX}`,
  ],
  [
    "train --out /proc/nope (Node's recursive mkdir would spin forever there)",
    ["train", "--out", "/proc/nope"],
    `ude: cannot create the output folder "/proc/nope": this file system does not allow new folders here. ${FIX}`,
  ],
  [
    "demo --out /proc/nope/deeper",
    ["demo", "--out", "/proc/nope/deeper"],
    `ude: cannot create the output folder "/proc/nope/deeper": this file system does not allow new folders here. ${FIX}`,
  ],
];

describe("--out that cannot hold results: one line, exit code 2, before any work", () => {
  test.concurrent.each(CASES)("%s", async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toBe(`${message}\n`);
    // Nothing on stdout: no training (or gradient table) started — it prints its first line
    // before any work. (/proc/nope hung forever before: the test's time-out catches that.)
    expect(r.stdout).toBe("");
    expect(r.code).toBe(2);
  });
});

test("an existing results folder is kept: the run writes to the first free numbered sibling", async () => {
  const data = join(dir, "four.csv");
  writeFileSync(data, "0.1,0.2\n0.3,0.4\n0.5,0.6\n0.7,0.8\n");
  const out = join(dir, "runs");
  mkdirSync(out);
  writeFileSync(join(out, "results.json"), "earlier\n");
  mkdirSync(`${out}-2`); // taken (even though empty): the run must skip it
  const args = ["train", "--model", "linear", "--data", data, "--optimizer", "adam", "--iters", "1"];
  const r = await runCli([...args, "--out", out]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe(
    `note: ${out} already holds an earlier run's results, which are kept; this run writes to ${out}-3.\n`,
  );
  expect(r.stdout).toMatch(new RegExp(`Wrote ${out}-3/results\\.json`));
  expect(readFileSync(join(out, "results.json"), "utf8")).toBe("earlier\n");
  expect(existsSync(join(`${out}-3`, "report.html"))).toBe(true);
  // An existing folder without results (e.g. an empty one) is used as it is.
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const r2 = await runCli([...args, "--out", empty]);
  expect(r2.code).toBe(0);
  expect(r2.stderr).toBe("");
  expect(existsSync(join(empty, "results.json"))).toBe(true);
});
