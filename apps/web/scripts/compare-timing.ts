/**
 * Times one loss-and-gradient evaluation of the seed UDE in the page (Chromium, the built
 * dist/index.html) and in the CLI (`ude gradient --model ude --json`, Node) on this machine,
 * alternating the two so that a busy machine disturbs both alike; prints a table and writes
 * test-results/timing-compare.json. The numbers in README.md come from here.
 *
 *   pnpm --filter web build:static && pnpm exec tsx apps/web/scripts/compare-timing.ts [rounds] [repeat]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveStatic } from "../e2e/static-server.js";

const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
const UDE_BIN = fileURLToPath(new URL("../../ude/bin/ude.mjs", import.meta.url));
const rounds = Number(process.argv[2] ?? 3);
const repeat = Number(process.argv[3] ?? 10);

interface Timing {
  median_ms: number;
  min_ms: number;
}

function cliTiming(): Timing {
  const env = { ...process.env };
  delete env.INIT_CWD;
  delete env.npm_lifecycle_event;
  const out = execFileSync(
    process.execPath,
    [UDE_BIN, "gradient", "--model", "ude", "--repeat", String(repeat), "--json"],
    { env, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  return (JSON.parse(out) as { timing: Timing }).timing;
}

const server = await serveStatic(join(WEB_DIR, "dist"));
const browser = await chromium.launch({
  executablePath: process.env.UDEKIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForSelector('#status[data-state="idle"]', { timeout: 120_000 });
const kernels = await page.getAttribute("#kernels", "data-kernels");

async function pageTiming(): Promise<Timing> {
  await page.fill("#time-repeat", String(repeat));
  await page.click("#time-run");
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 600_000 });
  const text = (await page.textContent("#timing")) ?? "";
  const min = /min ([\d.]+) ms/.exec(text);
  return {
    median_ms: Number(await page.getAttribute("#timing", "data-median-ms")),
    min_ms: min ? Number(min[1]) : Number.NaN,
  };
}

const results: { round: number; cli: Timing; page: Timing }[] = [];
for (let round = 1; round <= rounds; round++) {
  const cli = cliTiming();
  const inPage = await pageTiming();
  results.push({ round, cli, page: inPage });
  console.log(
    `round ${round}: CLI median ${cli.median_ms.toFixed(1)} ms (min ${cli.min_ms.toFixed(1)}), ` +
      `page median ${inPage.median_ms.toFixed(1)} ms (min ${inPage.min_ms.toFixed(1)})`,
  );
}
const best = (xs: number[]) => Math.min(...xs);
const summary = {
  what: `one loss-and-gradient evaluation of the seed UDE (n = 100, 10 049 parameters, InterpolatingAdjoint, Tsit5, reltol 1e-6), ${repeat} timed runs after a warm-up, ${rounds} alternating rounds`,
  kernels,
  browser: `Chromium ${browser.version()}`,
  node: process.versions.node,
  cli_best_median_ms: best(results.map((r) => r.cli.median_ms)),
  page_best_median_ms: best(results.map((r) => r.page.median_ms)),
  cli_min_ms: best(results.map((r) => r.cli.min_ms)),
  page_min_ms: best(results.map((r) => r.page.min_ms)),
  rounds: results,
};
console.log(
  `best medians: CLI ${summary.cli_best_median_ms.toFixed(1)} ms, page ${summary.page_best_median_ms.toFixed(1)} ms ` +
    `(ratio ${(summary.page_best_median_ms / summary.cli_best_median_ms).toFixed(2)}); ` +
    `minima: CLI ${summary.cli_min_ms.toFixed(1)} ms, page ${summary.page_min_ms.toFixed(1)} ms`,
);
mkdirSync(join(WEB_DIR, "test-results"), { recursive: true });
writeFileSync(join(WEB_DIR, "test-results", "timing-compare.json"), `${JSON.stringify(summary, null, 2)}\n`);
await browser.close();
await server.close();
