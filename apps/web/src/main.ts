/**
 * The page: reads the settings, sends requests to the worker (engine.ts does every computation),
 * and shows what comes back — the loss, live charts, the gradient table, the timing of one
 * gradient, errors (one line, as the CLI prints them) — and turns the worker's results into
 * downloads (results.json; loss.svg and fit.svg drawn by the CLI's own Vega-Lite code).
 */
import { formatMs } from "ude/src/format.js";
import type { NodeTrajectory } from "ude/src/plots.js";
import { DataChart, FitChart, LossChart } from "./charts.js";
import type { PageRequest, ProblemConfig, ProblemSummary, TrainConfig, WorkerReply } from "./protocol.js";
import "./style.css";
import EngineWorker from "./worker.ts?worker&inline";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

const PROBLEM_FIELDS = ["model", "activation", "solver", "reltol", "abstol", "dt", "sensealg"] as const;
const JOB_BUTTONS = ["train", "reset", "table-run", "time-run", "seed-data"];

function problemConfig(): ProblemConfig {
  return {
    model: select("model").value,
    activation: select("activation").value,
    solver: select("solver").value,
    reltol: input("reltol").value,
    abstol: input("abstol").value,
    dt: input("dt").value,
    sensealg: select("sensealg").value,
  };
}

function trainConfig(): TrainConfig {
  return {
    optimizer: select("optimizer").value,
    iters: input("iters").value,
    lbfgsIters: input("lbfgs-iters").value,
    lr: input("lr").value,
    timeBudget: input("time-budget").value,
  };
}

// The worker, and the page's view of it: busy with a request (or starting), or idle.
const worker = new EngineWorker({ name: "udekit-engine" });
let busy: PageRequest["type"] | "init" | null = "init";
/** Settings, data and nodes as the worker last accepted them (inputs go back to these on an error). */
let applied: ProblemConfig = problemConfig();
let appliedTimes = "";
let appliedNodes = input("nodes").value;
let csv: { name: string; text: string } | null = null;
let pendingCsv: { name: string; text: string } | null = null;
let pendingDownload: "json" | "loss" | "fit" | null = null;
let trainedRun = false;
let summary: ProblemSummary | undefined;

const lossChart = new LossChart($("loss-chart"));
const fitChart = new FitChart($("fit-chart"), $("fit-legend"));
const dataChart = new DataChart($("data-chart"));
let drawPending = false;

function setValue(id: string, text: string, value?: number): void {
  const el = $(id);
  el.textContent = text;
  el.title = value !== undefined ? String(value) : "";
  if (value !== undefined) el.dataset.value = String(value);
  else delete el.dataset.value;
}

/** A loss for the stat cards: 12 significant digits (the full number is in the tooltip and data-value). */
const lossText = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(12))) : String(x));

function showError(message: string | null): void {
  const el = $("error");
  el.hidden = message === null;
  el.textContent = message ?? "";
}

function setStatus(text: string): void {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("busy", busy !== null);
  el.dataset.state = busy === null ? "idle" : `busy:${busy}`;
}

function refreshControls(): void {
  const idle = busy === null;
  for (const id of JOB_BUTTONS) $<HTMLButtonElement>(id).disabled = !idle;
  for (const id of ["data-settings", "model-settings", "train-settings"])
    $<HTMLFieldSetElement>(id).disabled = !idle;
  input("nodes").disabled = !idle;
  $<HTMLButtonElement>("stop").disabled = !(busy === "train" || busy === "table" || busy === "time");
  for (const id of ["download-json", "download-loss-svg", "download-fit-svg"]) {
    $<HTMLButtonElement>(id).disabled = !idle || !trainedRun;
  }
}

const STATUS: Record<string, string> = {
  init: "starting the worker…",
  configure: "evaluating the loss…",
  data: "loading the data…",
  nodes: "solving for the plotted nodes…",
  reset: "resetting the parameters…",
  train: "training…",
  table: "running every gradient method…",
  time: "timing one gradient…",
  results: "preparing the download…",
};

