// Ctrl-C during training: the first SIGINT stops after the current iteration, writes the results
// so far and exits with 130; a second SIGINT ends the process at once. SIGTERM (kill, a batch
// scheduler, timeout) and SIGHUP (a closed terminal) do the same, exiting with 143 and 129.
// Training on several experiments (--data repeated: the worker pool) behaves the same.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { startCli, tempDir } from "./run-cli.js";
import { runInTerminal } from "./terminal.js";

test("SIGINT after the first progress line: results written, exit code 130", async () => {
  const out = tempDir("sigint");
  let sent = false;
  const { done } = startCli(["train", "--iters", "1000", "--time-budget", "300", "--out", out], {
    onStdout: (text, child) => {
      if (!sent && /iteration 1\//.test(text)) {
        sent = true;
        child.kill("SIGINT");
      }
    },
  });
  const r = await done;
  expect(sent).toBe(true);
  expect(r.code).toBe(130);
  expect(r.stdout).toMatch(/Interrupted: stopping after the current iteration/);
  expect(r.stdout).toMatch(/Stopped: interrupted/);
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.training.status).toBe("interrupted");
  expect(doc.training.iterations).toBeGreaterThanOrEqual(1);
  expect(doc.training.iterations).toBeLessThan(1000);
  expect(doc.training.history).toHaveLength(doc.training.iterations);
  expect(doc.parameters.P).toHaveLength(100);
  expect(readFileSync(join(out, "report.html"), "utf8")).toMatch(/interrupted/);
});

test("a second SIGINT exits at once", async () => {
  const out = tempDir("sigint2");
  let first = false;
  let second = false;
  const { done } = startCli(["train", "--iters", "1000", "--time-budget", "300", "--out", out], {
    onStdout: (text, child) => {
      if (!first && /iteration 1\//.test(text)) {
        first = true;
        child.kill("SIGINT");
      } else if (first && !second && /Interrupted:/.test(text)) {
        // The handler has run and removed itself: this one gets the default action.
        second = true;
        child.kill("SIGINT");
      }
    },
  });
  const r = await done;
  expect(second).toBe(true);
  expect(r.signal).toBe("SIGINT");
  expect(r.stdout).not.toMatch(/Wrote /);
});

test("SIGINT during the demo's gradient table: the rows measured so far are written, exit code 130", async () => {
  const out = tempDir("sigint-demo");
  let sent = false;
  // 400 timed runs per method (about 10–20 ms each, so 4–8 s a method). The SIGINT comes
  // 1.5 s into the second method: past its warm-up (about 0.1 s), far from its end.
  const { done } = startCli(["demo", "--repeat", "400", "--out", out], {
    onStdout: (text, child) => {
      if (!sent && /InterpolatingAdjoint \(checkpointing\) …/.test(text)) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 1500);
      }
    },
  });
  const r = await done;
  expect(sent).toBe(true);
  expect(r.code).toBe(130);
  expect(r.stdout).toMatch(
    /Interrupted: stopping after the current gradient run and writing the table so far/,
  );
  expect(r.stdout).not.toMatch(/2\. The UDE/); // no training started
  expect(r.stdout).toMatch(/Stopped \(interrupted\): Ctrl-C during the gradient table/);
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.command).toBe("demo");
  expect(doc.training).toMatchObject({ status: "interrupted", iterations: 0, history: [] });
  const rows = doc.gradient_table.rows as { method: string; repeat: number; note?: string }[];
  // The first method finished its 400 runs; the second was cut short and says after how many.
  expect(rows.map((x) => x.method)).toEqual(["interpolating", "interpolating-checkpointed"]);
  expect(rows[0]).toMatchObject({ repeat: 400 });
  expect(rows[1].repeat).toBeGreaterThanOrEqual(1);
  expect(rows[1].repeat).toBeLessThan(400);
  expect(rows[1].note).toBe(
    `interrupted after ${rows[1].repeat} timed run${rows[1].repeat === 1 ? "" : "s"}`,
  );
  // The starting parameters are saved, so the file works as --params.
  expect(doc.parameters.P).toHaveLength(100);
  expect(readFileSync(join(out, "report.html"), "utf8")).toMatch(/InterpolatingAdjoint/);
});

test.each([
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const)("%s after the first progress line: results written, exit code %i", async (signal, code) => {
  const out = tempDir(signal.toLowerCase());
  let sent = false;
  const { done } = startCli(["train", "--iters", "1000", "--time-budget", "300", "--out", out], {
    onStdout: (text, child) => {
      if (!sent && /iteration 1\//.test(text)) {
        sent = true;
        child.kill(signal);
      }
    },
  });
  const r = await done;
  expect(sent).toBe(true);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toContain(
    `Interrupted by ${signal}: stopping after the current iteration and writing results (a second ${signal} quits at once).`,
  );
  expect(r.stdout).toMatch(new RegExp(`Stopped \\(interrupted\\): ${signal} received\\. Loss `));
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.training).toMatchObject({ status: "interrupted", message: `${signal} received.` });
  expect(doc.training.iterations).toBeGreaterThanOrEqual(1);
  expect(doc.training.iterations).toBeLessThan(1000);
  expect(doc.parameters.P).toHaveLength(100);
  expect(existsSync(join(out, "report.html"))).toBe(true);
});

