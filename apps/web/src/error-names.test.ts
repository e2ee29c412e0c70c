// Every typed error keeps its name in a minified bundle. A class's own name does not survive
// minification (Vite's production build renames `class InvalidOptionError` to `class r`), so
// `this.name = new.target.name` gave errors named "r" in the playground; each class declares
// its name as a string instead. This builds every package's errors module with Vite, minified as
// for the page, and constructs each exported class from the bundle.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "vite";
import { expect, test } from "vitest";

/** A value every constructor can format: any property or call gives itself, a template gives "x". */
const anything: unknown = new Proxy(() => {}, {
  get: (_t, key) => (key === Symbol.toPrimitive ? () => "x" : key === "length" ? 0 : anything),
  apply: () => anything,
});

const root = resolve(import.meta.dirname, "../../..");
const MODULES = [
  "packages/autodiff/src/errors.ts",
  "packages/kernels/src/errors.ts",
  "packages/linear-ode/src/errors.ts",
  "packages/nn/src/errors.ts",
  "packages/ode/src/errors.ts",
  "packages/ode/src/sensitivity/errors.ts",
  "packages/ensemble/src/errors.ts",
];

test("error classes keep their names through a minified Vite build", async () => {
  const dir = mkdtempSync(join(tmpdir(), "udekit-error-names-"));
  try {
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      MODULES.map((m, i) => `export * as m${i} from ${JSON.stringify(join(root, m))};`).join("\n"),
    );
    await build({
      configFile: false,
      logLevel: "silent",
      build: {
        outDir: join(dir, "out"),
        minify: true,
        lib: { entry, formats: ["es"], fileName: "bundle" },
      },
    });
    const bundle = await import(pathToFileURL(join(dir, "out", "bundle.js")).href);
    const seen: string[] = [];
    for (const [i, m] of MODULES.entries()) {
      const source = readFileSync(join(root, m), "utf8");
      const names = [...source.matchAll(/export class (\w+)/g)].map((x) => x[1]);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const Cls = bundle[`m${i}`][name] as new (...args: unknown[]) => Error;
        expect(typeof Cls, `${m}: ${name} in the bundle`).toBe("function");
        // Constructors take different arguments (strings, numbers, lists): each gets a stand-in
        // that reads as "x" in a message and answers any method call with itself.
        const e = Reflect.construct(Cls, Array(8).fill(anything));
        expect(e.name, `${m}: ${name}`).toBe(name);
        expect(e).toBeInstanceOf(Error);
        seen.push(name);
      }
    }
    expect(seen).toContain("AdjointFailedError");
    expect(seen.length).toBeGreaterThanOrEqual(45);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
