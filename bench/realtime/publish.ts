// A publisher process for the realtime-latency scenario: `rate` messages per second for `seconds`
// to one destination, each stamped with its send time; prints one JSON line with what it sent.
//   tsx bench/realtime/publish.ts '<target json>' <rate> <seconds> <step>
import { openPublisher, type Target } from './clients';
import { pace } from '../lib/pace';

const [targetJson, rateArg, secondsArg, stepArg] = process.argv.slice(2);
const target = JSON.parse(targetJson) as Target;
const step = Number(stepArg);
const pub = await openPublisher(target);
// Warm the connection and the code path first (step -2: counted by nobody), then pace.
const WARMUP = 20;
for (let i = 0; i < WARMUP; i++) {
  pub.send([{ step: -2, seq: i }]);
  await new Promise((r) => setTimeout(r, 10));
}
await pub.settle();
await new Promise((r) => setTimeout(r, 100));
const result = await pace(Number(rateArg), Number(secondsArg), (from, to) => {
  const batch = [];
  for (let i = from; i < to; i++) batch.push({ step, seq: i });
  pub.send(batch);
});
await Promise.race([pub.settle(), new Promise((r) => setTimeout(r, 30_000))]);
await pub.close().catch(() => {});
console.log(JSON.stringify({ ...result, warmup: WARMUP, errors: pub.errors() }));
process.exit(0);
