#!/usr/bin/env node
// `node scripts/mutation-score.mjs <module>`: per-file and module-wide mutation scores from the
// committed incremental report reports/mutation/<module>.incremental.json (TESTING.md's table).
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes
// it (ignored, compile- and runtime-error mutants are not counted). It also lists the module's
// files (stryker.config.mjs's `mutate` globs) that the report lacks, and those whose source
// changed since their run (their mutants of changed code were dropped, not re-tested).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MODULES } from "../stryker.config.mjs";

const name = process.argv[2];
if (name === undefined || !(name in MODULES)) {
  console.error(
    `usage: node scripts/mutation-score.mjs <module>; modules: ${Object.keys(MODULES).join(", ")}`,
  );
  process.exit(2);
}

/** The files a module mutates: its globs have `*` in the file name only (e.g. `dir/*.ts`, `!dir/*.test.ts`). */
function moduleFiles(patterns) {
  const toRegExp = (glob) =>
    new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
  const include = patterns.filter((p) => !p.startsWith("!")).map(toRegExp);
  const exclude = patterns.filter((p) => p.startsWith("!")).map((p) => toRegExp(p.slice(1)));
  const dirs = new Set(patterns.map((p) => dirname(p.replace(/^!/, ""))));
  const files = [];
  for (const dir of dirs) {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (include.some((r) => r.test(path)) && !exclude.some((r) => r.test(path))) files.push(path);
    }
  }
  return [...new Set(files)].sort();
}

const report = JSON.parse(readFileSync(`reports/mutation/${name}.incremental.json`, "utf8"));
const rows = [];
const total = { mutants: 0, detected: 0, survived: 0, noCoverage: 0 };
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) =>
  a.localeCompare(b),
)) {
  const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
  const row = {
    file,
    detected: count("Killed", "Timeout"),
    survived: count("Survived"),
    noCoverage: count("NoCoverage"),
  };
  row.mutants = row.detected + row.survived + row.noCoverage;
  let current;
  try {
    current = readFileSync(file, "utf8");
  } catch {
    current = undefined;
  }
  row.stale = current !== source;
  rows.push(row);
  for (const key of Object.keys(total)) total[key] += row[key];
}

const pct = (r) => (r.mutants === 0 ? "—" : `${((100 * r.detected) / r.mutants).toFixed(1)} %`);
console.log("| file | mutants | killed + timeout | survived | no coverage | score |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  const base = r.file.split("/").pop();
  console.log(
    `| \`${base}\`${r.stale ? " (changed since run)" : ""} | ${r.mutants} | ${r.detected} | ${r.survived} | ${r.noCoverage} | ${pct(r)} |`,
  );
}
console.log(
  `| **all ${rows.length} files in the report** | ${total.mutants} | ${total.detected} | ${total.survived} | ${total.noCoverage} | **${pct(total)}** |`,
);
const missing = moduleFiles(MODULES[name].mutate).filter((f) => !(f in report.files));
if (missing.length > 0) {
  console.log(`\nNot in the report (never run): ${missing.map((f) => f.split("/").pop()).join(", ")}`);
}
