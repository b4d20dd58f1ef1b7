import amqp from 'amqplib';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedRestart, waitFor } from './helpers';

describeBroker('rabbitmq', (broker) => {
  it('produces and consumes a persistent message on a durable queue, kept across restart()', async () => {
    const conn = await amqp.connect(broker().url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('jobs', { durable: true });
    ch.sendToQueue('jobs', Buffer.from('first'), { persistent: true });
    ch.sendToQueue('jobs', Buffer.from('kept'), { persistent: true });
    await ch.waitForConfirms();
    const first = await waitFor(async () => (await ch.get('jobs', { noAck: true })) || undefined);
    expect(first.content.toString()).toBe('first');
    await conn.close();

    await timedRestart(broker());

    const again = await amqp.connect(broker().connection);
    try {
      const ch2 = await again.createChannel();
      const kept = await waitFor(async () => (await ch2.get('jobs', { noAck: true })) || undefined);
      expect(kept.content.toString()).toBe('kept');
    } finally {
      await again.close();
    }
  });

  it('uses its own node name, ports and cookie', () => {
    const b = broker();
    expect(Object.keys(b.ports).sort()).toEqual(['amqp', 'dist', 'epmd']);
    expect(b.log()).toContain(`peregrine-${b.port}@localhost`);
  });
});
