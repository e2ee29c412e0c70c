// Checks that what each library ships is what it declares: publint on the package folder and
// are-the-types-wrong on the packed tarball under every module resolution, node10 included
// (subpaths resolve there through typesVersions); udekit ships no CommonJS, so require() resolving
// to an ES module (cjs-resolves-to-esm) is expected and ignored.
// Run after `turbo run build` (the `check-packages` script does both).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
let failures = 0;
for (const dir of readdirSync(join(root, "packages"))) {
  const cwd = join(root, "packages", dir);
  for (const [tool, args] of [
    ["publint", ["--strict"]],
    ["attw", ["--pack", ".", "--ignore-rules", "cjs-resolves-to-esm", "--format", "table-flipped"]],
  ]) {
    try {
      execFileSync(bin(tool), args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      console.log(`${dir}: ${tool} ok`);
    } catch (err) {
      failures++;
      console.error(`${dir}: ${tool} FAILED\n${err.stdout ?? ""}${err.stderr ?? ""}`);
    }
  }
}
process.exit(failures > 0 ? 1 : 0);
