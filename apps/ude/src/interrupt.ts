/**
 * Stopping a run from outside: Ctrl-C (SIGINT), `kill` (SIGTERM: also what a batch scheduler
 * or `timeout` sends) and a closed terminal or ssh session (SIGHUP). The first of them asks the
 * loop to stop after the current iteration (results are still written, and the process exits
 * with 128 + the signal's number: 130, 143, 129); the handlers then remove themselves, so a
 * second signal gets the default action and ends the process at once, even in the middle of a
 * long computation.
 *
 * JavaScript handlers run only between iterations (the loop yields to the event loop there), so
 * the handler, and its "Interrupted" message, come at the end of the iteration in progress; a
 * second Ctrl-C pressed before that message may be merged with the first by libuv.
 */
import { constants } from "node:os";

/** The signals that stop a run and still save it. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

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

/** The line a training run prints when the first stop signal arrives. */
export function interruptNote(signal: StopSignal): string {
  return signal === "SIGINT"
    ? "Interrupted: stopping after the current iteration and writing results (Ctrl-C again quits at once)."
    : `Interrupted by ${signal}: stopping after the current iteration and writing results (a second ${signal} quits at once).`;
}

/** results.json's training.message of a run stopped by `signal` (Ctrl-C needs no words). */
export function interruptMessage(signal: StopSignal | undefined): string {
  return signal === undefined || signal === "SIGINT" ? "" : `${signal} received.`;
}

/** The first stop signal this process received (any catchInterrupt), for cli.ts's write-error handler. */
let received: StopSignal | undefined;
export function stopSignalReceived(): StopSignal | undefined {
  return received;
}

export function catchInterrupt(onFirst: (signal: StopSignal) => void): Interrupt {
  let signal: StopSignal | undefined;
  const handlers = STOP_SIGNALS.map((s) => [s, () => first(s)] as const);
  const dispose = () => {
    for (const [s, h] of handlers) process.removeListener(s, h);
  };
  const first = (s: StopSignal) => {
    signal = s;
    received ??= s;
    dispose();
    onFirst(s);
  };
  for (const [s, h] of handlers) process.on(s, h);
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
