/**
 * End-to-end tests of the built playground (dist/index.html) in a real Chromium (Debian's
 * `chromium`, driven by playwright-core), against the CLI run on the same machine as the
 * reference: the page's numbers must be the CLI's. Served by a plain static server (and once from
 * file://), as a user would open it. Screenshots of each state go to test-results/.
 *
 * Run with `pnpm test:e2e` (builds first); not part of `pnpm test`, which stays browser-free.
 * A missing browser is a failure, not a skip: install it with `apt-get install -y chromium`, or
 * point UDEKIT_CHROMIUM at another Chromium.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type StaticServer, serveStatic } from "./static-server.js";

const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(WEB_DIR, "dist");
const OUT = join(WEB_DIR, "test-results");
const UDE_BIN = fileURLToPath(new URL("../../ude/bin/ude.mjs", import.meta.url));
const CHROMIUM = process.env.UDEKIT_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The page and the CLI run the same code on the same data, in two JavaScript engines (Chromium's
 * V8 and Node's): their losses differ only by rounding (3e-14 relative seen: the solvers' step
 * controllers take powers whose last bits differ between the engines), far below 1e-10.
 */
const SAME_CODE_TOL = 1e-10;

interface CliGradient {
  loss: number;
  timing: { median_ms: number; min_ms: number; max_ms: number; repeat: number };
}

/** Runs `ude args…` (the CLI's bin, from source) in `cwd`; resolves with stdout, stderr and the exit code. */
function ude(args: string[], cwd = WEB_DIR): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  // Outside pnpm, relative paths are taken from cwd (the CLI reads INIT_CWD under pnpm).
  delete env.INIT_CWD;
  delete env.npm_lifecycle_event;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [UDE_BIN, ...args],
      { cwd, env, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function udeJson<T>(args: string[], cwd?: string): Promise<T> {
  const r = await ude([...args, "--json"], cwd);
  if (r.code !== 0) throw new Error(`ude ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

let browser: Browser;
let server: StaticServer;
let work: string;
const contexts: BrowserContext[] = [];
/** The CLI's results on the same machine: the references. */
const cli = {} as {
  ude: CliGradient;
  linear: CliGradient;
  badCsvError: string;
  goodCsv: CliGradient;
  /** `ude train --optimizer adam --iters 10`'s results.json. */
  train10: { training: { history: { iteration: number; loss: number }[] } };
};

/** A page of the playground with its console errors collected (the page's and its worker's). */
async function openPage(url: string, options: { noWasm?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  contexts.push(context);
  if (options.noWasm) {
    await context.addInitScript(() => {
      Reflect.deleteProperty(globalThis, "WebAssembly");
    });
  }
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("crash", () => errors.push("the page crashed"));
  await page.goto(url);
  await waitIdle(page);
  return { page, errors };
}

/** Waits until the worker has finished what it was asked (the page's status says idle). */
async function waitIdle(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForSelector('#status[data-state="idle"]', { timeout });
}

async function numberOf(page: Page, selector: string, attribute = "data-value"): Promise<number> {
  const v = await page.getAttribute(selector, attribute);
  if (v === null) throw new Error(`${selector} has no ${attribute}`);
  return Number(v);
}

async function errorText(page: Page): Promise<string | null> {
  return (await page.isVisible("#error")) ? await page.textContent("#error") : null;
}

/** Clicks a download button and returns the downloaded file's text. */
async function downloadText(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 60_000 }),
    page.click(button),
  ]);
  const path = await download.path();
  await waitIdle(page);
  return { name: download.suggestedFilename(), text: readFileSync(path, "utf8") };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(OUT, name), fullPage: true });

beforeAll(async () => {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error(
      `${DIST}/index.html is missing. Fix: build the page first (pnpm web:build, or run pnpm test:e2e).`,
    );
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}. Fix: apt-get install -y chromium (Debian), or set UDEKIT_CHROMIUM to a Chromium binary.`,
    );
  }
  mkdirSync(OUT, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "udekit-web-e2e-"));
  writeFileSync(join(work, "bad.csv"), "0.1,0.2,0.3\n0.4,0.5\n0.7,0.8,0.9\n");
  // 8 nodes at t = 0, 0.5, 1 (from a t= header): the first 8 nodes of the seed data, first 3 times.
  const seed = JSON.parse(readFileSync(join(WEB_DIR, "..", "ude", "data", "seed-ude.json"), "utf8")) as {
    trainingData: number[][];
  };
  const rows = seed.trainingData.slice(0, 8).map((r) => r.slice(0, 3).join(","));
  writeFileSync(join(work, "good.csv"), `t=0,t=0.5,t=1\n${rows.join("\n")}\n`);
  // The timed reference first, alone on the machine; the others together.
  cli.ude = await udeJson<CliGradient>(["gradient", "--model", "ude", "--repeat", "5"]);
  const [linear, bad, good] = await Promise.all([
    udeJson<CliGradient>(["gradient", "--repeat", "1"]),
    ude(["gradient", "--data", "bad.csv"], work),
    udeJson<CliGradient>(["gradient", "--model", "ude", "--data", "good.csv", "--repeat", "1"], work),
    udeJson(
      ["train", "--model", "ude", "--optimizer", "adam", "--iters", "10", "--out", "cli-train-10"],
      work,
    ),
  ]);
  cli.linear = linear;
  cli.goodCsv = good;
  cli.train10 = JSON.parse(readFileSync(join(work, "cli-train-10", "results.json"), "utf8"));
  expect(bad.code).toBe(2);
  cli.badCsvError = bad.stderr.trim().replace(/^ude: /, "");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  server = await serveStatic(DIST);
}, 240_000);

