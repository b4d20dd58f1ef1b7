// The embedded MQTT broker (aedes, in the engine's process): a real-time trigger fires with no
// external service, with Kestra's default mqttVersion V5 (aedes speaks 3.1.1: the client falls back).
import net from 'node:net';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { startEmbeddedMqtt, type EmbeddedMqtt } from '../../../main/runtime/embedded-mqtt';
import { executionsOf, health, startEngine } from '../../helpers/engine';
import { eventually } from '../../helpers/server-process';

let engine: Engine | undefined;
let broker: EmbeddedMqtt | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await broker?.close();
  broker = undefined;
});

it('a RealtimeTrigger on the embedded broker: 100 messages → 100 SUCCESS executions', async () => {
  broker = await startEmbeddedMqtt({ port: 0 });
  expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
  engine = await startEngine([`id: embedded
namespace: test.mqtt
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.payload.n }}"
triggers:
  - id: sub
    type: io.kestra.plugin.mqtt.RealtimeTrigger
    server: tcp://127.0.0.1:${broker.port}
    clientId: embedded-sub
    topic: demo/#
`]);
  await eventually(() => health(engine!, 'test.mqtt', 'embedded', 'sub')?.state === 'RUNNING', 10_000, 'RUNNING');
  const pub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  try {
    for (let i = 0; i < 100; i++) await pub.publishAsync(`demo/${i % 3}`, JSON.stringify({ n: i }), { qos: 1 });
  } finally {
    await pub.endAsync();
  }
  const executions = await executionsOf(engine, 'embedded', 100);
  expect(executions).toHaveLength(100);
  expect(executions.every((e) => e.state.current === 'SUCCESS')).toBe(true);
  expect(new Set(executions.map((e) => e.taskRunList[0].outputs!.value))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => String(i))));
  expect(executions[0].trigger!.variables).toMatchObject({ qos: 1, retain: false, properties: {} });
  const logs = engine.store.db.prepare("SELECT message FROM logs WHERE message LIKE '%MQTT 3.1.1%'").pluck().all() as string[];
  expect(logs.some((m) => /does not speak MQTT 5/.test(m))).toBe(true);
});

it('falls back to a free port when the preferred one is taken, and closes cleanly', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    broker = await startEmbeddedMqtt({ port });
    expect(broker.port).not.toBe(port);
    const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, protocolVersion: 4 });
    await c.endAsync();
    await broker.close();
    await broker.close(); // twice is fine
    await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 1000 })).rejects.toThrow();
    broker = undefined;
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});

it('Publish to the embedded broker, read back with the official client', async () => {
  broker = await startEmbeddedMqtt({ port: 0 });
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const got: string[] = [];
  sub.on('message', (_t, p) => got.push(p.toString()));
  await sub.subscribeAsync({ 'out/#': { qos: 1 } });
  engine = await startEngine([`id: embedded_pub
namespace: test.mqtt
tasks:
  - id: publish
    type: io.kestra.plugin.mqtt.Publish
    server: ${broker.url}
    clientId: embedded-pub
    topic: out/x
    from: [{ a: 1 }, { a: 2 }]
`]);
  const created = await engine.createExecution('test.mqtt', 'embedded_pub');
  const done = await engine.waitFor(created.id);
  expect(done.state.current).toBe('SUCCESS');
  await eventually(() => got.length === 2, 5_000, 'two messages');
  expect(got).toEqual(['{"a":1}', '{"a":2}']);
  await sub.endAsync();
});
