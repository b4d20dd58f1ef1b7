// Writes a benchmark run: results.json, results.md (our figures beside Kestra's) and a plot of
// latency against offered rate (SVG, and PNG through headless Chromium when it is installed).
import fs from 'node:fs';
import path from 'node:path';
import type { PublishedRow } from './kestra-published';
import { extraMarkdown, writeExtraPlots } from './report-extra';
import type { B04Result } from './benchmark04/scenario';
import type { RealtimeResult } from './realtime/scenario';
import type { PeersResult } from './peers/scenario';

export interface RateStep {
  offeredPerSecond: number;
  achievedPerSecond: number;
  sent: number;
  executions: number;
  failed: number;
  skipped: number;
  latencyMs: { p50: number; p99: number; max: number };
  httpMs: { p50: number; p99: number };
  engine: { eventLoopLagMs: { p50: number; p99: number; max: number }; rssMb: number; cpuPercent: number; writer: { rowsPerCommit: number; maxBatch: number } };
}

/** The do-nothing HTTP server under the same load generator. */
export interface CeilingResult {
  steps: { offeredPerSecond: number; achievedPerSecond: number; httpP50Ms: number; httpP99Ms: number }[];
  sustainedPerSecond: number;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; model: string; memoryGb: number; node: string };
  durationPerStepS: number;
  scenarios: Record<string, { steps?: RateStep[]; sustainedPerSecond?: number; sustainedP99Under50msPerSecond?: number; ceiling?: CeilingResult; kestraSustainedPerMinute?: { oss: number; ee: number }; foreach?: { runs: number; p50Ms: number; minMs: number }; coldStart?: { flows: number; runs: number; p50Ms: number; minMs: number } }
    // scenarios benchmark04, realtime and peers (report-extra.ts)
    & Partial<B04Result> & Partial<RealtimeResult> & Partial<PeersResult>>;
  kestra: Record<string, { oss: PublishedRow[]; ee: PublishedRow[]; note?: string }>;
  /** The machine is shared: its load average (1, 5, 15 min) when the run started and ended; how the engine ran. */
  environment?: { loadAverageStart: number[]; loadAverageEnd?: number[]; engine?: string; wallSeconds?: number };
}

