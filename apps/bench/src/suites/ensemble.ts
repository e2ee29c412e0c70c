/**
 * Ensembles over a worker pool (issue 20): the seed UDE's loss summed over experiments of the
 * generated seed-family data set (packages/ensemble/test/fixtures/seed-ensemble.json: same P and
 * net, 8 initial states; 32 experiments = those 8 four times), its gradient by @udekit/ensemble's
 * pool (piscina over worker_threads) against evaluateSerial on the main thread, at 1, 2 and 4
 * workers and 1, 2, 8 and 32 experiments. Pool and serial runs are interleaved (serial, pool,
 * serial, pool, …) so machine noise hits both alike; every number comes with the load average,
 * since other jobs share this machine's cores. The overhead per evaluation is timed with a pool
 * whose model does nothing (ENSEMBLE_BENCH_NOOP: dispatch + parameter write + gradient rows +
 * ordered sum of 8 experiments), as a fraction of one experiment's gradient.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { type EnsemblePool, type Experiment, evaluateSerial } from "@udekit/ensemble";
import { createEnsemblePool } from "@udekit/ensemble/pool";
import { seedUdeModel } from "../ensemble-worker.js";
import type { BenchContext, BenchSection, BenchTable, TargetResult } from "../report.js";
import { UDE_PARAMS, udeParams } from "../seed.js";
import { summarise, type Timing } from "../timing.js";

const WORKER = new URL("../ensemble-worker.ts", import.meta.url);
// The workers load the TypeScript worker module from source like this process does (tsx, and
// the "@udekit/source" condition for the workspace packages).
const LOADER = new URL("../ensemble-loader.mjs", import.meta.url).href;

function seedExperiments(count: number): Experiment[] {
  const file = JSON.parse(
    readFileSync(
      new URL("../../../../packages/ensemble/test/fixtures/seed-ensemble.json", import.meta.url),
      "utf8",
    ),
  ) as { times: number[]; experiments: { u0: number[]; data: number[][] }[] };
  return Array.from({ length: count }, (_, i) => {
    const e = file.experiments[i % file.experiments.length];
    return { u0: e.u0, saveat: file.times, data: e.data.flat() };
  });
}

function startPool(experiments: Experiment[], workers: number, noop = false): EnsemblePool {
  if (noop) process.env.ENSEMBLE_BENCH_NOOP = "1";
  try {
    return createEnsemblePool({
      worker: WORKER,
      experiments,
      paramLength: UDE_PARAMS,
      workers,
      execArgv: ["--import", LOADER],
    });
  } finally {
    delete process.env.ENSEMBLE_BENCH_NOOP;
  }
}

/**
 * CPU time (ms) of each thread of this process (main thread, pool workers, V8's helpers), from
 * Linux's /proc/self/task/<tid>/stat (utime + stime, in clock ticks of 10 ms); empty elsewhere.
 * Unlike wall time it does not grow when other jobs take the cores, so it shows how the work was
 * split between the threads even on a busy machine.
 */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Per-thread CPU ms spent between two snapshots, added into `into`. */
function addThreadCpu(
  before: Map<string, number>,
  after: Map<string, number>,
  into: Map<string, number>,
): void {
  for (const [tid, ms] of after) {
    const d = ms - (before.get(tid) ?? 0);
    if (d > 0) into.set(tid, (into.get(tid) ?? 0) + d);
  }
}

/**
 * Times async competitors interleaved (A B A B …) after `warmup` rounds; ms per call, the
 * process's CPU time over the timed calls divided by their wall time (the cores it got: about 1
 * for work on one thread; up to the number of workers when the machine gives the pool its cores),
 * and per call the CPU time of the process and of its busiest thread (a pool's busiest worker:
 * the wall time the call would take if every thread had a core of its own).
 */
async function timeInterleavedAsync(
  fns: Record<string, () => unknown>,
  warmup: number,
  samples: number,
): Promise<(Timing & { cores: number; cpuMsPerCall: number; busiestThreadMsPerCall: number })[]> {
  const names = Object.keys(fns);
  const ms: number[][] = names.map(() => []);
  const cpuMs = names.map(() => 0);
  const perThread = names.map(() => new Map<string, number>());
  for (let r = 0; r < warmup + samples; r++) {
    for (let k = 0; k < names.length; k++) {
      const threads0 = threadCpuMs();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fns[names[k]]();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r >= warmup) {
        ms[k].push(wall);
        cpuMs[k] += (c.user + c.system) / 1000;
        addThreadCpu(threads0, threadCpuMs(), perThread[k]);
      }
    }
  }
  return names.map((n, k) => {
    const t = summarise(n, ms[k]);
    const calls = ms[k].length;
    return {
      ...t,
      cores: cpuMs[k] / ms[k].reduce((a, b) => a + b, 0),
      cpuMsPerCall: cpuMs[k] / calls,
      busiestThreadMsPerCall: Math.max(0, ...perThread[k].values()) / calls,
    };
  });
}

