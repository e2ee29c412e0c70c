/**
 * The Web Worker pool (src/pool-web.ts) in a real Chromium (Debian's `chromium`, driven by
 * playwright-core), on pages served by Vite's dev server: module workers load
 * test/models/small-linear.ts, whose default export serveEnsemble(model) answers the pool's
 * messages. Once on a cross-origin-isolated page (COOP/COEP headers: SharedArrayBuffer, shared
 * parameters and gradient rows) and once without (parameters and gradients transferred). In each:
 * the same bits for 1 and 2 workers and for evaluateSerial on the page's main thread, and the
 * Node result (evaluateSerial here) to rounding; a worker module that fails to load rejects with
 * WorkerCrashedError; close() terminates the workers.
 *
 * A missing browser is a failure, not a skip: `apt-get install -y chromium`, or UDEKIT_CHROMIUM.
 */
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { evaluateSerial } from "../src/index.js";
import { model, paramLength, smallExperiments, smallParams } from "../test/models/small-linear.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.UDEKIT_CHROMIUM ?? "/usr/bin/chromium";

let browser: Browser;
const servers: ViteDevServer[] = [];

async function serve(isolated: boolean): Promise<string> {
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: "error",
    resolve: { conditions: ["@udekit/source", "module", "browser", "development|production"] },
    server: {
      host: "127.0.0.1",
      port: 0,
      strictPort: false,
      headers: isolated
        ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
        : {},
    },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  servers.push(server);
  const address = server.httpServer?.address();
  if (address === null || typeof address !== "object") throw new Error("vite: no address");
  return `http://127.0.0.1:${address.port}/`;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

interface PageResult {
  isolated: boolean;
  serial: number[];
  one: number[];
  two: number[];
  losses: number[];
  loss: number;
  crash: string;
  closed: string;
}

describe.each([true, false])("cross-origin isolated: %s", (isolated) => {
  test("1 and 2 module workers give evaluateSerial's bits; a module that cannot load is a WorkerCrashedError", async () => {
    const url = await serve(isolated);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}e2e/index.html`);
    await page.waitForFunction(() => "result" in window, undefined, { timeout: 120_000 });
    const r = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
    expect((r as { error?: string }).error).toBeUndefined();
    await page.close();
    expect(errors).toEqual([]);
    expect(r.isolated).toBe(isolated);
    expect(r.one).toEqual(r.serial);
    expect(r.two).toEqual(r.serial);
    expect(r.crash).toMatch(/^WorkerCrashedError: experiment 0: its worker crashed twice/);
    expect(r.closed).toBe("PoolClosedError");
    // Node's evaluateSerial on the same problem: another JavaScript engine, the same arithmetic
    // (fixed-step Tsit5, no step-size controller); 1e-12 relative would still allow last-bit
    // differences of V8 versions, while a lost experiment or parameter is off by O(1).
    const node = evaluateSerial(model, smallExperiments(), smallParams());
    expect(r.two).toHaveLength(paramLength);
    r.two.forEach((x, j) => {
      expect(Math.abs(x - node.grad[j])).toBeLessThanOrEqual(1e-12 * Math.abs(node.grad[j]) + 1e-300);
    });
    expect(Math.abs(r.loss - node.loss)).toBeLessThanOrEqual(1e-12 * node.loss);
    expect(r.losses).toHaveLength(4);
  });
});
