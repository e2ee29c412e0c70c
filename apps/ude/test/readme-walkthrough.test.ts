// The README's walkthrough quotes its runs' output; step 2 (400 iterations on docs/growth.csv,
// about 2 s) is deterministic, so its quoted closing line is checked against a fresh run of the
// README's own command: a change that moves the numbers fails here until the README is updated
// (re-run its steps 2–6 and regenerate docs/*.svg from the same runs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { APP_DIR, runCli, tempDir } from "./run-cli.js";

const README = readFileSync(join(APP_DIR, "README.md"), "utf8");

test("walkthrough step 2: the README's command gives the README's losses and iterations", async () => {
  const step = README.slice(README.indexOf("**2. Train**"), README.indexOf("**3. Look at the fit.**"));
  const command = /```sh\npnpm ude (train [^\n]*)\n```/.exec(step)?.[1];
  const quoted = /Stopped: completed\. Loss \S+ → \S+ \([^)]*\) in \d+ iterations/.exec(step)?.[0];
  expect(command).toBeDefined();
  expect(quoted).toBeDefined();
  const args = (command as string).split(" ");
  // The README writes to runs/growth; the test to a temporary folder.
  args[args.indexOf("--out") + 1] = tempDir("walkthrough");
  // From the repository root, as the README runs it.
  const r = await runCli(args, join(APP_DIR, "..", ".."));
  expect(r.code, r.stderr).toBe(0);
  const got = /Stopped: completed\. Loss \S+ → \S+ \([^)]*\) in \d+ iterations/.exec(r.stdout)?.[0];
  expect(got).toBe(quoted);
});
