// NATS with JetStream, its store in the temporary folder.
import { join } from 'node:path';
import { which } from '../paths';
import type { ServerDef } from '../server';

const binary = () => which('nats-server');

export const nats: ServerDef<'nats'> = {
  name: 'nats',
  portRoles: ['client'],
  missing: () => (binary() ? undefined : 'nats-server (Debian package nats-server)'),

  launch: (ctx) => [{
    label: 'nats-server',
    command: binary()!,
    args: ['-a', ctx.host, '-p', String(ctx.port), '-n', `peregrine-${ctx.port}`, '-js', '-sd', join(ctx.dir, 'jetstream')],
    cwd: ctx.dir,
  }],

  async probe(ctx) {
    const { connect } = await import('nats');
    const nc = await connect({ servers: `${ctx.host}:${ctx.port}`, timeout: 2000, reconnect: false });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 2000 });
      await jsm.getAccountInfo();
    } finally {
      await nc.close();
    }
  },

  info(ctx) {
    const url = `nats://${ctx.host}:${ctx.port}`;
    return { url, env: { NATS_URL: url }, connection: { servers: [url] } };
  },
};
