/**
 * report.html: one self-contained page with the run's summary, the loss curve, the fit and the
 * diagnostic plots (the SVGs inline, each also listed by its file name relative to the page, so
 * the links work from the results folder) and the gradient table.
 */
import { formatLoss, formatMs, formatSeconds, formatSetting } from "./format.js";
import type { ResultsDocument } from "./results.js";
import { escapeHtml, type GradientTable, tableHtml } from "./table.js";

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.4em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f2f2f2; }
tr.failed td { background: #fdecea; } tr.not-run td { background: #fff8e1; font-style: italic; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
.figure { margin: 1em 0; } .notes { font-size: 0.9em; color: #444; }
`;

function settingsList(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(formatSetting(k, v))}</dd>`)
    .join("\n");
}

/** A picture of the results folder: its file name (relative to report.html), what it shows, its SVG. */
export interface ReportPicture {
  file: string;
  title: string;
  svg: string;
}

function picturesList(pictures: readonly { file: string; title: string }[]): string {
  if (pictures.length === 0) return "";
  const items = pictures
    .map((p) => `<li><a href="${escapeHtml(p.file)}">${escapeHtml(p.file)}</a> — ${escapeHtml(p.title)}</li>`)
    .join("\n");
  return `<h2>Pictures</h2>\n<p class="notes">Files in this folder, beside this page:</p>\n<ul class="files">\n${items}\n</ul>`;
}

export function reportHtml(
  doc: ResultsDocument,
  svgs: { loss?: string; fit?: string; diagnostics?: readonly ReportPicture[] },
  table: GradientTable | undefined,
): string {
  const diagnostics = svgs.diagnostics ?? [];
  const listed = [
    ...(svgs.loss ? [{ file: "loss.svg", title: "the loss per iteration" }] : []),
    ...(svgs.fit ? [{ file: "fit.svg", title: "observed and predicted trajectories of four nodes" }] : []),
    ...diagnostics,
  ];
  const t = doc.training;
  const summary = [
    ["status", `${t.status}${t.message ? `: ${t.message}` : ""}`],
    ["iterations", String(t.iterations)],
    // No iterations (a demo stopped during its table): no losses were computed.
    ["loss before training", t.iterations > 0 ? formatLoss(t.initial_loss) : "—"],
    ["loss after training", t.iterations > 0 ? formatLoss(t.final_loss) : "—"],
    ["training time", formatSeconds(doc.timings.wall_s ?? Number.NaN)],
    ["time per gradient (median)", formatMs(doc.timings.gradient_median_ms ?? Number.NaN)],
  ]
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>udekit UDE results</title>
<style>${STYLE}</style>
</head>
<body>
<h1>udekit: universal differential equation results</h1>
<p>Model du/dt = nn(u) + A(P)·u with A(P) = P − diag(P·1) (the net acting on blocks of 4 nodes; the linear model omits it),
fitted to the observations by minimising Σ (prediction − data)². Written by <code>ude ${escapeHtml(doc.command)}</code> on ${escapeHtml(doc.created)}.</p>
<h2>Training</h2>
<dl>
${summary}
</dl>
${svgs.loss ? `<div class="figure">${svgs.loss}</div>` : ""}
<h2>Fit</h2>
${svgs.fit ? `<div class="figure">${svgs.fit}</div>` : "<p>No fit plot.</p>"}
${diagnostics.map((d) => `<div class="figure" id="${escapeHtml(d.file)}">${d.svg}</div>`).join("\n")}
${picturesList(listed)}
<h2>Gradient methods</h2>
${table ? tableHtml(table) : "<p>No gradient comparison in this run (<code>ude demo</code> or <code>ude gradient --method all</code> makes one).</p>"}
<h2>Settings</h2>
<dl>
${settingsList(doc.settings)}
</dl>
<h2>Versions</h2>
<dl>
${settingsList(doc.versions)}
</dl>
</body>
</html>
`;
}
