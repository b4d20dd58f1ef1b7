// A browser measurement, not a timing assertion: 10,000 events/s into the event tap for 10 s, with
// the executions they start finishing as fast, while frames are timed with requestAnimationFrame.
// The events enter the app exactly where the engine's would: as `batch` messages (≤ 60/s, JSON
// text, parsed by the app) on the contract's WebSocket, injected by a wrapper around the page's
// WebSocket. Prints the frame intervals (p50/p95/p99/max), the main thread's busy time per frame
// (Chrome's own TaskDuration), long tasks, and writes them to test-results/tap-perf.json.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, ROOT, screenshot, startSession, type AppSession } from './helpers/browser';
import { AppPage } from './pages/app';
import { InspectorPage } from './pages/inspector';

/** expect.poll with room for a loaded machine (vitest's default is 1 s). */
const poll: typeof expect.poll = (fn, options) => expect.poll(fn, { timeout: 15_000, ...(typeof options === 'object' ? options : {}) });

const RATE = 10_000;
const SECONDS = 10;

/** Installed before the app loads: remembers each subscription's stream, and lets the test push batches. */
function wrapWebSocket() {
  const Native = window.WebSocket;
  const state = { sockets: [] as WebSocket[], streams: {} as Record<string, string> };
  (window as unknown as { __inject: typeof state }).__inject = state;
  class Tapped extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      state.sockets.push(this);
      const send = this.send.bind(this);
      this.send = (data: string | ArrayBufferLike | Blob | ArrayBufferView) => {
        if (typeof data === 'string') {
          try {
            const m = JSON.parse(data);
            if (m.type === 'subscribe') state.streams[m.sid] = m.stream;
            if (m.type === 'unsubscribe') delete state.streams[m.sid];
          } catch {
            // not ours
          }
        }
        return send(data);
      };
    }
  }
  window.WebSocket = Tapped as typeof WebSocket;
}

interface Numbers {
  frames: number;
  fps: number;
  intervalMs: { p50: number; p95: number; p99: number; max: number };
  over16_7: number;
  over33: number;
  busyPerFrameMs: number;
  scriptPerFrameMs: number;
  layoutPerFrameMs: number;
  longTasks: number;
  longestTaskMs: number;
  events: number;
  batches: number;
}

