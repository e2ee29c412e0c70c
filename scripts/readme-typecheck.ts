// Type-checks the ```ts blocks of a package's README.md with the workspace's TypeScript under
// the workspace's strict settings, so that a README cannot drift from the API it documents.
//
// Each block is its own program (a module), unless its first line is
//   // continues the example above
// in which case it is appended to the program of the block before it (it may use that block's
// imports and variables). A block that is deliberately not checked says why on its first line:
//   // readme-check: skip <reason>
// (a marker without a reason is an error). typescript 7 (the native `tsc`) has no compiler API,
// so the programs are written to `<package>/.readme-check/` (gitignored) with a tsconfig that
// resolves @udekit/* through the "@udekit/source" condition, and `tsc -p` runs on them.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONTINUES = "// continues the example above";
const SKIP = /^\/\/ readme-check: skip\b(.*)$/;

export interface ReadmeBlock {
  /** 1-based README line of the block's first code line. */
  line: number;
  lines: string[];
  continues: boolean;
  /** The reason given by a skip marker; undefined for a checked block. */
  skip?: string;
}

export interface ReadmeProgram {
  /** The program's source. */
  code: string;
  /** README line of each line of `code` (0 for lines the checker added). */
  readmeLines: number[];
}

/** The ```ts blocks of a markdown text, with their markers read. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    const body = lines.slice(start, end);
    const first = (body.find((l) => l.trim() !== "") ?? "").trim();
    const skip = SKIP.exec(first);
    blocks.push({
      line: start + 1,
      lines: body,
      continues: first.startsWith(CONTINUES),
      skip: skip === null ? undefined : skip[1].replace(/^[\s:—–-]+/, "").trim(),
    });
    i = end;
  }
  return blocks;
}

/** Groups the blocks into programs (a block and the blocks that continue it); marker errors go to `errors`. */
export function readmePrograms(markdown: string, errors: string[] = []): ReadmeProgram[] {
  const programs: ReadmeProgram[] = [];
  let previousSkipped = false;
  for (const block of readmeBlocks(markdown)) {
    if (block.skip !== undefined) {
      if (block.skip === "") {
        errors.push(
          `README.md:${block.line}: a "// readme-check: skip" marker must say why the block is not checked.`,
        );
      }
      previousSkipped = true;
      continue;
    }
    const numbered = block.lines.map((_, k) => block.line + k);
    if (block.continues) {
      const last = programs[programs.length - 1];
      if (last === undefined || previousSkipped) {
        errors.push(
          `README.md:${block.line}: "${CONTINUES}" but the block before it is ${last === undefined ? "missing" : "not checked"}; make this block self-contained.`,
        );
      } else {
        last.code += `\n${block.lines.join("\n")}`;
        last.readmeLines.push(...numbered);
        previousSkipped = false;
        continue;
      }
    }
    programs.push({ code: block.lines.join("\n"), readmeLines: numbered });
    previousSkipped = false;
  }
  return programs;
}

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Writes `packageDir`'s README programs to `packageDir/.readme-check/` and runs `tsc -p` on them.
 * Returns one line per problem, `README.md:<line>: error TS…: …`, and the number of programs.
 */
export function typecheckReadme(packageDir: string): { errors: string[]; programs: number } {
  const errors: string[] = [];
  const programs = readmePrograms(readFileSync(join(packageDir, "README.md"), "utf8"), errors);
  const dir = join(packageDir, ".readme-check");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const tsconfig = {
    extends: join(root, "tsconfig.base.json"),
    compilerOptions: { noEmit: true, declaration: false, declarationMap: false, sourceMap: false },
    include: ["*.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  // `export {}` makes every program a module, so blocks declaring the same names do not clash.
  for (const [k, p] of programs.entries())
    writeFileSync(join(dir, `block-${k + 1}.ts`), `${p.code}\nexport {};\n`);
  if (programs.length === 0) return { errors, programs: 0 };
  let output = "";
  try {
    execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", dir, "--pretty", "false"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    output = `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message;
  }
  for (const line of output.split("\n")) {
    const m = /block-(\d+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
    if (m !== null) {
      const readmeLine = programs[Number(m[1]) - 1].readmeLines[Number(m[2]) - 1] ?? 0;
      errors.push(`README.md:${readmeLine}:${m[3]}: ${m[4]}`);
    } else if (line.trim() !== "") {
      // continuation lines of a message, or an error not tied to a block (e.g. the tsconfig)
      if (errors.length > 0 && /^\s/.test(line)) errors[errors.length - 1] += `\n${line}`;
      else errors.push(line);
    }
  }
  return { errors, programs: programs.length };
}
