// NATS tasks: Produce (publish messages), Request (request/reply) and Consume (pull a batch from
// JetStream into a file), with Kestra's names and outputs.
import crypto from 'node:crypto';
import { z } from 'zod';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from 'nats';
import { p, parseDuration } from '../schema';
import type { TaskContext, TaskDefinition } from '../types';
import { clientName, closeQuietly, connectionProps, connectNats, headersOf, parseNatsUrl, type ConnectionProps } from './connection';
import { messageRecord, openConsumer, subscribeProps, type SubscribeProps } from './jetstream';
import { pollDurationProp, pullBatch } from './trigger';
import { messagesFrom } from '../common/messages-from';
import { pollingProps, type PollingProps } from '../common/polling';

const fromProp = z
  .union([z.string(), z.array(z.any()), z.record(z.string(), z.any())])
  .describe('A message {headers, data}, a list of them, or a kestra:// URI of a file with one message per line (JSON).');

interface MessageSpec { headers?: Record<string, unknown>; data?: unknown }

/** Kestra's `from`: a map, a list of maps, or an internal-storage file of rows (a line that is not JSON is sent as text). */
function messagesOf(ctx: TaskContext, from: unknown): MessageSpec[] {
  return messagesFrom(from, ctx.services.storage, { what: 'a message {headers, data}', text: 'refuse', message: asMessage, plainLine: (line) => ({ data: line }) });
}

function asMessage(v: unknown): MessageSpec {
  if (v && typeof v === 'object' && !Array.isArray(v) && ('data' in v || 'headers' in v)) return v as MessageSpec;
  return { data: v };
}

function headersFor(spec: MessageSpec): MsgHdrs | undefined {
  const entries = Object.entries(spec.headers ?? {});
  if (!entries.length) return undefined;
  const h = natsHeaders();
  for (const [k, v] of entries) for (const one of Array.isArray(v) ? v : [v]) h.append(k, String(one));
  return h;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

async function withConnection<T>(ctx: TaskContext, props: ConnectionProps, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connectNats(props, clientName('task', { namespace: ctx.flow.namespace, flowId: ctx.flow.id, id: ctx.task.id }));
  try {
    return await fn(nc);
  } finally {
    await closeQuietly(nc, false);
  }
}

export const natsProduce: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.nats.Produce',
  aliases: ['io.kestra.plugin.nats.core.Produce'],
  title: 'NATS Produce',
  description: 'Publishes one or more messages (headers and data) to a NATS subject. When a JetStream stream captures the subject, the server stores them.',
  category: 'NATS',
  icon: 'nats',
  props: z.object({
    ...connectionProps,
    subject: z.string().min(1).describe('The subject to publish to.'),
    from: fromProp,
    serializationType: z
      .enum(['STRING', 'BASE64', 'BINARY'])
      .default('STRING')
      .describe('How data is sent: STRING (UTF-8 text), BASE64 (data is base64, sent decoded), BINARY (data is a kestra:// URI whose bytes are sent).'),
  }),
  outputs: { messagesCount: 'How many messages were published' },
  examples: [
    {
      title: 'Publish two messages to orders.new',
      code: `id: nats_produce
namespace: company.team
tasks:
  - id: produce
    type: io.kestra.plugin.nats.Produce
    url: nats://localhost:4222
    username: nats_user
    password: "{{ secret('NATS_PASSWORD') }}"
    subject: orders.new
    from:
      - headers:
          source: kestra
        data: '{"id": 1, "amount": 42}'
      - data: '{"id": 2, "amount": 7}'`,
    },
  ],
  async run(ctx, props: ConnectionProps & { subject: string; from: unknown; serializationType: 'STRING' | 'BASE64' | 'BINARY' }) {
    const messages = messagesOf(ctx, props.from);
    await withConnection(ctx, props, async (nc) => {
      for (const m of messages) {
        let data: Uint8Array;
        if (props.serializationType === 'BASE64') data = Buffer.from(text(m.data), 'base64');
        else if (props.serializationType === 'BINARY') data = ctx.services.storage.get(text(m.data));
        else data = Buffer.from(text(m.data), 'utf8');
        const h = headersFor(m);
        nc.publish(props.subject, data, h ? { headers: h } : undefined);
      }
      await nc.flush();
    });
    ctx.logger.info(`Published ${messages.length} message(s) to ${props.subject}`);
    return { messagesCount: messages.length };
  },
};