/** Runs in the page: injects `rate` events/s for `seconds`, timing frames meanwhile. */
async function drive({ rate, seconds, filter }: { rate: number; seconds: number; filter?: string }): Promise<Omit<Numbers, 'busyPerFrameMs' | 'scriptPerFrameMs' | 'layoutPerFrameMs'>> {
  const inj = (window as unknown as { __inject: { sockets: WebSocket[]; streams: Record<string, string> } }).__inject;
  const socket = inj.sockets.find((s) => s.readyState === 1)!;
  const sids = (stream: string) => Object.entries(inj.streams).filter(([, s]) => s === stream).map(([sid]) => sid);
  const tapSids = sids('triggerEvents');
  const execSids = sids('executions');
  if (!tapSids.length) throw new Error('no tap subscription');
  const deliver = (sid: string, stream: string, eventsJson: string) =>
    socket.onmessage?.(new MessageEvent('message', { data: `{"type":"batch","sid":"${sid}","batch":{"stream":"${stream}","events":[${eventsJson}],"dropped":0}}` }));
  if (filter !== undefined) {
    const input = document.querySelector('[data-testid="tap-filter"]') as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    setter.call(input, filter);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  const tap = (i: number, now: number) =>
    `{"namespace":"bench","flowId":"load","triggerId":"orders","executionId":"bx${i}","receivedAt":${now},"size":96,"variables":{"topic":"orders","partition":${i % 4},"offset":${i},"key":"card-${i % 997}","timestamp":"${new Date(now - 3).toISOString()}","value":{"n":${i},"customer":"ada","amount":42.5}}}`;
  const exec = (i: number, now: number) => {
    const c = new Date(now - 4).toISOString();
    const r = new Date(now - 3).toISOString();
    const e = new Date(now).toISOString();
    return `{"id":"bx${i}","namespace":"bench","flowId":"load","flowRevision":1,"taskRunList":[{"id":"tr${i}","executionId":"bx${i}","namespace":"bench","flowId":"load","taskId":"log","attempts":[{"state":{"current":"SUCCESS","histories":[{"state":"RUNNING","date":"${r}"},{"state":"SUCCESS","date":"${e}"}],"startDate":"${r}","endDate":"${e}"}}],"state":{"current":"SUCCESS","histories":[{"state":"CREATED","date":"${c}"},{"state":"RUNNING","date":"${r}"},{"state":"SUCCESS","date":"${e}"}],"startDate":"${c}","endDate":"${e}"}}],"inputs":{},"labels":[],"state":{"current":"SUCCESS","histories":[{"state":"CREATED","date":"${c}"},{"state":"RUNNING","date":"${r}"},{"state":"SUCCESS","date":"${e}"}],"startDate":"${c}","endDate":"${e}","duration":"PT0.004S"},"originalId":"bx${i}","trigger":{"id":"orders","type":"io.kestra.plugin.kafka.RealtimeTrigger","variables":{"topic":"orders","offset":${i},"key":"card-${i % 997}","timestamp":"${new Date(now - 5).toISOString()}","value":{"n":${i}}}}}`;
  };

  const intervals: number[] = [];
  const longTasks: number[] = [];
  const po = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
  try {
    po.observe({ type: 'longtask', buffered: false });
  } catch {
    // not supported
  }
  let sent = 0;
  let batches = 0;
  let done = false;
  const start = performance.now();
  // The engine's side: a batch at most every 16 ms with what is due (coalesced executions alike).
  let pendingExec: number[] = [];
  const pump = () => {
    if (done) return;
    const now = performance.now();
    const due = Math.min(rate * seconds, Math.floor(((now - start) / 1000) * rate));
    if (due > sent) {
      const wall = Date.now();
      const parts: string[] = [];
      for (let i = sent; i < due; i++) parts.push(tap(i, wall));
      for (const sid of tapSids) deliver(sid, 'triggerEvents', parts.join(','));
      if (pendingExec.length) {
        const ex = pendingExec.map((i) => exec(i, wall)).join(',');
        for (const sid of execSids) deliver(sid, 'executions', ex);
      }
      pendingExec = [];
      for (let i = sent; i < due; i++) pendingExec.push(i);
      sent = due;
      batches++;
    }
    setTimeout(pump, 16);
  };
  setTimeout(pump, 16);
  await new Promise<void>((resolve) => {
    let last = performance.now();
    const frame = (t: number) => {
      intervals.push(t - last);
      last = t;
      if (t - start < seconds * 1000) requestAnimationFrame(frame);
      else {
        done = true;
        resolve();
      }
    };
    requestAnimationFrame((t) => {
      last = t;
      requestAnimationFrame(frame);
    });
  });
  po.disconnect();
  const sorted = [...intervals].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    frames: intervals.length,
    fps: round(intervals.length / seconds),
    intervalMs: { p50: round(pct(50)), p95: round(pct(95)), p99: round(pct(99)), max: round(sorted[sorted.length - 1]) },
    over16_7: intervals.filter((x) => x > 16.7 * 1.2).length,
    over33: intervals.filter((x) => x > 33.4).length,
    longTasks: longTasks.length,
    longestTaskMs: round(Math.max(0, ...longTasks)),
    events: sent,
    batches,
  };
}

