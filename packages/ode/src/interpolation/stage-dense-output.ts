/**
 * Dense output from a step's stage vectors, y(t₀ + θh) = y₀ + Σᵢ wᵢ(θ)·Vᵢ (σ = 1: the vectors
 * already carry h), for the stiff engines whose dense vectors are their stages (Rosenbrock's uᵢ,
 * SDIRK's zᵢ): the live step's vectors, or a stored step's, copied once into a buffer the engine
 * owns (its workspace) and kept while the same step is asked for again, since a dense solve's
 * `sol.at` or a backward pass reads one stored step many times in a row. Allocation-free after
 * construction.
 */
import { axpy } from "@udekit/kernels";
import { interpolationWeights, type PolynomialInterpolant } from "./polynomial-interpolant.js";

export class StageDenseOutput {
  private readonly w: Float64Array;
  private readonly storedViews: Float64Array[];
  private storedOffset = Number.NaN;
  private storedStore: Float64Array | undefined;

  constructor(
    private readonly interp: PolynomialInterpolant,
    private readonly n: number,
    /** interp.stages·n entries of the engine's workspace for a stored step's vectors. */
    private readonly stored: Float64Array,
  ) {
    this.w = new Float64Array(interp.stages);
    this.storedViews = Array.from({ length: interp.stages }, (_, i) => stored.subarray(i * n, (i + 1) * n));
  }

  /** out = y0 + Σᵢ wᵢ(θ)·V[i] (out may be y0). */
  combine(V: Float64Array[], theta: number, y0: Float64Array, out: Float64Array): void {
    interpolationWeights(this.interp, theta, this.w);
    if (out !== y0) out.set(y0);
    for (let i = 0; i < this.interp.stages; i++) if (this.w[i] !== 0) axpy(this.n, this.w[i], V[i], out);
  }

  /** The same for a stored step: its vectors at `offset` of `store` (as saveDense wrote them). */
  combineStored(
    theta: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void {
    if (this.storedOffset !== offset || this.storedStore !== store) {
      const len = this.interp.stages * this.n;
      for (let i = 0; i < len; i++) this.stored[i] = store[offset + i];
      this.storedOffset = offset;
      this.storedStore = store;
    }
    this.combine(this.storedViews, theta, y0, out);
  }
}
