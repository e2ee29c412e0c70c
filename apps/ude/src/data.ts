/** The seed problem's deterministic data (../data/seed-ude.json, written by scripts/gen_seed_ude.py). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SeedData {
  description: string;
  times: number[];
  /** n rows (nodes) × m columns (observation times); column 0 is the initial condition. */
  trainingData: number[][];
  /** n × n connectivity matrix P, rows of the model du_i/dt = Σ_j P_ij (u_j − u_i). */
  connectivity: number[][];
  nn: { layers: { weight: number[][]; bias: number[] }[] };
}

export const SEED_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "seed-ude.json");

export function loadSeed(): SeedData {
  return JSON.parse(readFileSync(SEED_PATH, "utf8")) as SeedData;
}