/** Marks the page busy with a job (status, disabled controls) before its request is sent. */
function markBusy(type: PageRequest["type"]): void {
  showError(null);
  busy = type;
  setStatus(STATUS[type] ?? "working…");
  refreshControls();
}

function send(request: PageRequest): void {
  if (request.type !== "stop") markBusy(request.type);
  worker.postMessage(request);
}

/** The command-line equivalent of the page's settings (what `ude train` would run). */
function cliCommand(): string {
  const p = problemConfig();
  const t = trainConfig();
  const parts = ["pnpm --silent ude train", `--model ${p.model}`, `--activation ${p.activation}`];
  if (csv !== null) parts.push(`--data ${csv.name}`);
  if (appliedTimes.trim() !== "") parts.push(`--times ${appliedTimes.trim()}`);
  parts.push(`--solver ${p.solver}`, `--reltol ${p.reltol}`, `--abstol ${p.abstol}`);
  if (p.dt.trim() !== "") parts.push(`--dt ${p.dt.trim()}`);
  parts.push(`--sensealg ${p.sensealg}`, `--optimizer ${t.optimizer}`, `--iters ${t.iters}`);
  if (t.optimizer === "adam+lbfgs") parts.push(`--lbfgs-iters ${t.lbfgsIters}`);
  parts.push(`--lr ${t.lr}`, `--time-budget ${t.timeBudget}`);
  return parts.join(" ");
}

function refreshCli(): void {
  $("cli").textContent = cliCommand();
  const p = problemConfig();
  $("timing-cli").textContent =
    `pnpm --silent ude gradient --model ${p.model} --activation ${p.activation} --method ${p.sensealg} --repeat ${input("time-repeat").value} --json`;
}

function fillSelect(id: string, options: { value: string; label: string }[]): void {
  const el = select(id);
  const current = el.value;
  el.replaceChildren(
    ...options.map((o) => {
      const opt = document.createElement("option");
      opt.value = o.value;
      opt.textContent = o.label;
      return opt;
    }),
  );
  el.value = options.some((o) => o.value === current) ? current : options[0].value;
}