export async function writeReport(results: BenchResults, root: string): Promise<string> {
  const dir = path.join(root, results.date.slice(0, 19).replace(/[:T]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
  const sc = results.scenarios;
  const extra = { benchmark04: sc.benchmark04?.sizes ? (sc.benchmark04 as B04Result) : undefined, realtime: sc.realtime?.brokers ? (sc.realtime as RealtimeResult) : undefined, peers: sc.peers?.tools ? (sc.peers as PeersResult) : undefined };
  fs.writeFileSync(path.join(dir, 'results.md'), markdown(results) + extraMarkdown(extra));
  if (Object.values(sc).some((s) => s.steps?.length)) {
    const svg = plot(results);
    fs.writeFileSync(path.join(dir, 'latency.svg'), svg);
    await toPng(svg, path.join(dir, 'latency.png'));
  }
  await writeExtraPlots(extra, dir, toPng);
  return dir;
}

function markdown(r: BenchResults): string {
  const lines = [
    `# Peregrine benchmarks — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGb} GiB, Node ${r.machine.node}. Each rate held ${r.durationPerStepS} s; load from a separate process on loopback. Execution latency = end − creation, from the SQLite store (every execution persisted).`,
    '',
  ];
  if (r.environment) {
    const la = (v?: number[]) => (v ? v.map((x) => x.toFixed(2)).join(' / ') : '?');
    lines.push(`Shared machine — load average (1/5/15 min) ${la(r.environment.loadAverageStart)} at the start, ${la(r.environment.loadAverageEnd)} at the end${r.environment.engine ? `; engine: ${r.environment.engine}` : ''}${r.environment.wallSeconds ? `; whole run ${Math.round(r.environment.wallSeconds)} s` : ''}.`, '');
  }
  for (const [name, s] of Object.entries(r.scenarios)) {
    if (s.steps) {
      lines.push(`## ${name}`, '', '| offered /s | achieved /s | executions | latency p50 ms | latency p99 ms | HTTP p99 ms | loop lag p99 ms | RSS MB | CPU % | rows/commit |', '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
      for (const x of s.steps) {
        lines.push(`| ${x.offeredPerSecond} | ${x.achievedPerSecond} | ${x.executions} | ${x.latencyMs.p50.toFixed(1)} | ${x.latencyMs.p99.toFixed(1)} | ${x.httpMs.p99.toFixed(1)} | ${x.engine.eventLoopLagMs.p99.toFixed(1)} | ${x.engine.rssMb} | ${x.engine.cpuPercent} | ${x.engine.writer.rowsPerCommit} |`);
      }
      const k = s.kestraSustainedPerMinute!;
      lines.push(
        '',
        `Sustained with p99 latency under 1 s: **${s.sustainedPerSecond}/s (${(s.sustainedPerSecond! * 60).toLocaleString('en-US')}/min)**; under 50 ms: **${s.sustainedP99Under50msPerSecond ?? '?'}/s**. Kestra 1.2 published: OSS ${k.oss}/min, EE ${k.ee}/min (4 vCPUs + separate database VMs).`,
        '',
        `Kestra 1.2 published latency: ${r.kestra[name].ee.map((x) => `${x.perMinute}/min → ${x.latencyS} s`).join(', ')} (EE).`,
        '',
      );
    }
    if (s.ceiling) {
      lines.push('## Ceiling: a do-nothing HTTP server', '', 'The same load generator against a server that answers the webhook path and does nothing else: the most any engine could sustain on this machine.', '', '| offered /s | achieved /s | HTTP p50 ms | HTTP p99 ms |', '|--:|--:|--:|--:|');
      for (const x of s.ceiling.steps) lines.push(`| ${x.offeredPerSecond} | ${x.achievedPerSecond} | ${x.httpP50Ms.toFixed(2)} | ${x.httpP99Ms.toFixed(1)} |`);
      lines.push('', `Sustained with HTTP p99 under 50 ms: **${s.ceiling.sustainedPerSecond}/s**.`, '');
    }
    if (s.coldStart) {
      lines.push('## Cold start', '', `\`peregrine server\` with ${s.coldStart.flows} flows, from spawn to serving: p50 **${s.coldStart.p50Ms} ms**, best ${s.coldStart.minMs} ms (budget: 1 s).`, '');
    }
    if (s.foreach) {
      lines.push(`## ${name}`, '', `100-iteration ForEach: p50 **${s.foreach.p50Ms} ms**, best ${s.foreach.minMs} ms over ${s.foreach.runs} runs. Kestra 1.2 published: 5 s (OSS), 8 s (EE).`, '');
    }
  }
  return lines.join('\n');
}

function plot(r: BenchResults): string {
  const W = 1000, H = 500, L = 70, B = 60, T = 40, R = 270;
  const series = Object.entries(r.scenarios).filter(([, s]) => s.steps?.length).map(([name, s]) => ({ name, points: s.steps!.map((x) => [x.offeredPerSecond, x.latencyMs.p99] as const) }));
  const kestra = Object.entries(r.kestra).filter(([n]) => series.some((s) => s.name === n)).map(([name, k]) => ({ name: `${name} Kestra 1.2 EE (mean)`, points: k.ee.map((x) => [x.perMinute / 60, x.latencyS * 1000] as const) }));
  const all = [...series, ...kestra];
  const xs = all.flatMap((s) => s.points.map((p) => p[0]));
  const ys = all.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = Math.log10(Math.max(0.1, Math.min(...xs, 1))), x1 = Math.log10(Math.max(...xs, 10) * 1.2);
  const y0 = Math.log10(Math.max(0.1, Math.min(...ys, 1))), y1 = Math.log10(Math.max(...ys, 10) * 1.5);
  const px = (x: number) => L + ((Math.log10(Math.max(x, 0.1)) - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => H - B - ((Math.log10(Math.max(y, 0.1)) - y0) / (y1 - y0)) * (H - B - T);
  const colors = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#94a3b8', '#64748b'];
  const ticks = (a: number, b: number) => { const out: number[] = []; for (let e = Math.floor(a); e <= Math.ceil(b); e++) out.push(10 ** e); return out.filter((v) => Math.log10(v) >= a && Math.log10(v) <= b); };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="24" font-size="15" font-weight="bold">Execution latency p99 vs offered rate (log–log)</text>`,
    ...ticks(x0, x1).map((v) => `<line x1="${px(v)}" x2="${px(v)}" y1="${T}" y2="${H - B}" stroke="#e5e7eb"/><text x="${px(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`),
    ...ticks(y0, y1).map((v) => `<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e7eb"/><text x="${L - 6}" y="${py(v) + 4}" text-anchor="end">${v}</text>`),
    `<line x1="${L}" x2="${W - R}" y1="${py(1000)}" y2="${py(1000)}" stroke="#dc2626" stroke-dasharray="4 4"/><text x="${W - R - 4}" y="${py(1000) - 4}" text-anchor="end" fill="#dc2626">1 s</text>`,
    `<text x="${(L + W - R) / 2}" y="${H - 16}" text-anchor="middle">offered executions per second</text>`,
    `<text x="18" y="${(T + H - B) / 2}" transform="rotate(-90 18 ${(T + H - B) / 2})" text-anchor="middle">latency p99 (ms)</text>`,
  ];
  all.forEach((s, i) => {
    const c = colors[i % colors.length];
    const dash = s.name.includes('Kestra') ? ' stroke-dasharray="6 3"' : '';
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${dash} points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${c}"/>`);
    parts.push(`<rect x="${W - R + 14}" y="${T + i * 20}" width="14" height="3" fill="${c}"/><text x="${W - R + 34}" y="${T + i * 20 + 5}">${s.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export async function toPng(svg: string, file: string, width = 1000, height = 500): Promise<void> {
  if (!fs.existsSync('/usr/bin/chromium')) {
    console.warn('bench: no /usr/bin/chromium, so the plot is SVG only (apt-get install chromium for a PNG)');
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
}
