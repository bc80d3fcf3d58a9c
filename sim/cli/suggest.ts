/**
 * "Did you mean --array?" for a mistyped flag: the nearest known option by edit distance (optimal string alignment,
 * so a swapped pair of letters counts as one edit), accepted when it is close for its length. Pure.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known flag nearest to `typed` (no leading dashes), or undefined when none is close: at most one edit for
 * names up to 4 letters, two up to 8, three beyond; a typed prefix of exactly one flag (`--arr`) also counts. Ties go
 * to the flag listed first, so the answer is the same on every run.
 */
export function nearestFlag(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  const budget = t.length <= 4 ? 1 : t.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const dist = editDistance(t, k.toLowerCase());
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  if (best !== undefined && bestDistance <= budget) return best;
  const prefixed = known.filter((k) => t.length >= 3 && k.toLowerCase().startsWith(t));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * yargs' "Unknown argument(s): a, b" → the same message with a suggestion per flag that has a near neighbour among
 * `known` (the current command's options), e.g. `Unknown argument: arry (did you mean --array?)`.
 */
export function withFlagSuggestions(message: string, known: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const typed = m[1].split(', ');
  const notes = typed.map((t) => {
    const near = nearestFlag(t.replace(/^-+/, ''), known);
    return near === undefined ? t : `${t} (did you mean --${near}?)`;
  });
  return `Unknown argument${typed.length === 1 ? '' : 's'}: ${notes.join(', ')}`;
}
