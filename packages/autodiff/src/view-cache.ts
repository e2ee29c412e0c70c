/**
 * The view of entries [offset, offset + length) of the last few arrays asked about: replaying a
 * compiled program hands ops the same few buffers call after call (an ODE solve's stage vectors,
 * say seven of them for Tsit5), so after the first round a window costs a short scan and no object.
 * Capacity 8, replaced round-robin; one cache per (offset, length) site. It keeps the last
 * eight arrays reachable (bounded: eight per site), as the single cached view before it kept one.
 */
const CAPACITY = 8;

export class ViewCache {
  private readonly arrays: (Float64Array | null)[] = new Array(CAPACITY).fill(null);
  private readonly views: (Float64Array | null)[] = new Array(CAPACITY).fill(null);
  private next = 0;

  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}

  /** The window of `a`: `a` itself when it is all of it. */
  windowOf(a: Float64Array): Float64Array {
    if (this.offset === 0 && this.length === a.length) return a;
    const { arrays, views } = this;
    for (let i = 0; i < CAPACITY; i++) if (arrays[i] === a) return views[i] as Float64Array;
    const view = a.subarray(this.offset, this.offset + this.length);
    arrays[this.next] = a;
    views[this.next] = view;
    this.next = (this.next + 1) % CAPACITY;
    return view;
  }
}
