import { expect, test } from "vitest";
import { formatTable, forwardRow, type GradientTable, tableHtml, tableTitle } from "./table.js";

const base = { model: "linear", n: 100, solver: "Tsit5", reltol: 1e-6, abstol: 1e-8 };
const blocks = forwardRow({
  n: 100,
  measured: [
    { n: 16, ms: 18.2 },
    { n: 40, ms: 282.4 },
  ],
});

test("forward mode on leading blocks: 'not run' at full size, the measured blocks in the note, no time", () => {
  expect(blocks).toMatchObject({ method: "forward", status: "not run" });
  expect(blocks.median_ms).toBeNaN();
  expect(blocks.note).toBe(
    "not run at n = 100: it solves one extra ODE per parameter (`ude gradient --method forward --forward-full` measures it at full size, slowly). " +
      "Measured on the leading blocks, time per gradient: n = 16: 18.2 ms, n = 40: 282 ms.",
  );
});

test("without a reference: no 'against —' in the title and no rel. diff column (issue #21)", () => {
  const t: GradientTable = { ...base, rows: [blocks] };
  const text = formatTable(t);
  const [title, header] = text.split("\n");
  expect(title).toBe("Gradient of the loss, linear model, n = 100 (Tsit5, reltol 1e-6, abstol 1e-8)");
  expect(header).not.toMatch(/rel\. diff/);
  expect(text).not.toMatch(/—\n|against/);
  expect(tableHtml(t)).not.toMatch(/rel\. diff|against/);
});

test("with a reference: the title says how rel. diff is defined and against what", () => {
  const t: GradientTable = {
    ...base,
    reference: "the expm route",
    rows: [
      {
        method: "interpolating",
        label: "InterpolatingAdjoint",
        status: "ok",
        median_ms: 15.6,
        min_ms: 14.2,
        max_ms: 12_345,
        repeat: 3,
        rel_diff: 7.5e-7,
      },
    ],
  };
  const [title, header, , row] = formatTable(t).split("\n");
  expect(title).toMatch(/; rel\. diff = ‖g − g_ref‖ \/ max\(‖g‖, ‖g_ref‖\) with g_ref from the expm route$/);
  expect(header).toMatch(/rel\. diff/);
  // Times of 10 s or more in seconds.
  expect(row).toMatch(/^InterpolatingAdjoint +15\.6 ms +14\.2 ms–12\.3 s +7\.5e-7 /);
});

test("a fixed-step solver's title shows its dt, not the tolerances it ignores", () => {
  const rk4: GradientTable = { ...base, solver: "RK4", dt: 0.01, rows: [] };
  expect(tableTitle(rk4)).toBe("Gradient of the loss, linear model, n = 100 (RK4, dt 0.01)");
  expect(tableTitle({ ...base, rows: [] })).toBe(
    "Gradient of the loss, linear model, n = 100 (Tsit5, reltol 1e-6, abstol 1e-8)",
  );
});
