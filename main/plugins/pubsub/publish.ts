// Google Pub/Sub Publish: publishes one message, a list of messages, or every line of a kestra://
// JSON-lines file, and waits until Pub/Sub has accepted all of them.
import { z } from 'zod';
import { messagesFrom, parsedBy } from '../common/messages-from';
import type { TaskDefinition } from '../types';
import { connectionProps, createClient, pubsubError, serdeTypeProp, type ConnectionProps } from './connection';

const message = z
  .object({
    data: z.any().optional().describe('The message data: a string is sent as is; anything else as JSON (a message may carry attributes only).'),
    attributes: z.record(z.string(), z.any()).optional().describe('The message attributes.'),
    messageId: z.string().optional().describe('Accepted for Kestra compatibility; Pub/Sub assigns the id.'),
    orderingKey: z.string().optional().describe('The ordering key.'),
  })
  .strict();

type PubsubMessage = z.infer<typeof message>;

export interface PubsubPublishProps extends ConnectionProps {
  from: string | PubsubMessage | PubsubMessage[];
  serdeType: 'STRING' | 'JSON';
}

export const pubsubPublish: TaskDefinition<PubsubPublishProps> = {
  kind: 'task',
  type: 'io.kestra.plugin.gcp.pubsub.Publish',
  title: 'Google Pub/Sub Publish',
  description:
    'Publishes messages to a Google Cloud Pub/Sub topic: one message, a list of messages, or a kestra:// file of messages (one JSON ' +
    'object per line). Data is published as given (Kestra base64-encodes it first). Honours PUBSUB_EMULATOR_HOST.',
  category: 'Google Pub/Sub',
  icon: 'gcp-pubsub',
  props: z.object({
    ...connectionProps,
    from: z
      .union([z.string(), z.array(message), message])
      .describe('A message {data, attributes, orderingKey}, a list of them, or a kestra:// URI of a file with one message per line.'),
    serdeType: serdeTypeProp,
  }),
  outputs: { messagesCount: 'How many messages were published' },
  examples: [{
    title: 'Publish messages to a Pub/Sub topic',
    code: `id: pubsub_publish
namespace: company.team

tasks:
  - id: publish
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: my-project
    serviceAccount: "{{ secret('GCP_SERVICE_ACCOUNT_JSON') }}"
    topic: orders
    serdeType: JSON
    from:
      - data: {"order_id": 1, "total": 42.5}
        attributes:
          source: kestra
      - data: {"order_id": 2, "total": 7}
        orderingKey: customer-7`,
  }],

  async run(ctx, props) {
    const messages = messagesFrom(props.from, ctx.services.storage, { what: 'a message {data, attributes, orderingKey}', text: 'refuse', message: parsedBy(message) });
    const client = createClient(props, ctx.logger);
    try {
      const ordered = messages.some((m) => m.orderingKey);
      const topic = client.topic(props.topic, { messageOrdering: ordered, batching: { maxMessages: 100, maxMilliseconds: 10 } });
      await Promise.all(
        messages.map((m) =>
          topic.publishMessage({
            data: toBytes(m.data, props.serdeType),
            ...(m.attributes ? { attributes: Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) } : {}),
            ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
          }),
        ),
      );
    } catch (e) {
      throw pubsubError(e, `topic ${props.topic}`);
    } finally {
      await client.close().catch(() => {});
    }
    ctx.logger.info(`Published ${messages.length} message(s) to ${props.topic}`);
    return { messagesCount: messages.length };
  },
};

/** As Kestra: a string is sent as is; anything else is serialized (JSON for both serde types). */
function toBytes(data: unknown, _serde: 'STRING' | 'JSON'): Buffer {
  if (data === undefined || data === null) return Buffer.alloc(0);
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}

