// Paths into a flow document, in the engine's notation (main/flow/positions.ts formatPath):
// `tasks[1].cases.REFUND[0]`, `cases["a b"]`. Pure; runs in the browser and in Node.

export type Seg = string | number;

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(path: readonly Seg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (SIMPLE_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The inverse of formatPath. Throws on a malformed path. */
export function parsePath(path: string): Seg[] {
  const segs: Seg[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = path[i + 1] === '"' ? findStringEnd(path, i + 1) + 1 : path.indexOf(']', i);
      if (close < 0 || path[close] !== ']') throw new Error(`bad path ${path}`);
      const inner = path.slice(i + 1, close);
      segs.push(inner.startsWith('"') ? (JSON.parse(inner) as string) : Number(inner));
      if (typeof segs[segs.length - 1] === 'number' && Number.isNaN(segs[segs.length - 1])) throw new Error(`bad path ${path}`);
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    segs.push(path.slice(i, j));
    i = j;
  }
  return segs;
}

function findStringEnd(s: string, quote: number): number {
  for (let i = quote + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

export const joinPath = (...parts: (string | undefined)[]): string =>
  formatPath(parts.filter((p): p is string => !!p).flatMap((p) => parsePath(p)));

/** Is `inner` the same as `outer` or inside it? */
export function isWithin(inner: readonly Seg[], outer: readonly Seg[]): boolean {
  return outer.length <= inner.length && outer.every((s, i) => s === inner[i]);
}
