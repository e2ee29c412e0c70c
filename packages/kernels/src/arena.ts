/**
 * A first-fit free-list allocator over a fixed byte range of one ArrayBuffer (the WebAssembly
 * memory of the wasm backend). It hands out Float64Array / Int32Array views; `free` returns a
 * block and merges it with free neighbours. The range never grows, so a view it returned stays
 * valid for the life of the program (see README "Memory rules"): when no block fits, `alloc*`
 * returns null and the caller falls back to an ordinary typed array.
 *
 * Blocks start on 16-byte boundaries (one f64x2 vector) and are zero-filled when handed out
 * (unless the caller asks for an uninitialised block).
 */
import { ArenaError } from "./errors.js";

export interface ArenaStats {
  /** Bytes the arena can hand out in total. */
  capacityBytes: number;
  /** Bytes in live blocks (rounded up to 16). */
  usedBytes: number;
  /** The largest block that could be allocated now, in bytes. */
  largestFreeBytes: number;
  /** Number of live allocations. */
  liveAllocations: number;
}

const ALIGN = 16;

export class Arena {
  /** Free ranges [start, end), sorted by start, never adjacent (merged on free). */
  private readonly freeList: { start: number; end: number }[];
  /** Live blocks: start → [rounded byte size, byte length of the view handed out]. */
  private readonly live = new Map<number, [number, number]>();
  private used = 0;

  constructor(
    readonly buffer: ArrayBuffer,
    readonly start: number,
    readonly end: number,
  ) {
    if (start % ALIGN !== 0 || end % ALIGN !== 0 || start > end || end > buffer.byteLength) {
      throw new ArenaError(
        `Arena range [${start}, ${end}) is invalid: expected 16-byte aligned bounds inside a ${buffer.byteLength}-byte buffer.`,
      );
    }
    this.freeList = start < end ? [{ start, end }] : [];
  }

  /**
   * A Float64Array of n entries inside the arena, zero-filled unless `zeroed` is false (then it
   * holds whatever the block held before), or null when no free block is large enough.
   */
  allocF64(n: number, zeroed = true): Float64Array | null {
    const p = this.take(n * 8);
    if (p < 0) return null;
    const a = new Float64Array(this.buffer, p, n);
    return zeroed ? a.fill(0) : a;
  }

  /** A zero-filled Int32Array of n entries inside the arena, or null when no free block is large enough. */
  allocI32(n: number): Int32Array | null {
    const p = this.take(n * 4);
    return p < 0 ? null : new Int32Array(this.buffer, p, n).fill(0);
  }

  /** True when the view lies in this arena's buffer (arena block, subarray of one, or scratch). */
  owns(view: ArrayBufferView): boolean {
    return view.buffer === this.buffer;
  }

  /**
   * Returns the block behind `view` to the arena. Views of other buffers are ignored, so code can
   * free whatever it allocated without checking where it landed. Throws ArenaError for a view of
   * this buffer that is not exactly a live block (double free, subarray).
   */
  free(view: Float64Array | Int32Array): void {
    if (view.buffer !== this.buffer) return;
    const block = this.live.get(view.byteOffset);
    if (block === undefined || block[1] !== view.byteLength) {
      throw new ArenaError(
        `freeArray: the ${view.length}-entry view at byte ${view.byteOffset} is not a live arena allocation (freed twice, or a subarray of one). Pass exactly the array allocF64/allocI32 returned, once.`,
      );
    }
    this.live.delete(view.byteOffset);
    this.used -= block[0];
    this.insertFree(view.byteOffset, view.byteOffset + block[0]);
  }

  stats(): ArenaStats {
    let largest = 0;
    for (const r of this.freeList) largest = Math.max(largest, r.end - r.start);
    return {
      capacityBytes: this.end - this.start,
      usedBytes: this.used,
      largestFreeBytes: largest,
      liveAllocations: this.live.size,
    };
  }

  private take(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes <= 0) return -1;
    const size = Math.ceil(bytes / ALIGN) * ALIGN;
    for (let i = 0; i < this.freeList.length; i++) {
      const r = this.freeList[i];
      if (r.end - r.start < size) continue;
      const p = r.start;
      r.start += size;
      if (r.start === r.end) this.freeList.splice(i, 1);
      this.live.set(p, [size, bytes]);
      this.used += size;
      return p;
    }
    return -1;
  }

  private insertFree(start: number, end: number): void {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].start < start) i++;
    const prev = i > 0 ? list[i - 1] : undefined;
    const next = i < list.length ? list[i] : undefined;
    if (prev !== undefined && prev.end === start) {
      prev.end = end;
      if (next !== undefined && next.start === end) {
        prev.end = next.end;
        list.splice(i, 1);
      }
    } else if (next !== undefined && next.start === end) {
      next.start = start;
    } else {
      list.splice(i, 0, { start, end });
    }
  }
}
