/**
 * Runs the CLI under a pseudo-terminal of a given width (util-linux `script`), so it sees a TTY
 * and draws its progress bar; keys written to the child's stdin arrive as typed (Ctrl-C =
 * "\x03": the terminal echoes "^C" and sends SIGINT; `hangUp` closes the terminal). `screen` replays the output the way a
 * terminal shows it, to check what the user ends up seeing.
 */
import { spawn } from "node:child_process";
import { BIN } from "./run-cli.js";

export interface PtyRun {
  /** Everything the terminal received, escape sequences included. */
  output: string;
  /** What `script` itself printed on its stderr (its own errors; empty normally). */
  scriptErrors: string;
  code: number | null;
}

/**
 * `ude args…` in a `columns`-wide pseudo-terminal; `onOutput` sees the output so far after every
 * chunk and may type into the terminal.
 */
export function runInTerminal(
  args: readonly string[],
  columns: number,
  onOutput: (output: string, type: (keys: string) => void, hangUp: () => void) => void,
): Promise<PtyRun> {
  const quoted = [BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const env = { ...process.env };
  delete env.INIT_CWD;
  delete env.npm_lifecycle_event;
  const child = spawn(
    "script",
    [
      "-q",
      "-f",
      "-e",
      "-c",
      `stty cols ${columns} rows 40; exec '${process.execPath}' ${quoted}`,
      "/dev/null",
    ],
    { stdio: ["pipe", "pipe", "pipe"], env },
  );
  let output = "";
  let scriptErrors = "";
  child.stderr.on("data", (d: Buffer) => {
    scriptErrors += d.toString();
  });
  const type = (keys: string) => child.stdin.write(keys);
  // Closing the terminal: `script` dies and the pseudo-terminal's master side with it, so the
  // kernel sends SIGHUP to the CLI (its session leader) and its later writes fail with EIO.
  const hangUp = () => child.kill("SIGKILL");
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
    onOutput(output, type, hangUp);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      child.stdin.end();
      resolve({ output, scriptErrors, code });
    });
  });
}

/**
 * The lines a `columns`-wide terminal shows after receiving `text`: printable characters with
 * automatic wrapping at the right margin, `\r`, `\n`, erasing in the line (CSI K, 1K, 2K) and
 * moving to a column (CSI n G); other escape sequences (cursor shown or hidden) are skipped.
 */
export function screen(text: string, columns: number): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  let pendingWrap = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\x1b") {
      const m = /^\[([?\d;]*)([A-Za-z])/.exec(text.slice(i + 1, i + 16));
      if (m !== null) {
        const arg = m[1] === "" ? 0 : Number(m[1]);
        const line = lines[row];
        if (m[2] === "K" && arg === 0) line.length = Math.min(line.length, col);
        if (m[2] === "K" && arg === 1) for (let j = 0; j <= col && j < line.length; j++) line[j] = " ";
        if (m[2] === "K" && arg === 2) line.length = 0;
        if (m[2] === "G") {
          col = Math.max(0, Math.min(columns - 1, arg - 1));
          pendingWrap = false;
        }
        i += m[0].length; // the escape character and the sequence after it
        continue;
      }
    }
    if (c === "\r") {
      col = 0;
      pendingWrap = false;
    } else if (c === "\n") {
      row++;
      lines[row] ??= [];
      pendingWrap = false;
    } else {
      if (pendingWrap) {
        row++;
        lines[row] ??= [];
        col = 0;
        pendingWrap = false;
      }
      const line = lines[row];
      while (line.length < col) line.push(" ");
      line[col] = c;
      if (col === columns - 1) pendingWrap = true;
      else col++;
    }
  }
  return lines.map((l) => l.join("").trimEnd());
}
