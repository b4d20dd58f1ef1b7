// Redis list polling Trigger: every interval, moves up to maxRecords elements into the processing
// list, writes them to one batch file, admits one execution, then removes them.
import { z } from 'zod';
import { decode, type SerdeType } from '../common/serde';
import { admitBatch, batchLimits, pollEvery, pollingProps, type PollingProps } from '../common/polling';
import { p } from '../schema';
import type { TriggerDefinition } from '../types';
import { connect } from './client';
import { processingList } from './list-realtime-trigger';

export const redisListTrigger: TriggerDefinition = {
  kind: 'trigger',
  mode: 'polling',
  type: 'io.kestra.plugin.redis.list.Trigger',
  title: 'Redis list (polling)',
  description: 'Every interval, takes the elements waiting in a Redis list and starts one execution with all of them in a file.',
  category: 'Redis',
  icon: 'redis',
  props: z.object({
    url: z.string(),
    key: z.string(),
    serdeType: z.enum(['STRING', 'JSON']).default('STRING'),
    count: p.int('How many elements to pop per round trip.').default(100),
    ...pollingProps,
  }),
  outputs: { uri: 'The batch file (JSON lines) in internal storage', count: 'How many elements it holds' },
  async start(ctx, props: PollingProps & { url: string; key: string; serdeType: SerdeType; count: number }) {
    const processing = processingList(props.key, ctx);
    const client = connect(props.url);
    await client.connect();
    const handle = pollEvery(ctx, props, async () => {
      const { maxRecords, deadline } = batchLimits(props);
      const taken: Buffer[] = await client.lrangeBuffer(processing, 0, -1); // left by a crash: batch them again
      while (taken.length < maxRecords && Date.now() < deadline) {
        const n = Math.min(props.count, maxRecords - taken.length);
        const p = client.pipeline();
        for (let i = 0; i < n; i++) p.lmoveBuffer(props.key, processing, 'LEFT', 'RIGHT');
        const got = ((await p.exec()) ?? []).map(([, v]) => v as Buffer | null).filter((v): v is Buffer => v !== null);
        taken.push(...got);
        if (got.length < n) break;
      }
      if (!taken.length) return;
      const records = taken.map((b) => {
        const d = decode(b, props.serdeType);
        return d.ok ? d.value : { error: d.reason, raw: d.raw };
      });
      await admitBatch(ctx, records, (uri, count) => ({ uri, count }));
      await client.del(processing);
    });
    return {
      async stop() {
        await handle.stop();
        client.disconnect();
      },
    };
  },
};
