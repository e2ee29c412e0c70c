/**
 * Bytes allocated per call: the growth of V8's used heap and of ArrayBuffer memory over the
 * loop, plus what each garbage collection during the loop freed from the heap (v8.GCProfiler).
 * ArrayBuffer memory freed by a collection is not visible, so when a collection ran the
 * figure is a lower bound (`exact: false`); a measurement with no collection and ~0 bytes is
 * the evidence of an allocation-free loop.
 */
import { GCProfiler, getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface AllocationMeasurement {
  bytesPerCall: number;
  gcRuns: number;
  exact: boolean;
}

const used = (): number => getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;

export function measureAllocation(fn: () => unknown, calls: number): AllocationMeasurement {
  const profiler = new GCProfiler();
  profiler.start();
  const before = used();
  for (let i = 0; i < calls; i++) fn();
  const after = used();
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return {
    bytesPerCall: Math.max(0, (after - before + freed) / calls),
    gcRuns: statistics.length,
    exact: statistics.length === 0,
  };
}

export function formatBytes(m: AllocationMeasurement): string {
  const b = Math.round(m.bytesPerCall);
  return m.exact ? String(b) : `≥ ${b}`;
}

/**
 * Bytes allocated by one call of a function that allocates a lot (e.g. a whole gradient):
 * collect garbage first (V8's gc, exposed at run time), then take the growth of heap +
 * ArrayBuffer memory over the call. When a collection still ran during the call, what it freed
 * from the heap is added and the figure is a lower bound (`exact: false`). Returns the median
 * over `calls` calls, with the largest resident set size seen right after a call.
 */
export function measureAllocationPerCall(
  fn: () => unknown,
  calls: number,
): AllocationMeasurement & { rssPeakBytes: number } {
  const gc = exposedGc();
  const bytes: number[] = [];
  let gcRuns = 0;
  let rssPeakBytes = 0;
  for (let c = 0; c < calls; c++) {
    gc();
    const profiler = new GCProfiler();
    profiler.start();
    const before = used();
    fn();
    const after = used();
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage().rss);
    const { statistics } = profiler.stop();
    let freed = 0;
    for (const s of statistics) {
      freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    }
    gcRuns += statistics.length;
    bytes.push(Math.max(0, after - before + freed));
  }
  bytes.sort((a, b) => a - b);
  return { bytesPerCall: bytes[bytes.length >> 1], gcRuns, exact: gcRuns === 0, rssPeakBytes };
}

let gcFn: (() => void) | undefined;

/** V8's gc() without the --expose-gc command-line flag (the flag is set before the first use). */
/** V8's full garbage collection (exposed at run time). */
export function exposedGc(): () => void {
  if (gcFn === undefined) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  }
  return gcFn;
}