// Each test's page closes after it, so no earlier page's worker shares the machine with the next test.
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.close();
});

describe("the playground in Chromium", () => {
  test("loads with no console errors and shows the seed UDE's loss, equal to the CLI's", async () => {
    const { page, errors } = await openPage(server.url);
    expect(await page.getAttribute("#kernels", "data-kernels")).toBe("wasm");
    expect(await page.textContent("#data-source")).toBe("built-in seed data");
    expect(await page.textContent("#data-shape")).toContain("100 nodes × 4 times");
    expect(await numberOf(page, "#parameters")).toBe(10_049);
    const loss = await numberOf(page, "#loss");
    expect(relDiff(loss, cli.ude.loss)).toBeLessThan(SAME_CODE_TOL);
    expect(await errorText(page)).toBeNull();
    await shot(page, "loaded.png");
    expect(errors).toEqual([]);
  });

  test("the linear model's loss equals `ude gradient --json`'s", async () => {
    const { page, errors } = await openPage(server.url);
    await page.selectOption("#model", "linear");
    await waitIdle(page);
    expect(await numberOf(page, "#parameters")).toBe(10_000);
    expect(relDiff(await numberOf(page, "#loss"), cli.linear.loss)).toBeLessThan(SAME_CODE_TOL);
    expect(errors).toEqual([]);
  });

  test("ten training iterations lower the loss; results.json has the CLI's schema and the CLI reads it back", async () => {
    const { page, errors } = await openPage(server.url);
    await page.selectOption("#optimizer", "adam");
    await page.fill("#iters", "10");
    await page.click("#train");
    await waitIdle(page);
    expect(await page.getAttribute("#train-line", "data-status")).toBe("completed");
    expect(await page.textContent("#train-line")).toContain("in 10 iterations");
    await shot(page, "finished.png");

    const { name, text } = await downloadText(page, "#download-json");
    expect(name).toBe("results.json");
    const doc = JSON.parse(text);
    expect(doc.format).toBe("udekit-ude-results");
    expect(doc.format_version).toBe(1);
    expect(doc.command).toBe("web");
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining(["created", "versions", "settings", "training", "timings", "parameters"]),
    );
    // The page's defaults are `ude train`'s (DiscreteAdjoint): the CLI run below used them too.
    expect(doc.settings).toMatchObject({ model: "ude", optimizer: "adam", iters: 10, sensealg: "discrete" });
    const history = doc.training.history as { iteration: number; loss: number }[];
    expect(history.map((h) => h.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(history[9].loss).toBeLessThan(history[0].loss);
    // The CLI's ten iterations, loss by loss. The engines' rounding differences (3e-14 at the
    // start) grow through Adam's steps — measured: 1e-13 by iteration 10, 2e-11 by 50, 1e-7 by
    // 300 — so ten iterations stay within SAME_CODE_TOL.
    const cliHistory = cli.train10.training.history;
    expect(cliHistory).toHaveLength(10);
    history.forEach((h, i) => {
      expect(relDiff(h.loss, cliHistory[i].loss)).toBeLessThan(SAME_CODE_TOL);
    });
    expect(doc.training.final_loss).toBe(Math.min(...history.map((h) => h.loss)));
    expect(doc.parameters.P).toHaveLength(100);
    expect(doc.parameters.nn.layers).toHaveLength(2);

    // The CLI evaluates the saved parameters to the same loss: the page kept the best ones.
    const file = join(work, "results-10.json");
    writeFileSync(file, text);
    const back = await udeJson<CliGradient>([
      "gradient",
      "--params",
      file,
      "--model",
      "ude",
      "--repeat",
      "1",
    ]);
    expect(relDiff(back.loss, doc.training.final_loss)).toBeLessThan(SAME_CODE_TOL);
    expect(relDiff(await numberOf(page, "#loss"), back.loss)).toBeLessThan(SAME_CODE_TOL);

    for (const [button, file] of [
      ["#download-loss-svg", "loss.svg"],
      ["#download-fit-svg", "fit.svg"],
    ] as const) {
      const svg = await downloadText(page, button);
      expect(svg.name).toBe(file);
      expect(svg.text.startsWith("<svg")).toBe(true);
      writeFileSync(join(OUT, file), svg.text);
    }
    expect(errors).toEqual([]);
  });

  test("Stop ends a long run at once, the page stays responsive, and the best parameters are kept", async () => {
    const { page, errors } = await openPage(server.url);
    await page.selectOption("#optimizer", "adam");
    await page.fill("#iters", "100000");
    await page.fill("#time-budget", "3600");
    await page.click("#train");
    await page.waitForFunction(
      () => Number(document.getElementById("iteration")?.dataset.value ?? 0) >= 5,
      null,
      {
        timeout: 60_000,
      },
    );
    // The page's own thread does no computation: a frame comes at once while the worker trains.
    const t = Date.now();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    expect(Date.now() - t).toBeLessThan(2000);
    await shot(page, "training.png");
    const stoppedAt = Date.now();
    await page.click("#stop");
    await waitIdle(page, 30_000);
    // One iteration takes tens of milliseconds; 10 s covers a busy machine, while a Stop that
    // did not work would run for the hour's budget.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(await page.getAttribute("#train-line", "data-status")).toBe("interrupted");
    const iterations = await numberOf(page, "#iteration");
    expect(iterations).toBeGreaterThanOrEqual(5);
    expect(iterations).toBeLessThan(100_000);
    // The loss evaluated afresh at the kept parameters is the best one seen (same parameters, same
    // solve: the same number up to rounding).
    const best = await numberOf(page, "#best-loss");
    expect(relDiff(await numberOf(page, "#loss"), best)).toBeLessThan(1e-12);
    const doc = JSON.parse((await downloadText(page, "#download-json")).text);
    expect(doc.training.status).toBe("interrupted");
    expect(doc.training.final_loss).toBe(
      Math.min(...doc.training.history.map((h: { loss: number }) => h.loss)),
    );
    expect(errors).toEqual([]);
  });

  test("a malformed CSV shows the CLI's one-line error and changes nothing; a good one loads", async () => {
    const { page, errors } = await openPage(server.url);
    const before = await numberOf(page, "#loss");
    await page.setInputFiles("#csv", join(work, "bad.csv"));
    await waitIdle(page);
    expect(cli.badCsvError).toContain("bad.csv line 2 has 2 values");
    expect(await errorText(page)).toBe(cli.badCsvError);
    expect((await errorText(page))?.includes("\n")).toBe(false);
    expect(await page.textContent("#data-source")).toBe("built-in seed data");
    expect(await numberOf(page, "#loss")).toBe(before);
    await shot(page, "bad-csv.png");

    await page.setInputFiles("#csv", join(work, "good.csv"));
    await waitIdle(page);
    expect(await errorText(page)).toBeNull();
    expect(await page.textContent("#data-source")).toBe("good.csv");
    expect(await page.textContent("#data-shape")).toBe("8 nodes × 3 times: t = 0, 0.5, 1");
    expect(relDiff(await numberOf(page, "#loss"), cli.goodCsv.loss)).toBeLessThan(SAME_CODE_TOL);
    expect(errors).toEqual([]);
  });

  test("without WebAssembly the page runs the TypeScript kernels, says so, and gets the same loss", async () => {
    const { page, errors } = await openPage(server.url, { noWasm: true });
    expect(await page.evaluate(() => typeof (globalThis as { WebAssembly?: unknown }).WebAssembly)).toBe(
      "undefined",
    );
    expect(await page.getAttribute("#kernels", "data-kernels")).toBe("ts");
    expect(await page.textContent("#kernels")).toContain("TypeScript fallback");
    expect(relDiff(await numberOf(page, "#loss"), cli.ude.loss)).toBeLessThan(SAME_CODE_TOL);
    await shot(page, "no-wasm.png");
    expect(errors).toEqual([]);
  });

  test("opened from file:// it works the same, with the WebAssembly kernels", async () => {
    const { page, errors } = await openPage(pathToFileURL(join(DIST, "index.html")).href);
    expect(await page.getAttribute("#kernels", "data-kernels")).toBe("wasm");
    expect(relDiff(await numberOf(page, "#loss"), cli.ude.loss)).toBeLessThan(SAME_CODE_TOL);
    expect(errors).toEqual([]);
  });

  test("the page times one seed UDE gradient (recorded next to the CLI's time on this machine)", async () => {
    const { page, errors } = await openPage(server.url);
    // The method of `ude gradient`'s default, which cli.ude ran.
    await page.selectOption("#sensealg", "interpolating");
    await waitIdle(page);
    await page.fill("#time-repeat", "5");
    await page.click("#time-run");
    await waitIdle(page);
    const pageMs = await numberOf(page, "#timing", "data-median-ms");
    expect(Number.isFinite(pageMs) && pageMs > 0).toBe(true);
    expect(relDiff(await numberOf(page, "#timing", "data-loss"), cli.ude.loss)).toBeLessThan(SAME_CODE_TOL);
    expect(await page.textContent("#timing")).toContain("median of 5");
    // Speed is not asserted here (a shared machine's timings belong in benchmarks): recorded for the README.
    const record = {
      what: "one loss-and-gradient evaluation of the seed UDE (n = 100, InterpolatingAdjoint, Tsit5, reltol 1e-6), median of 5 after a warm-up",
      page_ms: pageMs,
      cli_ms: cli.ude.timing.median_ms,
      ratio: pageMs / cli.ude.timing.median_ms,
      browser: browser.version(),
      node: process.versions.node,
    };
    writeFileSync(join(OUT, "timing.json"), `${JSON.stringify(record, null, 2)}\n`);
    console.log(`gradient time: page ${pageMs.toFixed(1)} ms, CLI ${record.cli_ms.toFixed(1)} ms`);
    expect(errors).toEqual([]);
  });

  test("the gradient table runs every method, as `ude gradient --method all`", async () => {
    const { page, errors } = await openPage(server.url);
    await page.selectOption("#model", "linear");
    await waitIdle(page);
    await page.fill("#table-repeat", "1");
    await page.click("#table-run");
    await waitIdle(page, 180_000);
    const rows = await page.$$eval("#table tr", (trs) =>
      trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
    );
    const byMethod = new Map(rows.map((r) => [r[0], r]));
    for (const m of ["InterpolatingAdjoint", "QuadratureAdjoint", "DirectBackprop"]) {
      expect(byMethod.get(m)?.at(-1)).toBe("ok");
    }
    // As in the CLI's table: the backsolve adjoint detects its own instability on this problem.
    expect(byMethod.get("BacksolveAdjoint")?.at(-1)).toBe("FAILED (self-reported)");
    expect(await page.textContent("#table caption")).toContain("the expm route");
    await shot(page, "table.png");
    expect(errors).toEqual([]);
  });
});
