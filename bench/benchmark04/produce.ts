// benchmark04's producer, in its own process: order messages of one size to a Kafka topic at
// `rate` per second for `seconds` (kafkajs, one send per millisecond tick), each stamped with its
// send time; prints one JSON line with what it sent.
//   tsx bench/benchmark04/produce.ts <brokers> <topic> <size> <rate> <seconds>
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { orderBody, orderMessage, type SizeName } from './orders';
import { pace } from '../lib/pace';

const [brokers, topic, size, rateArg, secondsArg] = process.argv.slice(2);
const body = orderBody(size as SizeName);
const kafka = new Kafka({ clientId: `bench04-producer-${process.pid}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
await producer.connect();
let errors = 0;
let bytes = 0;
const errorSamples = new Set<string>();
/** Kafka refuses a record batch over message.max.bytes (1 MB by default): never send more at once. */
const MAX_BATCH_BYTES = 900_000;
const pending = new Set<Promise<unknown>>();
const result = await pace(Number(rateArg), Number(secondsArg), (from, to) => {
  const now = Date.now();
  let messages: { value: string }[] = [];
  let batchBytes = 0;
  const flush = () => {
    if (!messages.length) return;
    const batch = messages;
    const p = producer.send({ topic, messages: batch }).catch((e) => {
      errors += batch.length;
      if (errorSamples.size < 3) errorSamples.add(String(e?.message ?? e));
    }).finally(() => pending.delete(p));
    pending.add(p);
    messages = [];
    batchBytes = 0;
  };
  for (let i = from; i < to; i++) {
    const value = orderMessage(body, now);
    bytes += value.length;
    if (batchBytes + value.length > MAX_BATCH_BYTES) flush();
    messages.push({ value });
    batchBytes += value.length;
  }
  flush();
});
const deadline = Date.now() + 60_000;
while (pending.size && Date.now() < deadline) await Promise.allSettled([...pending]);
await producer.disconnect().catch(() => {});
const cpu = process.cpuUsage();
console.log(JSON.stringify({ ...result, errors, errorSamples: [...errorSamples], bytes, messageBytes: Math.round(bytes / Math.max(1, result.sent)), cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
process.exit(0);
