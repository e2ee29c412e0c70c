/**
 * Stopping a run from outside: Ctrl-C (SIGINT), `kill` (SIGTERM: also what a batch scheduler
 * or `timeout` sends) and a closed terminal or ssh session (SIGHUP). The first of them asks the
 * loop to stop after the current iteration (results are still written, and the process exits
 * with 128 + the signal's number: 130, 143, 129); the handlers then remove themselves, so a
 * second signal gets the default action and ends the process at once, even in the middle of a
 * long computation. A closed stdout (EPIPE, `ude train | head`) stops a training run the same
 * way, exit code 141 (stdoutClosed).
 *
 * JavaScript handlers run only between iterations (the loop yields to the event loop there), so
 * the handler, and its "Interrupted" message, come at the end of the iteration in progress; a
 * second Ctrl-C pressed before that message may be merged with the first by libuv.
 */
import { constants } from "node:os";

/** The signals that stop a run and still save it. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/**
 * What stopped a run: one of STOP_SIGNALS, or "SIGPIPE" for a closed stdout (its reader ended,
 * as in `ude train | head`): Node ignores the SIGPIPE signal itself, and a write then fails with
 * EPIPE, which cli.ts passes on to stdoutClosed below.
 */
export type StopSignal = (typeof STOP_SIGNALS)[number] | "SIGPIPE";

export interface Interrupt {
  /** True once one of the signals arrived. */
  readonly requested: boolean;
  /** The signal that arrived first (undefined until one did). */
  readonly signal: StopSignal | undefined;
  /** Removes the handlers (call when training is over). */
  dispose(): void;
}

/** The exit code of a process stopped by `signal` after saving: 128 + its number (SIGINT 130). */
export function signalExitCode(signal: StopSignal | undefined): number {
  return 128 + constants.signals[signal ?? "SIGINT"];
}

/** How a message names the signal: "Ctrl-C" for SIGINT, else its name. */
export function signalName(signal: StopSignal | undefined): string {
  return signal === undefined || signal === "SIGINT" ? "Ctrl-C" : signal;
}

/** The line a training run prints when the first stop signal arrives (on stderr for SIGPIPE: outputStream). */
export function interruptNote(signal: StopSignal): string {
  if (signal === "SIGPIPE") {
    return `Stdout was closed (its reader ended, e.g. \`| head\`): stopping after the current iteration and writing results (exit code ${signalExitCode(signal)}).`;
  }
  return signal === "SIGINT"
    ? "Interrupted: stopping after the current iteration and writing results (Ctrl-C again quits at once)."
    : `Interrupted by ${signal}: stopping after the current iteration and writing results (a second ${signal} quits at once).`;
}

/** results.json's training.message of a run stopped by `signal` (Ctrl-C needs no words). */
export function interruptMessage(signal: StopSignal | undefined): string {
  if (signal === "SIGPIPE") return "stdout closed (EPIPE: its reader ended).";
  return signal === undefined || signal === "SIGINT" ? "" : `${signal} received.`;
}

/** The first stop signal this process received (any catchInterrupt), for cli.ts's write-error handler. */
let received: StopSignal | undefined;
export function stopSignalReceived(): StopSignal | undefined {
  return received;
}

/** The first-stop handlers of the catchInterrupts in force (a closed stdout calls them too). */
const catchers = new Set<(signal: StopSignal) => void>();
/** Runs that save their results (whileSaving) in progress. */
let saving = 0;
let closed = false;

/**
 * Runs `work`, a command whose results are written to files (train): while it runs, a closed
 * stdout stops it like a signal instead of ending the process (stdoutClosed).
 */
export async function whileSaving<T>(work: () => Promise<T>): Promise<T> {
  saving++;
  try {
    return await work();
  } finally {
    saving--;
  }
}

/**
 * Called by cli.ts when a write to stdout fails with EPIPE. During a run that saves results
 * (whileSaving) the reader's going away must not lose them: training stops after the current
 * iteration, as on Ctrl-C, writes its results and exits with 141 (128 + SIGPIPE, the status a
 * shell reports for a process a closed pipe ended, as `git log | head`'s git), and the rest of
 * its output goes to stderr (outputStream). Returns false when no such run is in progress (the
 * caller may then end the process quietly).
 */
export function stdoutClosed(): boolean {
  if (saving === 0) return false;
  closed = true;
  received ??= "SIGPIPE";
  for (const first of [...catchers]) first("SIGPIPE");
  return true;
}

/** Where a run writes what it would write to stdout: stderr once stdout is closed. */
export function outputStream(json: boolean): NodeJS.WriteStream {
  return json || closed ? process.stderr : process.stdout;
}

export function catchInterrupt(onFirst: (signal: StopSignal) => void): Interrupt {
  let signal: StopSignal | undefined;
  const handlers = STOP_SIGNALS.map((s) => [s, () => first(s)] as const);
  const dispose = () => {
    for (const [s, h] of handlers) process.removeListener(s, h);
    catchers.delete(first);
  };
  const first = (s: StopSignal) => {
    signal = s;
    received ??= s;
    dispose();
    onFirst(s);
  };
  for (const [s, h] of handlers) process.on(s, h);
  catchers.add(first);
  return {
    get requested() {
      return signal !== undefined;
    },
    get signal() {
      return signal;
    },
    dispose,
  };
}
