// The live trigger inspector in real Chromium against `peregrine server` and real brokers (Redis,
// Kafka): 100 messages published from the test-event panel show as 100 events and 100 executions
// within a second of the last; an event's payload matches what was sent; replaying it after editing
// the flow runs the new definition; killing the broker turns the health to BACKOFF with the error
// in words, and RUNNING again once the broker is back.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBroker } from '../brokers';
import { eventually } from '../helpers/server-process';
import { haveChromium, screenshot, startSession, type AppSession } from './helpers/browser';
import { AppPage } from './pages/app';
import { EditorPage } from './pages/editor';
import { ExecutionsPage } from './pages/executions';
import { cleanShot, InspectorPage } from './pages/inspector';

/** expect.poll with room for a loaded machine (vitest's default is 1 s). */
const poll: typeof expect.poll = (fn, options) => expect.poll(fn, { timeout: 15_000, ...(typeof options === 'object' ? options : {}) });

const NS = 'e2e.inspector';
const COUNT = 100;

/** Sends COUNT messages from the panel; returns how long after the last one the inspector showed them all. */
async function publishAndWatch(ins: InspectorPage, payload: string, extra: { key?: string } = {}): Promise<number> {
  const before = await ins.received();
  const beforeExec = await ins.executions();
  const sent = await ins.send({ payload, count: COUNT, ...extra });
  expect(sent.ok, sent.text).toBe(true);
  expect(sent.text).toContain(`Sent ${COUNT} messages`);
  const lastSentAt = Date.now();
  // Polled on every animation frame inside the page.
  const done = ins.page.waitForFunction(
    ({ received, terminal }) => {
      const c = document.querySelector('[data-testid="tap-count"]');
      const x = document.querySelector('[data-testid="tap-executions"]');
      return Number(c?.getAttribute('data-received')) >= received && Number(x?.getAttribute('data-terminal')) >= terminal;
    },
    { received: before + COUNT, terminal: beforeExec.terminal + COUNT },
    { polling: 'raf', timeout: 30_000 },
  );
  await done.catch(async (e) => {
    const shot = await screenshot(ins.page, 'inspector-timeout');
    throw new Error(`${(e as Error).message}: received ${await ins.received()}, executions ${JSON.stringify(await ins.executions())} (see ${shot})`);
  });
  return Date.now() - lastSentAt;
}

