// The floor of the realtime-latency scenario: a bare consumer, in its own process, that does nothing
// but note when each message arrives. Driven over IPC by the scenario:
//   → {cmd:'report', step} ← {step, count, wall, precise}    → {cmd:'stop'}
// `wall` = Date.now() at receipt − the send stamp `ts` (integer ms on both sides, like the engine's
// created_at), `precise` = hrtime at receipt − hrtime at send.
import { openFloor, type Target } from './clients';
import { histogram, recordMs, summary, type Histogram } from '../lib/hist';

const target = JSON.parse(process.argv[2]) as Target;
const steps = new Map<number, { count: number; seqs: Set<number>; wall: Histogram; precise: Histogram }>();
const floor = await openFloor(target, (r, recvMs, recvHr) => {
  let s = steps.get(r.step);
  if (!s) steps.set(r.step, (s = { count: 0, seqs: new Set(), wall: histogram(), precise: histogram() }));
  s.count++;
  s.seqs.add(r.seq);
  recordMs(s.wall, recvMs - r.ts);
  if (r.hr !== undefined) recordMs(s.precise, Number(recvHr - r.hr) / 1e6);
});
process.send!({ ready: true });
process.on('message', async (m: { cmd: string; step?: number }) => {
  if (m.cmd === 'report') {
    const s = steps.get(m.step!);
    process.send!({ step: m.step, count: s?.count ?? 0, unique: s?.seqs.size ?? 0, wall: s ? summary(s.wall) : undefined, precise: s && s.precise.totalCount ? summary(s.precise) : undefined });
  } else if (m.cmd === 'stop') {
    await Promise.race([floor.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(0);
  }
});
