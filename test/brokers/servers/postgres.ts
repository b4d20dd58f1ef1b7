// PostgreSQL: initdb in the temporary folder, run as the non-root user `peregrine-pg` (when we
// are root), logical replication on, password login (scram) on 127.0.0.1 incl. replication.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, pgBin, userIds } from '../paths';
import { runToCompletion } from '../process';
import { LOGIN, type ServerContext, type ServerDef } from '../server';

export const PG_USER = 'peregrine-pg';

const dataDir = (ctx: ServerContext) => join(ctx.dir, 'data');
const socketDir = (ctx: ServerContext) => join(ctx.dir, 'sock');

/** The settings of OUR postgresql.conf (the system cluster's configuration is never touched). */
const SETTINGS = {
  listen_addresses: "'127.0.0.1'",
  wal_level: 'logical',
  max_replication_slots: '10',
  max_wal_senders: '10',
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: "'64MB'",
  log_min_messages: 'warning',
};

export const postgres: ServerDef<'postgres'> = {
  name: 'postgres',
  portRoles: ['client'],
  runAs: PG_USER,
  missing() {
    if (!pgBin('postgres') || !pgBin('initdb')) return 'postgres and initdb (Debian package postgresql)';
    if (isRoot() && !userIds(PG_USER)) return `system user ${PG_USER} (PostgreSQL refuses to run as root)`;
    return undefined;
  },

  async prepare(ctx) {
    mkdirSync(socketDir(ctx));
    const pwfile = join(ctx.dir, 'pwfile');
    writeFileSync(pwfile, `${LOGIN.password}\n`, { mode: 0o644 });
    runToCompletion({
      label: 'initdb',
      command: pgBin('initdb')!,
      args: [
        '-D', dataDir(ctx), '-U', LOGIN.user, `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C',
        '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync',
      ],
      cwd: ctx.dir,
      runAs: ctx.runAs,
    }, ctx.logFile);
    appendFileSync(
      join(dataDir(ctx), 'postgresql.conf'),
      '\n# Peregrine test broker\n' + Object.entries(SETTINGS).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n',
    );
    writeFileSync(join(dataDir(ctx), 'pg_hba.conf'), [
      '# TYPE  DATABASE     USER  ADDRESS        METHOD',
      'local   all          all                  trust',
      'local   replication  all                  trust',
      'host    all          all   127.0.0.1/32   scram-sha-256',
      'host    replication  all   127.0.0.1/32   scram-sha-256',
    ].join('\n') + '\n');
  },

  launch: (ctx) => [{
    label: 'postgres',
    command: pgBin('postgres')!,
    args: [
      '-D', dataDir(ctx), '-p', String(ctx.port), '-k', socketDir(ctx),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'wal_level=logical',
      '-c', 'max_replication_slots=10', '-c', 'max_wal_senders=10', '-c', 'fsync=off',
    ],
    cwd: ctx.dir,
    runAs: ctx.runAs,
    stopSignal: 'SIGINT', // "fast" shutdown: SIGTERM would wait for every client to leave
  }],

  async probe(ctx) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ ...connection(ctx), database: 'postgres', connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async initialize(ctx) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ ...connection(ctx), database: 'postgres' });
    await client.connect();
    try {
      await client.query(`create database ${LOGIN.database}`);
    } finally {
      await client.end();
    }
  },

  info(ctx) {
    const url = `postgres://${LOGIN.user}:${LOGIN.password}@${ctx.host}:${ctx.port}/${LOGIN.database}`;
    return {
      url,
      env: {
        DATABASE_URL: url, PGHOST: ctx.host, PGPORT: String(ctx.port), PGUSER: LOGIN.user,
        PGPASSWORD: LOGIN.password, PGDATABASE: LOGIN.database,
      },
      connection: connection(ctx),
      user: LOGIN.user,
      password: LOGIN.password,
      database: LOGIN.database,
    };
  },
};

function connection(ctx: ServerContext) {
  return { host: ctx.host, port: ctx.port, user: LOGIN.user, password: LOGIN.password, database: LOGIN.database };
}
