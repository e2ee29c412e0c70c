/**
 * Training progress: a live one-line bar (phase, bar, iteration, loss, iterations/s, elapsed,
 * ETA) when the output is a terminal; otherwise plain lines, the first iteration at once and then
 * about every two seconds (and the last one), so logs and pipes stay readable.
 *
 * The bar is redrawn in place (`\r`, the line, erase to its end) at most five times a second,
 * and is fitted to the terminal's width at every redraw: it keeps 3 columns free, so the `^C`
 * the terminal echoes after it when the user presses Ctrl-C stays on the same line (and the next
 * redraw erases it) instead of wrapping and pushing the bar down. When the width is short it
 * narrows the bar and then drops elapsed time and rate, never the ETA. A message (`note`)
 * replaces the bar's line and the bar is drawn again below it, so the message is never
 * overwritten. The cursor is not hidden: a second Ctrl-C ends the process at once (the default
 * action), and nothing would show it again.
 */
import { formatLoss, formatSeconds } from "./format.js";
import type { ProgressEvent } from "./training.js";

export interface Progress {
  update(event: ProgressEvent): void;
  /** Prints a message on its own line (above the bar on a terminal). */
  note(message: string): void;
  stop(): void;
}

const PHASE_LABEL = { adam: "Adam  ", lbfgs: "L-BFGS" } as const;

/** Columns left free after the bar: room for the terminal's `^C` echo and the cursor. */
export const BAR_MARGIN = 3;
const BAR_MAX = 30;
const BAR_MIN = 8;

/**
 * The bar's text for one event, at most `width` characters: the optional parts (elapsed time,
 * then the rate, then the bar itself) go first when it is too narrow; the ETA stays.
 */
export function barLine(e: ProgressEvent, width: number): string {
  const head = PHASE_LABEL[e.phase];
  // Padded, so the bar keeps its length as the count grows.
  const count = `${String(e.iteration).padStart(String(e.total).length)}/${e.total} it`;
  // With a hold-out, the validation loss beside the training loss.
  const loss = `loss ${formatLoss(e.loss)}${e.validation !== undefined ? ` val ${formatLoss(e.validation)}` : ""}`;
  const rate = `${e.itPerSec.toFixed(2)} it/s`;
  const elapsed = `elapsed ${formatSeconds(e.elapsed_s)}`;
  const eta = `ETA ${formatSeconds(e.eta_s)}`;
  const fraction = e.total > 0 ? Math.min(1, e.iteration / e.total) : 0;
  const bar = (w: number) => {
    const full = Math.round(fraction * w);
    return `|${"#".repeat(full)}${"-".repeat(w - full)}|`;
  };
  const choices: string[][] = [
    [count, loss, rate, elapsed, eta],
    [count, loss, rate, eta],
    [count, loss, eta],
  ];
  for (const parts of choices) {
    const text = parts.join(" | ");
    const room = width - head.length - text.length - 4; // two spaces around the bar, its two pipes
    if (room >= BAR_MIN) return `${head} ${bar(Math.min(BAR_MAX, room))} ${text}`;
  }
  for (const parts of choices) {
    const line = `${head} ${parts.join(" | ")}`;
    if (line.length <= width) return line;
  }
  return `${head} ${count} ${eta}`.slice(0, Math.max(0, width));
}

/** The live bar on a terminal stream. */
function terminalProgress(stream: NodeJS.WriteStream, intervalMs: number): Progress {
  let last: ProgressEvent | undefined;
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = () => {
    if (last === undefined) return;
    const width = (stream.columns || 80) - BAR_MARGIN;
    stream.write(`\r${barLine(last, width)}\x1b[K`);
    drawnAt = performance.now();
  };
  return {
    update(e) {
      last = e;
      if (performance.now() - drawnAt >= intervalMs || e.iteration === e.total) draw();
    },
    note(message) {
      if (last === undefined) {
        stream.write(`${message}\n`);
        return;
      }
      // The message takes the bar's line; the bar comes back on the next one.
      stream.write(`\r\x1b[K${message}\n`);
      draw();
    },
    stop() {
      if (last === undefined) return;
      draw();
      stream.write("\n");
      last = undefined;
    },
  };
}

/** Plain progress lines (not a terminal). */
function lineProgress(stream: NodeJS.WriteStream, intervalMs: number): Progress {
  let last = Number.NEGATIVE_INFINITY;
  let lastEvent: ProgressEvent | undefined;
  let printed: ProgressEvent | undefined;
  const line = (e: ProgressEvent) =>
    `${PHASE_LABEL[e.phase]} iteration ${e.iteration}/${e.total}  loss ${formatLoss(e.loss)}  ` +
    `${e.validation !== undefined ? `validation ${formatLoss(e.validation)}  ` : ""}` +
    `${e.itPerSec.toFixed(2)} it/s  elapsed ${formatSeconds(e.elapsed_s)}  ETA ${formatSeconds(e.eta_s)}\n`;
  return {
    update(e) {
      lastEvent = e;
      const now = performance.now();
      if (now - last >= intervalMs || e.iteration === e.total) {
        stream.write(line(e));
        last = now;
        printed = e;
      }
    },
    note(message) {
      stream.write(`${message}\n`);
    },
    stop() {
      if (lastEvent !== undefined && lastEvent !== printed) stream.write(line(lastEvent));
    },
  };
}

/** A progress display on `stream`: a bar if it is a terminal, else periodic lines. */
export function createProgress(stream: NodeJS.WriteStream, intervalMs = 2000): Progress {
  return stream.isTTY ? terminalProgress(stream, 200) : lineProgress(stream, intervalMs);
}
