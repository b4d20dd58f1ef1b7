// The report sections and plots of the scenarios benchmark04, realtime and peers (report.ts writes
// the rest): Markdown tables with Kestra's published figures beside ours, a latency-vs-rate plot for
// benchmark04 and for the peers, and per-broker latency bars against the bare-client floor.
import fs from 'node:fs';
import path from 'node:path';
import type { B04Result } from './benchmark04/scenario';
import type { RealtimeResult } from './realtime/scenario';
import type { PeersResult } from './peers/scenario';
import { KESTRA_1_2, sustained, type PublishedRow } from './kestra-published';
import type { Summary } from './lib/hist';

export interface ExtraScenarios { benchmark04?: B04Result; realtime?: RealtimeResult; peers?: PeersResult }

const f = (v: number | undefined, d = 1) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const perMin = (perS: number) => Math.round(perS * 60).toLocaleString('en-US');
const kestraRows = (rows: PublishedRow[]) => rows.map((x) => `${x.perMinute}/min → ${x.latencyS} s`).join(', ');

export function extraMarkdown(s: ExtraScenarios): string {
  const out: string[] = [];
  if (s.benchmark04) out.push(...b04Markdown(s.benchmark04));
  if (s.realtime) out.push(...realtimeMarkdown(s.realtime));
  if (s.peers) out.push(...peersMarkdown(s.peers));
  return out.length ? `\n${out.join('\n')}\n` : '';
}

function b04Markdown(r: B04Result): string[] {
  const lines = [
    '## benchmark04 — Kafka RealtimeTrigger → JSONata TransformValue → OutputValues',
    '',
    `Kestra's flow verbatim (only \`bootstrap.servers\` rewritten) on a real single-node Kafka (KRaft, started in ${r.kafkaReadyMs ?? '?'} ms), topic \`test_kestra\` with 1 partition; order messages (order_id, customer, address, items — ×10 items per size) padded to the exact size, produced by a separate process (kafkajs). The engine runs with its default in-flight cap (${r.maxInFlight}) — beyond it the consumer pauses and the backlog waits in Kafka, so **publish → ended** is the latency that shows saturation; **execution latency** (end − creation) is Kestra's measure (Kestra publishes its *mean*).`,
    '',
  ];
  for (const size of r.sizes) {
    const k = KESTRA_1_2[`benchmark04-${size.size}`];
    lines.push(`### ${size.size} messages`, '', '| offered /s (/min) | achieved /s | executions | exec. latency mean / p50 / p99 ms | publish → created p50 / p99 ms | publish → ended p50 / p99 ms | loop lag p99 ms | RSS MB | CPU % | rows/commit |', '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const x of size.steps) {
      lines.push(`| ${x.offeredPerSecond} (${perMin(x.offeredPerSecond)}) | ${x.achievedPerSecond} | ${x.executions}/${x.sent}${x.unfinished ? ` (${x.unfinished} unfinished)` : ''}${x.publishErrors ? ` (${x.publishErrors} refused by Kafka)` : ''} | ${f(x.latencyMs.mean)} / ${f(x.latencyMs.p50)} / ${f(x.latencyMs.p99)} | ${f(x.publishToCreatedMs.p50)} / ${f(x.publishToCreatedMs.p99)} | ${f(x.publishToEndedMs.p50)} / ${f(x.publishToEndedMs.p99)} | ${f(x.engine.eventLoopLagMs.p99)} | ${x.engine.rssMb} | ${x.engine.cpuPercent} | ${x.engine.writer.rowsPerCommit} |`);
    }
    lines.push('', `Sustained (${size.sustainedRule}): **${size.sustainedPerSecond}/s (${perMin(size.sustainedPerSecond)}/min)**; by execution latency alone (end − creation p99 < 1 s, every message executed at ≥ 95% of the offered rate): ${size.sustainedByExecutionLatencyPerSecond}/s.`);
    if (k) {
      lines.push(`Kestra 1.2 published (mean execution latency, 4 vCPUs + separate database/Kafka VMs): OSS ${kestraRows(k.oss)}; EE ${kestraRows(k.ee)}. Highest rate under 1 s: OSS ${sustained(k.oss)}/min, EE ${sustained(k.ee)}/min${k.note ? ` (${k.note})` : ''}.`);
    }
    lines.push('');
  }
  if (r.note) lines.push(`Note: ${r.note}`, '');
  return lines;
}

const sm = (x: Summary | undefined) => (x && x.count ? `${f(x.p50)} / ${f(x.p99)}` : '–');

