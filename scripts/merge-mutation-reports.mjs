// Merges two mutation-testing reports (mutation-testing-report-schema, as Stryker writes its
// incremental file): every mutant of `latest`, plus the mutants of `previous` that `latest`
// does not have — whole files it did not mutate, and in a file with the same source the mutants
// outside the ranges it ran (`--mutate file:line:col-line:col`) — with their mutant and test ids
// renumbered past `latest`'s (ids are per report). Used by scripts/mutate.mjs so that runs
// scoped with --mutate accumulate in one file.

/** @param {any} previous @param {any} latest */
export function mergeReports(previous, latest) {
  const merged = structuredClone(latest);
  const key = (m) =>
    `${m.mutatorName} ${m.replacement} ${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`;
  /** Per file of previous: its mutants that latest lacks (all of them for a file latest lacks). */
  const keep = new Map();
  for (const [f, file] of Object.entries(previous.files)) {
    const now = latest.files[f];
    if (now === undefined) keep.set(f, file.mutants);
    else if (now.source === file.source) {
      const have = new Set(now.mutants.map(key));
      const missing = file.mutants.filter((m) => !have.has(key(m)));
      if (missing.length > 0) keep.set(f, missing);
    }
  }
  if (keep.size === 0) return merged;
  const maxId = (ids) => ids.reduce((m, id) => Math.max(m, Number(id)), -1);
  let nextMutant = maxId(Object.values(merged.files).flatMap((f) => f.mutants.map((m) => m.id))) + 1;
  merged.testFiles ??= {};
  let nextTest = maxId(Object.values(merged.testFiles).flatMap((f) => f.tests.map((t) => t.id))) + 1;
  // A previous test id → the id of the same test (file and name) in the merged report.
  const byKey = new Map();
  for (const [file, tf] of Object.entries(merged.testFiles)) {
    for (const t of tf.tests) byKey.set(`${file}#${t.name}`, t.id);
  }
  const testId = new Map();
  for (const [file, tf] of Object.entries(previous.testFiles ?? {})) {
    for (const t of tf.tests) {
      const key = `${file}#${t.name}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = String(nextTest++);
        byKey.set(key, id);
        merged.testFiles[file] ??= { tests: [], source: tf.source };
        merged.testFiles[file].tests.push({ ...t, id });
      }
      testId.set(t.id, id);
    }
  }
  const remap = (ids) => ids?.map((id) => testId.get(id) ?? id);
  for (const [f, mutants] of keep) {
    const moved = structuredClone(mutants).map((m) => ({
      ...m,
      id: String(nextMutant++),
      ...(m.coveredBy === undefined ? {} : { coveredBy: remap(m.coveredBy) }),
      ...(m.killedBy === undefined ? {} : { killedBy: remap(m.killedBy) }),
    }));
    if (merged.files[f] === undefined) merged.files[f] = { ...previous.files[f], mutants: moved };
    else merged.files[f].mutants.push(...moved);
  }
  return merged;
}
