import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedRestart, waitFor } from './helpers';

describeBroker('mosquitto', (broker) => {
  const options = (clientId: string, clean = true) => ({
    ...broker().connection, clientId, clean, reconnectPeriod: 0, connectTimeout: 5000,
  });

  it('produces and consumes a QoS 1 message', async () => {
    const sub = await mqtt.connectAsync(options('smoke-sub'));
    const got: string[] = [];
    sub.on('message', (_t, payload) => got.push(payload.toString()));
    await sub.subscribeAsync('smoke/topic', { qos: 1 });
    const pub = await mqtt.connectAsync(options('smoke-pub'));
    await pub.publishAsync('smoke/topic', 'hello', { qos: 1 });
    await waitFor(() => (got.length ? got : undefined));
    expect(got).toEqual(['hello']);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('keeps retained messages and a persistent session\'s queued message across restart()', async () => {
    const offline = await mqtt.connectAsync(options('durable-sub', false));
    await offline.subscribeAsync('jobs/#', { qos: 1 });
    await offline.endAsync();

    const pub = await mqtt.connectAsync(options('durable-pub'));
    await pub.publishAsync('jobs/1', 'queued while offline', { qos: 1 });
    await pub.publishAsync('status/device', 'online', { qos: 1, retain: true });
    await pub.endAsync();

    await timedRestart(broker());

    // Listen before the connection is up: the queued message follows CONNACK at once.
    const back = mqtt.connect(options('durable-sub', false));
    const queued: string[] = [];
    back.on('message', (_t, payload) => queued.push(payload.toString()));
    await waitFor(() => (queued.length ? queued : undefined), 20_000, 'the queued QoS 1 message');
    expect(queued).toEqual(['queued while offline']);

    const late = await mqtt.connectAsync(options('late-sub'));
    const retained: string[] = [];
    late.on('message', (_t, payload, packet) => packet.retain && retained.push(payload.toString()));
    await late.subscribeAsync('status/device', { qos: 1 });
    await waitFor(() => (retained.length ? retained : undefined), 20_000, 'the retained message');
    expect(retained).toEqual(['online']);
    await Promise.all([back.endAsync(), late.endAsync()]);
  });
});
