/**
 * Everything the commands draw, in one module loaded before any long work (commands/train.ts's
 * preloadPlots; vega is most of the CLI's start-up time, and loading a module after a Ctrl-C fails
 * under tsx): the loss and fit plots, the diagnostic plots, and writing pictures to a folder.
 */
import { join } from "node:path";
import type { PlotFile } from "./diagnostic-plots.js";
import { writeAtomic } from "./results.js";

export { DIAGNOSTIC_FILES, diagnosticPlots, type PlotFile } from "./diagnostic-plots.js";
export { fitPlot, lossPlot, type NodeTrajectory } from "./plots.js";

/**
 * Writes each picture into `dir` (made ready by prepareOutDir), atomically like the other files of
 * a results folder; returns the paths written.
 */
export function writePlotFiles(dir: string, plots: readonly PlotFile[]): string[] {
  return plots.map(({ file, svg }) => {
    const path = join(dir, file);
    writeAtomic(path, svg);
    return path;
  });
}
