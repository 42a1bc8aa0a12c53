/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * The name of `names` a mistyped `value` most likely meant, for a "did you
 * mean" hint: the one at the smallest edit distance (case-insensitive) if
 * that is at most a third of its length (at least 2) and differs from
 * `value` (case counts), else the shortest name containing `value` when only
 * one is that short (a base policy rather than its modified forms); null when
 * nothing is close.
 */
export function closestName(value: string, names: readonly string[]): string | null {
  const v = value.toLowerCase();
  if (v.length === 0 || names.includes(value)) return null;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = editDistance(v, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best !== null && best !== value && bestDistance <= Math.max(2, Math.floor(best.length / 3))) return best;
  const containing = names.filter((n) => n.toLowerCase().includes(v));
  const shortest = Math.min(...containing.map((n) => n.length));
  const candidates = containing.filter((n) => n.length === shortest);
  return candidates.length === 1 && v.length >= 3 ? candidates[0] : null;
}