function realtimeMarkdown(r: RealtimeResult): string[] {
  const lines = [
    '## Realtime latency per broker — Peregrine against the bare-client floor',
    '',
    `One flow per broker (its RealtimeTrigger and one trivial task, \`core.debug.Return\`), engine defaults. A separate publisher process sends messages stamped with their send time, first steadily (${r.steadyRate}/s for ${r.steadySeconds} s) then at ${r.rates.join(', ')}/s for ${r.stepSeconds} s each. The **floor** is the same broker consumed by a bare client in its own process (same publisher, same rates, its own destination) that only notes the receive time. Peregrine's dates are integer milliseconds of the wall clock, so the floor is measured the same way (\`Date.now()\` at receipt − send stamp); the floor's sub-millisecond figure (hrtime) is shown beside it. Percentiles of integer-ms differences move in 1 ms steps; their **mean** is unbiased, so the overhead is also given on the mean. Overhead = Peregrine (publish → created) − floor (publish → received).`,
    '',
    '| broker | rate /s | executions | publish → created p50 / p99 (mean) ms | → first task running p50 / p99 ms | → ended p50 / p99 ms | floor p50 / p99 (mean) ms | floor precise p50 / p99 ms | overhead p50 / p99 / mean ms | loop lag p99 ms | CPU % | rows/commit |',
    '|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const b of r.brokers) {
    if (b.status !== 'ok') {
      lines.push(`| ${b.broker} | – | ${b.status} | ${b.note ?? ''} | | | | | | | | |`);
      continue;
    }
    for (const s of b.steps) {
      const p = s.peregrine;
      const fl = s.floor;
      lines.push(`| ${b.broker} | ${s.rate} | ${p ? `${p.executions}/${p.sent}${p.missing ? ` (${p.missing} missing)` : ''}` : '–'} | ${p ? `${sm(p.createdMs)} (${f(p.createdMs.mean, 2)})` : '–'} | ${sm(p?.firstTaskMs)} | ${sm(p?.endedMs)} | ${fl?.wallMs ? `${sm(fl.wallMs)} (${f(fl.wallMs.mean, 2)})` : '–'}${fl && fl.received < fl.sent ? ` (${fl.received}/${fl.sent})` : ''} | ${sm(fl?.preciseMs)} | ${s.overheadMs ? `${f(s.overheadMs.p50)} / ${f(s.overheadMs.p99)} / ${f(s.overheadMs.mean, 2)}` : '–'} | ${f(p?.engine.eventLoopLagMs.p99)} | ${p?.engine.cpuPercent ?? '–'} | ${p?.engine.writer.rowsPerCommit ?? '–'} |`);
    }
  }
  lines.push('', 'Event-loop lag is Node\'s `monitorEventLoopDelay` at 10 ms resolution: an idle loop reads ≈ 10 ms, so subtract 10 for the delay itself.', '');
  const skipped = r.brokers.filter((b) => b.status !== 'ok');
  if (skipped.length) lines.push(...skipped.map((b) => `- **${b.broker}** ${b.status}: ${b.note}`), '');
  return lines;
}