/**
 * The speed-up the pool's CPU times allow on this machine's cores had no other job run: its wall
 * time cannot be below its busiest thread's CPU time, nor below its total CPU time spread over
 * every core (workers, the main thread and V8's helper threads all need one).
 */
function dedicatedSpeedup(
  serial: { cpuMsPerCall: number },
  pool: { cpuMsPerCall: number; busiestThreadMsPerCall: number },
): number {
  return serial.cpuMsPerCall / Math.max(pool.busiestThreadMsPerCall, pool.cpuMsPerCall / cpus().length);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
const sameBits = (a: Float64Array, b: Float64Array) =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

export async function ensembleSuite(ctx: BenchContext): Promise<BenchSection> {
  const p = udeParams();
  const loadBefore = load();
  const samples = ctx.quick ? 2 : 7;
  // Each worker compiles its own code (it sees a share of the experiments per evaluation), so the
  // pools get more warm-up rounds than one thread would need.
  const warmup = ctx.quick ? 2 : 5;
  const eight = seedExperiments(8);

  // One experiment's gradient on the main thread (the unit of work).
  const one = seedExperiments(1);
  const [tOne] = await timeInterleavedAsync(
    { one: () => evaluateSerial(seedUdeModel, one, p) },
    warmup,
    samples * 2,
  );

  // 8 experiments: serial vs pools of 1, 2, 4 workers; gradient bits compared with the serial sum.
  const serial8 = evaluateSerial(seedUdeModel, eight, p);
  type Measured = Timing & { cores: number; cpuMsPerCall: number; busiestThreadMsPerCall: number };
  const byWorkers: { workers: number; t: Measured; serial: Measured; same: boolean }[] = [];
  for (const workers of [1, 2, 4]) {
    const pool = startPool(eight, workers);
    try {
      const r = await pool.evaluate(p);
      const same = sameBits(r.grad, serial8.grad) && Object.is(r.loss, serial8.loss);
      const [serial, t] = await timeInterleavedAsync(
        { serial: () => evaluateSerial(seedUdeModel, eight, p), pool: () => pool.evaluate(p) },
        warmup,
        samples,
      );
      byWorkers.push({ workers, t, serial, same });
    } finally {
      await pool.close();
    }
  }

  // 2 workers vs serial at 1, 2, 8, 32 experiments.
  const byExperiments: { n: number; t: Timing; serial: Timing }[] = [];
  for (const n of ctx.quick ? [1, 2, 8] : [1, 2, 8, 32]) {
    const exps = seedExperiments(n);
    const pool = startPool(exps, 2);
    try {
      await pool.evaluate(p);
      const [serial, t] = await timeInterleavedAsync(
        { serial: () => evaluateSerial(seedUdeModel, exps, p), pool: () => pool.evaluate(p) },
        warmup,
        n >= 32 ? Math.max(2, samples - 4) : samples,
      );
      byExperiments.push({ n, t, serial });
    } finally {
      await pool.close();
    }
  }

  // Overhead: 8 experiments through 2 workers whose model does nothing.
  const noopPool = startPool(eight, 2, true);
  let tNoop: Timing;
  try {
    [tNoop] = await timeInterleavedAsync({ noop: () => noopPool.evaluate(p) }, 5, ctx.quick ? 10 : 50);
  } finally {
    await noopPool.close();
  }
  const loadAfter = load();

  const w2 = byWorkers.find((r) => r.workers === 2) as (typeof byWorkers)[number];
  const speedup2 = w2.serial.median / w2.t.median;
  const overheadPct = (100 * tNoop.median) / tOne.median;
  const allSame = byWorkers.every((r) => r.same);
  const workersTable: BenchTable = {
    caption: `Seed UDE, 8 experiments: gradient of the summed loss by the pool vs evaluateSerial on the main thread (median of ${samples}, interleaved; ${cpus().length} cores; load average ${loadBefore} before, ${loadAfter} after)`,
    columns: [
      "workers",
      "serial (ms)",
      "pool (ms)",
      "speed-up",
      "cores the pool got (CPU / wall)",
      "CPU ms per evaluation: serial / pool",
      "pool's busiest thread (CPU ms)",
      `speed-up on ${cpus().length} dedicated cores, from CPU times (serial CPU / max(busiest thread, pool CPU / ${cpus().length}))`,
      "same bits as serial",
    ],
    rows: byWorkers.map((r) => [
      r.workers,
      r.serial.median,
      r.t.median,
      `${(r.serial.median / r.t.median).toFixed(2)}×`,
      r.t.cores.toFixed(2),
      `${r.serial.cpuMsPerCall.toFixed(0)} / ${r.t.cpuMsPerCall.toFixed(0)}`,
      r.t.busiestThreadMsPerCall.toFixed(0),
      r.t.busiestThreadMsPerCall > 0 ? `${dedicatedSpeedup(r.serial, r.t).toFixed(2)}×` : "—",
      r.same ? "yes" : "NO",
    ]),
  };
  const experimentsTable: BenchTable = {
    caption:
      "Seed UDE, 2 workers: speed-up over evaluateSerial by number of experiments (32 = the 8 four times)",
    columns: ["experiments", "serial (ms)", "2 workers (ms)", "speed-up"],
    rows: byExperiments.map((r) => [
      r.n,
      r.serial.median,
      r.t.median,
      `${(r.serial.median / r.t.median).toFixed(2)}×`,
    ]),
  };
  const overheadTable: BenchTable = {
    caption:
      "Overhead per ensemble evaluation (8 experiments, 2 workers, a model that does nothing) vs one experiment's gradient on the main thread",
    columns: ["one experiment's gradient (ms)", "no-op ensemble evaluation (ms)", "overhead"],
    rows: [[tOne.median, tNoop.median, `${overheadPct.toFixed(2)} %`]],
  };
  const targets: TargetResult[] = [
    {
      issue: 20,
      target:
        "8 experiments of the seed UDE: gradient with 2 workers ≥ 1.7× faster than serial (median, same run)",
      measured: `${speedup2.toFixed(2)}× (${w2.serial.median.toFixed(0)} → ${w2.t.median.toFixed(0)} ms, the pool got ${w2.t.cores.toFixed(2)} cores; load average ${loadBefore} → ${loadAfter} on ${cpus().length} cores); from CPU times on ${cpus().length} dedicated cores ${dedicatedSpeedup(w2.serial, w2.t).toFixed(2)}× (serial ${w2.serial.cpuMsPerCall.toFixed(0)} ms of CPU per evaluation, the pool ${w2.t.cpuMsPerCall.toFixed(0)} ms, its busiest thread ${w2.t.busiestThreadMsPerCall.toFixed(0)} ms)`,
      met: speedup2 >= 1.7,
    },
    {
      issue: 20,
      target: "identical gradient bits for 1, 2 and 4 workers (and equal to the serial sum)",
      measured: byWorkers.map((r) => `${r.workers}: ${r.same ? "same" : "DIFFERENT"}`).join(", "),
      met: allSame,
    },
    {
      issue: 20,
      target:
        "overhead per ensemble evaluation (dispatch + transfer + sum) ≤ 10 % of one experiment's gradient",
      measured: `${overheadPct.toFixed(2)} % (${tNoop.median.toFixed(2)} ms of ${tOne.median.toFixed(1)} ms)`,
      met: overheadPct <= 10,
    },
  ];
  return {
    title: "Ensembles over a worker pool (issue 20)",
    tables: [workersTable, experimentsTable, overheadTable],
    notes: [
      ...targets.map((t) => `${t.target}: ${t.measured} — ${t.met ? "met" : "MISSED"}`),
      ...(w2.t.cores < 1.5
        ? [
            `The 2-worker pool got ${w2.t.cores.toFixed(2)} cores (process CPU time / wall time) while it ran: the machine's other jobs (load average ${loadBefore}) left it about one core, so this run cannot show the parallel speed-up; rerun on a quiet machine.`,
          ]
        : []),
    ],
    targets,
    data: {
      loadBefore,
      loadAfter,
      oneExperimentMs: tOne.median,
      noopEvaluationMs: tNoop.median,
      byWorkers: byWorkers.map((r) => ({
        workers: r.workers,
        serialMs: r.serial.median,
        poolMs: r.t.median,
        poolCores: r.t.cores,
        serialCpuMsPerCall: r.serial.cpuMsPerCall,
        poolCpuMsPerCall: r.t.cpuMsPerCall,
        poolBusiestThreadMsPerCall: r.t.busiestThreadMsPerCall,
        same: r.same,
      })),
      byExperiments: byExperiments.map((r) => ({
        experiments: r.n,
        serialMs: r.serial.median,
        poolMs: r.t.median,
      })),
    },
  };
}
