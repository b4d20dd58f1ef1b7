import { AckPolicy, connect, StringCodec } from 'nats';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedRestart } from './helpers';

const sc = StringCodec();

describeBroker('nats', (broker) => {
  it('produces and consumes a core NATS message', async () => {
    const nc = await connect(broker().connection);
    const sub = nc.subscribe('greet', { max: 1 });
    nc.publish('greet', sc.encode('hello'));
    for await (const m of sub) expect(sc.decode(m.data)).toBe('hello');
    await nc.close();
  });

  it('keeps JetStream messages across restart()', async () => {
    const nc = await connect(broker().connection);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    const js = nc.jetstream();
    await js.publish('orders.new', sc.encode('kept'));
    await nc.close();

    await timedRestart(broker());

    const nc2 = await connect(broker().connection);
    try {
      const jsm2 = await nc2.jetstreamManager();
      await jsm2.consumers.add('ORDERS', { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
      const consumer = await nc2.jetstream().consumers.get('ORDERS', 'reader');
      const msg = await consumer.next({ expires: 5000 });
      expect(msg && sc.decode(msg.data)).toBe('kept');
      msg?.ack();
    } finally {
      await nc2.close();
    }
  });
});