function peersMarkdown(r: PeersResult): string[] {
  const lines = [
    '## Peers side by side — webhook → set value → log',
    '',
    `The same flow in each tool (Peregrine: Kestra's benchmark01; Node-RED: http in → change → debug + http response; n8n: Webhook → Edit Fields (Set) → No Operation), one tool at a time in the same run, driven by the same load generator (bench/loadgen.ts, open loop, ≤ 1024 requests in flight, its own process) at ${r.rates.join(', ')}/s for ${r.seconds} s each (stepping stops once a tool falls behind). Execution latency = end − creation from the tool's own store where it keeps one. Sustained = ${r.rule}.`,
    '',
    '| tool | version | sustained /s | × Peregrine | what it persists | start ms |',
    '|:--|:--|--:|--:|:--|--:|',
  ];
  for (const t of r.tools) {
    lines.push(`| ${t.name} | ${t.version} | ${t.status === 'ok' ? `**${t.sustainedPerSecond}**` : t.status} | ${t.ratioToPeregrine !== undefined ? t.ratioToPeregrine : '–'} | ${t.persisted} | ${t.startMs ?? '–'} |`);
  }
  lines.push('', '| tool | offered /s | HTTP OK /s | failed / skipped | HTTP p50 / p99 ms | executions stored | exec. latency p50 / p99 ms | executions /s | CPU % | RSS MB |', '|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const t of r.tools) {
    for (const s of t.steps) {
      lines.push(`| ${t.name} | ${s.offeredPerSecond} | ${s.achievedPerSecond} | ${s.failed} / ${s.skipped} | ${f(s.httpMs.p50)} / ${f(s.httpMs.p99)} | ${s.executions ?? 'none kept'}${s.unfinished ? ` (${s.unfinished} unfinished)` : ''} | ${sm(s.executionLatencyMs)} | ${s.executionsPerSecond ?? '–'} | ${s.cpuPercent ?? '–'} | ${s.rssMb ?? '–'} |`);
    }
  }
  lines.push('');
  for (const t of r.tools) if (t.note || t.status !== 'ok') lines.push(`- **${t.name}** (${t.status}): ${t.note ?? ''}`);
  for (const t of r.tools) if (t.setup?.length) lines.push(`- ${t.name} setup: ${t.setup.map((x) => `\`${x.replace(/`/g, "'").slice(0, 300)}\``).join('; ')}`);
  lines.push('');
  return lines;
}

// ── plots ────────────────────────────────────────────────────────────────────────────────────────

interface Series { name: string; points: (readonly [number, number])[]; dashed?: boolean; color?: string }
const COLORS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be123c', '#94a3b8', '#64748b', '#a16207'];

function linePlot(title: string, xLabel: string, yLabel: string, series: Series[], W = 1000, H = 520): string {
  const L = 70, B = 60, T = 40, R = 300;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = Math.log10(Math.max(0.1, Math.min(...xs, 1))), x1 = Math.log10(Math.max(...xs, 10) * 1.2);
  const y0 = Math.log10(Math.max(0.1, Math.min(...ys, 1))), y1 = Math.log10(Math.max(...ys, 10) * 1.5);
  const px = (x: number) => L + ((Math.log10(Math.max(x, 0.1)) - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => H - B - ((Math.log10(Math.max(y, 0.1)) - y0) / (y1 - y0)) * (H - B - T);
  const ticks = (a: number, b: number) => { const o: number[] = []; for (let e = Math.floor(a); e <= Math.ceil(b); e++) o.push(10 ** e); return o.filter((v) => Math.log10(v) >= a - 1e-9 && Math.log10(v) <= b); };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...ticks(x0, x1).map((v) => `<line x1="${px(v)}" x2="${px(v)}" y1="${T}" y2="${H - B}" stroke="#e5e7eb"/><text x="${px(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`),
    ...ticks(y0, y1).map((v) => `<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e7eb"/><text x="${L - 6}" y="${py(v) + 4}" text-anchor="end">${v}</text>`),
    `<line x1="${L}" x2="${W - R}" y1="${py(1000)}" y2="${py(1000)}" stroke="#dc2626" stroke-dasharray="4 4"/><text x="${W - R - 4}" y="${py(1000) - 4}" text-anchor="end" fill="#dc2626">1 s</text>`,
    `<text x="${(L + W - R) / 2}" y="${H - 16}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="18" y="${(T + H - B) / 2}" transform="rotate(-90 18 ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  series.forEach((s, i) => {
    const c = s.color ?? COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ''} points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}"/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${c}"/>`);
    parts.push(`<rect x="${W - R + 14}" y="${T + i * 20}" width="14" height="3" fill="${c}"/><text x="${W - R + 34}" y="${T + i * 20 + 5}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function barPlot(r: RealtimeResult, W = 1000, H = 520): string | undefined {
  // Per broker, at the step closest to 1000/s: floor and Peregrine, mean and p99 of publish → created/received
  // (the mean rather than the p50: integer-ms p50s are 0 or 1, their mean is unbiased).
  const brokers = r.brokers.filter((b) => b.status === 'ok');
  if (!brokers.length) return undefined;
  const pick = (b: (typeof brokers)[number]) => [...b.steps].sort((x, y) => Math.abs(x.rate - 1000) - Math.abs(y.rate - 1000))[0];
  const bars = brokers.map((b) => {
    const s = pick(b);
    return { broker: b.broker, rate: s.rate, values: [s.floor?.wallMs?.mean, s.peregrine?.createdMs.mean, s.floor?.wallMs?.p99, s.peregrine?.createdMs.p99].map((v) => (v === undefined || Number.isNaN(v) ? 0 : v)) };
  });
  const labels = ['floor mean', 'Peregrine mean', 'floor p99', 'Peregrine p99'];
  const colors = ['#94a3b8', '#2563eb', '#475569', '#1e3a8a'];
  const L = 70, B = 70, T = 50, R = 20;
  const max = Math.max(10, ...bars.flatMap((b) => b.values));
  const y1 = Math.log10(max * 1.5), y0 = -1; // 0.1 ms … max
  const py = (v: number) => H - B - ((Math.log10(Math.max(v, 0.1)) - y0) / (y1 - y0)) * (H - B - T);
  const group = (W - L - R) / bars.length;
  const bw = (group * 0.8) / 4;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="24" font-size="15" font-weight="bold">Publish → execution created (Peregrine) vs publish → received (bare client), ms, log scale</text>`,
    `<text x="${W - R}" y="41" text-anchor="end" fill="#64748b">means resolve below 1 ms; p99s move in 1 ms steps</text>`,
  ];
  for (let e = -1; e <= Math.ceil(y1); e++) {
    const v = 10 ** e;
    if (Math.log10(v) > y1) break;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e7eb"/><text x="${L - 6}" y="${py(v) + 4}" text-anchor="end">${v}</text>`);
  }
  labels.forEach((l, i) => parts.push(`<rect x="${L + i * 150}" y="32" width="12" height="10" fill="${colors[i]}"/><text x="${L + i * 150 + 16}" y="41">${l}</text>`));
  bars.forEach((b, g) => {
    const gx = L + g * group + group * 0.1;
    b.values.forEach((v, i) => {
      const y = py(v);
      parts.push(`<rect x="${gx + i * bw}" y="${y}" width="${bw - 2}" height="${H - B - y}" fill="${colors[i]}"><title>${labels[i]}: ${v} ms</title></rect>`);
      parts.push(`<text x="${gx + i * bw + bw / 2 - 1}" y="${y - 3}" text-anchor="middle" font-size="10">${v >= 10 ? Math.round(v) : v.toFixed(1)}</text>`);
    });
    parts.push(`<text x="${gx + group * 0.4}" y="${H - B + 18}" text-anchor="middle">${b.broker}</text><text x="${gx + group * 0.4}" y="${H - B + 34}" text-anchor="middle" fill="#64748b">${b.rate}/s</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Writes benchmark04.svg/png, realtime.svg/png and peers.svg/png next to results.md. */
export async function writeExtraPlots(s: ExtraScenarios, dir: string, toPng: (svg: string, file: string, w?: number, h?: number) => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  const put = async (name: string, svg: string | undefined) => {
    if (!svg) return;
    fs.writeFileSync(path.join(dir, `${name}.svg`), svg);
    await toPng(svg, path.join(dir, `${name}.png`), 1000, 520);
    written.push(name);
  };
  if (s.benchmark04?.sizes.length) {
    const series: Series[] = [];
    for (const [i, size] of s.benchmark04.sizes.entries()) {
      if (!size.steps.length) continue;
      const color = COLORS[i % COLORS.length];
      series.push({ name: `Peregrine ${size.size} publish→ended p99`, color, points: size.steps.map((x) => [x.offeredPerSecond, Math.max(0.1, x.publishToEndedMs.p99)] as const) });
      const k = KESTRA_1_2[`benchmark04-${size.size}`];
      if (k) series.push({ name: `Kestra 1.2 EE ${size.size} (mean)`, dashed: true, color, points: k.ee.map((x) => [x.perMinute / 60, x.latencyS * 1000] as const) });
    }
    await put('benchmark04', linePlot('benchmark04: latency vs offered rate (log–log)', 'offered executions per second', 'latency (ms)', series));
  }
  if (s.realtime) await put('realtime', barPlot(s.realtime));
  if (s.peers?.tools.some((t) => t.steps.length)) {
    const series: Series[] = s.peers.tools.filter((t) => t.steps.length).map((t) => ({ name: `${t.name} HTTP p99`, points: t.steps.map((x) => [x.offeredPerSecond, Math.max(0.1, x.httpMs.p99)] as const) }));
    for (const t of s.peers.tools) if (t.steps.some((x) => x.executionLatencyMs)) series.push({ name: `${t.name} execution p99`, dashed: true, points: t.steps.filter((x) => x.executionLatencyMs?.count).map((x) => [x.offeredPerSecond, Math.max(0.1, x.executionLatencyMs!.p99)] as const) });
    await put('peers', linePlot('Webhook → set → log: latency vs offered rate (log–log)', 'offered requests per second', 'latency p99 (ms)', series));
  }
  return written;
}
