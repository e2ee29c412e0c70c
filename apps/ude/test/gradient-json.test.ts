// `ude gradient --json` end to end: the documented schema, and the values against references
// independent of the code under test — scipy's expm/Fréchet derivative and DOP853 + central
// differences (test/fixtures/reference.json from scripts/gen-reference.py) — and against each
// other (the interpolating adjoint against the expm route).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadReference, loadSeedFile, relErr, runCli, tempDir, withoutProgress } from "./run-cli.js";

const ref = loadReference();
const TIGHT = ["--solver", "Vern7", "--reltol", "1e-10", "--abstol", "1e-12"];

interface GradientJson {
  model: string;
  method: string;
  n: number;
  ok: boolean;
  loss: number;
  grad: { P: number[][]; nn?: { layers: { weight: number[][]; bias: number[] }[] } };
  timing: { median_ms: number; min_ms: number; max_ms: number; repeat: number };
  stats: Record<string, number | string>;
  reference?: { method: string; relative_difference: number };
}

async function gradientJson(args: string[]): Promise<GradientJson> {
  const r = await runCli(["gradient", "--json", "--repeat", "1", ...args]);
  expect(withoutProgress(r.stderr)).toBe("");
  expect(r.code).toBe(0);
  // stdout is one JSON object and nothing else.
  return JSON.parse(r.stdout) as GradientJson;
}

describe("ude gradient --json", () => {
  test.concurrent("linear model, defaults: schema", async () => {
    const j = await gradientJson([]);
    expect(j).toMatchObject({ model: "linear", method: "interpolating", n: 100, ok: true });
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(["model", "method", "loss", "grad", "timing", "stats", "reference"]),
    );
    expect(j.grad.P).toHaveLength(100);
    expect(j.grad.P.every((row) => row.length === 100 && row.every(Number.isFinite))).toBe(true);
    expect(j.grad.nn).toBeUndefined();
    expect(Object.keys(j.timing).sort()).toEqual(["max_ms", "median_ms", "min_ms", "repeat"]);
    expect(j.timing.repeat).toBe(1);
    expect(j.timing.min_ms).toBeLessThanOrEqual(j.timing.max_ms);
    expect(j.stats).toMatchObject({ retcode: "Success" });
    expect(j.stats.forward_rhs).toBeGreaterThan(0);
    expect(j.stats.backward_vjp).toBeGreaterThan(0);
    expect(j.reference?.method).toBe("expm");
    // At the default tolerances (reltol 1e-6) the adjoint gradient is accurate to a few 1e-6
    // relative at best; 1e-3 only checks the default path is sane (tight checks follow).
    expect(j.reference?.relative_difference).toBeLessThan(1e-3);
    // The loss from a reltol-1e-6 solve: within 1e-5 relative of scipy's exact value.
    expect(Math.abs(j.loss - ref.linear.loss) / ref.linear.loss).toBeLessThan(1e-5);
  });

  test.concurrent("linear model: interpolating adjoint (tight tolerances) = expm route = scipy", async () => {
    const [adj, expm] = await Promise.all([
      gradientJson(["--method", "interpolating", ...TIGHT]),
      gradientJson(["--method", "expm"]),
    ]);
    const gAdj = adj.grad.P.flat();
    const gExpm = expm.grad.P.flat();
    const gRef = ref.linear.gradP.flat();
    // Issue 8: the adjoint at reltol 1e-10 agrees with the expm route to ≤ 1e-6 relative (its
    // own error is a small multiple of the tolerances).
    expect(relErr(gAdj, gExpm)).toBeLessThan(1e-6);
    expect(relErr(gAdj, gRef)).toBeLessThan(1e-6);
    // expm + Fréchet derivative vs scipy's: both exact up to rounding × condition; 1e-9 leaves
    // a wide margin over the ~1e-13 seen while any wrong term would be O(1).
    expect(relErr(gExpm, gRef)).toBeLessThan(1e-9);
    expect(Math.abs(expm.loss - ref.linear.loss) / ref.linear.loss).toBeLessThan(1e-12);
    expect(Math.abs(adj.loss - ref.linear.loss) / ref.linear.loss).toBeLessThan(1e-8);
  });

  test.concurrent("UDE: grad.nn has the fixture's layer layout; values match scipy central differences", async () => {
    const j = await gradientJson(["--model", "ude", "--method", "quadrature", ...TIGHT]);
    expect(j.model).toBe("ude");
    expect(j.grad.P).toHaveLength(100);
    const layers = j.grad.nn?.layers ?? [];
    expect(layers.map((l) => [l.weight.length, l.weight[0].length, l.bias.length])).toEqual([
      [5, 4, 5],
      [4, 5, 4],
    ]);
    // Loss vs DOP853 at rtol 1e-12: both solves are accurate to ~1e-10 relative here.
    expect(Math.abs(j.loss - ref.ude.loss_identity) / ref.ude.loss_identity).toBeLessThan(1e-8);
    // Net gradient in layout order (W1, b1, W2, b2) vs central differences with h = 1e-4: their
    // truncation error O(h²) and rounding O(1e-12/h) are below 1e-6 of the gradient's norm.
    const net = layers.flatMap((l) => [...l.weight.flat(), ...l.bias]);
    expect(relErr(net, ref.ude.grad_net_identity)).toBeLessThan(1e-6);
    for (const { i, j: col, value } of ref.ude.grad_P_entries_identity) {
      // Same error budget per entry, relative to the largest of these entries.
      const scale = Math.max(...ref.ude.grad_P_entries_identity.map((e) => Math.abs(e.value)));
      expect(Math.abs(j.grad.P[i][col] - value)).toBeLessThan(1e-6 * scale);
    }
  });

  test.concurrent("UDE with --activation tanh: loss matches scipy", async () => {
    const j = await gradientJson(["--model", "ude", "--activation", "tanh", ...TIGHT]);
    expect(Math.abs(j.loss - ref.ude.loss_tanh) / ref.ude.loss_tanh).toBeLessThan(1e-8);
  });

  test.concurrent("--method all on a small CSV: every method, each close to the expm route", async () => {
    const dir = tempDir("all");
    const seed = loadSeedFile();
    const csv = join(dir, "small.csv");
    writeFileSync(
      csv,
      `${seed.trainingData
        .slice(0, 12)
        .map((r) => r.join(","))
        .join("\n")}\n`,
    );
    const r = await runCli([
      "gradient",
      "--data",
      csv,
      "--method",
      "all",
      "--json",
      "--repeat",
      "1",
      ...TIGHT,
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { method: string; n: number; methods: GradientJson[] };
    expect(j).toMatchObject({ method: "all", n: 12 });
    expect(j.methods.map((m) => m.method)).toEqual([
      "interpolating",
      "interpolating-checkpointed",
      "quadrature",
      "discrete",
      "backsolve",
      "direct",
      "expm",
      "forward",
    ]);
    for (const m of j.methods) {
      expect(m.ok).toBe(true);
      // Tight tolerances (reltol 1e-10): every method within 1e-6 of the closed form (issue 5's bound).
      if (m.method !== "expm") expect(m.reference?.relative_difference).toBeLessThan(1e-6);
    }
  });
});
