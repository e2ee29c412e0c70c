/** Loads the JSON fixtures written by scripts/gen-fixtures.py and the seed problem's data. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, "fixtures", name), "utf8")) as T;
}

export interface SeedData {
  times: number[];
  trainingData: number[][];
  connectivity: number[][];
}

export function loadSeed(): SeedData {
  return JSON.parse(
    readFileSync(join(here, "..", "..", "..", "apps", "ude", "data", "seed-ude.json"), "utf8"),
  );
}

/** A(P) = P − diag(P·1) of the seed problem, n = 100, row-major. */
export function seedA(): Float64Array {
  const P = loadSeed().connectivity;
  const n = P.length;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      A[i * n + j] = P[i][j];
      rowSum += P[i][j];
    }
    A[i * n + i] -= rowSum;
  }
  return A;
}

/** ‖X − Y‖_F / ‖Y‖_F. */
export function relErrF(X: ArrayLike<number>, Y: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < Y.length; i++) {
    num += (X[i] - Y[i]) ** 2;
    den += Y[i] ** 2;
  }
  return Math.sqrt(num / den);
}

export const EPS = 2 ** -52;