describe.skipIf(!haveChromium())('the trigger inspector, in Chromium', () => {
  describeBroker('redis', (broker) => {
    let s: AppSession;
    let app: AppPage;
    let ins: InspectorPage;
    const flow = () => `id: redis-orders
namespace: ${NS}
description: One execution per order pushed to a Redis list.
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "v1 order {{ trigger.value.order }} for {{ trigger.value.customer }}"
triggers:
  - id: orders
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${broker().url}/0
    key: e2e-orders
    serdeType: JSON
`;

    beforeAll(async () => {
      s = await startSession({ flows: { [`${NS}/redis-orders.yml`]: flow() } });
      app = new AppPage(s.page, s.server);
      ins = new InspectorPage(s.page);
      await app.open();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('shows the trigger RUNNING, then 100 messages sent from the test-event panel as 100 events and 100 executions within a second', async () => {
      await ins.openFlow(NS, 'redis-orders');
      await poll(() => ins.state(), { timeout: 30_000 }).toBe('RUNNING');
      await ins.openTestPanel();
      const ms = await publishAndWatch(ins, '{"order": 7, "customer": "ada"}');
      console.log(`[inspector] Redis: ${COUNT} events and ${COUNT} finished executions on screen ${ms} ms after the last message was pushed`);
      expect(ms).toBeLessThan(1000);
      expect(await ins.received()).toBe(COUNT);
      expect(await ins.executions()).toMatchObject({ known: COUNT, terminal: COUNT, success: COUNT, failed: 0 });
      expect(await ins.rows.count()).toBeGreaterThan(10); // virtualized: what fits, not 100
      await poll(() => ins.counter('admitted'), { timeout: 5000 }).toBeGreaterThanOrEqual(COUNT);
      expect(await ins.counter('failed')).toBe(0);
      // The payload is saved as a template for this flow (localStorage).
      await ins.saveTemplate('order 7');
      const saved = await s.page.evaluate(() => localStorage.getItem('peregrine.testEvents.e2e.inspector/redis-orders'));
      expect(JSON.parse(saved!).orders.templates[0]).toMatchObject({ name: 'order 7', payload: '{"order": 7, "customer": "ada"}' });
      await cleanShot(s.page, 'inspector');
    });

    it('opens an event: its payload, raw text and trigger.* variables match what was sent', async () => {
      await ins.row(0).click();
      await ins.detail.waitFor();
      await ins.payloadTree.waitFor();
      const tree = await ins.payloadTree.innerText();
      expect(tree).toContain('trigger.value');
      expect(tree).toMatch(/customer:\s*"ada"/);
      expect(tree).toMatch(/order:\s*7/);
      await ins.detailTab('Raw');
      expect(JSON.parse(await ins.rawPayload.innerText())).toEqual({ order: 7, customer: 'ada' });
      await ins.detailTab('trigger.*');
      expect(await ins.varsTree.innerText()).toMatch(/value/);
      // Filter and pause: the table keeps what matches; pausing freezes it.
      await ins.filter.fill('nothing-matches-this');
      await poll(() => ins.rows.count()).toBe(0);
      await ins.filter.fill('ada');
      await poll(() => ins.rows.count()).toBeGreaterThan(10);
      await ins.filter.fill('');
      await cleanShot(s.page, 'inspector-event');
    });

    it('replays the event after editing the flow: the new execution runs the new definition', async () => {
      const ed = new EditorPage(s.page);
      await s.page.getByTestId('insp-edit-flow').click();
      await ed.waitForYamlEditor();
      await ed.replaceInYaml('v1 order', 'v2 order');
      await ed.saveButton.click();
      await s.page.locator('.toolbar .tag', { hasText: 'rev 2' }).waitFor({ timeout: 15_000 });

      await ins.openFlow(NS, 'redis-orders');
      await ins.detailTab('Payload');
      await ins.row(3).click();
      await ins.replayButton.click();
      await s.page.locator('[data-testid="replay-result"][data-state="SUCCESS"]').waitFor({ timeout: 15_000 });
      const replayId = await ins.replayResult.getAttribute('data-execution');
      expect(replayId).toBeTruthy();
      await s.page.getByTestId('replay-open').click();
      const ex = new ExecutionsPage(s.page);
      await ex.execution.waitFor();
      await poll(() => ex.state()).toBe('SUCCESS');
      expect(await ex.revision()).toBe('2');
      await ex.tab('Logs');
      await poll(() => ex.logLines.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining('v2 order 7 for ada')]));
      await ex.tab('Trigger');
      expect(JSON.parse(await s.page.getByTestId('trigger-raw').innerText())).toEqual({ order: 7, customer: 'ada' });
    });

    it('turns BACKOFF with the error in words when Redis dies, and RUNNING when it returns', async () => {
      await ins.openFlow(NS, 'redis-orders');
      await poll(() => ins.state(), { timeout: 15_000 }).toBe('RUNNING');
      await broker().kill();
      await poll(() => ins.state(), { timeout: 30_000 }).toBe('BACKOFF');
      await ins.lastError.waitFor();
      const words = await ins.lastError.innerText();
      console.log(`[inspector] Redis killed: BACKOFF — ${words}`);
      expect(words.length).toBeGreaterThan(5);
      expect(await s.page.locator('.health-words').innerText()).toMatch(/retrying/i);
      await cleanShot(s.page, 'inspector-backoff');
      await broker().start();
      await poll(() => ins.state(), { timeout: 90_000, interval: 250 }).toBe('RUNNING');
      await ins.openTestPanel();
      // And it consumes again.
      const ms = await publishAndWatch(ins, '{"order": 8, "customer": "bob"}');
      console.log(`[inspector] Redis back: ${COUNT} more events on screen ${ms} ms after the last`);
      expect(s.errors.filter((e) => !/WebSocket|ERR_CONNECTION/.test(e))).toEqual([]);
    });
  });

  describeBroker('kafka', (broker) => {
    let s: AppSession;
    let ins: InspectorPage;
    let registered = true;
    const bootstrap = () => broker().connection.brokers.join(',');
    const flow = () => `id: kafka-orders
namespace: ${NS}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "order {{ trigger.value.order }} key {{ trigger.key }}"
triggers:
  - id: orders
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: e2e-orders
    groupId: e2e-inspector
    valueDeserializer: JSON
    properties:
      bootstrap.servers: ${bootstrap()}
      auto.offset.reset: earliest
`;

    beforeAll(async () => {
      const admin = new Kafka({ clientId: 'e2e', brokers: broker().connection.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'e2e-orders', numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      s = await startSession({ flows: { [`${NS}/kafka-orders.yml`]: flow() } });
      ins = new InspectorPage(s.page);
      // The Kafka trigger family may still be on its way: say so and skip only this part.
      const { body } = await s.server.api('POST', '/api/v1/flows/validate', flow());
      const unknown = (body?.[0]?.errors ?? []).find((e: { message: string }) => /io\.kestra\.plugin\.kafka\.RealtimeTrigger/.test(e.message) || /unknown/i.test(e.message));
      if (unknown) {
        registered = false;
        console.warn(`[inspector] skipping the Kafka part: io.kestra.plugin.kafka.RealtimeTrigger is not registered yet (${unknown.message})`);
        return;
      }
      await new AppPage(s.page, s.server).open();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('publishes 100 records with a key and a header from the panel: 100 events and executions within a second; the payload, key and header match', async (ctx) => {
      if (!registered) ctx.skip();
      await ins.openFlow(NS, 'kafka-orders');
      await poll(() => ins.state(), { timeout: 60_000 }).toBe('RUNNING');
      await ins.openTestPanel();
      await ins.addHeader('trace', 'e2e-42');
      const ms = await publishAndWatch(ins, '{"order": 9, "customer": "grace"}', { key: 'card-9' });
      console.log(`[inspector] Kafka: ${COUNT} events and ${COUNT} finished executions on screen ${ms} ms after the last record was produced`);
      expect(ms).toBeLessThan(1000);
      expect(await ins.executions()).toMatchObject({ known: COUNT, terminal: COUNT, success: COUNT });
      await ins.row(0).click();
      await ins.payloadTree.waitFor();
      expect(await ins.payloadTree.innerText()).toMatch(/customer:\s*"grace"/);
      await ins.detailTab('Metadata');
      const meta = await s.page.getByTestId('meta-tree').innerText();
      expect(meta).toMatch(/key:\s*"card-9"/);
      expect(meta).toMatch(/topic:\s*"e2e-orders"/);
      expect(meta).toMatch(/trace:\s*"e2e-42"/);
      await eventually(async () => (await ins.row(0).innerText()).includes('key=card-9'), 5000, 'the key in the tap');
      await cleanShot(s.page, 'inspector-kafka');
    });
  });
});
