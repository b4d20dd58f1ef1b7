// Redis: append-only file on (everysec), no RDB snapshots, loopback only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../paths';
import type { ServerDef } from '../server';

const binary = () => which('redis-server');

export const redis: ServerDef<'redis'> = {
  name: 'redis',
  portRoles: ['client'],
  missing: () => (binary() ? undefined : 'redis-server (Debian package redis-server)'),

  async prepare(ctx) {
    const conf = [
      `bind ${ctx.host}`,
      `port ${ctx.port}`,
      'protected-mode no',
      'daemonize no',
      `dir ${ctx.dir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'loglevel notice',
      'logfile ""',
    ];
    writeFileSync(join(ctx.dir, 'redis.conf'), conf.join('\n') + '\n');
  },

  launch: (ctx) => [{ label: 'redis-server', command: binary()!, args: [join(ctx.dir, 'redis.conf')], cwd: ctx.dir }],

  async probe(ctx) {
    const { Redis } = await import('ioredis');
    const client = new Redis({
      host: ctx.host, port: ctx.port, lazyConnect: true, connectTimeout: 2000,
      maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const pong = await client.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    } finally {
      client.disconnect();
    }
  },

  info: (ctx) => {
    const url = `redis://${ctx.host}:${ctx.port}`;
    return {
      url,
      env: { REDIS_URL: url, REDIS_HOST: ctx.host, REDIS_PORT: String(ctx.port) },
      connection: { host: ctx.host, port: ctx.port },
    };
  },
};
