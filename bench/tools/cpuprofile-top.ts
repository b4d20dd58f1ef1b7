// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per file, so a
// profile taken under benchmark load can be read without a flame-graph viewer.
//   tsx bench/tools/cpuprofile-top.ts <file.cpuprofile> [top=25]
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export function top(file: string, n = 25): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/work\/main\//, '');
  for (const [id, us] of self) {
    const c = byId.get(id)!.callFrame;
    const key = `${c.functionName || '(anonymous)'} ${short(c.url)}:${c.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const f = c.url ? short(c.url).replace(/^(node_modules\/(@[^/]+\/)?[^/]+)\/.*$/, '$1') : `(${c.functionName || 'native'})`;
    files.set(f, (files.get(f) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  return [`${file}: ${(total / 1e6).toFixed(2)} s of samples over ${((p.endTime - p.startTime) / 1e6).toFixed(2)} s`, '', 'self time by function:', ...rows(fn), '', 'self time by file / package:', ...rows(files)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(top(process.argv[2], Number(process.argv[3] ?? 25)));
