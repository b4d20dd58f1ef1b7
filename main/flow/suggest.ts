// "Did you mean …?" for misspelt keys, property names and plugin types.

/** Optimal-string-alignment (Damerau–Levenshtein with adjacent swaps) distance. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word`, when close enough to be a likely typo: a different case, or
 * a few edits for its length (1 for short words, about a third of the length for long ones).
 */
export function closest(word: string, candidates: Iterable<string>, maxDistance?: number): string | undefined {
  const lower = word.toLowerCase();
  const limit = maxDistance ?? Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

const lastSegment = (type: string): string => type.slice(type.lastIndexOf('.') + 1);
const packageOf = (type: string): string => (type.includes('.') ? type.slice(0, type.lastIndexOf('.')) : '');

/**
 * The registered type a misspelt `type` most likely meant:
 * - same package, class name a typo away (`io.kestra.plugin.core.log.Logg` → `…log.Log`);
 * - same class name, package a typo away (`io.kestra.plugin.core.logs.Log`);
 * - a bare class name (`Log`, `Retrun`) matching the last segment of exactly one type;
 * - or a different case anywhere.
 */
export function suggestType(type: string, names: readonly string[]): string | undefined {
  const lower = type.toLowerCase();
  const exactCase = names.find((n) => n.toLowerCase() === lower);
  if (exactCase) return exactCase;
  const last = lastSegment(type).toLowerCase();
  const pkg = packageOf(type).toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  const consider = (name: string, score: number) => {
    if (score < bestScore) {
      best = name;
      bestScore = score;
    }
  };
  const bare: string[] = [];
  for (const name of names) {
    const nLast = lastSegment(name).toLowerCase();
    const nPkg = packageOf(name).toLowerCase();
    const lastD = editDistance(last, nLast);
    if (!pkg) {
      if (lastD <= (last.length <= 4 ? 1 : 2)) bare.push(name);
      continue;
    }
    if (nPkg === pkg && lastD <= Math.max(1, Math.floor(last.length / 4))) consider(name, lastD);
    else if (lastD === 0 && editDistance(pkg, nPkg) <= Math.max(2, Math.floor(pkg.length / 6))) {
      consider(name, editDistance(pkg, nPkg) + 0.1);
    }
  }
  if (!pkg && bare.length) {
    // Prefer the exact class name, then the current (io.kestra.plugin.*) spelling over older aliases.
    bare.sort(
      (a, b) =>
        editDistance(last, lastSegment(a).toLowerCase()) - editDistance(last, lastSegment(b).toLowerCase()) ||
        Number(!a.startsWith('io.kestra.plugin.')) - Number(!b.startsWith('io.kestra.plugin.')),
    );
    const first = bare[0];
    const firstLast = lastSegment(first).toLowerCase();
    const ties = bare.filter((n) => lastSegment(n).toLowerCase() === firstLast && n.startsWith('io.kestra.plugin.'));
    return ties.length <= 1 ? first : undefined;
  }
  return best;
}

/** Looks like the name of a Kestra plugin class: `io.kestra.<lowercase packages>.<ClassName>`. */
export function isKestraPluginType(type: string): boolean {
  return /^io\.kestra\.(?:[a-z0-9_]+\.)+[A-Z][A-Za-z0-9_]*(?:\$[A-Za-z0-9_]+)?$/.test(type);
}

/** "a, b or c" */
export function listWords(words: readonly string[], last = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}
