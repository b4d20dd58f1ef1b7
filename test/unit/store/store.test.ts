// The SQLite store: secrets encrypted at rest, internal storage confined to the data folder,
// retention, KV expiry, dedup and group commit.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../../main/model/execution';
import { newState, transition } from '../../../main/model/state';
import { newId } from '../../../main/runtime/ids';
import { Store } from '../../../main/store';
import { tempDir } from '../../helpers/server-process';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
const open = (dataDir = tempDir('store')) => {
  const s = new Store({ dataDir });
  stores.push(s);
  return s;
};

function execution(createdAt = new Date()): Execution {
  const id = newId();
  return { id, namespace: 'n', flowId: 'f', flowRevision: 1, taskRunList: [], inputs: {}, labels: [{ key: 'team', value: 'a' }], state: newState(createdAt.getTime()), originalId: id };
}

describe('store', () => {
  it('keeps secrets encrypted at rest, with a 0600 key file, and reads them back', async () => {
    const dir = tempDir('secrets');
    const s = open(dir);
    s.secrets.set('', 'API_KEY', 'sk-live-very-secret-value');
    s.secrets.set('company', 'DB', 'company-db');
    expect(s.secrets.get('company.team', 'API_KEY')).toBe('sk-live-very-secret-value'); // global fallback
    expect(s.secrets.get('company.team', 'DB')).toBe('company-db'); // parent namespace
    expect(s.secrets.get('other', 'DB')).toBeUndefined();
    expect(s.secrets.list().map((x) => x.name)).toEqual(['API_KEY', 'DB']);
    expect(JSON.stringify(s.secrets.list())).not.toContain('secret-value');
    await s.close();
    stores.pop();
    const raw = fs.readFileSync(path.join(dir, 'peregrine.db'));
    expect(raw.includes(Buffer.from('sk-live-very-secret-value'))).toBe(false);
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses internal storage paths that would leave the data folder', () => {
    const s = open();
    const uri = s.storage.put('n/f/executions/x/file.txt', 'hello');
    expect(uri).toBe('kestra:///n/f/executions/x/file.txt');
    expect(s.storage.get(uri).toString()).toBe('hello');
    for (const bad of ['kestra:///../../etc/passwd', 'kestra:///n/../../x', 'kestra:///%2e%2e/%2e%2e/etc/passwd', '/etc/passwd', 'file:///etc/passwd']) {
      expect(() => s.storage.get(bad)).toThrow(/refused|not an internal storage URI/);
    }
  });

  it('admits once per dedup key and resolves only after the commit', async () => {
    const s = open();
    const a = execution();
    a.trigger = { id: 't', type: 'x', variables: {} };
    const b = { ...execution(), trigger: a.trigger };
    const [ra, rb] = await Promise.all([s.writer.admit({ execution: a, dedupKey: 'k1' }), s.writer.admit({ execution: b, dedupKey: 'k1' })]);
    expect(ra).toEqual({ executionId: a.id, duplicate: false });
    expect(rb).toEqual({ executionId: a.id, duplicate: true });
    expect(s.getExecution(a.id)).toBeDefined();
    expect(s.getExecution(b.id)).toBeUndefined();
    expect(s.writer.stats.commits).toBe(1); // both in one group commit
  });

  it('writes the trigger once, at admission: state changes leave its row alone, reads join it back', async () => {
    const s = open();
    const e = execution();
    e.trigger = { id: 'kafka', type: 'io.kestra.plugin.kafka.RealtimeTrigger', variables: { value: 'x'.repeat(100_000) } };
    await s.writer.admit({ execution: e });
    const triggerRow = () => s.db.prepare('SELECT rowid, trigger FROM execution_triggers WHERE execution_id = ?').get(e.id) as { rowid: number; trigger: string };
    const first = triggerRow();
    transition(e.state, 'SUCCESS');
    s.writer.saveExecution(e);
    await s.writer.flush();
    expect(triggerRow()).toEqual(first);
    expect((s.db.prepare('SELECT doc FROM executions WHERE id = ?').pluck().get(e.id) as string).length).toBeLessThan(1000);
    expect(s.getExecution(e.id)).toMatchObject({ state: { current: 'SUCCESS' }, trigger: e.trigger });
    expect(s.deleteExecution(e.id)).toBe(true);
    expect(triggerRow()).toBeUndefined();
  });

  it('purges finished executions older than the retention, with their logs', async () => {
    const s = open();
    const old = execution(new Date(Date.now() - 40 * 86_400_000));
    transition(old.state, 'SUCCESS', Date.now() - 40 * 86_400_000);
    const fresh = execution();
    const running = execution(new Date(Date.now() - 40 * 86_400_000));
    old.trigger = { id: 't', type: 'x', variables: { n: 1 } };
    for (const e of [old, fresh, running]) await s.writer.admit({ execution: e });
    s.writer.appendLog({ namespace: 'n', flowId: 'f', executionId: old.id, timestamp: new Date().toISOString(), level: 'INFO', message: 'old' });
    await s.writer.flush();
    expect(s.db.prepare('SELECT count(*) FROM execution_triggers WHERE execution_id = ?').pluck().get(old.id)).toBe(1);
    expect(s.purgeExecutions(Date.now() - 30 * 86_400_000)).toBe(1);
    expect(s.getExecution(old.id)).toBeUndefined();
    expect(s.logs({ executionId: old.id })).toEqual([]);
    expect(s.db.prepare('SELECT count(*) FROM execution_triggers WHERE execution_id = ?').pluck().get(old.id)).toBe(0);
    expect(s.getExecution(fresh.id)).toBeDefined();
    expect(s.getExecution(running.id)).toBeDefined(); // never purge what has not ended
  });

  it('expires KV pairs after their TTL', async () => {
    const s = open();
    s.kv.set('n', 'short', { a: 1 }, 30);
    s.kv.set('n', 'long', [1, 2]);
    expect(s.kv.get('n', 'short')).toEqual({ a: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.kv.get('n', 'short')).toBeUndefined();
    expect(s.kv.get('n', 'long')).toEqual([1, 2]);
    expect(s.kv.list('n').map((k) => k.key)).toEqual(['long']);
  });

  it('searches executions by labels and state', async () => {
    const s = open();
    const a = execution();
    const b = { ...execution(), labels: [{ key: 'team', value: 'b' }] };
    await Promise.all([s.writer.admit({ execution: a }), s.writer.admit({ execution: b })]);
    expect(s.searchExecutions({ labels: { team: 'b' } }).results.map((e) => e.id)).toEqual([b.id]);
    expect(s.searchExecutions({ state: ['CREATED'] }).total).toBe(2);
    expect(s.searchExecutions({ state: ['SUCCESS'] }).total).toBe(0);
  });
});