/** Whether the served UI is React's production build (a build made under NODE_ENV=test is not). */
function reactBuild(): 'production' | 'development' | 'unknown' {
  const dir = path.join(ROOT, 'dist/renderer/assets');
  if (!fs.existsSync(dir)) return 'unknown';
  const main = fs.readdirSync(dir).filter((f) => /^index-.*\.js$/.test(f));
  if (!main.length) return 'unknown';
  return main.some((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes('Each child in a list should have a unique')) ? 'development' : 'production';
}

describe.skipIf(!haveChromium())('the event tap at 10,000 events/s (a measurement)', () => {
  let s: AppSession;
  let ins: InspectorPage;
  beforeAll(async () => {
    s = await startSession();
    await s.page.addInitScript(wrapWebSocket);
    ins = new InspectorPage(s.page);
    await new AppPage(s.page, s.server).open();
    await ins.openAll();
    await s.page.waitForFunction(() => Object.values((window as unknown as { __inject: { streams: Record<string, string> } }).__inject.streams).includes('triggerEvents'));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('keeps drawing frames while 100,000 events and executions go through the tap (numbers printed)', async () => {
    const cdp = await s.context.newCDPSession(s.page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
    const results: Record<string, Numbers> = {};
    for (const phase of [{ name: 'following', filter: undefined }, { name: 'filtered ("card-1")', filter: 'card-1' }] as const) {
      const before = await metrics();
      // PEREGRINE_TAP_PROFILE=1 also writes a CPU profile of the first phase (open it in Chrome's DevTools).
      const profile = process.env.PEREGRINE_TAP_PROFILE === '1' && phase.name === 'following';
      if (profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const n = await s.page.evaluate(drive, { rate: RATE, seconds: phase.name === 'following' ? SECONDS : 5, filter: phase.filter });
      const after = await metrics();
      if (profile) {
        const { profile: p } = (await cdp.send('Profiler.stop')) as { profile: unknown };
        fs.writeFileSync(path.join(ROOT, 'test-results/tap-perf.cpuprofile'), JSON.stringify(p));
      }
      const per = (k: string) => Math.round(((after[k] - before[k]) * 1000 * 100) / n.frames) / 100;
      results[phase.name] = { ...n, busyPerFrameMs: per('TaskDuration'), scriptPerFrameMs: per('ScriptDuration'), layoutPerFrameMs: Math.round((per('LayoutDuration') + per('RecalcStyleDuration')) * 100) / 100 };
      if (phase.name === 'following') await screenshot(s.page, 'inspector-10k');
    }
    const build = reactBuild();
    console.log(`[tap-perf] React build served: ${build}${build === 'development' ? ' (slower than what users get: build with NODE_ENV=production for representative numbers)' : ''}`);
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `[tap-perf] ${name}: ${r.events.toLocaleString()} events in ${r.batches} batches; ${r.frames} frames (${r.fps} fps); ` +
          `frame interval p50 ${r.intervalMs.p50} ms, p95 ${r.intervalMs.p95} ms, p99 ${r.intervalMs.p99} ms, max ${r.intervalMs.max} ms; ` +
          `frames > 20 ms: ${r.over16_7}, > 33 ms: ${r.over33}; main thread busy per frame ${r.busyPerFrameMs} ms ` +
          `(script ${r.scriptPerFrameMs} ms, style+layout ${r.layoutPerFrameMs} ms); long tasks ${r.longTasks} (longest ${r.longestTaskMs} ms)`,
      );
    }
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-results/tap-perf.json'), JSON.stringify({ rate: RATE, seconds: SECONDS, at: new Date().toISOString(), reactBuild: build, results }, null, 2));

    // What the tap kept: a bounded buffer, the newest on top, the table still answering.
    await s.page.evaluate(() => {
      const input = document.querySelector('[data-testid="tap-filter"]') as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, '');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const total = Object.values(results).reduce((a, r) => a + r.events, 0);
    expect(total).toBeGreaterThan(RATE * (SECONDS + 5) * 0.99);
    await poll(async () => Number(await s.page.getByTestId('tap-count').getAttribute('data-received'))).toBe(total);
    expect(Number(await s.page.getByTestId('tap-count').getAttribute('data-held'))).toBe(20_000);
    expect(await ins.rows.count()).toBeLessThan(80);
    await ins.row(0).click();
    await ins.detail.waitFor();
    expect(await ins.detail.getAttribute('data-execution')).toBe(`bx${results['filtered ("card-1")'].events - 1}`);
  });
});
