/**
 * `ExpmWorkspace`: every n-dependent buffer of `expm`, `expmFrechet` and `expmv`, allocated
 * once per size and reused, so repeated calls on the same n allocate nothing. The Fréchet and
 * expmv buffers are created on first use.
 */
import { Normest1Workspace } from "./norms.js";

export class ExpmWorkspace {
  readonly n: number;
  // expm
  readonly A: Float64Array;
  readonly A2: Float64Array;
  readonly A4: Float64Array;
  readonly A6: Float64Array;
  readonly A8: Float64Array;
  readonly U: Float64Array;
  readonly V: Float64Array;
  readonly T1: Float64Array;
  readonly T2: Float64Array;
  readonly Q: Float64Array;
  readonly piv: Int32Array;
  readonly absA: Float64Array;
  readonly vecA: Float64Array;
  readonly vecB: Float64Array;
  readonly normest: Normest1Workspace;
  private frechetBuffers: FrechetBuffers | null = null;
  private expmvBuffers: ExpmvBuffers | null = null;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`ExpmWorkspace: n must be a positive integer, got ${n}.`);
    this.n = n;
    const nn = n * n;
    this.A = new Float64Array(nn);
    this.A2 = new Float64Array(nn);
    this.A4 = new Float64Array(nn);
    this.A6 = new Float64Array(nn);
    this.A8 = new Float64Array(nn);
    this.U = new Float64Array(nn);
    this.V = new Float64Array(nn);
    this.T1 = new Float64Array(nn);
    this.T2 = new Float64Array(nn);
    this.Q = new Float64Array(nn);
    this.piv = new Int32Array(n);
    this.absA = new Float64Array(nn);
    this.vecA = new Float64Array(n);
    this.vecB = new Float64Array(n);
    this.normest = new Normest1Workspace(n);
  }

  /** Extra buffers of `expmFrechet` (created on first use). */
  frechet(): FrechetBuffers {
    if (this.frechetBuffers === null) {
      const nn = this.n * this.n;
      const mk = () => new Float64Array(nn);
      this.frechetBuffers = {
        E: mk(),
        M2: mk(),
        M4: mk(),
        M6: mk(),
        W1: mk(),
        Z1: mk(),
        W: mk(),
        Lu: mk(),
        Lv: mk(),
        L1: mk(),
        L2: mk(),
      };
    }
    return this.frechetBuffers;
  }

  /** Extra buffers of `expmv` (created on first use). */
  expmv(): ExpmvBuffers {
    if (this.expmvBuffers === null) {
      const n = this.n;
      this.expmvBuffers = {
        b: new Float64Array(n),
        f: new Float64Array(n),
        tmp: new Float64Array(n),
        shifted: new Float64Array(n * n),
        d: new Float64Array(11),
        hA: null,
        E: null,
      };
    }
    return this.expmvBuffers;
  }
}

export interface FrechetBuffers {
  E: Float64Array;
  M2: Float64Array;
  M4: Float64Array;
  M6: Float64Array;
  W1: Float64Array;
  Z1: Float64Array;
  W: Float64Array;
  Lu: Float64Array;
  Lv: Float64Array;
  L1: Float64Array;
  L2: Float64Array;
}

export interface ExpmvBuffers {
  b: Float64Array;
  f: Float64Array;
  tmp: Float64Array;
  /** A − μI, for the norm estimates. */
  shifted: Float64Array;
  /** d_p = ‖A^p‖₁^{1/p} estimates, p = 0…10 (NaN = not computed yet). */
  d: Float64Array;
  /** h·A and exp(h·A) for steps too long for the Taylor route (n×n, created on first such step). */
  hA: Float64Array | null;
  E: Float64Array | null;
}

const cache = new Map<number, ExpmWorkspace>();

/** The shared workspace for size n (created on first use; `clearWorkspaces` frees them). */
export function workspaceFor(n: number): ExpmWorkspace {
  let ws = cache.get(n);
  if (ws === undefined) {
    ws = new ExpmWorkspace(n);
    cache.set(n, ws);
  }
  return ws;
}

/** Drops the shared workspaces (memory is n²-sized per size used). */
export function clearWorkspaces(): void {
  cache.clear();
}
