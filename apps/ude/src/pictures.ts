/**
 * Everything the commands draw, in one module loaded before any long work (commands/train.ts's
 * preloadPlots; vega is most of the CLI's start-up time, and loading a module after a Ctrl-C fails
 * under tsx): the loss and fit plots, the diagnostic plots, and writing pictures to a folder.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlotFile } from "./diagnostic-plots.js";
import { InputFileError } from "./errors.js";

export { DIAGNOSTIC_FILES, diagnosticPlots, type PlotFile } from "./diagnostic-plots.js";
export { fitPlot, lossPlot, type NodeTrajectory } from "./plots.js";

/** Writes each picture into `dir` (made ready by prepareOutDir); returns the paths written. */
export function writePlotFiles(dir: string, plots: readonly PlotFile[]): string[] {
  return plots.map(({ file, svg }) => {
    const path = join(dir, file);
    try {
      writeFileSync(path, svg);
    } catch (e) {
      throw new InputFileError(
        `cannot write ${path}: ${(e as Error).message}. Fix: keep the output folder writable while the command runs, or pass another folder.`,
      );
    }
    return path;
  });
}
