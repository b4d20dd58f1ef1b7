// One adapter per realtime trigger family for the crash harness.
import { Redis } from 'ioredis';
import type { FamilyAdapter } from './harness';

const returnId = (trigger: string) => `tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ ${trigger} }}"
`;

export const redisFamily: FamilyAdapter<'redis'> = {
  family: 'redis',
  broker: 'redis',
  identity: false,
  flow: (b) => `id: crash
namespace: reliability
${returnId('trigger.value')}triggers:
  - id: list
    type: io.kestra.plugin.redis.list.RealtimeTrigger
    url: ${b.url}
    key: crash
`,
  async publish(b, ids) {
    const r = new Redis(b.connection);
    await r.rpush('crash', ...ids.map(String));
    r.disconnect();
  },
  idOf: (t) => Number(t.value),
};

export const FAMILIES: FamilyAdapter<any>[] = [redisFamily];
