// --model: a built-in's name or a model file (JSON, or an ES module's default export), a mask CSV
// relative to the model file, and the one-line errors for files that are missing or malformed.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { MODELS } from "./builtin-models.js";
import { InputFileError, OptionError } from "./errors.js";
import { isModelPath, loadModel, parseJsonText } from "./model-file.js";

const dir = join(tmpdir(), `ude-model-file-${process.pid}`);
mkdirSync(join(dir, "masks"), { recursive: true });
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The error loadModel rejects with: its class and message. */
async function failure(value: string): Promise<[string, string]> {
  try {
    await loadModel(value);
  } catch (e) {
    return [(e as Error).constructor.name, (e as Error).message];
  }
  throw new Error(`loadModel("${value}") did not fail`);
}

test("built-in names and paths are told apart", async () => {
  expect(isModelPath("ude")).toBe(false);
  expect(isModelPath("my-model.json")).toBe(true);
  expect(isModelPath("models/m")).toBe(true);
  expect(await loadModel("ude")).toBe(MODELS.ude);
  expect(await loadModel("Linear")).toBe(MODELS.linear);
  expect(await failure("udee")).toEqual([
    OptionError.name,
    'unknown model "udee" (did you mean "ude"?). Fix: pass --model with one of linear, ude, or the path of a model file (.json, .mjs, .mts, .js, .ts).',
  ]);
});

test("a JSON model file, its name defaulting to the file's, a mask CSV relative to it", async () => {
  file("masks/ring.csv", "0,1,1\n1,0,1\n1,1,0\n");
  const path = file(
    "ring.json",
    JSON.stringify({ linear: true, P: { constraint: "nonnegative", mask: "masks/ring.csv" } }),
  );
  expect(await loadModel(path)).toEqual({
    name: "ring",
    linear: true,
    P: {
      constraint: "nonnegative",
      mask: [
        [0, 1, 1],
        [1, 0, 1],
        [1, 1, 0],
      ],
    },
  });
  const missingMask = file("no-mask.json", JSON.stringify({ linear: true, P: { mask: "nope.csv" } }));
  const [cls, message] = await failure(missingMask);
  expect(cls).toBe(InputFileError.name);
  expect(message).toBe(
    `model file "${missingMask}" names the mask file "nope.csv", which does not exist (looked at ${join(dir, "nope.csv")}). Fix: give the mask's path relative to the model file, or the mask itself as a matrix of 0 and 1.`,
  );
});

test("ES modules whose default export is the model: .mjs and .ts", async () => {
  const mjs = file(
    "m.mjs",
    'export default { name: "from-mjs", linear: false, net: { block: 1, hidden: [] } };\n',
  );
  expect((await loadModel(mjs)).name).toBe("from-mjs");
  const ts = file(
    "m.ts",
    'const widths: number[] = [4, 4];\nexport default { name: "from-ts", linear: true, net: { block: 2, hidden: widths.map((width) => ({ width, activation: "tanh" })) } };\n',
  );
  expect((await loadModel(ts)).net?.hidden).toHaveLength(2);
  const noDefault = file("no-default.mjs", "export const model = {};\n");
  expect(await failure(noDefault)).toEqual([
    InputFileError.name,
    `model file "${noDefault}" has no default export. Fix: export the model description as the default, e.g. \`export default { name: "m", linear: true }\`.`,
  ]);
  const broken = file("broken.mjs", "export default {\n");
  const [cls, message] = await failure(broken);
  expect(cls).toBe(InputFileError.name);
  expect(message).toMatch(
    new RegExp(
      `^cannot load model file "${broken}": .+\\. Fix: correct the module so that Node can import it\\.$`,
    ),
  );
  // The module's export goes through the same validation as JSON.
  const bad = file("bad.mjs", 'export default { name: "b", linear: true, nett: {} };\n');
  expect((await failure(bad))[1]).toMatch(
    /^model file ".*bad\.mjs": unknown key "nett" in the model \(did you mean "net"\?\)/,
  );
});

test("missing file, directory, unknown extension", async () => {
  const missing = join(dir, "missing.json");
  expect(await failure(missing)).toEqual([
    InputFileError.name,
    `model file "${missing}" does not exist. Fix: check the path, or pass --model with a built-in model (linear, ude).`,
  ]);
  mkdirSync(join(dir, "folder.json"), { recursive: true });
  expect((await failure(join(dir, "folder.json")))[1]).toMatch(/is a directory, not a file/);
  const yaml = file("m.yaml", "linear: true\n");
  expect(await failure(yaml)).toEqual([
    InputFileError.name,
    `model file "${yaml}" has the extension ".yaml", which is not a model file's. Fix: use a .json file, or an ES module (.mjs, .mts, .js, .ts) whose default export is the model.`,
  ]);
});

test.each([
  // [text, line, column, what is there]: the first character JSON cannot continue with.
  ['{ "linear": }', 1, 13, '"}"'],
  ['{\n  "linear": true,\n}', 3, 1, '"}"'],
  ['{\n  "linear" true\n}', 2, 12, '"t"'],
  ['{\n  "linear": true', 2, 17, "the end of the file"],
  ['{ "linear": true }\nx', 2, 1, '"x"'],
  ["{ 'linear': true }", 1, 3, `"'"`],
])("a JSON syntax error names its line and column: %j", (text, line, column, at) => {
  let message = "";
  try {
    parseJsonText(text, 'model file "m.json"', "fix it.");
  } catch (e) {
    expect(e).toBeInstanceOf(InputFileError);
    message = (e as Error).message;
  }
  expect(message).toMatch(
    new RegExp(
      `^model file "m\\.json" is not valid JSON: line ${line}, column ${column} \\(at ${at.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\): .+\\. Fix: fix it\\.$`,
    ),
  );
});

test("a JSON syntax error in a model file, end to end", async () => {
  const path = file("syntax.json", '{\n  "name": "s",\n  "linear": true,\n}\n');
  expect(await failure(path)).toEqual([
    InputFileError.name,
    `model file "${path}" is not valid JSON: line 4, column 1 (at "}"): Expected double-quoted property name. Fix: correct the JSON syntax there (a missing comma or quote, or a trailing comma).`,
  ]);
});