function showProblem(s: ProblemSummary): void {
  summary = s;
  setValue("loss", lossText(s.loss), s.loss);
  setValue("parameters", s.parameters.toLocaleString("en-US"), s.parameters);
  $("data-source").textContent = s.data;
  $("data-shape").textContent = `${s.n} nodes × ${s.times.length} times: t = ${s.times.join(", ")}`;
  input("nodes").value = s.fit.nodes.map((i) => i + 1).join(", ");
  appliedNodes = input("nodes").value;
  $<HTMLButtonElement>("reset").dataset.trained = String(s.trained);
  dataChart.update(s.times, s.values, s.fit.nodes);
  fitChart.update(s.fit);
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function saveResults(reply: Extract<WorkerReply, { type: "results" }>): Promise<void> {
  const kind = pendingDownload;
  pendingDownload = null;
  if (kind === "json") {
    download("results.json", "application/json", reply.json);
    return;
  }
  // vega and vega-lite are loaded only here: they are most of the page's script.
  const { fitPlot, lossPlot } = await import("ude/src/plots.js");
  if (kind === "loss") {
    download("loss.svg", "image/svg+xml", await lossPlot(reply.history, reply.lossTitle));
  } else if (kind === "fit") {
    const f = reply.fit;
    const nodes: NodeTrajectory[] = f.nodes.map((i, j) => ({
      node: i + 1,
      observed: f.observed[j],
      after: f.current[j],
      before: f.start[j],
    }));
    download("fit.svg", "image/svg+xml", await fitPlot(nodes, reply.fitTitle));
  }
}

/** Puts the inputs back to what the worker last accepted (after a request it refused). */
function revertInputs(request: PageRequest["type"]): void {
  if (request === "configure") {
    for (const f of PROBLEM_FIELDS) ($(f) as HTMLInputElement | HTMLSelectElement).value = applied[f];
  } else if (request === "data") {
    input("csv").value = "";
    input("times").value = appliedTimes;
    pendingCsv = null;
  } else if (request === "nodes") {
    input("nodes").value = appliedNodes;
  }
  refreshCli();
}

worker.addEventListener("message", (e: MessageEvent<WorkerReply>) => {
  const r = e.data;
  switch (r.type) {
    case "ready": {
      const badge = $("kernels");
      badge.textContent = r.kernels === "wasm" ? "WebAssembly SIMD" : "TypeScript fallback (no WebAssembly)";
      badge.className = `badge ${r.kernels}`;
      badge.dataset.kernels = r.kernels;
      fillSelect(
        "solver",
        r.solvers.map((s) => ({
          value: s.name,
          label: `${s.name}${s.stiff ? " (stiff)" : ""}${s.adaptive ? "" : " (fixed step: needs dt)"}`,
        })),
      );
      fillSelect(
        "sensealg",
        r.methods.map((m) => ({
          value: m.name,
          label: m.name === "forward" ? `${m.label} (slow)` : m.label,
        })),
      );
      fillSelect(
        "optimizer",
        r.optimizers.map((o) => ({ value: o, label: o })),
      );
      fillSelect(
        "activation",
        r.activations.map((a) => ({ value: a, label: a })),
      );
      fillSelect(
        "model",
        r.models.map((m) => ({ value: m, label: m })),
      );
      refreshCli();
      break;
    }
    case "problem":
      showProblem(r.summary);
      if (busy === "configure" || busy === "init") applied = problemConfig();
      if (busy === "data") {
        csv = pendingCsv;
        pendingCsv = null;
        appliedTimes = input("times").value;
        input("csv").value = "";
      }
      if (busy !== "train" && busy !== "nodes") {
        // New data, settings or parameters: the worker has dropped its last run.
        trainedRun = false;
        setValue("best-loss", "—");
        setValue("iteration", "—");
        setValue("rate", "—");
        setValue("iter-ms", "—");
        $("train-line").textContent = r.summary.trained
          ? "Parameters: as the last run left them (the best seen). Reset parameters starts again from the fixture's."
          : "";
        lossChart.clear();
        $("loss-empty").hidden = false;
      }
      refreshCli();
      break;
    case "progress": {
      const ev = r.event;
      lossChart.add(ev.iteration, ev.phase, ev.loss);
      setValue("loss", lossText(ev.loss), ev.loss);
      setValue("best-loss", lossText(r.bestLoss), r.bestLoss);
      setValue(
        "iteration",
        `${ev.iteration} / ${ev.total} (${ev.phase === "adam" ? "Adam" : "L-BFGS"})`,
        ev.iteration,
      );
      setValue("rate", ev.itPerSec.toFixed(1), ev.itPerSec);
      setValue("iter-ms", formatMs(1000 / ev.itPerSec), 1000 / ev.itPerSec);
      if (r.fit !== undefined) fitChart.update(r.fit);
      if (!drawPending) {
        drawPending = true;
        requestAnimationFrame(() => {
          drawPending = false;
          lossChart.draw();
        });
      }
      break;
    }
    case "trained": {
      const s = r.summary;
      trainedRun = s.iterations > 0;
      setValue("best-loss", lossText(s.bestLoss), s.bestLoss);
      setValue("iter-ms", `${formatMs(s.gradient_ms)} (median of ${s.evaluations} gradients)`, s.gradient_ms);
      const line = $("train-line");
      line.textContent = s.audit !== undefined ? `${s.line} ${s.audit}` : s.line;
      line.dataset.status = s.status;
      lossChart.draw();
      break;
    }
    case "log":
      $("table-log").textContent = r.line;
      break;
    case "table":
      $("table").innerHTML = r.html;
      $("table-log").textContent = r.interrupted
        ? "Stopped: the table holds the methods measured so far."
        : "";
      break;
    case "timing": {
      const el = $("timing");
      const label = `${r.model} model, n = ${r.n}, ${r.method}`;
      el.textContent = r.interrupted
        ? `stopped after ${r.repeat} timed run${r.repeat === 1 ? "" : "s"}: ${formatMs(r.median_ms)} median (${label})`
        : `${formatMs(r.median_ms)} median of ${r.repeat} (min ${formatMs(r.min_ms)}, max ${formatMs(r.max_ms)}) — ${label}`;
      el.dataset.medianMs = String(r.median_ms);
      el.dataset.loss = String(r.loss);
      break;
    }
    case "results":
      saveResults(r).catch((err: unknown) => showError(`could not draw the SVG: ${(err as Error).message}`));
      break;
    case "error":
      showError(r.message);
      $("error").dataset.request = r.request;
      revertInputs(r.request);
      if (r.request === "results") pendingDownload = null;
      break;
    case "idle": {
      const was = busy;
      busy = null;
      const status = $("train-line").dataset.status;
      setStatus(
        was === "train" && status !== undefined
          ? `ready (last run: ${status})`
          : was === "init" && summary === undefined
            ? "the worker could not start"
            : "ready",
      );
      refreshControls();
      document.body.dataset.ready = "true";
      break;
    }
  }
});

worker.addEventListener("error", (e) => {
  showError(`the worker failed: ${e.message || "it could not be started"}. Fix: reload the page.`);
});

// Settings the worker applies at once.
for (const id of PROBLEM_FIELDS)
  $(id).addEventListener("change", () => send({ type: "configure", problem: problemConfig() }));
for (const id of ["optimizer", "iters", "lbfgs-iters", "lr", "time-budget", "time-repeat"]) {
  $(id).addEventListener("change", refreshCli);
}

input("csv").addEventListener("change", async () => {
  const file = input("csv").files?.[0];
  if (file === undefined) return;
  // Busy from the moment a file is picked: reading it is part of loading the data, and the
  // controls must not start another job meanwhile.
  markBusy("data");
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    busy = null;
    setStatus("ready");
    refreshControls();
    showError(`${file.name} could not be read (${(e as Error).message}). Fix: choose the file again.`);
    return;
  }
  pendingCsv = { name: file.name, text };
  send({ type: "data", csv: pendingCsv, times: input("times").value });
});
input("times").addEventListener("change", () => {
  pendingCsv = csv;
  send({ type: "data", csv, times: input("times").value });
});
$("seed-data").addEventListener("click", () => {
  pendingCsv = null;
  send({ type: "data", csv: null, times: input("times").value });
});
input("nodes").addEventListener("change", () => send({ type: "nodes", nodes: input("nodes").value }));

$("train").addEventListener("click", () => {
  lossChart.clear();
  $("loss-empty").hidden = true;
  $("train-line").textContent = "";
  delete $("train-line").dataset.status;
  trainedRun = false;
  send({ type: "train", train: trainConfig() });
});
$("stop").addEventListener("click", () => {
  send({ type: "stop" });
  setStatus("stopping after the current step…");
});
$("reset").addEventListener("click", () => send({ type: "reset" }));
$("table-run").addEventListener("click", () => {
  $("table").replaceChildren();
  send({ type: "table", repeat: input("table-repeat").value });
});
$("time-run").addEventListener("click", () => send({ type: "time", repeat: input("time-repeat").value }));

const downloads = {
  "download-json": "json",
  "download-loss-svg": "loss",
  "download-fit-svg": "fit",
} as const;
for (const [id, kind] of Object.entries(downloads)) {
  $(id).addEventListener("click", () => {
    pendingDownload = kind;
    send({ type: "results" });
  });
}

refreshControls();
refreshCli();
worker.postMessage({
  type: "init",
  wasm: typeof WebAssembly === "object",
  problem: applied,
} satisfies PageRequest);
