// Redis ListPush against a real Redis: `from` as a list or a kestra:// JSON-lines file lands in the
// list in order; a bad file line fails the task with the line named, and pushes nothing.
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../../main/runtime/engine';
import { describeBroker } from '../../brokers';
import { startEngine } from '../../helpers/engine';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const push = (url: string, key: string, from: string, serdeType = 'STRING') => `  - id: push_${key}
    type: io.kestra.plugin.redis.list.ListPush
    url: ${url}
    key: ${key}
    serdeType: ${serdeType}
    from: ${from}`;

describeBroker('redis', (broker) => {
  it('pushes a list and every line of a kestra:// file, in order', async () => {
    engine = await startEngine([]);
    const uri = engine.store.storage.put('push/in.jsonl', '{"id":1}\n\n"two"\n3\n');
    const saved = await engine.saveFlow(`id: list_push
namespace: test.redis
tasks:
${push(broker().url, 'from_list', '["a", {"b": 1}]')}
${push(broker().url, 'from_file', `"${uri}"`, 'JSON')}
`);
    expect(saved.errors).toEqual([]);
    const done = await engine.waitFor((await engine.createExecution('test.redis', 'list_push')).id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((t) => t.outputs)).toEqual([{ count: 2 }, { count: 3 }]);
    const r = new Redis(broker().connection);
    try {
      expect(await r.lrange('from_list', 0, -1)).toEqual(['a', '{"b":1}']);
      expect(await r.lrange('from_file', 0, -1)).toEqual(['{"id":1}', '"two"', '3']);
    } finally {
      r.disconnect();
    }
  });

  it('a file line that is not JSON fails the task naming the line, and nothing is pushed', async () => {
    engine = await startEngine([]);
    const uri = engine.store.storage.put('push/bad.jsonl', '"ok"\n{oops\n');
    await engine.saveFlow(`id: list_push_bad
namespace: test.redis
tasks:
${push(broker().url, 'bad_file', `"${uri}"`)}
`);
    const done = await engine.waitFor((await engine.createExecution('test.redis', 'list_push_bad')).id);
    expect(done.state.current).toBe('FAILED');
    await engine.store.writer.flush();
    const errors = engine.store.db.prepare(`SELECT message FROM logs WHERE level = 'ERROR'`).pluck().all() as string[];
    expect(errors.join('\n')).toContain(`line 2 of ${uri} (from) is not JSON`);
    const r = new Redis(broker().connection);
    try {
      expect(await r.llen('bad_file')).toBe(0);
    } finally {
      r.disconnect();
    }
  });
});
