/**
 * Bytes allocated per call: the growth of V8's used heap and of ArrayBuffer memory over the
 * loop, plus what each garbage collection during the loop freed from the heap (v8.GCProfiler).
 * ArrayBuffer memory freed by a collection is not visible, so when a collection ran the
 * figure is a lower bound (`exact: false`); a measurement with no collection and ~0 bytes is
 * the evidence of an allocation-free loop.
 */
import { GCProfiler, getHeapStatistics } from "node:v8";

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