test("closing the terminal (SIGHUP, then writes fail with EIO): the results are still written", async () => {
  const out = tempDir("hangup");
  let closed = false;
  await runInTerminal(
    ["train", "--iters", "1000", "--time-budget", "300", "--out", out],
    80,
    (output, _type, hangUp) => {
      if (!closed && output.split("Adam ").length > 2) {
        closed = true;
        hangUp();
      }
    },
  );
  expect(closed).toBe(true);
  // The terminal is gone, and with it the exit code: wait for the last file the run writes.
  const report = join(out, "report.html");
  for (let waited = 0; !existsSync(report) && waited < 30_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.training).toMatchObject({ status: "interrupted", message: "SIGHUP received." });
  expect(doc.training.iterations).toBeLessThan(1000);
  expect(existsSync(report)).toBe(true);
});

test.each([
  [
    "SIGINT",
    130,
    "Interrupted: stopping after the current iteration and writing results (Ctrl-C again quits at once).",
    "",
  ],
  [
    "SIGTERM",
    143,
    "Interrupted by SIGTERM: stopping after the current iteration and writing results (a second SIGTERM quits at once).",
    "SIGTERM received.",
  ],
  [
    "SIGHUP",
    129,
    "Interrupted by SIGHUP: stopping after the current iteration and writing results (a second SIGHUP quits at once).",
    "SIGHUP received.",
  ],
] as const)(
  "several experiments: %s after the first iteration, results written, exit code %i",
  async (signal, code, note, message) => {
    const out = tempDir(`ensemble-${signal.toLowerCase()}`);
    const data = ["experiment-1.csv", "experiment-2.csv"].map((f) => join("data", "seed-ensemble", f));
    let sent = false;
    const { done } = startCli(
      [
        "train",
        "--data",
        data[0],
        "--data",
        data[1],
        "--workers",
        "2",
        "--iters",
        "100000",
        "--time-budget",
        "300",
        "--out",
        out,
      ],
      {
        onStdout: (text, child) => {
          if (!sent && /Adam 1\//.test(text)) {
            sent = true;
            child.kill(signal);
          }
        },
      },
    );
    const r = await done;
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toContain(note);
    expect(r.stdout).toMatch(/Stopped(: interrupted| \(interrupted\))/);
    const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(doc.training).toMatchObject({ status: "interrupted", message });
    expect(doc.training.iterations).toBeGreaterThanOrEqual(1);
    expect(doc.training.iterations).toBeLessThan(100000);
    expect(doc.training.history).toHaveLength(doc.training.iterations);
    expect(doc.experiments.map((e: { file: string }) => e.file)).toEqual(data);
    expect(doc.parameters.P).toHaveLength(100);
    expect(readFileSync(join(out, "report.html"), "utf8")).toMatch(/interrupted/);
  },
  120_000,
);

// `ude train | head -1`: stdout's reader closes after the first line, and the next write fails
// with EPIPE. The run stops after the current iteration, saves, says so on stderr and exits 141
// (128 + SIGPIPE); it must neither exit 0 with nothing written nor train on to its budget.
test.each([
  ["one experiment", [] as string[]],
  [
    "several experiments",
    [
      "--data",
      "data/seed-ensemble/experiment-1.csv",
      "--data",
      "data/seed-ensemble/experiment-2.csv",
      "--workers",
      "2",
    ],
  ],
])(
  "stdout closed after the first line (EPIPE), %s: results written, exit code 141",
  async (_what, data) => {
    const out = tempDir("epipe");
    let closed = false;
    const { done } = startCli(["train", ...data, "--iters", "100000", "--time-budget", "300", "--out", out], {
      onStdout: (text, child) => {
        if (!closed && text.includes("\n")) {
          closed = true;
          child.stdout?.destroy();
        }
      },
    });
    const r = await done;
    expect(closed).toBe(true);
    expect(r.code, r.stderr).toBe(141);
    expect(r.stdout).toMatch(/^Training the ude model/);
    expect(r.stderr).toContain(
      "Stdout was closed (its reader ended, e.g. `| head`): stopping after the current iteration and writing results (exit code 141).",
    );
    expect(r.stderr).toContain(`Wrote ${join(out, "results.json")}`);
    const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(doc.training).toMatchObject({
      status: "interrupted",
      message: "stdout closed (EPIPE: its reader ended).",
    });
    expect(doc.training.iterations).toBeGreaterThanOrEqual(1);
    expect(doc.training.iterations).toBeLessThan(100000);
    expect(doc.parameters.P).toHaveLength(100);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  },
  120_000,
);

test("ude gradient with stdout closed after the first line ends at once, exit code 0 (nothing to save)", async () => {
  let closed = false;
  // The table of every method, 1000 timed runs each, takes more than a minute (50 each: 5 s);
  // the closed pipe ends it at the next write.
  const { done } = startCli(["gradient", "--method", "all", "--repeat", "1000"], {
    onStdout: (text, child) => {
      if (!closed && text.includes("\n")) {
        closed = true;
        child.stdout?.destroy();
      }
    },
  });
  const t0 = performance.now();
  const r = await done;
  expect(closed).toBe(true);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  expect(performance.now() - t0).toBeLessThan(20_000);
}, 180_000);
