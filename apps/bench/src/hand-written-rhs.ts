/**
 * The seed linear and UDE right-hand sides written by hand as in-place TypeScript functions (no
 * tape, no tensors): what a careful programmer gets in this engine for the same arithmetic, and so
 * the floor for a compiled tape's forward solve. P·u goes through @udekit/kernels' WebAssembly
 * matvec and tanh through fastTanh, as in the compiled tapes; the net's two Dense layers are plain
 * loops over the 25 blocks (issue 17's "UDE forward ≤ 1.5× linear" is judged against this).
 */
import { allocF64, allocF64From, fastTanh, matvec } from "@udekit/kernels";
import { ODEProblem } from "@udekit/ode";
import { NET_PARAMS, TSPAN, UDE_N, udeParams } from "./seed.js";

export interface HandWrittenProblems {
  linear: ODEProblem;
  ude: ODEProblem;
}

export function handWrittenSeedProblems(u0: Float64Array): HandWrittenProblems {
  const n = UDE_N;
  const params = udeParams();
  const P = allocF64From(params.subarray(0, n * n));
  const rowSums = allocF64(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += P[i * n + j];
    rowSums[i] = s;
  }
  const net = params.slice(n * n, n * n + NET_PARAMS);
  const W1 = net.subarray(0, 20);
  const b1 = net.subarray(20, 25);
  const W2 = net.subarray(25, 45);
  const b2 = net.subarray(45, 49);
  const hidden = new Float64Array(5);
  // du = P·u − (P·1)∘u
  const linear = (du: Float64Array, u: Float64Array) => {
    matvec(n, n, P, u, du, false);
    for (let i = 0; i < n; i++) du[i] -= rowSums[i] * u[i];
  };
  // du = linear(u) + W2·tanh(W1·u_b + b1) + b2 on each block u_b of 4 entries
  const ude = (du: Float64Array, u: Float64Array) => {
    linear(du, u);
    for (let o = 0; o < n; o += 4) {
      for (let j = 0; j < 5; j++) {
        let s = b1[j];
        for (let k = 0; k < 4; k++) s += W1[j * 4 + k] * u[o + k];
        hidden[j] = fastTanh(s);
      }
      for (let j = 0; j < 4; j++) {
        let s = b2[j];
        for (let k = 0; k < 5; k++) s += W2[j * 5 + k] * hidden[k];
        du[o + j] += s;
      }
    }
  };
  const none = new Float64Array(0);
  return {
    linear: new ODEProblem((du, u) => linear(du, u), u0.slice(), TSPAN, none),
    ude: new ODEProblem((du, u) => ude(du, u), u0.slice(), TSPAN, none),
  };
}
