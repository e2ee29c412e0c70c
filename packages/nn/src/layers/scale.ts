/**
 * Scale layer, as Lux's `Scale(dims, σ)`: y = σ(weight ⊙ x + bias), elementwise per feature.
 * x [batch, dims] or [dims]. Parameters: `weight` [dims], `bias` [dims] (absent with useBias: false).
 * Defaults (Lux): weights ones, bias zeros, no activation.
 */
import { add, mul, type Tensor } from "@udekit/autodiff";
import { type Activation, type ActivationName, resolveActivation } from "../activations.js";
import { InputShapeError, ModelDefinitionError } from "../errors.js";
import { type Initializer, ones, zeros } from "../init.js";
import type { Layer, ShapeTree } from "./layer.js";

export interface ScaleOptions {
  readonly activation?: Activation | ActivationName;
  /** Include the bias. Default true. */
  readonly useBias?: boolean;
  /** Default ones. */
  readonly initWeight?: Initializer;
  /** Default zeros. */
  readonly initBias?: Initializer;
}

/** An elementwise affine layer over `dims` features. */
export function Scale(dims: number, options: ScaleOptions = {}): Layer {
  if (!Number.isInteger(dims) || dims < 1) {
    throw new ModelDefinitionError(`Scale: dims = ${dims}; expected a positive integer. Fix: e.g. Scale(4).`);
  }
  const { useBias = true, initWeight = ones, initBias = zeros } = options;
  const act = resolveActivation(options.activation, "Scale");
  const description = `Scale(${dims}${act.name === "identity" ? "" : `, ${act.name}`}${useBias ? "" : ", no bias"})`;
  return {
    description,
    paramShapes: (): ShapeTree => (useBias ? { weight: [dims], bias: [dims] } : { weight: [dims] }),
    initParams(rng, ps) {
      const w = ps.weight as Tensor;
      initWeight(rng, w.shape, w.data);
      if (useBias) {
        const b = ps.bias as Tensor;
        initBias(rng, b.shape, b.data);
      }
    },
    initState: () => ({}),
    forward(x, ps, st) {
      if ((x.shape.length !== 1 && x.shape.length !== 2) || x.shape[x.shape.length - 1] !== dims) {
        throw new InputShapeError(
          `${description}: input has shape [${x.shape.join(", ")}]; expected [batch, ${dims}] or [${dims}]. ` +
            `Fix: pass ${dims} features per sample.`,
        );
      }
      const scaled = mul(x, ps.weight as Tensor);
      return [act.fn(useBias ? add(scaled, ps.bias as Tensor) : scaled), st];
    },
  };
}
