// The progress bar in an 80-column terminal (a pseudo-terminal, so the CLI sees a TTY), with
// Ctrl-C typed while it runs. issue #21: the bar was cut before its ETA, the "^C" echo garbled
// the bar's line, and the "Interrupted" message was overwritten by the next redraw.
import { expect, test } from "vitest";
import { tempDir } from "./run-cli.js";
import { runInTerminal, screen } from "./terminal.js";

const COLUMNS = 80;
const MESSAGE =
  "Interrupted: stopping after the current iteration and writing results (Ctrl-C again quits at once).";

test("80 columns: every bar fits with its ETA; Ctrl-C leaves the message whole and the bar intact", async () => {
  const out = tempDir("tty");
  let typed = false;
  const run = await runInTerminal(
    ["train", "--iters", "1000", "--time-budget", "300", "--out", out],
    COLUMNS,
    (output, type) => {
      // Ctrl-C once the bar has been redrawn a few times.
      if (!typed && output.split("Adam ").length > 4) {
        typed = true;
        type("\x03");
      }
    },
  );
  const shown = `the terminal received:\n${JSON.stringify(run.output)}\nscript's stderr: ${run.scriptErrors}`;
  expect(typed, shown).toBe(true);
  expect(run.code, shown).toBe(130);

  // Every state of the bar, as drawn: at most 80 − 3 columns (room for the "^C" echo), ETA last.
  const bars = run.output
    .split("\r")
    .filter((s) => /^(Adam {3}|L-BFGS )/.test(s))
    // The bar ends at its erase-to-end-of-line; what follows is the terminal's "^C" echo or a newline.
    .map((s) => s.split("\x1b[K")[0]);
  expect(bars.length).toBeGreaterThan(3);
  for (const bar of bars) {
    expect(bar.length).toBeLessThanOrEqual(COLUMNS - 3);
    expect(bar).toMatch(/ \| ETA (\d+(\.\d)? s|\d+ min \d\d s)$/);
  }

  // What the user sees at the end.
  const lines = screen(run.output, COLUMNS);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(COLUMNS);
  expect(lines.join("\n")).not.toMatch(/\^C/); // the echo was erased by the next redraw
  // Screen lines of exactly 80 characters continue on the next one (automatic wrapping).
  const logical: string[] = [];
  let wrapped = false;
  for (const line of lines) {
    if (wrapped) logical[logical.length - 1] += line;
    else logical.push(line);
    wrapped = line.length === COLUMNS;
  }
  const at = logical.findIndex((l) => l.startsWith("Interrupted:"));
  expect(at).toBeGreaterThan(0);
  // The message (99 characters, wrapped once) is whole: nothing overwrote either part.
  expect(logical[at]).toBe(MESSAGE);
  expect(logical[at + 1]).toMatch(
    /^Adam {3}\|[#-]+\| +\d+\/1100 it \| loss [\d.]+ \| [\d.]+ it\/s \| ETA .+$/,
  );
  expect(logical[at + 2]).toMatch(/^Stopped: interrupted\. Loss .* per gradient\)\.$/);
  // Then the summary lines, as printed (the last says what was written).
  expect(logical.slice(at + 3).some((l) => /^Wrote .*results\.json/.test(l))).toBe(true);
});
