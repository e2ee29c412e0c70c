/**
 * A small log-log line chart written as SVG text (no plotting library: vega is a dependency of
 * apps/ude only). Axes at decades with 1-2-5 minor labels where the range is short, the data
 * points as markers joined by lines, optional dashed guide lines, a legend, axis labels.
 */

export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  /** Guide lines (e.g. "∝ n²") are drawn dashed and without markers. */
  dashed?: boolean;
}

export interface LogLogPlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Tick positions on the x axis (default: decades). */
  xTicks?: number[];
}

const W = 640;
const H = 420;
const M = { left: 70, right: 170, top: 40, bottom: 55 };

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function tickLabel(v: number): string {
  if (v >= 1e6 || v < 1e-2) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** Ticks 1, 2, 5 × 10^k inside [lo, hi] when that range spans under 3 decades, else decades only. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(hi / lo) < 3 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = s * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

export function logLogSvg(plot: LogLogPlot): string {
  const all = plot.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs) / 1.15;
  const x1 = Math.max(...xs) * 1.15;
  const y0 = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const y1 = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (pw * Math.log(x / x0)) / Math.log(x1 / x0);
  const sy = (y: number) => M.top + ph - (ph * Math.log(y / y0)) / Math.log(y1 / y0);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>${esc(plot.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left + pw / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(plot.title)}</text>`,
  );
  for (const t of plot.xTicks ?? logTicks(x0, x1)) {
    out.push(
      `<line x1="${f(sx(t))}" y1="${M.top}" x2="${f(sx(t))}" y2="${M.top + ph}" stroke="#e5e5e5"/>`,
      `<text x="${f(sx(t))}" y="${M.top + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  for (const t of logTicks(y0, y1)) {
    out.push(
      `<line x1="${M.left}" y1="${f(sy(t))}" x2="${M.left + pw}" y2="${f(sy(t))}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 8}" y="${f(sy(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(plot.xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(plot.yLabel)}</text>`,
  );
  plot.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => x > 0 && y > 0);
    const d = pts.map(([x, y], k) => `${k === 0 ? "M" : "L"}${f(sx(x))},${f(sy(y))}`).join(" ");
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : "";
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.2 : 2}"${dash}/>`);
    if (!s.dashed) {
      for (const [x, y] of pts)
        out.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = M.top + 10 + 20 * i;
    const lx = M.left + pw + 12;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
