/**
 * Spawns the real CLI (bin/ude.mjs, the package's `ude` bin) as a child process and collects
 * its output, for the end-to-end tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../bin/ude.mjs", import.meta.url));
export const APP_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without pnpm's script variables, so relative paths resolve against cwd. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.INIT_CWD;
  delete env.npm_lifecycle_event;
  delete env.UDE_DEBUG;
  return env;
}

/** Starts `ude args…`; `onStdout` sees the accumulated stdout after every chunk. */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; onStdout?: (text: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? APP_DIR,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(stdout, child);
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: readonly string[], cwd?: string): Promise<CliResult> {
  return startCli(args, cwd !== undefined ? { cwd } : {}).done;
}

/**
 * stderr without the progress lines of long runs (a run of 10 s or more prints one, on stderr
 * with --json; on a heavily loaded machine even the UDE's first, compiling run takes that long).
 */
export function withoutProgress(stderr: string): string {
  return stderr.replace(/^ {4}(warm-up run|run \d+ of \d+): .*\n/gm, "");
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ude-test-${prefix}-`));
}

/** Reference values from scripts/gen-reference.py (numpy/scipy, independent of udekit). */
export interface Reference {
  linear: { loss: number; gradP: number[][] };
  ude: {
    loss_identity: number;
    loss_tanh: number;
    fd_step: number;
    grad_net_identity: number[];
    grad_P_entries_identity: { i: number; j: number; value: number }[];
  };
}

export function loadReference(): Reference {
  return JSON.parse(readFileSync(join(APP_DIR, "test", "fixtures", "reference.json"), "utf8")) as Reference;
}

export interface SeedFile {
  trainingData: number[][];
  connectivity: number[][];
}

export function loadSeedFile(): SeedFile {
  return JSON.parse(readFileSync(join(APP_DIR, "data", "seed-ude.json"), "utf8")) as SeedFile;
}

/** ‖a − b‖₂ / ‖b‖₂ over flattened arrays. */
export function relErr(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(d / s);
}
