/**
 * Latency of @udekit/kernels' first use in a fresh process: the time to import the built package
 * (dist/index.js), then the time of the first 100×100 matvec (on ordinary Float64Arrays, as a
 * first user would call it), then of a second one. Where the WebAssembly module is instantiated
 * (at import, or lazily at the first call) moves cost between the first two columns; their sum
 * is what a user waits for. Each run is a new Node process; the medians of `runs` are printed.
 *
 *   pnpm --filter @udekit/kernels exec tsc -p tsconfig.build.json   # build dist first
 *   pnpm exec tsx packages/kernels/bench/first-call.ts [--runs 25] [--dist path/to/dist/index.js]
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const runs = Number(opt("--runs", "25"));
const dist = resolve(opt("--dist", resolve(import.meta.dirname, "../dist/index.js")));

// The child: plain ESM, so that nothing but the package itself is loaded and timed.
const child = `
const t0 = performance.now();
const k = await import(${JSON.stringify(pathToFileURL(dist).href)});
const t1 = performance.now();
const n = 100, A = new Float64Array(n * n).fill(0.5), x = new Float64Array(n).fill(1), y = new Float64Array(n);
k.matvec(n, n, A, x, y, false);
const t2 = performance.now();
k.matvec(n, n, A, x, y, false);
const t3 = performance.now();
if (y[0] !== 50) throw new Error("wrong result " + y[0]);
console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2, k.kernels().name]));
`;

const rows: number[][] = [];
let backend = "";
for (let r = 0; r < runs; r++) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8" });
  const [imp, first, second, name] = JSON.parse(out) as [number, number, number, string];
  rows.push([imp, first, second, imp + first]);
  backend = name;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const col = (j: number) => median(rows.map((row) => row[j])).toFixed(3);
console.log(`${dist} (backend ${backend}), medians of ${runs} fresh processes, ms:`);
console.log(`import ${col(0)}  first matvec ${col(1)}  second matvec ${col(2)}  import + first ${col(3)}`);
