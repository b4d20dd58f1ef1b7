// AWS SQS triggers and Publish against a real SQS server (ElasticMQ): one execution per message,
// each message deleted only after its execution is committed, its visibility extended while that
// is pending, its MessageId as the dedup key; polling batches; restarts and bad input lose nothing.
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import { createRegistry } from '../../../main/plugins';
import { sqsPlugins } from '../../../main/plugins/sqs';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/kestra/sqs-realtime-trigger.yml');
const REALTIME = 'io.kestra.plugin.aws.sqs.RealtimeTrigger';

/** Until the lead adds the family to main/plugins/index.ts, tests bring it in their own registry. */
function registry() {
  const r = createRegistry();
  if (!r.get(REALTIME)) r.register(...sqsPlugins);
  return r;
}
/** Whether the real registry (the one `peregrine server` uses) knows the SQS plugins yet. */
const registered = Boolean(createRegistry().trigger(REALTIME));

const NS = 'test.sqs';
const flow = (endpoint: string, queueUrl: string, extra = '', id = 'sqs_rt') => `id: ${id}
namespace: ${NS}
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messageId }}"
triggers:
  - id: sqs
    type: ${REALTIME}
    endpointOverride: ${endpoint}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${queueUrl}
${extra}`;

let engine: Engine | undefined;
let server: ServerProcess | undefined;
const clients: SQSClient[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await server?.kill('SIGKILL');
  server = undefined;
});
afterAll(() => clients.splice(0).forEach((c) => c.destroy()));

