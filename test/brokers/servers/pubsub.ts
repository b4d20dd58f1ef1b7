// Google Cloud Pub/Sub from Google's in-memory fake (pstest), wrapped by test/brokers/pubsub/
// and built by install.sh. Nothing survives a restart: pstest keeps everything in memory.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths';
import type { ServerContext, ServerDef } from '../server';

export const PUBSUB_PROJECT = 'peregrine-test';

const binary = () => join(cacheDir(), 'pubsub', 'pstest-server');
function installed(): boolean {
  try {
    accessSync(binary(), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
const hostPort = (ctx: ServerContext) => `${ctx.host}:${ctx.port}`;

export const pubsub: ServerDef<'pubsub'> = {
  name: 'pubsub',
  portRoles: ['grpc'],
  missing: () => (installed() ? undefined : `${binary()} (Go, built by install.sh)`),

  launch: (ctx) => [{
    label: 'pstest-server', command: binary(), args: ['-host', ctx.host, '-port', String(ctx.port)], cwd: ctx.dir,
  }],

  async probe(ctx) {
    const { PubSub } = await import('@google-cloud/pubsub');
    const client = new PubSub(connection(ctx));
    try {
      const [topic] = await client.createTopic(`peregrine-ready-${process.pid}-${Date.now()}`);
      await topic.delete();
    } finally {
      await client.close();
    }
  },

  info(ctx) {
    return {
      url: `http://${hostPort(ctx)}`,
      env: {
        PUBSUB_EMULATOR_HOST: hostPort(ctx), PUBSUB_PROJECT_ID: PUBSUB_PROJECT, GOOGLE_CLOUD_PROJECT: PUBSUB_PROJECT,
        // Without credentials, google-auth-library probes the GCE metadata server (a
        // non-loopback address) to learn the universe domain; this turns that off.
        METADATA_SERVER_DETECTION: 'none',
      },
      connection: connection(ctx),
    };
  },
};

/**
 * Client options for the emulator. `universeDomain` is given so that the client never asks
 * Application Default Credentials for it, which would probe the GCE metadata server.
 */
function connection(ctx: ServerContext) {
  return {
    projectId: PUBSUB_PROJECT, apiEndpoint: hostPort(ctx), emulatorMode: true as const,
    universeDomain: 'googleapis.com',
  };
}
