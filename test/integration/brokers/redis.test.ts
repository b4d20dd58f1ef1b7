import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedKillStart, timedRestart } from './helpers';

describeBroker('redis', (broker) => {
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis({ ...broker().connection, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('produces and consumes a stream entry', async () => {
    const producer = client();
    const id = await producer.xadd('orders', '*', 'order', '42');
    const consumer = client();
    const entries = await consumer.xread('COUNT', 10, 'STREAMS', 'orders', '0');
    expect(entries?.[0]?.[1]).toEqual([[id, ['order', '42']]]);
    expect(broker().url).toBe(`redis://127.0.0.1:${broker().port}`);
  });

  it('keeps its data across restart() (AOF)', async () => {
    await client().lpush('queue', 'kept-across-restart');
    await timedRestart(broker());
    expect(await client().rpop('queue')).toBe('kept-across-restart');
  });

  it('keeps its data across kill() and start()', async () => {
    await client().set('crash', 'survives');
    await timedKillStart(broker());
    expect(await client().get('crash')).toBe('survives');
    expect(await client().xlen('orders')).toBe(1);
  });
});
