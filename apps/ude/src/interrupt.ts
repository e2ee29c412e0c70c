/**
 * Ctrl-C during training: the first SIGINT asks the loop to stop after the current iteration
 * (results are still written); the handler then removes itself, so a second SIGINT gets the
 * default action and ends the process at once, even in the middle of a long computation.
 *
 * JavaScript handlers run only between iterations (the loop yields to the event loop there), so
 * the handler, and its "Interrupted" message, come at the end of the iteration in progress; a
 * second Ctrl-C pressed before that message may be merged with the first by libuv.
 */
export interface Interrupt {
  /** True once SIGINT arrived. */
  readonly requested: boolean;
  /** Removes the handler (call when training is over). */
  dispose(): void;
}

export function catchInterrupt(onFirst: () => void): Interrupt {
  let requested = false;
  const handler = () => {
    requested = true;
    process.removeListener("SIGINT", handler);
    onFirst();
  };
  process.on("SIGINT", handler);
  return {
    get requested() {
      return requested;
    },
    dispose() {
      process.removeListener("SIGINT", handler);
    },
  };
}
