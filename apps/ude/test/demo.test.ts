// `ude demo` with a tiny budget writes the whole results folder: results.json with the gradient
// table (every method, BacksolveAdjoint's self-reported failure, forward mode run on leading
// blocks only and said so, nothing extrapolated), loss.svg, fit.svg and report.html showing both
// pictures and the table.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

test("demo with a tiny budget writes all four files", async () => {
  const out = tempDir("demo");
  const r = await runCli([
    "demo",
    "--iters",
    "2",
    "--lbfgs-iters",
    "1",
    "--repeat",
    "1",
    "--forward-sizes",
    "8,12",
    "--out",
    out,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  for (const f of ["results.json", "loss.svg", "fit.svg", "report.html"])
    expect(existsSync(join(out, f))).toBe(true);
  // The printed table names every method; forward mode reports the blocks it was measured on and
  // no time at n = 100 (issue #21: the extrapolated time was 12× too small).
  expect(r.stdout).toMatch(/InterpolatingAdjoint \(checkpointing\)/);
  expect(r.stdout).toMatch(/FAILED \(self-reported\)/);
  expect(r.stdout).toMatch(
    /ForwardSensitivity: not run at n = 100: .* Measured on the leading blocks, time per gradient: n = 8: [\d.]+ ms, n = 12: [\d.]+ ms\./,
  );
  expect(r.stdout).not.toMatch(/extrapolat/i);

  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc).toMatchObject({ format: "udekit-ude-results", command: "demo" });
  expect(doc.settings).toMatchObject({ model: "ude", n: 100, parameters: 10049, optimizer: "adam+lbfgs" });
  expect(Object.keys(doc.versions)).toEqual(
    expect.arrayContaining(["node", "@udekit/ode", "@udekit/autodiff"]),
  );
  const rows = doc.gradient_table.rows as {
    method: string;
    status: string;
    rel_diff?: number;
    median_ms?: number | null;
  }[];
  expect(rows.map((x) => x.method)).toEqual([
    "interpolating",
    "interpolating-checkpointed",
    "quadrature",
    "discrete",
    "backsolve",
    "direct",
    "expm",
    "forward",
  ]);
  expect(rows.find((x) => x.method === "backsolve")?.status).toBe("failed");
  const forward = rows.find((x) => x.method === "forward");
  expect(forward?.status).toBe("not run");
  expect(forward?.median_ms).toBe(null);
  // Default tolerances (reltol 1e-6): the adjoints agree with the closed form to well within 1e-3.
  // The adjoints, direct backprop and the expm reference all succeed on the seed problem, so the
  // loop below checks them (it would pass vacuously if no row were "ok").
  const ok = rows.filter((x) => x.status === "ok");
  expect(ok.map((x) => x.method)).toEqual(
    expect.arrayContaining(["interpolating", "interpolating-checkpointed", "quadrature", "direct", "expm"]),
  );
  for (const x of ok) expect(x.rel_diff).toBeLessThan(1e-3);
  const t = doc.training;
  expect(t.iterations).toBe(t.history.length);
  expect(t.history.length).toBeGreaterThanOrEqual(2);
  expect(t.history[0]).toMatchObject({ iteration: 1, phase: "adam" });
  // The first Adam step (lr 0.01) already lowers the loss on the seed data.
  expect(t.final_loss).toBeLessThan(t.initial_loss);
  expect(doc.parameters.P).toHaveLength(100);
  expect(doc.parameters.nn.layers).toHaveLength(2);

  const loss = readFileSync(join(out, "loss.svg"), "utf8");
  expect(loss.startsWith("<svg")).toBe(true);
  expect(loss).toMatch(/iteration/);
  expect(loss).toMatch(/log scale/);
  const fit = readFileSync(join(out, "fit.svg"), "utf8");
  expect(fit).toMatch(/time t/);
  expect(fit).toMatch(/node 1\b/);
  expect(fit).toMatch(/observed/);
  const html = readFileSync(join(out, "report.html"), "utf8");
  // loss.svg, fit.svg and the diagnostic plots (parity, residuals, nodes, net-term) inline.
  expect(html.match(/<svg/g)).toHaveLength(6);
  for (const f of ["parity.svg", "residuals.svg", "nodes.svg", "net-term.svg"]) {
    expect(existsSync(join(out, f))).toBe(true);
    expect(html).toContain(`<a href="${f}">`);
  }
  expect(html).toMatch(/<table>/);
  expect(html).toMatch(/BacksolveAdjoint/);
});

test("demo --json: one JSON object on stdout that includes the gradient table", async () => {
  const out = tempDir("demo-json");
  const r = await runCli([
    "demo",
    "--json",
    "--iters",
    "1",
    "--lbfgs-iters",
    "0",
    "--repeat",
    "1",
    "--forward-sizes",
    "8,12",
    "--out",
    out,
  ]);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  expect(summary).toMatchObject({ status: "completed", iterations: 1 });
  // issue #21: the table was missing from the JSON (it was only in results.json and on the terminal).
  expect(summary.gradient_table).toMatchObject({ model: "linear", n: 100, reference: "the expm route" });
  expect(summary.gradient_table.rows.map((x: { method: string }) => x.method)).toEqual([
    "interpolating",
    "interpolating-checkpointed",
    "quadrature",
    "discrete",
    "backsolve",
    "direct",
    "expm",
    "forward",
  ]);
  // Progress and the table's text went to stderr.
  expect(r.stderr).toMatch(/Gradient of the loss, linear model, n = 100/);
});
