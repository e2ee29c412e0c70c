/**
 * The seed UDE (DESIGN.md "apps/ude"; the same model as apps/bench/src/seed.ts's udeRhs):
 * du/dt = nn(u) + A(P)·u with A(P) = P − diag(P·1) and nn = Dense(4→5, tanh) → Dense(5→4) applied
 * to the 25 blocks of 4 entries of u; p = [P (100², row-major); W1 (5×4); b1; W2 (4×5); b2].
 */
import { readFileSync } from "node:fs";
import {
  add,
  matmul,
  matvec,
  mul,
  reshape,
  slice,
  sub,
  sum,
  type Tensor,
  tanh,
  transpose,
} from "@udekit/autodiff";

export const N = 100;
export const PARAMS = N * N + 49;

interface SeedFile {
  times: number[];
  trainingData: number[][];
  connectivity: number[][];
  nn: { layers: { weight: number[][]; bias: number[] }[] };
}

export const SEED_FILE = new URL("../../../../apps/ude/data/seed-ude.json", import.meta.url);

export function seedFile(): SeedFile {
  return JSON.parse(readFileSync(SEED_FILE, "utf8")) as SeedFile;
}

/** The fixture's parameters: [P; W1; b1; W2; b2]. */
export function seedParams(): Float64Array {
  const s = seedFile();
  const [l1, l2] = s.nn.layers;
  return Float64Array.from([
    ...s.connectivity.flat(),
    ...l1.weight.flat(),
    ...l1.bias,
    ...l2.weight.flat(),
    ...l2.bias,
  ]);
}

export function seedUdeRhs(u: Tensor, p: Tensor): Tensor {
  const nn2 = N * N;
  const P = reshape(slice(p, 0, nn2), [N, N]);
  const W1 = reshape(slice(p, nn2, nn2 + 20), [5, 4]);
  const b1 = slice(p, nn2 + 20, nn2 + 25);
  const W2 = reshape(slice(p, nn2 + 25, nn2 + 45), [4, 5]);
  const b2 = slice(p, nn2 + 45, PARAMS);
  const H = tanh(add(matmul(reshape(u, [N / 4, 4]), transpose(W1)), b1));
  const Y = add(matmul(H, transpose(W2)), b2);
  return add(reshape(Y, [N]), sub(matvec(P, u), mul(sum(P, 1), u)));
}
