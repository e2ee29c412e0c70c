/**
 * Training progress: a live bar (cli-progress) with iteration, loss, iterations/s and ETA when
 * the output is a terminal; otherwise plain lines, the first iteration at once and then about
 * every two seconds (and the last one), so logs and pipes stay readable.
 */
import cliProgress from "cli-progress";
import type { ProgressEvent } from "./training.js";

export interface Progress {
  update(event: ProgressEvent): void;
  /** Prints a message on its own line (above the bar on a terminal). */
  note(message: string): void;
  stop(): void;
}

/** Seconds as "42 s", "3 min 05 s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, "0")} s`;
}

export function formatLoss(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}

const PHASE_LABEL = { adam: "Adam  ", lbfgs: "L-BFGS" } as const;

/** A progress display on `stream`: a bar if it is a terminal, else periodic lines. */
export function createProgress(stream: NodeJS.WriteStream, intervalMs = 2000): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          "{phase} |{bar}| {value}/{total} it | loss {loss} | {rate} it/s | elapsed {elapsed} | ETA {eta_text}",
        hideCursor: true,
        barsize: 24,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(e) {
        const payload = {
          phase: PHASE_LABEL[e.phase],
          loss: formatLoss(e.loss),
          rate: e.itPerSec.toFixed(2),
          elapsed: formatSeconds(e.elapsed_s),
          eta_text: formatSeconds(e.eta_s),
        };
        if (!started) {
          bar.start(e.total, e.iteration, payload);
          started = true;
        } else bar.update(e.iteration, payload);
      },
      note(message) {
        if (started) {
          // Move below the bar's line, print, and let the bar redraw under the message.
          stream.write(`\n${message}\n`);
        } else stream.write(`${message}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = Number.NEGATIVE_INFINITY;
  let lastEvent: ProgressEvent | undefined;
  let printed: ProgressEvent | undefined;
  const line = (e: ProgressEvent) =>
    `${PHASE_LABEL[e.phase]} iteration ${e.iteration}/${e.total}  loss ${formatLoss(e.loss)}  ` +
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
