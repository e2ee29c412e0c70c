/**
 * Dense (fully connected) layer, as Lux's `Dense(in => out, σ)`:
 *   y = σ(x·Wᵀ + b),  x [batch, inDims] or [inDims]  →  y [batch, outDims] or [outDims].
 * Parameters: `weight` [outDims, inDims] (row-major, out × in as in Lux), `bias` [outDims]
 * (absent with useBias: false).
 * Defaults: weights glorotUniform (Lux's Dense default in the versions the seed problem used),
 * bias zeros, no activation.
 */
import type { Tensor } from "@udekit/autodiff";
import { type Activation, type ActivationName, resolveActivation } from "../activations.js";
import { InputShapeError, ModelDefinitionError } from "../errors.js";
import { glorotUniform, type Initializer, zeros } from "../init.js";
import type { ParamTree } from "../params.js";
import { dense } from "./dense-op.js";
import type { Layer, ShapeTree } from "./layer.js";

export interface DenseOptions {
  readonly activation?: Activation | ActivationName;
  /** Include the bias b. Default true. */
  readonly useBias?: boolean;
  /** Default glorotUniform. */
  readonly initWeight?: Initializer;
  /** Default zeros. */
  readonly initBias?: Initializer;
}

function checkDims(who: string, name: string, d: number): void {
  if (!Number.isInteger(d) || d < 1) {
    throw new ModelDefinitionError(
      `${who}: ${name} = ${d}; expected a positive integer. Fix: e.g. Dense(4, 5).`,
    );
  }
}

/** A dense layer from inDims to outDims features. */
export function Dense(inDims: number, outDims: number, options: DenseOptions = {}): Layer {
  checkDims("Dense", "inDims", inDims);
  checkDims("Dense", "outDims", outDims);
  const { useBias = true, initWeight = glorotUniform, initBias = zeros } = options;
  const act = resolveActivation(options.activation, "Dense");
  const description = `Dense(${inDims} => ${outDims}${act.name === "identity" ? "" : `, ${act.name}`}${useBias ? "" : ", no bias"})`;
  return {
    description,
    paramShapes: (): ShapeTree =>
      useBias ? { weight: [outDims, inDims], bias: [outDims] } : { weight: [outDims, inDims] },
    initParams(rng, ps) {
      const w = ps.weight as Tensor;
      initWeight(rng, w.shape, w.data);
      if (useBias) {
        const b = ps.bias as Tensor;
        initBias(rng, b.shape, b.data);
      }
    },
    initState: () => ({}),
    forward(x: Tensor, ps: ParamTree, st) {
      const width = x.shape[x.shape.length - 1];
      if ((x.shape.length !== 1 && x.shape.length !== 2) || width !== inDims) {
        throw new InputShapeError(
          `${description}: input has shape [${x.shape.join(", ")}]; expected [batch, ${inDims}] (rows are samples) ` +
            `or [${inDims}] (one sample). Fix: pass ${inDims} features per sample` +
            (x.shape.length === 2 && x.shape[0] === inDims
              ? " — the input looks transposed: use transpose(x)."
              : "."),
        );
      }
      const y = dense(x, ps.weight as Tensor, useBias ? (ps.bias as Tensor) : undefined);
      return [act.fn(y), st];
    },
  };
}
