// SQS from ElasticMQ (jars from Maven Central), queues and messages stored in the temporary
// folder so they survive restart().
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jarDir } from '../paths';
import type { ServerContext, ServerDef } from '../server';
import { classpath, java, jvmOptions } from './java';

export const SQS_REGION = 'us-east-1';
export const SQS_CREDENTIALS = { accessKeyId: 'peregrine', secretAccessKey: 'peregrine' };

const file = (ctx: ServerContext, name: string) => join(ctx.dir, name);

export const sqs: ServerDef<'sqs'> = {
  name: 'sqs',
  portRoles: ['http'],
  missing() {
    if (!java()) return 'java (Java 17)';
    if (!jarDir('elasticmq')) return 'ElasticMQ jars (Maven Central, copied by install.sh)';
    return undefined;
  },

  async prepare(ctx) {
    const conf = `
include classpath("application.conf")
node-address { protocol = "http", host = "${ctx.host}", port = ${ctx.port}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${ctx.port}, bind-hostname = "${ctx.host}", sqs-limits = strict }
generate-node-address = false
queues-storage { enabled = true, path = "${file(ctx, 'queues.conf')}" }
# WRITE_DELAY=0: H2 writes each commit at once (default: within 500 ms), so acknowledged messages survive a SIGKILL
messages-storage { enabled = true, uri = "jdbc:h2:${file(ctx, 'messages')};WRITE_DELAY=0" }
aws { region = "${SQS_REGION}", accountId = "000000000000" }
`;
    writeFileSync(file(ctx, 'elasticmq.conf'), conf);
  },

  launch: (ctx) => [{
    label: 'elasticmq',
    command: java()!,
    args: [
      ...jvmOptions(), `-Dconfig.file=${file(ctx, 'elasticmq.conf')}`,
      '-cp', classpath(jarDir('elasticmq')!), 'org.elasticmq.server.Main',
    ],
    cwd: ctx.dir,
  }],

  async probe(ctx) {
    const { SQSClient, ListQueuesCommand } = await import('@aws-sdk/client-sqs');
    const client = new SQSClient({ ...connection(ctx), maxAttempts: 1 });
    try {
      await client.send(new ListQueuesCommand({}));
    } finally {
      client.destroy();
    }
  },

  info(ctx) {
    const url = `http://${ctx.host}:${ctx.port}`;
    return {
      url,
      env: {
        AWS_ENDPOINT_URL_SQS: url, AWS_REGION: SQS_REGION,
        AWS_ACCESS_KEY_ID: SQS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: SQS_CREDENTIALS.secretAccessKey,
      },
      connection: connection(ctx),
    };
  },
};

function connection(ctx: ServerContext) {
  return { endpoint: `http://${ctx.host}:${ctx.port}`, region: SQS_REGION, credentials: { ...SQS_CREDENTIALS } };
}
