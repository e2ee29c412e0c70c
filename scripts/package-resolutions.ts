// Resolves every subpath a package exports the way TypeScript does under each module resolution
// (node10, node16 from CommonJS and from ESM, bundler), with are-the-types-wrong's analysis of an
// in-memory copy of the package: its package.json plus a stub for each file that `exports`,
// `main` and `types` name. No build is needed, because what is checked is package.json's mapping
// (e.g. that `typesVersions` makes "@udekit/ode/conformance" resolve under node10, which ignores
// `exports`). `pnpm check-packages` runs attw on the real packed tarball as well.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPackage, Package } from "@arethetypeswrong/core";

/** Collects the file targets of an `exports` value (strings at any depth of conditions). */
function targets(value: unknown, out: Set<string>): void {
  if (typeof value === "string") out.add(value);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) targets(v, out);
}

function stub(path: string): string {
  if (path.endsWith(".d.ts")) return "export declare const stub: number;\n";
  if (path.endsWith(".js")) return "export const stub = 1;\n";
  return "{}\n";
}

/**
 * The problems attw finds in `packageDir`'s package.json, one line each
 * (`NoResolution "@udekit/ode/conformance" node10`). The package is ESM-only by design, so
 * "CJSResolvesToESM" (require() of an ES module) is not reported.
 */
export async function resolutionProblems(packageDir: string): Promise<string[]> {
  const text = readFileSync(join(packageDir, "package.json"), "utf8");
  const manifest = JSON.parse(text) as {
    name: string;
    version: string;
    main?: string;
    types?: string;
    exports?: unknown;
  };
  const root = `/node_modules/${manifest.name}`;
  const files: Record<string, string> = { [`${root}/package.json`]: text };
  const paths = new Set<string>();
  targets(manifest.exports, paths);
  if (manifest.main !== undefined) paths.add(manifest.main);
  if (manifest.types !== undefined) paths.add(manifest.types);
  for (const p of paths) {
    // Only what is shipped compiled: the "@udekit/source" condition's .ts sources need a custom condition.
    if (p.endsWith(".ts") && !p.endsWith(".d.ts")) continue;
    if (p !== "./package.json") files[`${root}/${p.replace(/^\.\//, "")}`] = stub(p);
  }
  const result = await checkPackage(new Package(files, manifest.name, manifest.version));
  if (!("problems" in result)) return [`${manifest.name}: attw found no types at all`];
  return result.problems
    .filter((p) => p.kind !== "CJSResolvesToESM")
    .map((p) =>
      "entrypoint" in p
        ? `${p.kind} "${p.entrypoint}" ${p.resolutionKind}`
        : `${p.kind} ${JSON.stringify(p)}`,
    );
}
