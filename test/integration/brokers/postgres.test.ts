import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { describeBroker } from '../../brokers';
import { timedKillStart, timedRestart } from './helpers';

describeBroker('postgres', (broker) => {
  const clients: pg.Client[] = [];
  const connect = async (extra: Partial<pg.ClientConfig> = {}) => {
    const c = new pg.Client({ ...broker().connection, ...extra });
    clients.push(c);
    await c.connect();
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  });

  it('logs in with the password, runs with wal_level=logical, not as root', async () => {
    const c = await connect();
    const { rows } = await c.query(`select current_user as "user", current_database() as db,
      current_setting('wal_level') as wal, current_setting('listen_addresses') as listen`);
    expect(rows[0]).toEqual({ user: 'peregrine', db: 'peregrine', wal: 'logical', listen: '127.0.0.1' });
    await expect(new pg.Client({ ...broker().connection, password: 'wrong' }).connect()).rejects.toThrow(/password/);
  });

  it('produces and consumes a row through a logical replication slot', async () => {
    const c = await connect();
    await c.query('create table events (id serial primary key, body text)');
    await c.query(`select pg_create_logical_replication_slot('peregrine_slot', 'test_decoding')`);
    await c.query(`insert into events (body) values ('hello')`);
    const { rows } = await c.query(`select data from pg_logical_slot_get_changes('peregrine_slot', null, null)`);
    expect(rows.map((r) => r.data).join('\n')).toMatch(/table public\.events: INSERT: id\[integer\]:1 body\[text\]:'hello'/);
  });

  it('accepts replication connections with a password', async () => {
    const c = await connect({ replication: 'database' } as Partial<pg.ClientConfig>);
    const { rows } = await c.query('IDENTIFY_SYSTEM');
    expect(rows[0].dbname).toBe('peregrine');
  });

  it('keeps rows and the slot across restart()', async () => {
    const c = await connect();
    await c.query(`insert into events (body) values ('kept')`);
    await c.end();
    await timedRestart(broker());
    const d = await connect();
    const { rows } = await d.query('select body from events order by id');
    expect(rows.map((r) => r.body)).toEqual(['hello', 'kept']);
    const changes = await d.query(`select data from pg_logical_slot_get_changes('peregrine_slot', null, null)`);
    expect(changes.rows.map((r) => r.data).join('\n')).toMatch(/'kept'/);
  });

  it('comes back after kill() and start()', async () => {
    await timedKillStart(broker());
    const c = await connect();
    const { rows } = await c.query('select count(*)::int as n from events');
    expect(rows[0].n).toBe(2);
  });
});
