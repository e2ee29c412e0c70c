/**
 * The --model option: a built-in model's name (builtin-models.ts) or the path of a model file —
 *
 * - `.json`: the model description (schema in model-spec.ts and the README's "Your own model");
 * - `.mjs`, `.mts`, `.js`, `.ts`: an ES module whose `default` export is such a description, as an
 *   object (loaded with a dynamic import; TypeScript runs because the `ude` bin runs under tsx).
 *   `.js` and `.ts` files are ES modules only inside a package whose package.json says
 *   "type": "module" (Node's rule); elsewhere use `.mjs` or `.mts`.
 *
 * A mask given as a file name (`"P": { "mask": "mask.csv" }`) is read relative to the model file,
 * in the data CSV's format with 0 and 1 as values. Every problem is one InputFileError line with
 * a fix; a JSON syntax error names its line and column.
 */
import { existsSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MODEL_KINDS, MODELS, type ModelKind } from "./builtin-models.js";
import { parseCsv } from "./csv.js";
import { readUserFile, userPath } from "./data.js";
import { closestName } from "./did-you-mean.js";
import { InputFileError, OptionError } from "./errors.js";
import { type ModelSpec, parseModelSpec } from "./model-spec.js";

const MODULE_EXTENSIONS = [".js", ".mjs", ".ts", ".mts"];
const FILE_FIX = "check the path, or pass --model with a built-in model (linear, ude).";

/** True when --model's value names a file rather than a built-in model. */
export function isModelPath(value: string): boolean {
  return /[/\\]/.test(value) || extname(value) !== "";
}

/**
 * Where JSON.parse stopped: the length of the longest prefix that is still the start of valid
 * JSON (its own messages give a position for most errors, but not for "Unexpected token").
 */
function jsonErrorOffset(text: string): number {
  const viable = (len: number): boolean => {
    try {
      JSON.parse(text.slice(0, len));
      return true;
    } catch (e) {
      const m = (e as Error).message;
      if (/end of JSON input/.test(m)) return true;
      const at = /at position (\d+)/.exec(m);
      return at !== null && Number(at[1]) >= len;
    }
  };
  // viable is true up to the offending character and false from it on: bisect.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** JSON text parsed, or an InputFileError naming the line and column of the first syntax error. */
export function parseJsonText(text: string, what: string, fix: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const offset = Math.min(jsonErrorOffset(text), text.length);
    const before = text.slice(0, offset).split("\n");
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    const found = offset < text.length ? `"${text[offset]}"` : "the end of the file";
    const detail = (e as Error).message
      .replace(/,? ".*" is not valid JSON$/s, "")
      .replace(/ in JSON at position \d+$/, "");
    throw new InputFileError(
      `${what} is not valid JSON: line ${line}, column ${column} (at ${found}): ${detail}. Fix: ${fix}`,
    );
  }
}

/** Reads a 0/1 mask CSV named in a model file, relative to that file. */
function maskReader(modelPath: string, what: string): (path: string) => number[][] {
  return (path) => {
    const full = resolve(dirname(modelPath), path);
    const fix = "give the mask's path relative to the model file, or the mask itself as a matrix of 0 and 1.";
    if (!existsSync(full)) {
      throw new InputFileError(
        `${what} names the mask file "${path}", which does not exist (looked at ${full}). Fix: ${fix}`,
      );
    }
    return parseCsv(readUserFile(full, "mask file", fix), full).rows;
  };
}

/** The model --model names: a built-in (by name) or a model file (by path). */
export async function loadModel(value: string): Promise<ModelSpec> {
  if (!isModelPath(value)) {
    const exact = MODEL_KINDS.find((k) => k === value.toLowerCase());
    if (exact !== undefined) return MODELS[exact as ModelKind];
    const near = closestName(value, MODEL_KINDS);
    throw new OptionError(
      `unknown model "${value}"${near ? ` (did you mean "${near}"?)` : ""}. Fix: pass --model with one of ${MODEL_KINDS.join(", ")}, or the path of a model file (.json, .mjs, .mts, .js, .ts).`,
    );
  }
  const full = userPath(value);
  const what = `model file "${value}"`;
  const ext = extname(value).toLowerCase();
  const source = { what, defaultName: basename(value, extname(value)), readMask: maskReader(full, what) };
  if (ext === ".json") {
    const text = readUserFile(value, "model file", FILE_FIX);
    return parseModelSpec(
      parseJsonText(
        text,
        what,
        "correct the JSON syntax there (a missing comma or quote, or a trailing comma).",
      ),
      source,
    );
  }
  if (!MODULE_EXTENSIONS.includes(ext)) {
    throw new InputFileError(
      `${what} has the extension "${ext}", which is not a model file's. Fix: use a .json file, or an ES module (.mjs, .mts, .js, .ts) whose default export is the model.`,
    );
  }
  readUserFile(value, "model file", FILE_FIX); // exists and is a readable file
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(full).href)) as { default?: unknown };
  } catch (e) {
    const m = (e as Error).message.split("\n")[0].replace(/\.+$/, "");
    // Node reads a .ts file as CommonJS unless the nearest package.json says "type": "module".
    const hint =
      ext === ".ts"
        ? 'rename it to .mts (a .ts file outside a package whose package.json says "type": "module" is read as CommonJS), or correct it'
        : "correct the module";
    throw new InputFileError(`cannot load ${what}: ${m}. Fix: ${hint} so that Node can import it.`);
  }
  if (module.default === undefined) {
    throw new InputFileError(
      `${what} has no default export. Fix: export the model description as the default, e.g. \`export default { name: "m", linear: true }\`.`,
    );
  }
  return parseModelSpec(module.default, source);
}
