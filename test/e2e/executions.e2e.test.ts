// Executions, the execution page, the overview and the first run, in real Chromium against
// `peregrine server`: the list is live and filters by state and label; bulk kill and delete; an
// execution's Gantt (attempts, outputs with an internal-storage file previewed and downloaded),
// its logs by level, its topology by state; the overview's numbers; and, with an empty workspace
// and the embedded MQTT broker, the first run that shows events flowing within a minute.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process';
import { haveChromium, launch, startSession, type AppSession } from './helpers/browser';
import { AppPage } from './pages/app';
import { ExecutionsPage } from './pages/executions';
import { cleanShot, InspectorPage } from './pages/inspector';

/** expect.poll with room for a loaded machine (vitest's default is 1 s). */
const poll: typeof expect.poll = (fn, options) => expect.poll(fn, { timeout: 15_000, ...(typeof options === 'object' ? options : {}) });

const NS = 'e2e.runs';
const PIPELINE = `id: pipeline
namespace: ${NS}
description: Fetch, fan out, write a report file, log.
tasks:
  - id: fetch
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.4S
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["eu", "us", "apac"]
    concurrencyLimit: 3
    tasks:
      - id: work
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.3S
  - id: report
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles:
      - report.json
    commands:
      - >-
        echo '{"rows": 3, "regions": ["eu", "us", "apac"]}' > report.json
      - echo "report written"
  - id: done
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: "report at {{ outputs.report.outputFiles['report.json'] }}"
`;
const BROKEN = `id: broken
namespace: ${NS}
tasks:
  - id: charge
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: card declined by the issuer
`;
const SLOW = `id: slow
namespace: ${NS}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT120S
`;
const HOOK = `id: hook
namespace: ${NS}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "order {{ trigger.body.order }}"
triggers:
  - id: orders
    type: io.kestra.plugin.core.trigger.Webhook
    key: e2e-key
`;
// A consumer of a Redis that is not there: BACKOFF, with its error, on the overview.
const NOWHERE = `id: nowhere
namespace: ${NS}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ trigger.value }}"
triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: redis://127.0.0.1:1/0
    key: nothing
`;

