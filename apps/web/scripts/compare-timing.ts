/**
 * Times one loss-and-gradient evaluation of the seed UDE in the page (Chromium, the built
 * dist/index.html) and in the CLI (`ude gradient --model ude --json`, Node) on this machine,
 * alternating the two so that a busy machine disturbs both alike; prints each round and writes
 * test-results/timing-compare.json. The numbers in README.md come from here.
 *
 * Each round: the CLI in a new process; the page just loaded (a new worker, as cold as the new
 * process: both time their runs after one warm-up); the same page timed again (warm: its worker
 * has run the gradient 2 + repeat times before).
 *
 *   pnpm --filter web build:static && pnpm exec tsx apps/web/scripts/compare-timing.ts [rounds] [repeat]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
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
let kernels: string | null = null;

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 120_000 });
  kernels = await page.getAttribute("#kernels", "data-kernels");
  // The method of `ude gradient`'s default (the page's default is `ude train`'s, discrete).
  await page.selectOption("#sensealg", "interpolating");
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 120_000 });
  return page;
}

async function pageTiming(page: Page): Promise<Timing> {
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

const fmt = (t: Timing) => `${t.median_ms.toFixed(1)} ms (min ${t.min_ms.toFixed(1)})`;
const results: { round: number; cli: Timing; page: Timing; page_warm: Timing }[] = [];
for (let round = 1; round <= rounds; round++) {
  const cli = cliTiming();
  const page = await newPage();
  const cold = await pageTiming(page);
  const warm = await pageTiming(page);
  await page.close();
  results.push({ round, cli, page: cold, page_warm: warm });
  console.log(`round ${round}: CLI ${fmt(cli)}, page ${fmt(cold)}, page again ${fmt(warm)}`);
}
const best = (xs: number[]) => Math.min(...xs);
const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const of = (key: "cli" | "page" | "page_warm") => ({
  median_of_medians_ms: mid(results.map((r) => r[key].median_ms)),
  best_median_ms: best(results.map((r) => r[key].median_ms)),
  min_ms: best(results.map((r) => r[key].min_ms)),
});
const summary = {
  what: `one loss-and-gradient evaluation of the seed UDE (n = 100, 10 049 parameters, InterpolatingAdjoint, Tsit5, reltol 1e-6), median of ${repeat} timed runs after a warm-up, ${rounds} alternating rounds`,
  kernels,
  browser: `Chromium ${browser.version()}`,
  node: process.versions.node,
  cli: of("cli"),
  page: of("page"),
  page_warm: of("page_warm"),
  rounds: results,
};
for (const key of ["cli", "page", "page_warm"] as const) {
  const s = summary[key];
  console.log(
    `${key.padEnd(9)} median of medians ${s.median_of_medians_ms.toFixed(1)} ms, best median ${s.best_median_ms.toFixed(1)} ms, min ${s.min_ms.toFixed(1)} ms`,
  );
}
mkdirSync(join(WEB_DIR, "test-results"), { recursive: true });
writeFileSync(join(WEB_DIR, "test-results", "timing-compare.json"), `${JSON.stringify(summary, null, 2)}\n`);
await browser.close();
await server.close();
