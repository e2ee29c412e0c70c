// Runs the ```ts blocks of a package's README.md, as a user would run them, so that an example
// that type-checks (scripts/readme-typecheck.ts) but throws, or exits non-zero, fails the tests.
//
// The programs are readme-typecheck's: a block, plus the blocks after it that start with
//   // continues the example above
// (run once, together); blocks marked "// readme-check: skip <reason>" are neither checked nor
// run. A block that type-checks but cannot run by itself says why among its leading comment lines:
//   // readme-run: skip <reason>
// (a marker without a reason is an error; keep such blocks few). Each program is written to
// `<package>/.readme-run/` (gitignored; inside the package so that @udekit/* and the package's
// dependencies resolve, through the "@udekit/source" condition) and run with tsx in its own
// Node process; a thrown error or a non-zero exit is a failure that quotes the output's tail.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ReadmeProgram, readmePrograms } from "./readme-typecheck.js";

const RUN_SKIP = /^\/\/ readme-run: skip\b(.*)$/;
const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

export interface ReadmeRunResult {
  /** One entry per failed program or bad marker: `README.md:<line>: …`. */
  errors: string[];
  /** Programs run. */
  ran: number;
  /** Programs not run, with their README line and reason. */
  skipped: { line: number; reason: string }[];
  /** Wall time of the slowest program, seconds. */
  slowest: number;
}

/** The reason of a `// readme-run: skip` marker among the program's leading comment lines (undefined: runs). */
export function runSkipReason(program: ReadmeProgram): string | undefined {
  for (const line of program.code.split("\n")) {
    const l = line.trim();
    if (l === "") continue;
    if (!l.startsWith("//")) return undefined;
    const m = RUN_SKIP.exec(l);
    if (m !== null) return m[1].replace(/^[\s:—–-]+/, "").trim();
  }
  return undefined;
}

/**
 * Runs `packageDir`'s README programs (`concurrency` at a time), each with a time limit of
 * `timeoutMs`. Resolves with the failures; never rejects for a failing example.
 */
export async function runReadme(
  packageDir: string,
  { concurrency = 2, timeoutMs = 60_000 }: { concurrency?: number; timeoutMs?: number } = {},
): Promise<ReadmeRunResult> {
  const errors: string[] = [];
  const programs = readmePrograms(readFileSync(join(packageDir, "README.md"), "utf8"), errors);
  const dir = join(packageDir, ".readme-run");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const skipped: { line: number; reason: string }[] = [];
  const todo: { file: string; line: number }[] = [];
  for (const [k, p] of programs.entries()) {
    const line = p.readmeLines[0] ?? 0;
    const reason = runSkipReason(p);
    if (reason !== undefined) {
      if (reason === "")
        errors.push(`README.md:${line}: a "// readme-run: skip" marker must say why the block does not run.`);
      skipped.push({ line, reason });
      continue;
    }
    const file = join(dir, `block-${k + 1}.ts`);
    // `export {}` makes every program a module (top-level await works, names do not clash).
    writeFileSync(file, `${p.code}\nexport {};\n`);
    todo.push({ file, line });
  }
  let slowest = 0;
  const tsx = join(root, "node_modules", "tsx", "dist", "esm", "index.mjs");
  const worker = async (): Promise<void> => {
    for (let job = todo.shift(); job !== undefined; job = todo.shift()) {
      const start = performance.now();
      try {
        await run(process.execPath, ["--conditions=@udekit/source", "--import", tsx, job.file], {
          cwd: packageDir,
          timeout: timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, NODE_OPTIONS: "" },
        });
      } catch (err) {
        const e = err as {
          code?: number | string;
          signal?: string;
          stdout?: string;
          stderr?: string;
          message: string;
        };
        const output = `${e.stderr ?? ""}${e.stdout ?? ""}`.trim() || e.message;
        const why =
          e.signal === "SIGTERM" ? `timed out after ${timeoutMs / 1000} s` : `exited with code ${e.code}`;
        errors.push(`README.md:${job.line}: the example starting here ${why}:\n${tail(output, 40)}`);
      }
      slowest = Math.max(slowest, (performance.now() - start) / 1000);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return { errors, ran: programs.length - skipped.length, skipped, slowest };
}

function tail(text: string, lines: number): string {
  const all = text.split("\n");
  return all.slice(Math.max(0, all.length - lines)).join("\n");
}