describe.skipIf(!haveChromium())('executions, the execution page and the overview, in Chromium', () => {
  let s: AppSession;
  let ex: ExecutionsPage;
  const run = async (flowId: string, query = ''): Promise<string> => {
    const { status, body } = await s.server.api('POST', `/api/v1/executions/${NS}/${flowId}${query}`);
    expect(status).toBe(200);
    return body.id as string;
  };

  beforeAll(async () => {
    s = await startSession({
      flows: { [`${NS}/pipeline.yml`]: PIPELINE, [`${NS}/broken.yml`]: BROKEN, [`${NS}/slow.yml`]: SLOW, [`${NS}/hook.yml`]: HOOK, [`${NS}/nowhere.yml`]: NOWHERE },
    });
    ex = new ExecutionsPage(s.page);
    await new AppPage(s.page, s.server).open();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists executions live, filters by state and label, and kills and deletes in bulk', async () => {
    const first = await run('pipeline', '?labels=team:growth');
    const failed = await run('broken');
    await ex.openList();
    await ex.rowOf(first).waitFor();
    await ex.rowOf(failed).waitFor();
    // Live: a new execution appears without reloading.
    const slow = await run('slow');
    await ex.rowOf(slow).waitFor({ timeout: 5000 });
    await poll(() => ex.rowOf(slow).getAttribute('data-state')).toBe('RUNNING');
    await poll(() => ex.rowOf(first).getAttribute('data-state'), { timeout: 20_000 }).toBe('SUCCESS');

    await ex.toggleState('FAILED');
    await poll(() => ex.rows.count()).toBe(1);
    expect(await ex.rows.first().getAttribute('data-id')).toBe(failed);
    await ex.toggleState('FAILED');
    await s.page.getByTestId('ex-filter-label').fill('team=growth');
    await s.page.getByTestId('ex-filter-label').press('Enter');
    await poll(() => ex.rows.count()).toBe(1);
    expect(await ex.rows.first().getAttribute('data-id')).toBe(first);
    expect(s.page.url()).toContain('label=team%3Dgrowth');
    await s.page.getByTestId('ex-filter-label').fill('');
    await s.page.getByTestId('ex-filter-label').press('Enter');
    await poll(() => ex.rows.count()).toBeGreaterThanOrEqual(3);
    await cleanShot(s.page, 'executions');

    await ex.select(slow);
    await ex.bulk('kill').click();
    await poll(() => ex.rowOf(slow).getAttribute('data-state'), { timeout: 15_000 }).toBe('KILLED');
    await ex.select(slow);
    await ex.bulk('delete').click();
    await poll(() => ex.rowOf(slow).count()).toBe(0);
    expect((await s.server.api('GET', `/api/v1/executions/${slow}`)).status).toBe(404);
  });

  it("shows an execution's Gantt live, each task run's attempts and outputs, a storage file previewed and downloaded", async () => {
    const id = await run('pipeline');
    await ex.open(id);
    // While it runs: the bars grow.
    await ex.ganttRow('fetch').waitFor();
    await cleanShot(s.page, 'execution-gantt-live');
    await poll(() => ex.state(), { timeout: 30_000 }).toBe('SUCCESS');
    await poll(() => ex.page.locator('[data-testid="gantt-row"][data-task="work"]').count()).toBe(3);
    for (const task of ['fetch', 'each', 'report', 'done']) expect(await ex.ganttRow(task).getAttribute('data-state')).toBe('SUCCESS');
    await cleanShot(s.page, 'execution-gantt');

    await ex.ganttRow('report').click();
    await ex.taskRunDetail.waitFor();
    expect(await s.page.getByTestId('attempts').locator('tbody tr').count()).toBe(1);
    const file = ex.storageFiles.first();
    expect(await file.getAttribute('data-uri')).toMatch(/^kestra:\/\/\/.*report\.json$/);
    await file.getByTestId('file-preview').click();
    await poll(() => file.getByTestId('file-preview-body').innerText()).toMatch(/regions/);
    const [download] = await Promise.all([s.page.waitForEvent('download'), file.getByTestId('file-download').click()]);
    expect(download.suggestedFilename()).toBe('report.json');
    expect(JSON.parse(fs.readFileSync((await download.path())!, 'utf8'))).toEqual({ rows: 3, regions: ['eu', 'us', 'apac'] });
    await cleanShot(s.page, 'execution-taskrun');

    await ex.tab('Logs');
    await poll(() => ex.logLines.count()).toBeGreaterThanOrEqual(2);
    expect((await ex.logLines.allInnerTexts()).join('\n')).toContain('report written');
    await ex.logLevel('WARN');
    await poll(async () => (await ex.logLines.evaluateAll((els) => els.map((e) => e.getAttribute('data-level')))).every((l) => l === 'WARN' || l === 'ERROR')).toBe(true);
    expect((await ex.logLines.allInnerTexts()).join('\n')).toMatch(/report at kestra:\/\//);

    await ex.tab('Outputs');
    await s.page.getByTestId('outputs').waitFor();
    expect(await ex.storageFiles.count()).toBeGreaterThanOrEqual(1);

    await ex.tab('Trigger');
    await poll(() => s.page.locator('.empty-title').innerText()).toMatch(/by hand/);

    await ex.tab('Topology');
    await ex.topology.waitFor();
    await poll(() => s.page.locator('.topology .react-flow__node.topo-SUCCESS').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    await cleanShot(s.page, 'execution-topology');
  });

  it('replays a webhook execution from its page, sent from the test-event panel', async () => {
    const ins = new InspectorPage(s.page);
    await ins.openFlow(NS, 'hook');
    await poll(() => ins.state(), { timeout: 15_000 }).toBe('RUNNING');
    await ins.openTestPanel();
    const sent = await ins.send({ payload: '{"order": 42}', count: 5, rate: '50' });
    expect(sent.ok, sent.text).toBe(true);
    await poll(() => ins.executions().then((x) => x.success)).toBe(5);
    await ins.row(0).click();
    await ins.payloadTree.waitFor();
    expect(await ins.payloadTree.innerText()).toMatch(/order:\s*42/);
    const original = (await ins.detail.getAttribute('data-execution'))!;
    await s.page.getByTestId('ed-open-execution').click();
    await s.page.locator('[data-testid="execution-id"]', { hasText: original }).waitFor();
    await s.page.getByTestId('execution-replay').click();
    await poll(() => s.page.getByTestId('execution-id').innerText()).not.toBe(original);
    await poll(() => ex.state(), { timeout: 15_000 }).toBe('SUCCESS');
    await ex.tab('Trigger');
    expect(JSON.parse(await s.page.getByTestId('trigger-raw').innerText())).toEqual({ order: 42 });
  });

  it('the overview: executions per minute by state, trigger health with the error, the slowest flows, recent failures', async () => {
    await ex.openOverview();
    await poll(() => s.page.locator('[data-testid="ov-bars"] .stack-bar[data-state="SUCCESS"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await s.page.locator('[data-testid="ov-bars"] .stack-bar[data-state="FAILED"]').count()).toBeGreaterThan(0);
    await poll(() => s.page.getByTestId('ov-failure').first().innerText()).toMatch(/broken[\s\S]*card declined by the issuer/);
    await poll(() => s.page.getByTestId('ov-slowest').innerText()).toMatch(/pipeline/);
    await poll(() => s.page.locator('[data-testid="ov-trigger"][data-state="BACKOFF"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await s.page.locator('[data-testid="ov-trigger"][data-state="BACKOFF"]').innerText()).toMatch(/nowhere[\s\S]*(ECONNREFUSED|connect|closed|refused)/i);
    expect(await s.page.locator('[data-testid="ov-trigger"][data-state="RUNNING"]').count()).toBeGreaterThanOrEqual(1);
    // Per 15 s over the last 15 minutes: this session's executions spread over several bars.
    await s.page.locator('.page-actions [role="radio"][data-value="15m"]').click();
    await poll(() => s.page.locator('[data-testid="ov-bars"] g').count()).toBeGreaterThan(55);
    await cleanShot(s.page, 'overview');
    expect(s.errors.filter((e) => !/WebSocket|ERR_CONNECTION|404/.test(e))).toEqual([]);
  });
});

describe.skipIf(!haveChromium())('the first run, in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    // `peregrine server` as a newcomer runs it: the embedded MQTT broker. It puts the getting-started
    // flows into an empty workspace: take them out again, so that the UI sees an empty workspace.
    server = await startServerProcess({ demo: true, dataDir: tempDir('e2e-first-run'), token: 'first-run' });
    for (const id of ['sensor-alerts', 'sensor-simulator']) expect((await server.api('DELETE', `/api/v1/flows/getting.started/${id}`)).status).toBeLessThan(300);
    browser = await launch();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.kill();
  });

  it('offers the getting-started flows and the embedded broker; one click, and events flow within a minute', async () => {
    const app = new AppPage(page, server);
    await app.open();
    const ex = new ExecutionsPage(page);
    await ex.firstRun.waitFor();
    expect(await page.getByTestId('first-run-broker').innerText()).toMatch(/embedded MQTT broker is running on/);
    expect(await page.getByTestId('gallery-sample').count()).toBeGreaterThanOrEqual(5);
    expect(await page.getByTestId('welcome').count()).toBe(1); // the samples to start from are still there
    await cleanShot(page, 'first-run');
    const clicked = Date.now();
    await page.getByTestId('first-run-start').click();
    const ins = new InspectorPage(page);
    await page.locator('[data-testid="inspector"][data-flow="getting.started/sensor-alerts"]').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="tap-executions"]')?.getAttribute('data-success')) >= 2, undefined, { timeout: 60_000, polling: 250 });
    console.log(`[first-run] two events and their successful executions on screen ${Date.now() - clicked} ms after the click`);
    expect(await ins.state()).toBe('RUNNING');
    await ins.row(0).click();
    await ins.payloadTree.waitFor();
    expect(await ins.payloadTree.innerText()).toMatch(/celsius/);
    await cleanShot(page, 'first-run-inspector');
  });
});