export const natsRequest: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.nats.Request',
  aliases: ['io.kestra.plugin.nats.core.Request'],
  title: 'NATS Request',
  description: 'Sends a request to a NATS subject and waits for the reply. The response is null when nobody answered in time.',
  category: 'NATS',
  icon: 'nats',
  props: z.object({
    ...connectionProps,
    subject: z.string().min(1).describe('The subject to send the request to.'),
    from: fromProp,
    requestTimeout: z
      .union([p.duration(), p.int()])
      .default('PT5S')
      .describe('How long to wait for the reply: an ISO-8601 duration, or a number of milliseconds. Default 5 s.'),
  }),
  outputs: { response: 'The reply as UTF-8 text, or null when no reply came (timeout or no responders)' },
  examples: [
    {
      title: 'Ask a service and use its reply',
      code: `id: nats_request_reply
namespace: company.team
tasks:
  - id: request
    type: io.kestra.plugin.nats.Request
    url: nats://localhost:4222
    subject: greet.bob
    from:
      headers:
        someHeaderKey: someHeaderValue
      data: Hello from Kestra!
    requestTimeout: PT2S
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.request.response }}"`,
    },
  ],
  async run(ctx, props: ConnectionProps & { subject: string; from: unknown; requestTimeout: string | number }) {
    const [message] = messagesOf(ctx, props.from);
    if (!message) throw new Error('from holds no message to send');
    const timeout = typeof props.requestTimeout === 'number' ? props.requestTimeout : parseDuration(props.requestTimeout) ?? 5000;
    return withConnection(ctx, props, async (nc) => {
      const h = headersFor(message);
      try {
        const reply = await nc.request(props.subject, Buffer.from(text(message.data), 'utf8'), { timeout, ...(h ? { headers: h } : {}) });
        const headers = headersOf(reply.headers as unknown as Iterable<[string, string[]]> | undefined);
        if (Object.keys(headers).length) ctx.logger.debug(`Reply headers: ${JSON.stringify(headers)}`);
        return { response: Buffer.from(reply.data).toString('utf8') };
      } catch (e) {
        const code = String((e as { code?: string }).code ?? '');
        if (code === 'TIMEOUT' || code === '503' || /timeout|no responders/i.test((e as Error).message)) {
          ctx.logger.warn(`No reply on ${props.subject} within ${timeout} ms (${code === '503' ? 'no responders' : 'timeout'})`);
          return { response: null };
        }
        throw e;
      }
    });
  },
};

export const natsConsume: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.nats.Consume',
  aliases: ['io.kestra.plugin.nats.core.Consume'],
  title: 'NATS Consume',
  description:
    'Pulls the messages waiting on a NATS JetStream subject into a file (JSON lines: subject, headers, data, timestamp), acknowledging them once the file is stored. Without durableId, a temporary consumer reads from deliverPolicy each run.',
  category: 'NATS',
  icon: 'nats',
  props: z.object({
    ...connectionProps,
    ...subscribeProps,
    pollDuration: pollDurationProp,
    maxRecords: pollingProps.maxRecords,
    maxDuration: pollingProps.maxDuration,
  }),
  outputs: { uri: 'The file of messages in internal storage (JSON lines)', messagesCount: 'How many messages it holds' },
  examples: [
    {
      title: 'Take what is waiting on kestra.> and count it',
      code: `id: nats_consume_messages
namespace: company.team
tasks:
  - id: consume
    type: io.kestra.plugin.nats.Consume
    url: nats://localhost:4222
    subject: kestra.>
    durableId: someDurableId
    pollDuration: PT5S
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.consume.messagesCount }} messages"`,
    },
  ],
  async run(ctx, props: ConnectionProps & SubscribeProps & Omit<PollingProps, 'interval'> & { pollDuration: string }) {
    const where = parseNatsUrl(props.url).servers.join(', ');
    return withConnection(ctx, props, async (nc) => {
      const opened = await openConsumer(nc, props, props.durableId, { owned: false, where });
      const taken = await pullBatch(opened, { ...props, interval: 'PT0S' }, { stopped: () => ctx.signal.aborted }, Number.POSITIVE_INFINITY);
      const name = `executions/${ctx.execution.id}/${ctx.taskRun.id}/nats-${crypto.randomBytes(4).toString('hex')}.jsonl`;
      const uri = ctx.services.storage.put(name, taken.map((m) => JSON.stringify(messageRecord(m)) + '\n').join(''));
      for (const m of taken) m.ack();
      await nc.flush();
      if (!props.durableId && opened.durable) {
        // A temporary consumer: remove it now rather than when the server notices it is idle.
        await (await nc.jetstreamManager()).consumers.delete(opened.stream, opened.durable).catch(() => {});
      }
      ctx.logger.info(`Consumed ${taken.length} message(s) from ${props.subject}`);
      return { uri, messagesCount: taken.length };
    });
  },
};
