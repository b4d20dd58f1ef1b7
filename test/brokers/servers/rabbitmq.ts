// RabbitMQ: its own node name, ports (AMQP, Erlang distribution, a private epmd), folders,
// configuration and Erlang cookie (HOME is the temporary folder), so two never collide and
// nothing is left behind: the private epmd is one of the broker's own processes.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../paths';
import { LOGIN, type ServerContext, type ServerDef } from '../server';

// Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user; the script behind it does not.
const serverScript = () =>
  ['/usr/lib/rabbitmq/bin/rabbitmq-server'].find((p) => existsSync(p)) ?? which('rabbitmq-server');
const epmd = () => which('epmd', ['/usr/lib/erlang/bin']);

const file = (ctx: ServerContext, name: string) => join(ctx.dir, name);

export const rabbitmq: ServerDef<'rabbitmq'> = {
  name: 'rabbitmq',
  portRoles: ['amqp', 'dist', 'epmd'],
  missing() {
    if (!serverScript()) return 'rabbitmq-server (Debian package rabbitmq-server)';
    if (!epmd()) return 'epmd (Debian package erlang-base, a dependency of rabbitmq-server)';
    return undefined;
  },

  async prepare(ctx) {
    writeFileSync(file(ctx, 'rabbitmq.conf'), [
      `listeners.tcp.default = ${ctx.host}:${ctx.port}`,
      'loopback_users = none',
      `default_user = ${LOGIN.user}`,
      `default_pass = ${LOGIN.password}`,
      'default_vhost = /',
      'log.console = true',
      'log.console.level = info',
      'log.file = false',
    ].join('\n') + '\n');
    writeFileSync(file(ctx, 'enabled_plugins'), '[].\n'); // management and every other plugin off
    writeFileSync(file(ctx, 'rabbitmq-env.conf'), '# Peregrine test broker: everything is set in the environment\n');
  },

  launch(ctx) {
    const env = {
      HOME: ctx.dir, // the Erlang cookie is $HOME/.erlang.cookie
      ERL_EPMD_PORT: String(ctx.ports.epmd),
      ERL_EPMD_ADDRESS: ctx.host,
      RABBITMQ_NODENAME: `peregrine-${ctx.port}@localhost`,
      RABBITMQ_USE_LONGNAME: 'false',
      RABBITMQ_NODE_IP_ADDRESS: ctx.host,
      RABBITMQ_NODE_PORT: String(ctx.port),
      RABBITMQ_DIST_PORT: String(ctx.ports.dist),
      RABBITMQ_MNESIA_BASE: file(ctx, 'mnesia'),
      RABBITMQ_LOG_BASE: file(ctx, 'log'),
      RABBITMQ_LOGS: '-',
      RABBITMQ_CONFIG_FILE: file(ctx, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: file(ctx, 'advanced.config'),
      RABBITMQ_CONF_ENV_FILE: file(ctx, 'rabbitmq-env.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: file(ctx, 'enabled_plugins'),
      RABBITMQ_PID_FILE: file(ctx, 'rabbitmq.pid'),
      // Distribution on loopback only; no busy-waiting schedulers (2 cores are shared).
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:
        '-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none',
    };
    return [
      {
        label: 'epmd',
        command: epmd()!,
        args: ['-port', String(ctx.ports.epmd), '-address', ctx.host],
        cwd: ctx.dir,
        env,
        waitForPort: ctx.ports.epmd,
        stopTimeoutMs: 2_000,
      },
      { label: 'rabbitmq-server', command: serverScript()!, args: [], cwd: ctx.dir, env, stopTimeoutMs: 60_000 },
    ];
  },

  async probe(ctx) {
    const amqp = await import('amqplib');
    const conn = await amqp.connect(url(ctx), { timeout: 2000 });
    try {
      const channel = await conn.createChannel();
      await channel.close();
    } finally {
      await conn.close().catch(() => undefined);
    }
  },

  info(ctx) {
    return {
      url: url(ctx),
      env: { AMQP_URL: url(ctx), RABBITMQ_URL: url(ctx) },
      connection: {
        protocol: 'amqp' as const, hostname: ctx.host, port: ctx.port,
        username: LOGIN.user, password: LOGIN.password, vhost: '/',
      },
      user: LOGIN.user,
      password: LOGIN.password,
    };
  },
};

function url(ctx: ServerContext): string {
  return `amqp://${LOGIN.user}:${LOGIN.password}@${ctx.host}:${ctx.port}`;
}
