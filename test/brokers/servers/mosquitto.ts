// Mosquitto: a config file in the temporary folder, persistence on (retained messages,
// persistent sessions and their queued QoS 1/2 messages survive a restart).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../paths';
import type { ServerContext, ServerDef } from '../server';

const binary = () => which('mosquitto');
const confFile = (ctx: ServerContext) => join(ctx.dir, 'mosquitto.conf');

export const mosquitto: ServerDef<'mosquitto'> = {
  name: 'mosquitto',
  portRoles: ['mqtt'],
  // Started as root, mosquitto would switch to this user anyway; we start it as that user.
  runAs: 'mosquitto',
  missing: () => (binary() ? undefined : 'mosquitto (Debian package mosquitto)'),

  async prepare(ctx) {
    const conf = [
      `listener ${ctx.port} ${ctx.host}`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${ctx.dir}/`,
      'persistence_file mosquitto.db',
      'autosave_interval 1',
      'max_queued_messages 100000',
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'log_timestamp_format %Y-%m-%dT%H:%M:%S',
      ...(ctx.asRoot ? ['user root'] : []),
    ];
    writeFileSync(confFile(ctx), conf.join('\n') + '\n');
  },

  launch: (ctx) => [{ label: 'mosquitto', command: binary()!, args: ['-c', confFile(ctx)], cwd: ctx.dir, runAs: ctx.runAs }],

  async probe(ctx) {
    const { connectAsync } = await import('mqtt');
    const client = await connectAsync({
      host: ctx.host, port: ctx.port, protocol: 'mqtt', connectTimeout: 2000, reconnectPeriod: 0,
      clientId: `peregrine-probe-${process.pid}-${Date.now()}`,
    });
    await client.endAsync();
  },

  info(ctx) {
    const url = `mqtt://${ctx.host}:${ctx.port}`;
    return {
      url,
      env: { MQTT_URL: url, MQTT_HOST: ctx.host, MQTT_PORT: String(ctx.port) },
      connection: { host: ctx.host, port: ctx.port, protocol: 'mqtt' as const },
    };
  },
};
