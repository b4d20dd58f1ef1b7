// Kafka RealtimeTrigger under failure: the broker restarted mid-stream (BACKOFF, reconnect, nothing
// lost) and the engine process SIGKILLed mid-stream and started again on the same data folder
// (every record has exactly one execution: offsets are committed only after admission, and
// topic/partition/offset deduplicates what is read again).
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import type { Execution } from '../../../main/model/execution';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const NS = 'test.kafka';

let engine: Engine | undefined;
let server: ServerProcess | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});
afterAll(async () => {
  await server?.kill('SIGKILL');
});

describeBroker('kafka', (broker) => {
  const bootstrap = () => broker().connection.brokers.join(',');
  const kafka = () => new Kafka({ clientId: 'kafka-crash-test', brokers: broker().connection.brokers, logLevel: logLevel.NOTHING });

  const flow = (topic: string) => `id: kafka_rt
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.value }}"
triggers:
  - id: watch
    type: io.kestra.plugin.kafka.RealtimeTrigger
    topic: ${topic}
    groupId: g-${topic}
    properties:
      bootstrap.servers: ${bootstrap()}
      auto.offset.reset: earliest
`;

  async function createTopic(topic: string, partitions: number) {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();
  }

  async function allOffsets(topic: string): Promise<string[]> {
    const admin = kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const out: string[] = [];
    for (const p of offsets) for (let o = Number(p.low); o < Number(p.high); o++) out.push(`${topic}/${p.partition}/${o}`);
    return out;
  }

  /** Sends `total` numbered records in small chunks, retrying a chunk while the broker is away. */
  async function sendNumbered(topic: string, total: number, prefix: string, pauseMs = 10) {
    let producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 2 } });
    await producer.connect();
    for (let i = 0; i < total; i += 20) {
      const messages = Array.from({ length: Math.min(20, total - i) }, (_, j) => ({ value: `${prefix}${i + j}`, partition: (i + j) % 2 }));
      for (let attempt = 0; ; attempt++) {
        try {
          await producer.send({ topic, messages, acks: -1 });
          break;
        } catch (e) {
          if (attempt > 200) throw e;
          await producer.disconnect().catch(() => {});
          await new Promise((r) => setTimeout(r, 250));
          producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 2 } });
          await producer.connect().catch(() => {});
        }
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    await producer.disconnect();
  }

  const identity = (e: Execution) => `${e.trigger!.variables.topic}/${e.trigger!.variables.partition}/${e.trigger!.variables.offset}`;

  it('goes BACKOFF when Kafka restarts mid-stream, reconnects by itself, and loses nothing', async () => {
    await createTopic('restarting', 2);
    engine = await startEngine([flow('restarting')]);
    await eventually(() => health(engine!, NS, 'kafka_rt', 'watch')?.state === 'RUNNING', 60_000, 'RUNNING');
    const states: string[] = [];
    const errors: string[] = [];
    engine.events.on('trigger', (h) => {
      states.push(h.state);
      if (h.lastError) errors.push(h.lastError);
    });
    const count = () => engine!.store.db.prepare('SELECT count(*) FROM executions WHERE flow_id = ?').pluck().get('kafka_rt') as number;
    const sending = sendNumbered('restarting', 600, 'r', 15);
    await eventually(() => count() >= 150, 30_000, '150 executions before the restart');
    const t0 = Date.now();
    await broker().restart();
    console.log(`[kafka] broker restarted in ${Date.now() - t0} ms`);
    await sending;
    await eventually(() => health(engine!, NS, 'kafka_rt', 'watch')?.state === 'RUNNING' && states.includes('BACKOFF'), 90_000, 'RUNNING again after BACKOFF');
    console.log(`[kafka] broker restart: trigger RUNNING again ${Date.now() - t0} ms after the restart began; errors seen: ${[...new Set(errors)].join(' | ')}`);
    const expected = await allOffsets('restarting');
    const executions = await executionsOf(engine, 'kafka_rt', expected.length, { timeoutMs: 90_000 });
    const ids = executions.map(identity);
    expect(ids).toHaveLength(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    const values = new Set(executions.map((e) => e.trigger!.variables.value));
    for (let i = 0; i < 600; i++) expect(values.has(`r${i}`)).toBe(true);
    expect(states).toContain('BACKOFF');
    expect(health(engine, NS, 'kafka_rt', 'watch')!.state).toBe('RUNNING');
  });

  it('SIGKILL of the engine mid-stream, restart on the same data folder: every record has exactly one execution', async () => {
    await createTopic('crash_t', 2);
    const dataDir = tempDir('kafka-crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'kafka_rt.yml'), flow('crash_t'));
    server = await startServerProcess({ dataDir, flowsDir });
    const total = async () => (await server!.api('GET', `/api/v1/executions/search?flowId=kafka_rt&size=1`)).body.total as number;
    const sending = sendNumbered('crash_t', 500, 'n', 20);
    await eventually(async () => (await total()) >= 100, 60_000, '100 executions before the kill');
    await server.kill('SIGKILL');
    const killedAt = await sending.then(() => Date.now());
    server = await startServerProcess({ dataDir, flowsDir });
    await eventually(async () => {
      const { body } = await server!.api('GET', `/api/v1/executions/search?flowId=kafka_rt&size=1&state=SUCCESS`);
      return body.total >= 500;
    }, 90_000, '500 SUCCESS executions after the restart');
    console.log(`[kafka] after SIGKILL: all 500 records had their execution ${Date.now() - killedAt} ms after the restart`);
    const { body } = await server.api('GET', `/api/v1/executions/search?flowId=kafka_rt&size=10000`);
    const executions = body.results as Execution[];
    expect(body.total).toBe(500);
    const ids = executions.map(identity);
    expect(new Set(ids).size).toBe(500);
    expect(new Set(ids)).toEqual(new Set(await allOffsets('crash_t')));
    expect(new Set(executions.map((e) => e.trigger!.variables.value))).toEqual(new Set(Array.from({ length: 500 }, (_, i) => `n${i}`)));
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    await server.kill('SIGTERM');
    server = undefined;
  });
});
