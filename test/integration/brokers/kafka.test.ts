import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedKillStart, timedRestart, waitFor } from './helpers';

describeBroker('kafka', (broker) => {
  const kafka = () => new Kafka({ clientId: 'smoke', brokers: broker().connection.brokers, logLevel: logLevel.ERROR });

  async function produce(topic: string, value: string): Promise<void> {
    const producer = kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value }], acks: -1 });
    await producer.disconnect();
  }

  async function consumeAll(topic: string, groupId: string, count: number): Promise<string[]> {
    const consumer = kafka().consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    try {
      await waitFor(() => (got.length >= count ? got : undefined), 45_000, `${count} message(s) on ${topic}`);
    } finally {
      await consumer.disconnect();
    }
    return got;
  }

  it('produces and consumes a message (consumer group)', async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await produce('orders', 'hello');
    expect(await consumeAll('orders', 'group-1', 1)).toEqual(['hello']);
  });

  it('keeps messages across restart()', async () => {
    await produce('orders', 'kept');
    await timedRestart(broker());
    expect(await consumeAll('orders', 'group-2', 2)).toEqual(['hello', 'kept']);
  });

  it('keeps messages across kill() and start(), and still takes new ones', async () => {
    await timedKillStart(broker());
    await produce('orders', 'after-crash');
    expect(await consumeAll('orders', 'group-3', 3)).toEqual(['hello', 'kept', 'after-crash']);
  });
});
