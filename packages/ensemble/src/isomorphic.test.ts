/**
 * The main entry runs anywhere (DESIGN.md: no Node-only API inside packages/*): no module it
 * reaches imports node:* or piscina; only pool-node.ts, behind the "node" export condition, does.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(new URL(file, import.meta.url), "utf8");
  for (const m of text.matchAll(/from "(\.[^"]+)\.js"/g))
    reachable(`${m[1].replace(/^\.\//, "./")}.ts`, seen);
  return seen;
}

const specifiers = (file: string) =>
  [...readFileSync(new URL(file, import.meta.url), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);

test("index.ts and pool-web.ts reach no node: module and no piscina", () => {
  for (const entry of ["./index.ts", "./pool-web.ts"]) {
    const files = [...reachable(entry)];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      expect(
        specifiers(f).filter((s) => s.startsWith("node:") || s === "piscina"),
        f,
      ).toEqual([]);
    }
  }
  // The check can see a Node import where there is one.
  expect(specifiers("./pool-node.ts")).toContain("piscina");
});

test("package.json sends node to pool-node and browsers (and everything else) to pool-web", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const pool = pkg.exports["./pool"];
  expect(pool.node.default).toBe("./dist/pool-node.js");
  expect(pool.browser.default).toBe("./dist/pool-web.js");
  expect(pool.default.default).toBe("./dist/pool-web.js");
  expect(pool["@udekit/source"]).toEqual({ node: "./src/pool-node.ts", default: "./src/pool-web.ts" });
});
