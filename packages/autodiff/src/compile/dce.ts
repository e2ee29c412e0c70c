/**
 * Pass 2 of compile: dead-code removal. Of the traced tape, only the entries the output depends
 * on become steps; ops f ran whose results it dropped are never replayed.
 */
import type { Trace } from "./trace.js";

/** live[k]: tape entry k is the output or one of its (transitive) inputs. */
export function liveEntries({ tape, out }: Trace): boolean[] {
  const live = new Array<boolean>(tape.entries.length).fill(false);
  live[out.index] = true;
  for (let k = out.index; k >= 0; k--) {
    if (!live[k]) continue;
    for (const t of tape.entries[k].inputs) if (t.tape === tape) live[t.index] = true;
  }
  return live;
}
