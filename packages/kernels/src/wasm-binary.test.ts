// The committed src/wasm-binary.ts must be exactly what the installed AssemblyScript compiler
// makes of assembly/*.ts (issue 10: a committed build output is fine if a rebuild reproduces it).
// Runs scripts/build-wasm.mjs --check, which compiles in memory and compares byte for byte.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("rebuilding assembly/*.ts reproduces src/wasm-binary.ts byte for byte", () => {
  const out = execFileSync(process.execPath, [join(root, "scripts", "build-wasm.mjs"), "--check"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  expect(out).toMatch(/reproduced byte for byte/);
});
