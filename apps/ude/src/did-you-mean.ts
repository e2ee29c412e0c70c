/**
 * "Did you mean" suggestions for names the user typed (command-line values, keys of a model
 * file): the valid name nearest in edit distance, when it is near enough to be a likely typo.
 */

/** Levenshtein distance (insertions, deletions, substitutions, each costing 1). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The valid name closest to `name`, if it is close enough to be a likely typo. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const v of valid) {
    const dist = editDistance(name.toLowerCase(), v.toLowerCase());
    if (dist < bestD) {
      bestD = dist;
      best = v;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
