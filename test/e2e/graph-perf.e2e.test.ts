// How the graph of a big flow behaves in the browser: time to lay out and draw it, and frame times
// (requestAnimationFrame deltas) during a scripted pan and zoom. Measured and printed, never
// asserted (timings depend on the machine); written to test-results/graph-perf.json.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, ROOT, screenshot, startSession, type AppSession } from './helpers/browser';
import { bigFlow } from './helpers/flows';
import type { PageGlobals } from './helpers/page-globals';
import { AppPage } from './pages/app';
import { EditorPage } from './pages/editor';

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over33ms: number;
}

const stats = (deltas: number[]): FrameStats => {
  const s = [...deltas].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { frames: s.length, p50: r(q(0.5)), p95: r(q(0.95)), max: r(s[s.length - 1] ?? 0), over33ms: s.filter((d) => d > 33.4).length };
};

describe.skipIf(!haveChromium())('a big flow on the graph', () => {
  let s: AppSession;
  let app: AppPage;
  let ed: EditorPage;
  const results: Record<string, unknown> = {};

  beforeAll(async () => {
    s = await startSession({ flows: { 'perf/big200.yml': bigFlow('big200', 20), 'perf/big300.yml': bigFlow('big300', 30) } });
    app = new AppPage(s.page, s.server);
    ed = new EditorPage(s.page);
    await app.open();
  });

  afterAll(async () => {
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-results/graph-perf.json'), JSON.stringify(results, null, 2));
    await s?.close();
  });

  const startFrames = () =>
    s.page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.__frames = [];
      g.__stop = false;
      let last = g.performance.now();
      const tick = (t: number) => {
        g.__frames.push(t - last);
        last = t;
        if (!g.__stop) g.requestAnimationFrame(tick);
      };
      g.requestAnimationFrame((t: number) => {
        last = t;
        g.requestAnimationFrame(tick);
      });
    });
  const stopFrames = () =>
    s.page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.__stop = true;
      return g.__frames as number[];
    });

  for (const [id, tasks] of [['big200', 200], ['big300', 300]] as const) {
    it(`${tasks} tasks: lays out, draws, pans and zooms (frame times printed)`, async () => {
      await ed.page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.setItem('peregrine.editor.view', 'graph'));
      const t0 = Date.now();
      await app.flowInSidebar('perf', id).click();
      await ed.node(id === 'big200' ? 'step_19_3' : 'step_29_3').waitFor({ state: 'attached', timeout: 60_000 });
      const openMs = Date.now() - t0;
      await ed.view('graph');
      await ed.fitButton.click();
      await ed.page.waitForTimeout(500);
      const nodes = await ed.page.locator('.react-flow__node').count();
      const edges = await ed.page.locator('.react-flow__edge').count();

      const pane = await ed.page.locator('.react-flow__pane').boundingBox();
      if (!pane) throw new Error('no pane');
      const cx = pane.x + pane.width / 2;
      const cy = pane.y + pane.height / 2;

      // Pan: drag the canvas around a square, 240 small moves.
      await ed.page.mouse.move(cx, cy);
      await startFrames();
      await ed.page.mouse.down();
      const path2: [number, number][] = [];
      for (let i = 0; i < 240; i++) {
        const a = (i / 240) * Math.PI * 4;
        path2.push([cx + Math.cos(a) * 180, cy + Math.sin(a) * 120]);
      }
      for (const [x, y] of path2) await ed.page.mouse.move(x, y);
      await ed.page.mouse.up();
      const pan = stats(await stopFrames());

      // Zoom: wheel in and out.
      await startFrames();
      for (let i = 0; i < 40; i++) await ed.page.mouse.wheel(0, i < 20 ? -120 : 120);
      await ed.page.waitForTimeout(300);
      const zoom = stats(await stopFrames());

      results[id] = { tasks, renderedNodes: nodes, renderedEdges: edges, openMs, pan, zoom };
      console.log(`graph ${tasks} tasks (${nodes} nodes, ${edges} edges): open+layout+draw ${openMs} ms; pan frames p50 ${pan.p50} ms p95 ${pan.p95} ms (max ${pan.max}, ${pan.over33ms}/${pan.frames} over 33 ms); zoom p50 ${zoom.p50} ms p95 ${zoom.p95} ms`);
      await ed.fitButton.click();
      await ed.page.waitForTimeout(300);
      await screenshot(s.page, `graph-${tasks}-tasks`);
      expect(nodes).toBeGreaterThan(tasks);
      expect(pan.frames).toBeGreaterThan(10);
    });
  }
});
