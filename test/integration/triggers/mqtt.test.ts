// MQTT triggers and Publish against a real Mosquitto: one execution per message, each QoS 1
// message acknowledged only after its execution is committed, a persistent session that keeps
// messages while the trigger (or the whole engine) is away, and plain words when it cannot connect.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { MAX_AHEAD } from '../../../main/plugins/mqtt/consumer';
import { describeBroker } from '../../brokers';
import { freePort } from '../../brokers/ports';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../../helpers/server-process';

const flow = (server: string, topic: string, extra = '', id = 'mqtt_rt') => `id: ${id}
namespace: test.mqtt
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.topic }}"
triggers:
  - id: sub
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: ${server}
    clientId: ${id}-client
    topic: ${topic}
${extra}`;

let engine: Engine | undefined;
let server: ServerProcess | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await server?.kill('SIGKILL');
  server = undefined;
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

const state = (e: Engine, flowId = 'mqtt_rt', trigger = 'sub') => health(e, 'test.mqtt', flowId, trigger);

describeBroker('mosquitto', (broker) => {
  const tcp = () => `tcp://127.0.0.1:${broker().port}`;
  const publisher = async (opts: mqtt.IClientOptions = {}) => {
    const c = await mqtt.connectAsync({ ...broker().connection, reconnectPeriod: 0, clientId: `pub-${Math.random().toString(36).slice(2)}`, ...opts });
    clients.push(c);
    return c;
  };

  it('1,000 messages → exactly 1,000 SUCCESS executions with the right trigger.* values', async () => {
    engine = await startEngine([flow(tcp(), 'orders/+', '    serdeType: JSON\n')]);
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING');
    const pub = await publisher({ protocolVersion: 5 });
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++) {
      void pub.publishAsync(`orders/${i % 2 ? 'eu' : 'us'}`, JSON.stringify({ n: i, amount: i * 1.5 }), {
        qos: 1,
        properties: i === 7 ? { responseTopic: 'replies/7', correlationData: Buffer.from('req-7'), userProperties: { source: 'test' }, contentType: 'application/json' } : {},
      });
    }
    const executions = await executionsOf(engine, 'mqtt_rt', 1000);
    const ms = Date.now() - t0;
    console.log(`[mqtt] 1,000 messages → 1,000 executions in ${ms} ms`);
    expect(executions).toHaveLength(1000);
    expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    const byN = new Map(executions.map((e) => [(e.trigger!.variables.payload as { n: number }).n, e]));
    expect([...byN.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const e3 = byN.get(3)!;
    expect(e3.trigger!.variables).toMatchObject({ topic: 'orders/eu', qos: 1, retain: false, payload: { n: 3, amount: 4.5 }, responseTopic: null, correlationData: null });
    expect(typeof e3.trigger!.variables.id).toBe('number');
    expect(e3.taskRunList[0].outputs).toEqual({ value: 'orders/eu' });
    expect(byN.get(4)!.trigger!.variables.topic).toBe('orders/us');
    const e7 = byN.get(7)!.trigger!.variables;
    expect(e7.responseTopic).toBe('replies/7');
    expect(Buffer.from(String(e7.correlationData), 'base64').toString()).toBe('req-7');
    expect(e7.properties).toMatchObject({ userProperties: { source: 'test' }, contentType: 'application/json' });
    expect(state(engine)).toMatchObject({ received: 1000, admitted: 1000, state: 'RUNNING' });
  });

  it('JSON payloads are decoded; an unreadable one becomes a FAILED execution keeping the raw text', async () => {
    engine = await startEngine([flow(tcp(), 'json/in', '    serdeType: JSON\n')]);
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING');
    const pub = await publisher();
    await pub.publishAsync('json/in', '{"amount": 42}', { qos: 1 });
    await pub.publishAsync('json/in', '{not json', { qos: 1 });
    const executions = await executionsOf(engine, 'mqtt_rt', 2);
    const ok = executions.find((e) => e.state.current === 'SUCCESS')!;
    const bad = executions.find((e) => e.state.current === 'FAILED')!;
    expect(ok.trigger!.variables.payload).toEqual({ amount: 42 });
    expect(bad.error).toMatch(/not valid JSON/);
    expect(bad.trigger!.variables).toMatchObject({ raw: '{not json', topic: 'json/in', qos: 1 });
    expect(state(engine)).toMatchObject({ received: 2, admitted: 2, failed: 1, state: 'RUNNING' });
  });

  it('STRING and BYTES serdes, MQTT 3.1.1, QoS 2 and retained messages', async () => {
    const pub = await publisher();
    await pub.publishAsync('retained/state', 'on', { qos: 1, retain: true });
    engine = await startEngine([
      flow(tcp(), 'text/#', '    serdeType: STRING\n    mqttVersion: V3\n    qos: 2\n', 'mqtt_text'),
      flow(tcp(), 'retained/state', '    serdeType: BYTES\n', 'mqtt_bytes'),
    ]);
    await eventually(() => state(engine!, 'mqtt_text')?.state === 'RUNNING' && state(engine!, 'mqtt_bytes')?.state === 'RUNNING', 10_000, 'RUNNING');
    await pub.publishAsync('text/a/b', 'héllo', { qos: 2 });
    const [text] = await executionsOf(engine, 'mqtt_text', 1);
    expect(text.trigger!.variables).toMatchObject({ payload: 'héllo', topic: 'text/a/b', qos: 2, properties: {} });
    const [bytes] = await executionsOf(engine, 'mqtt_bytes', 1);
    expect(bytes.trigger!.variables).toMatchObject({ payload: Buffer.from('on').toString('base64'), retain: true });
    await pub.publishAsync('retained/state', '', { qos: 1, retain: true }); // clear it (and one more execution)
    await executionsOf(engine, 'mqtt_bytes', 2);
  });

  it('keeps the session: messages published while the trigger is stopped arrive when it comes back, retained ones are not replayed', async () => {
    const dataDir = tempDir('mqtt-session');
    const pub = await publisher();
    await pub.publishAsync('away/retained', 'kept', { qos: 1, retain: true });
    engine = await startEngine([flow(tcp(), 'away/#', '    serdeType: STRING\n')], { dataDir });
    await executionsOf(engine, 'mqtt_rt', 1); // the retained message, once
    await engine.close();
    engine = undefined;
    for (let i = 0; i < 50; i++) await pub.publishAsync('away/n', `m${i}`, { qos: 1 });
    engine = await startEngine([flow(tcp(), 'away/#', '    serdeType: STRING\n')], { dataDir });
    const executions = await executionsOf(engine, 'mqtt_rt', 51);
    await new Promise((r) => setTimeout(r, 300));
    const values = (await executionsOf(engine, 'mqtt_rt', 51)).map((e) => e.trigger!.variables.payload);
    expect(executions).toHaveLength(51);
    expect(values.filter((v) => v === 'kept')).toHaveLength(1);
    expect(values.filter((v) => v !== 'kept').sort()).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
    await pub.publishAsync('away/retained', '', { qos: 1, retain: true });
  });

  it('in-flight cap: at the cap no message is taken (nor acked); the broker holds them and none is lost', async () => {
    engine = await startEngine([`id: mqtt_slow
namespace: test.mqtt
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1S
triggers:
  - id: sub
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: ${tcp()}
    clientId: mqtt_slow-client
    topic: slow/in
    serdeType: STRING
`], { maxInFlight: 5 });
    await eventually(() => state(engine!, 'mqtt_slow')?.state === 'RUNNING', 10_000, 'RUNNING');
    let maxSeen = 0;
    const e = engine;
    const sample = setInterval(() => (maxSeen = Math.max(maxSeen, state(e, 'mqtt_slow')?.inFlight ?? 0)), 5);
    let executions;
    try {
      const pub = await publisher();
      for (let i = 0; i < 40; i++) await pub.publishAsync('slow/in', `s${i}`, { qos: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(state(engine, 'mqtt_slow')!.received).toBe(5); // the other 35 wait on the broker
      executions = await executionsOf(engine, 'mqtt_slow', 40, { timeoutMs: 30_000 });
    } finally {
      clearInterval(sample);
    }
    expect(maxSeen).toBeLessThanOrEqual(5);
    expect(new Set(executions.map((e) => e.trigger!.variables.payload)).size).toBe(40);
  });

  it('polling twin: one execution per batch, whose file holds every message exactly once', async () => {
    const pollFlow = `id: mqtt_poll
namespace: test.mqtt
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messagesCount }}"
triggers:
  - id: poll
    type: io.kestra.plugin.mqtt.Trigger
    server: ${tcp()}
    clientId: mqtt_poll-client
    topic: batch/in
    serdeType: JSON
    interval: PT0.2S
    maxRecords: 300
`;
    engine = await startEngine([pollFlow]);
    await eventually(() => (engine!.services.triggerState.get('test.mqtt', 'mqtt_poll', 'poll') as { mqtt?: unknown } | undefined)?.mqtt, 10_000, 'subscribed');
    const pub = await publisher();
    const values = Array.from({ length: 1000 }, (_, i) => i);
    await Promise.all(values.map((i) => pub.publishAsync('batch/in', JSON.stringify({ i }), { qos: 1 })));
    await pub.publishAsync('batch/in', '{broken', { qos: 1 });
    const found: unknown[] = [];
    await eventually(async () => {
      await engine!.store.writer.flush();
      const { results } = engine!.store.searchExecutions({ flowId: 'mqtt_poll', size: 1000 });
      found.length = 0;
      for (const e of results) {
        const text = engine!.store.storage.get(String(e.trigger!.variables.uri)).toString('utf8');
        const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(Number(e.trigger!.variables.messagesCount));
        expect(lines.length).toBeLessThanOrEqual(300);
        expect(lines[0]).toMatchObject({ topic: 'batch/in', qos: 1, retain: false });
        found.push(...lines);
      }
      return found.length >= 1001;
    }, 30_000, 'all batches');
    const good = found.filter((r) => (r as { payload: unknown }).payload !== null).map((r) => (r as { payload: { i: number } }).payload.i);
    expect(good.sort((a, b) => a - b)).toEqual(values);
    expect(found.filter((r) => (r as { error?: string }).error)).toEqual([expect.objectContaining({ raw: '{broken', error: expect.stringMatching(/not valid JSON/) })]);
    const spool = path.join(engine.services.dataDir, 'mqtt-spool', 'test.mqtt', 'mqtt_poll', 'poll');
    await eventually(() => fs.readdirSync(spool).length === 0, 5_000, 'spool emptied');
  });

  it('polling twin: a spool left by a crash is admitted once, even if it was already admitted', async () => {
    const dataDir = tempDir('mqtt-spool');
    const spool = path.join(dataDir, 'mqtt-spool', 'test.mqtt', 'mqtt_poll2', 'poll');
    fs.mkdirSync(spool, { recursive: true });
    fs.writeFileSync(path.join(spool, '1-left.jsonl'), '{"topic":"x","payload":1}\n{"topic":"x","payload":2}\n{"torn');
    const pollFlow = `id: mqtt_poll2
namespace: test.mqtt
tasks:
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.messagesCount }}"
triggers:
  - id: poll
    type: io.kestra.plugin.mqtt.Trigger
    server: ${tcp()}
    clientId: mqtt_poll2-client
    topic: batch2/in
    interval: PT0.2S
`;
    engine = await startEngine([pollFlow], { dataDir });
    const [e] = await executionsOf(engine, 'mqtt_poll2', 1);
    expect(e.trigger!.variables.messagesCount).toBe(2);
    await eventually(() => fs.readdirSync(spool).length === 0, 5_000, 'spool emptied');
    // The same spool again (a crash after the commit, before the delete): a duplicate, not a second batch.
    await engine.close();
    fs.writeFileSync(path.join(spool, '1-left.jsonl'), '{"topic":"x","payload":1}\n{"topic":"x","payload":2}\n');
    engine = await startEngine([pollFlow], { dataDir });
    await eventually(() => fs.readdirSync(spool).length === 0, 5_000, 'spool emptied again');
    await engine.store.writer.flush();
    expect(engine.store.searchExecutions({ flowId: 'mqtt_poll2', size: 10 }).results).toHaveLength(1);
  });

  it('goes BACKOFF when Mosquitto restarts mid-stream, reconnects, and loses nothing', async () => {
    engine = await startEngine([flow(tcp(), 'stream/in', '    serdeType: STRING\n')]);
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING');
    const states: string[] = [];
    engine.events.on('trigger', (h) => h.flowId === 'mqtt_rt' && states.push(h.state));
    let pub = await publisher();
    for (let i = 0; i < 200; i++) await pub.publishAsync('stream/in', `a${i}`, { qos: 1 });
    await executionsOf(engine, 'mqtt_rt', 200);
    await pub.endAsync(true);
    await broker().restart();
    pub = await publisher();
    for (let i = 0; i < 200; i++) await pub.publishAsync('stream/in', `b${i}`, { qos: 1 });
    const executions = await executionsOf(engine, 'mqtt_rt', 400, { timeoutMs: 60_000 });
    expect(states).toContain('BACKOFF');
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING again');
    expect(state(engine)!.restarts).toBeGreaterThan(0);
    const seen = new Set(executions.map((e) => e.trigger!.variables.payload));
    for (let i = 0; i < 200; i++) expect(seen.has(`a${i}`) && seen.has(`b${i}`)).toBe(true);
  });

  it('SIGKILL of the engine mid-stream, then a restart: every message has an execution (duplicates counted)', async () => {
    const dataDir = tempDir('mqtt-crash');
    const flowsDir = path.join(dataDir, 'flows');
    fs.mkdirSync(flowsDir, { recursive: true });
    fs.writeFileSync(path.join(flowsDir, 'crash.yml'), `id: mqtt_crash
namespace: test.mqtt
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.payload }}"
triggers:
  - id: sub
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: ${tcp()}
    clientId: mqtt_crash-client
    topic: crash/n
    serdeType: STRING
`);
    server = await startServerProcess({ dataDir, flowsDir });
    const search = (size: number) => server!.api('GET', `/api/v1/executions/search?namespace=test.mqtt&flowId=mqtt_crash&size=${size}`);
    const total = async () => (await search(1)).body.total as number;
    // The session must exist before publishing, or the broker would not keep the messages for us.
    const sessionReady = await publisher();
    await eventually(async () => {
      await sessionReady.publishAsync('crash/n', 'probe', { qos: 1 });
      return (await total()) >= 1;
    }, 20_000, 'the trigger subscribed');
    const N = 500;
    const pub = await publisher();
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        await pub.publishAsync('crash/n', String(i), { qos: 1 });
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await eventually(async () => (await total()) >= 60, 20_000, 'some executions');
    await server.kill('SIGKILL');
    expect(await total().catch(() => undefined)).toBeUndefined(); // really dead
    await publishing;
    server = await startServerProcess({ dataDir, flowsDir });
    await eventually(async () => (await total()) >= N + 1, 30_000, `${N} executions after the restart`);
    await new Promise((r) => setTimeout(r, 500)); // anything extra would show up now
    const { body } = await search(10_000);
    const counts = new Map<string, number>();
    for (const e of body.results as { trigger: { variables: { payload: string } } }[]) counts.set(e.trigger.variables.payload, (counts.get(e.trigger.variables.payload) ?? 0) + 1);
    const lost = Array.from({ length: N }, (_, i) => String(i)).filter((d) => !counts.has(d));
    const duplicates = [...counts].filter(([k, c]) => k !== 'probe' && c > 1);
    console.log(`[mqtt] SIGKILL: ${body.total} executions for ${N} messages (+ probes), lost ${lost.length}, duplicated ${duplicates.length}`);
    expect(lost).toEqual([]);
    // MQTT gives messages no identity: a message admitted whose PUBACK the kill cut off runs twice.
    // In that window: the message being handled, those admitted ahead of it (at most MAX_AHEAD,
    // the consumer's look-ahead) and a PUBACK still in the socket.
    expect(duplicates.length).toBeLessThanOrEqual(MAX_AHEAD + 2);
  });

  it('editing the flow restarts the trigger on the new topic (the old subscription is dropped); disabled: true stops it', async () => {
    engine = await startEngine([flow(tcp(), 'first/topic')]);
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING');
    await engine.saveFlow(flow(tcp(), 'second/topic'));
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING after the edit');
    const pub = await publisher();
    await pub.publishAsync('first/topic', '"old"', { qos: 1 });
    await pub.publishAsync('second/topic', '"after-edit"', { qos: 1 });
    const [e] = await executionsOf(engine, 'mqtt_rt', 1);
    expect(e.trigger!.variables).toMatchObject({ payload: 'after-edit', topic: 'second/topic' });
    await new Promise((r) => setTimeout(r, 300));
    await engine.store.writer.flush();
    expect(engine.store.searchExecutions({ flowId: 'mqtt_rt', size: 10 }).results).toHaveLength(1);
    await engine.saveFlow(flow(tcp(), 'second/topic', '    disabled: true\n'));
    expect(state(engine)).toBeUndefined();
    await pub.publishAsync('second/topic', '"while-disabled"', { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await engine.store.writer.flush();
    expect(engine.store.searchExecutions({ flowId: 'mqtt_rt', size: 10 }).results).toHaveLength(1);
    // Enabled again: the session kept what was published meanwhile.
    await engine.saveFlow(flow(tcp(), 'second/topic'));
    const after = await executionsOf(engine, 'mqtt_rt', 2);
    expect(after.map((x) => x.trigger!.variables.payload)).toContain('while-disabled');
  });

  it('an unreachable server is BACKOFF with a readable error; the engine keeps running', async () => {
    engine = await startEngine([flow('tcp://127.0.0.1:1', 'nowhere')]);
    await eventually(() => state(engine!)?.state === 'BACKOFF', 10_000, 'BACKOFF');
    console.log(`[mqtt] unreachable → ${state(engine)!.lastError}`);
    expect(state(engine)!.lastError).toMatch(/connection refused by 127\.0\.0\.1:1 — is the broker running\?/);
    const fixed = await engine.saveFlow(flow(tcp(), 'fixed'));
    expect(fixed.ok).toBe(true);
    await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING after the fix');
  });

  it('a bad server URI or property is an error the user sees at once', async () => {
    engine = await startEngine([flow('http://127.0.0.1:1883', 'x')]);
    await eventually(() => state(engine!)?.state === 'BACKOFF', 10_000, 'BACKOFF');
    expect(state(engine)!.lastError).toMatch(/scheme http:\/\/ is not supported/);
  });

  it('Publish delivers to the broker: a map, a list, a file, retain and MQTT 5 request properties', async () => {
    const sub = await publisher({ protocolVersion: 5 });
    const got: { topic: string; payload: string; retain: boolean; props: Record<string, unknown> }[] = [];
    sub.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain, props: (packet.properties ?? {}) as Record<string, unknown> }));
    await sub.subscribeAsync({ 'pub/#': { qos: 1 } });
    engine = await startEngine([`id: mqtt_pub
namespace: test.mqtt
tasks:
  - id: one
    type: io.kestra.plugin.mqtt.Publish
    server: ${tcp()}
    clientId: mqtt_pub-one
    topic: pub/one
    from:
      type: sensors
      value: 1.23
  - id: many
    type: io.kestra.plugin.mqtt.Publish
    server: mqtt://127.0.0.1:${broker().port}
    mqttVersion: V3
    clientId: mqtt_pub-many
    topic: pub/many
    serdeType: STRING
    qos: 2
    from: ["a", "b", "{{ execution.id }}"]
  - id: request
    type: io.kestra.plugin.mqtt.Publish
    server: ${tcp()}
    clientId: mqtt_pub-request
    topic: pub/request
    responseTopic: "replies/{{ execution.id }}"
    correlationData: "{{ 'corr-1' | base64encode }}"
    from: { question: "load?" }
  - id: retained
    type: io.kestra.plugin.mqtt.Publish
    server: ${tcp()}
    clientId: mqtt_pub-retained
    topic: pub/retained
    retain: true
    serdeType: STRING
    from: "last value"
`]);
    const created = await engine.createExecution('test.mqtt', 'mqtt_pub');
    const done = await engine.waitFor(created.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((t) => t.outputs)).toEqual([{ messagesCount: 1 }, { messagesCount: 3 }, { messagesCount: 1 }, { messagesCount: 1 }]);
    await eventually(() => got.length >= 6, 5_000, 'messages read back');
    expect(got.find((g) => g.topic === 'pub/one')!.payload).toBe('{"type":"sensors","value":1.23}');
    expect(got.filter((g) => g.topic === 'pub/many').map((g) => g.payload)).toEqual(['a', 'b', done.id]);
    const req = got.find((g) => g.topic === 'pub/request')!;
    expect(JSON.parse(req.payload)).toEqual({ question: 'load?' });
    expect(req.props.responseTopic).toBe(`replies/${done.id}`);
    expect(Buffer.from(req.props.correlationData as Buffer).toString()).toBe('corr-1');
    // The retained message is there for a newcomer.
    const late = await publisher();
    const retained = new Promise<string>((resolve) => late.on('message', (_t, p, packet) => packet.retain && resolve(p.toString())));
    await late.subscribeAsync('pub/retained');
    expect(await retained).toBe('last value');
    await late.publishAsync('pub/retained', '', { retain: true, qos: 1 });
  });

  it('ssl:// with crt: the CA is trusted; a host name mismatch is refused unless httpsHostnameVerificationEnabled: false', async () => {
    const secured = await startSecuredMosquitto();
    try {
      const tls = (extra: string) => flow(`ssl://127.0.0.1:${secured.tlsPort}`, 'tls/in', `    username: alice\n    password: s3cret\n${extra}`);
      engine = await startEngine([tls('')]);
      await eventually(() => state(engine!)?.state === 'BACKOFF', 10_000, 'BACKOFF');
      console.log(`[mqtt] TLS without crt → ${state(engine)!.lastError}`);
      expect(state(engine)!.lastError).toMatch(/is not trusted .* give the CA that signed it in crt/);
      await engine.saveFlow(tls(`    crt: ${secured.caFile}\n`));
      await eventually(() => /does not name/.test(state(engine!)?.lastError ?? ''), 10_000, 'the host name error');
      console.log(`[mqtt] TLS host name mismatch → ${state(engine)!.lastError}`); // the certificate names localhost, we dialled 127.0.0.1
      await engine.saveFlow(tls(`    crt: ${secured.caFile}\n    httpsHostnameVerificationEnabled: false\n`));
      await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING over TLS');
      const pub = await mqtt.connectAsync({ host: '127.0.0.1', port: secured.port, username: 'alice', password: 's3cret', reconnectPeriod: 0 });
      clients.push(pub);
      await pub.publishAsync('tls/in', '{"secure": true}', { qos: 1 });
      const [e] = await executionsOf(engine, 'mqtt_rt', 1);
      expect(e.trigger!.variables.payload).toEqual({ secure: true });
    } finally {
      await engine?.close();
      engine = undefined;
      await secured.stop();
    }
  });

  it('wrong credentials are BACKOFF with a readable error (a Mosquitto of our own, with a password file)', async () => {
    const secured = await startSecuredMosquitto();
    try {
      engine = await startEngine([flow(`tcp://127.0.0.1:${secured.port}`, 'secure/in', '    username: alice\n    password: wrong\n')]);
      await eventually(() => state(engine!)?.state === 'BACKOFF', 10_000, 'BACKOFF');
      console.log(`[mqtt] wrong password → ${state(engine)!.lastError}`);
      expect(state(engine)!.lastError).toMatch(/refused the connection: (bad user name or password|not authorized)/);
      await engine.saveFlow(flow(`tcp://127.0.0.1:${secured.port}`, 'secure/in', '    username: alice\n    password: s3cret\n'));
      await eventually(() => state(engine!)?.state === 'RUNNING', 10_000, 'RUNNING with the right password');
      const pub = await mqtt.connectAsync({ host: '127.0.0.1', port: secured.port, username: 'alice', password: 's3cret', reconnectPeriod: 0 });
      clients.push(pub);
      await pub.publishAsync('secure/in', '"ok"', { qos: 1 });
      const [e] = await executionsOf(engine, 'mqtt_rt', 1);
      expect(e.trigger!.variables.payload).toBe('ok');
    } finally {
      await engine?.close();
      engine = undefined;
      await secured.stop();
    }
  });
});

/**
 * A second Mosquitto that refuses anonymous clients (the shared test broker allows them), with a
 * plain listener and a TLS one whose certificate (signed by a CA of our own) names localhost.
 */
async function startSecuredMosquitto(): Promise<{ port: number; tlsPort: number; caFile: string; stop(): Promise<void> }> {
  const dir = tempDir('mosquitto-auth');
  const port = await freePort();
  const tlsPort = await freePort();
  const ssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=peregrine-test-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  for (const f of ['ca.crt', 'server.crt', 'server.key']) fs.chmodSync(path.join(dir, f), 0o644);
  const passwd = path.join(dir, 'passwd');
  fs.writeFileSync(passwd, '');
  const made = spawnSync('mosquitto_passwd', ['-b', passwd, 'alice', 's3cret']);
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  fs.chmodSync(passwd, 0o644);
  const conf = path.join(dir, 'mosquitto.conf');
  const root = process.getuid?.() === 0;
  fs.writeFileSync(conf, [
    'allow_anonymous false',
    `password_file ${passwd}`,
    'log_dest stderr',
    ...(root ? ['user root'] : []),
    `listener ${port} 127.0.0.1`,
    `listener ${tlsPort} 127.0.0.1`,
    `cafile ${path.join(dir, 'ca.crt')}`,
    `certfile ${path.join(dir, 'server.crt')}`,
    `keyfile ${path.join(dir, 'server.key')}`,
  ].join('\n') + '\n');
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${log}`);
    const c = await mqtt.connectAsync({ host: '127.0.0.1', port, username: 'alice', password: 's3cret', reconnectPeriod: 0, connectTimeout: 1000 });
    await c.endAsync();
    return true;
  }, 10_000, `secured mosquitto on ${port}`);
  return {
    port,
    tlsPort,
    caFile: path.join(dir, 'ca.crt'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