const state = (e: Engine, flowId = 'sqs_rt', trigger = 'sqs') => health(e, NS, flowId, trigger);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeBroker('sqs', (broker) => {
  let sqs: SQSClient;
  beforeAll(() => {
    sqs = new SQSClient({ ...broker().connection, maxAttempts: 1 });
    clients.push(sqs);
  });
  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const sendAll = async (queueUrl: string, bodies: string[], attributes?: (i: number) => Record<string, string> | undefined) => {
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < bodies.length; i += 10) {
      batches.push(sqs.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => {
          const attrs = attributes?.(i + j);
          return {
            Id: String(j), MessageBody: body,
            ...(attrs ? { MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) } : {}),
          };
        }),
      })));
      if (batches.length >= 10) await Promise.all(batches.splice(0));
    }
    await Promise.all(batches);
  };
  const counts = async (queueUrl: string) => {
    const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return { visible: Number(r.Attributes!.ApproximateNumberOfMessages), invisible: Number(r.Attributes!.ApproximateNumberOfMessagesNotVisible) };
  };

  it('1,000 messages → exactly 1,000 SUCCESS executions with the right trigger.* values, each message deleted', async () => {
    const url = await queue('orders');
    engine = await startEngine([flow(broker().url, url, '    serdeType: JSON\n    maxNumberOfMessage: 10\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    const t0 = Date.now();
    await sendAll(url, Array.from({ length: 1000 }, (_, i) => JSON.stringify({ n: i, amount: i * 1.5 })), (i) => (i % 100 === 7 ? { source: 'test', n: String(i) } : undefined));
    const sentMs = Date.now() - t0;
    const executions = await executionsOf(engine, 'sqs_rt', 1000, { timeoutMs: 60_000 });
    console.log(`[sqs] 1,000 messages (sent in ${sentMs} ms) → 1,000 executions in ${Date.now() - t0} ms`);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    const byN = new Map(executions.map((e) => [(e.trigger!.variables.data as { n: number }).n, e]));
    expect([...byN.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set(executions.map((e) => e.trigger!.variables.messageId)).size).toBe(1000);
    const e7 = byN.get(7)!;
    expect(e7.trigger!.variables).toMatchObject({ data: { n: 7, amount: 10.5 }, messageAttributes: { source: 'test', n: '7' } });
    expect(e7.trigger!.variables.attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(Number((e7.trigger!.variables.attributes as Record<string, string>).SentTimestamp)).toBeGreaterThan(t0 - 60_000);
    expect(e7.taskRunList[0].outputs).toEqual({ value: e7.trigger!.variables.messageId });
    expect(byN.get(8)!.trigger!.variables.messageAttributes).toEqual({});
    expect(state(engine)).toMatchObject({ received: 1000, admitted: 1000, duplicates: 0, state: 'RUNNING' });
    await eventually(async () => {
      const c = await counts(url);
      return c.visible === 0 && c.invisible === 0;
    }, 10_000, 'every message deleted');
  });

  it('an idle queue delivers a single message in milliseconds', async () => {
    const url = await queue('idle');
    engine = await startEngine([flow(broker().url, url, '    waitTime: PT20S\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await sleep(300); // the long poll is waiting
    const t0 = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ping' }));
    await executionsOf(engine, 'sqs_rt', 1, { states: ['CREATED', 'RUNNING', 'SUCCESS'] });
    const ms = Date.now() - t0;
    console.log(`[sqs] idle queue: message → execution in ${ms} ms`);
    expect(ms).toBeLessThan(1000);
    expect(state(engine)!.lag).toBe(0); // the queue's backlog, as SQS counts it
  });

  it("the inspector's test event goes through the real queue", async () => {
    const url = await queue('test_events');
    engine = await startEngine([flow(broker().url, url)], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await engine.sendTestEvents({ namespace: NS, flowId: 'sqs_rt', triggerId: 'sqs' }, { payload: 'hello', attributes: { origin: 'inspector' } }, 2);
    const executions = await executionsOf(engine, 'sqs_rt', 2);
    for (const e of executions) expect(e.trigger!.variables).toMatchObject({ data: 'hello', messageAttributes: { origin: 'inspector' } });
  });

  it('JSON payloads are decoded; an unreadable one becomes a FAILED execution keeping the raw text', async () => {
    const url = await queue('json_in');
    engine = await startEngine([flow(broker().url, url, '    serdeType: JSON\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"amount": 42}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{not json' }));
    const executions = await executionsOf(engine, 'sqs_rt', 2);
    const ok = executions.find((e) => e.state.current === 'SUCCESS')!;
    const bad = executions.find((e) => e.state.current === 'FAILED')!;
    expect(ok.trigger!.variables.data).toEqual({ amount: 42 });
    expect(bad.error).toMatch(/not valid JSON/);
    expect(bad.trigger!.variables).toMatchObject({ raw: '{not json' });
    expect(typeof bad.trigger!.variables.messageId).toBe('string');
    expect(state(engine)).toMatchObject({ received: 2, admitted: 2, failed: 1, state: 'RUNNING' });
    await eventually(async () => (await counts(url)).invisible === 0, 10_000, 'the bad message deleted too');
    expect(await counts(url)).toEqual({ visible: 0, invisible: 0 });
  });

  it("runs Kestra's documented SQS flow unchanged but for endpointOverride, with its secrets from SECRET_* variables", async () => {
    await queue('logs');
    const source = fs.readFileSync(FIXTURE, 'utf8');
    const keys = { SECRET_AWS_ACCESS_KEY_ID: 'peregrine', SECRET_AWS_SECRET_KEY_ID: 'peregrine' };
    for (const [k, v] of Object.entries(keys)) process.env[k] = Buffer.from(v).toString('base64');
    try {
      engine = await startEngine([], { registry: registry() });
      expect(engine.validate(source).filter((e) => e.severity === 'error')).toEqual([]); // valid as written
      const local = source.replace(/^(\s+)(queueUrl: .*)$/m, `$1$2\n$1endpointOverride: ${broker().url}`);
      expect(local.split('\n').filter((l) => !source.includes(l))).toEqual([`    endpointOverride: ${broker().url}`]);
      const saved = await engine.saveFlow(local);
      expect(saved.errors).toEqual([]);
      await eventually(() => health(engine!, 'company.team', 'aws-sqs', 'realtime_trigger')?.state === 'RUNNING', 15_000, 'RUNNING');
      // The documented queueUrl names AWS's host; with endpointOverride, the queue is found by name on the local server.
      await sqs.send(new SendMessageCommand({ QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/000000000000/logs', MessageBody: 'Hello World' }));
      const [e] = await executionsOf(engine, 'aws-sqs', 1);
      expect(e.state.current).toBe('SUCCESS');
      expect(e.trigger!.variables.data).toBe('Hello World');
      expect(e.taskRunList[0].taskId).toBe('log');
      await engine.store.writer.flush();
      const logs = engine.store.db.prepare('SELECT message FROM logs WHERE execution_id = ?').pluck().all(e.id) as string[];
      expect(logs.some((m) => m.includes('Hello World'))).toBe(true);
    } finally {
      for (const k of Object.keys(keys)) delete process.env[k];
    }
  });

  it('an admission slower than the visibility timeout: the visibility is extended, no message is received or run twice', async () => {
    const url = await queue('slow_admit');
    engine = await startEngine([flow(broker().url, url, '    visibilityTimeout: 1\n    maxNumberOfMessage: 10\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    // Every admission now takes 2.5 s: more than twice the 1 s visibility timeout.
    const e = engine as unknown as { admit: (...args: unknown[]) => Promise<unknown> };
    const admit = e.admit.bind(engine);
    e.admit = async (...args: unknown[]) => {
      await sleep(2500);
      return admit(...args);
    };
    await sendAll(url, Array.from({ length: 20 }, (_, i) => `slow-${i}`));
    const executions = await executionsOf(engine, 'sqs_rt', 20, { timeoutMs: 30_000 });
    await sleep(1500); // a redelivery would show up now
    expect(executions).toHaveLength(20);
    expect(new Set(executions.map((x) => x.trigger!.variables.data))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `slow-${i}`)));
    for (const x of executions) expect((x.trigger!.variables.attributes as Record<string, string>).ApproximateReceiveCount).toBe('1');
    expect(state(engine)).toMatchObject({ received: 20, admitted: 20, duplicates: 0 });
    expect(await counts(url)).toEqual({ visible: 0, invisible: 0 });
  });

  it('at the in-flight cap no message is received; executions slower than the visibility timeout still run once each', async () => {
    const url = await queue('capped');
    engine = await startEngine([`id: sqs_capped
namespace: ${NS}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1.5S
triggers:
  - id: sqs
    type: ${REALTIME}
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${url}
    visibilityTimeout: 1
    maxNumberOfMessage: 10
`], { registry: registry(), maxInFlight: 3 });
    await eventually(() => state(engine!, 'sqs_capped')?.state === 'RUNNING', 15_000, 'RUNNING');
    await sendAll(url, Array.from({ length: 12 }, (_, i) => `m${i}`));
    let maxInFlight = 0;
    let waitingInQueue = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, state(engine!, 'sqs_capped')?.inFlight ?? 0);
    }, 10);
    try {
      await eventually(async () => {
        const c = await counts(url);
        waitingInQueue = Math.max(waitingInQueue, c.visible);
        await engine!.store.writer.flush();
        return (engine!.store.db.prepare("SELECT count(*) FROM executions WHERE flow_id = 'sqs_capped' AND state = 'SUCCESS'").pluck().get() as number) >= 12;
      }, 30_000, '12 executions');
    } finally {
      clearInterval(sampler);
    }
    await sleep(1500); // a redelivery would show up now
    const executions = engine.store.searchExecutions({ flowId: 'sqs_capped', size: 100 }).results;
    expect(executions).toHaveLength(12);
    expect(new Set(executions.map((x) => x.trigger!.variables.data)).size).toBe(12);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(waitingInQueue).toBeGreaterThan(0); // messages waited in SQS (visible), not in our memory
    expect(state(engine, 'sqs_capped')).toMatchObject({ received: 12, admitted: 12, duplicates: 0 });
  });

  it('goes BACKOFF when SQS restarts mid-stream, reconnects by itself, and loses nothing', async () => {
    const url = await queue('stream');
    engine = await startEngine([flow(broker().url, url, '    maxNumberOfMessage: 10\n')], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    const states: string[] = [];
    engine.events.on('trigger', (h) => states.push(h.state));
    await sendAll(url, Array.from({ length: 200 }, (_, i) => `a${i}`));
    await executionsOf(engine, 'sqs_rt', 200);
    const t0 = Date.now();
    await broker().restart();
    console.log(`[sqs] broker restarted in ${Date.now() - t0} ms`);
    await sendAll(url, Array.from({ length: 200 }, (_, i) => `b${i}`));
    const executions = await executionsOf(engine, 'sqs_rt', 400, { timeoutMs: 90_000 });
    expect(states).toContain('BACKOFF');
    await eventually(() => state(engine!)?.state === 'RUNNING', 30_000, 'RUNNING again');
    const seen = new Set(executions.map((e) => e.trigger!.variables.data));
    for (let i = 0; i < 200; i++) expect(seen.has(`a${i}`) && seen.has(`b${i}`)).toBe(true);
    expect(executions).toHaveLength(400);
  }, 150_000);

  it('polling twin: one execution per batch, whose file holds every message exactly once; deleted after the commit', async () => {
    const url = await queue('batch_in');
    engine = await startEngine([`id: sqs_poll
namespace: ${NS}
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.count }}"
triggers:
  - id: poll
    type: io.kestra.plugin.aws.sqs.Trigger
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${url}
    interval: PT0.2S
    maxRecords: 300
`], { registry: registry() });
    const values = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    await sendAll(url, values);
    const found: string[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'sqs_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.count));
        expect(lines.length).toBeLessThanOrEqual(300);
        found.push(...lines);
      }
      return found.length >= 1000;
    }, 40_000, 'all batches');
    expect(found.sort()).toEqual([...values].sort());
    await eventually(async () => {
      const c = await counts(url);
      return c.visible === 0 && c.invisible === 0;
    }, 10_000, 'every message deleted');
  });

  it('a missing queue, a missing secret or an unreachable host is BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([flow(broker().url, `${broker().url}/000000000000/nowhere`)], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'BACKOFF', 15_000, 'BACKOFF (missing queue)');
    expect(state(engine)!.lastError).toMatch(/queue .*nowhere does not exist/);

    await engine.saveFlow(flow(broker().url, `${broker().url}/000000000000/nowhere`).replace('secretKeyId: peregrine', `secretKeyId: "{{ secret('NO_SUCH_AWS_SECRET') }}"`));
    await eventually(() => /NO_SUCH_AWS_SECRET/.test(state(engine!)?.lastError ?? ''), 15_000, 'BACKOFF (missing secret)');
    expect(state(engine)!.state).toBe('BACKOFF');

    await engine.saveFlow(flow('http://127.0.0.1:1', 'http://127.0.0.1:1/000000000000/orders'));
    await eventually(() => /refused|ECONNREFUSED/.test(state(engine!)?.lastError ?? ''), 20_000, 'BACKOFF (unreachable)');
    expect(state(engine)!.state).toBe('BACKOFF');

    const url = await queue('fixed');
    expect((await engine.saveFlow(flow(broker().url, url))).ok).toBe(true);
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING after the fix');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after-fix' }));
    const [e] = await executionsOf(engine, 'sqs_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-fix');
  }, 90_000);

  it('editing the flow restarts the trigger on the new queue; disabled: true stops it', async () => {
    const first = await queue('first_queue');
    const second = await queue('second_queue');
    engine = await startEngine([flow(broker().url, first)], { registry: registry() });
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING');
    await engine.saveFlow(flow(broker().url, second));
    await eventually(() => state(engine!)?.state === 'RUNNING', 15_000, 'RUNNING after the edit');
    await sqs.send(new SendMessageCommand({ QueueUrl: first, MessageBody: 'old' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: second, MessageBody: 'after-edit' }));
    const [e] = await executionsOf(engine, 'sqs_rt', 1);
    expect(e.trigger!.variables.data).toBe('after-edit');
    await sleep(500);
    expect(await counts(first)).toEqual({ visible: 1, invisible: 0 }); // nobody listens there any more
    await engine.saveFlow(flow(broker().url, second, '    disabled: true\n'));
    expect(state(engine)).toBeUndefined();
    await sqs.send(new SendMessageCommand({ QueueUrl: second, MessageBody: 'while-disabled' }));
    await sleep(500);
    expect(await counts(second)).toEqual({ visible: 1, invisible: 0 });
    expect(engine.store.searchExecutions({ flowId: 'sqs_rt', size: 10 }).results).toHaveLength(1);
  });

  it('Publish delivers a message, a list and a kestra:// file to the queue (read back with the AWS client)', async () => {
    const url = await queue('published');
    engine = await startEngine([], { registry: registry() });
    const uri = engine.store.storage.put('publish/in.jsonl', [{ data: 'from-file-1' }, { data: { nested: true } }].map((m) => JSON.stringify(m)).join('\n') + '\n');
    const saved = await engine.saveFlow(`id: sqs_pub
namespace: ${NS}
tasks:
  - id: one
    type: io.kestra.plugin.aws.sqs.Publish
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${url}
    from:
      data: "single {{ flow.id }}"
  - id: many
    type: io.kestra.plugin.aws.sqs.Publish
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${url}
    from:
${Array.from({ length: 12 }, (_, i) => `      - data: list-${i}`).join('\n')}
  - id: file
    type: io.kestra.plugin.aws.sqs.Publish
    endpointOverride: ${broker().url}
    region: us-east-1
    accessKeyId: peregrine
    secretKeyId: peregrine
    queueUrl: ${url}
    from: "${uri}"
`);
    expect(saved.errors).toEqual([]);
    const started = await engine.createExecution(NS, 'sqs_pub');
    const done: Execution = await engine.waitFor(started.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((t) => t.outputs)).toEqual([{ messagesCount: 1 }, { messagesCount: 12 }, { messagesCount: 2 }]);
    const bodies: string[] = [];
    for (let round = 0; round < 20 && bodies.length < 15; round++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      for (const m of r.Messages ?? []) {
        bodies.push(m.Body!);
      }
    }
    expect(bodies.sort()).toEqual(['single sqs_pub', ...Array.from({ length: 12 }, (_, i) => `list-${i}`), 'from-file-1', '{"nested":true}'].sort());
  });

  // Runs `peregrine server` as a child process, which builds the real plugin registry: it runs once
  // the lead has added sqsPlugins to main/plugins/index.ts (skipped until then).
  it.skipIf(!registered)('SIGKILL of the engine mid-stream, then a restart: every message has exactly one execution', async () => {
    const url = await queue('crash');
    const dataDir = tempDir('sqs-crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'crash.yml'), flow(broker().url, url, '    visibilityTimeout: 5\n    maxNumberOfMessage: 10\n', 'sqs_crash'));
    server = await startServerProcess({ dataDir, flowsDir });
    const search = (size: number) => server!.api('GET', `/api/v1/executions/search?namespace=${NS}&flowId=sqs_crash&size=${size}`);
    const total = async () => (await search(1)).body.total as number;
    const N = 500;
    const publishing = (async () => {
      for (let i = 0; i < N; i += 10) {
        await sendAll(url, Array.from({ length: Math.min(10, N - i) }, (_, j) => String(i + j)));
        if (i % 50 === 0) await sleep(10);
      }
    })();
    await eventually(async () => (await total()) >= 60, 30_000, 'some executions');
    await server.kill('SIGKILL');
    expect(await total().catch(() => undefined)).toBeUndefined(); // really dead
    await publishing;
    server = await startServerProcess({ dataDir, flowsDir });
    await eventually(async () => (await total()) >= N, 60_000, `${N} executions after the restart`);
    await sleep(6000); // past the visibility timeout: a redelivered message would show up now
    const { body } = await search(10_000);
    const counted = new Map<string, number>();
    for (const e of body.results as { trigger: { variables: { data: string } } }[]) counted.set(e.trigger.variables.data, (counted.get(e.trigger.variables.data) ?? 0) + 1);
    const lost = Array.from({ length: N }, (_, i) => String(i)).filter((d) => !counted.has(d));
    const duplicated = [...counted].filter(([, c]) => c > 1);
    console.log(`[sqs] SIGKILL: ${body.total} executions for ${N} messages, lost ${lost.length}, duplicated ${duplicated.length}`);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]); // MessageId is the dedup key
    expect(await counts(url)).toEqual({ visible: 0, invisible: 0 });
  }, 150_000);
});
