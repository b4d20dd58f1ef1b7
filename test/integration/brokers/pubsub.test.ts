import { PubSub, type Message } from '@google-cloud/pubsub';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { waitFor } from './helpers';

describeBroker('pubsub', (broker) => {
  it('publishes and receives a message through a subscription', async () => {
    const pubsub = new PubSub(broker().connection);
    try {
      const [topic] = await pubsub.createTopic('orders');
      const [subscription] = await topic.createSubscription('orders-sub');
      const got: string[] = [];
      subscription.on('message', (m: Message) => {
        got.push(m.data.toString());
        m.ack();
      });
      await topic.publishMessage({ data: Buffer.from('hello'), attributes: { source: 'smoke' } });
      await waitFor(() => (got.length ? got : undefined));
      expect(got).toEqual(['hello']);
      await subscription.close();
    } finally {
      await pubsub.close();
    }
  });

  it('exposes the emulator to other processes through env', () => {
    expect(broker().env.PUBSUB_EMULATOR_HOST).toBe(`127.0.0.1:${broker().port}`);
  });
});
