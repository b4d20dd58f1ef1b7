// MQTT Publish: sends one message, a list of messages, or every line of an internal-storage file
// to a topic, and ends once the broker acknowledged them all (QoS 1 and 2).
import { z } from 'zod';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { messagesFrom } from '../common/messages-from';
import { p } from '../schema';
import type { Logger, TaskDefinition, TestMessage } from '../types';
import { closeClient, connectionProps, openClient, qosOf, serdeTypes, type ConnectionProps } from './connection';

interface PublishProps extends ConnectionProps {
  topic: string;
  from: unknown;
  retain: boolean;
  qos: number;
  serdeType: (typeof serdeTypes)[number];
  responseTopic?: string;
  correlationData?: string;
}

export const mqttPublish: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.mqtt.Publish',
  title: 'MQTT Publish',
  description:
    'Publishes messages to an MQTT topic: `from` is one message (a map or a value), a list of messages, or a kestra:// URI of a file with one JSON value per line. With QoS 1 and 2 the task ends once the broker acknowledged every message. Use a clientId of its own: a connection with the clientId of a trigger would take over (and reset) that trigger\'s session.',
  category: 'MQTT',
  icon: 'mqtt',
  props: z.object({
    ...connectionProps,
    topic: z.string().describe('The topic to publish to.'),
    from: p.any('The message (a map or a value), a list of messages, or a kestra:// URI of a file holding one JSON value per line.'),
    retain: p.bool('Whether the broker keeps the message as the retained message of the topic (an empty payload with retain clears it).').default(false),
    qos: p.int('The QoS of the messages: 0, 1 (default) or 2.').default(1),
    serdeType: p.enum(serdeTypes, 'How to write each message: JSON (default; a string holding a JSON object or list is sent as is), STRING (text as is), or BYTES (base64 text decoded to bytes).').default('JSON'),
    responseTopic: z.string().describe('MQTT 5: the topic the receiver should reply on.').optional(),
    correlationData: z.string().describe('MQTT 5: correlation data for a request/response exchange, as base64 text (plain text is sent as its UTF-8 bytes).').optional(),
  }),
  outputs: { messagesCount: 'How many messages were published' },
  examples: [
    {
      title: 'Publish a JSON reading, retained',
      code: `id: mqtt_publish
namespace: company.team

tasks:
  - id: publish
    type: io.kestra.plugin.mqtt.Publish
    server: tcp://localhost:1883
    clientId: peregrinePublisher
    topic: kestra/sensors/cpu
    serdeType: JSON
    retain: true
    from:
      type: sensors
      value: 1.23`,
    },
    {
      title: 'Forward each polled batch, message by message, to another topic',
      code: `id: mqtt_publish_file
namespace: company.team

tasks:
  - id: publish
    type: io.kestra.plugin.mqtt.Publish
    server: tcp://localhost:1883
    clientId: peregrineFilePublisher
    topic: orders/new
    qos: 1
    from: "{{ trigger.uri }}"

triggers:
  - id: batches
    type: io.kestra.plugin.mqtt.Trigger
    server: tcp://localhost:1883
    clientId: peregrineOrderBatches
    topic: orders/incoming
    interval: PT30S`,
    },
  ],
  async run(ctx, props: PublishProps) {
    const qos = qosOf(props.qos);
    const rows = messagesFrom(props.from, ctx.services.storage, { what: 'a message (a map or a value)', text: 'message' });
    const payloads = rows.map((r) => serialize(r, props.serdeType));
    if (!payloads.length) {
      ctx.logger.info('Nothing to publish: `from` holds no message');
      return { messagesCount: 0 };
    }
    const { client, protocolVersion } = await openClient(props, { clean: true, logger: ctx.logger, signal: ctx.signal });
    try {
      const publishOptions: IClientPublishOptions = { qos, retain: props.retain };
      if (props.responseTopic || props.correlationData) {
        if (protocolVersion !== 5) ctx.logger.warn('responseTopic and correlationData are MQTT 5 properties: they are not sent with MQTT 3.1.1');
        else {
          publishOptions.properties = {
            ...(props.responseTopic ? { responseTopic: props.responseTopic } : {}),
            ...(props.correlationData ? { correlationData: correlationBytes(props.correlationData) } : {}),
          };
        }
      }
      await publishAll(client, props.topic, payloads, publishOptions, ctx.signal);
      ctx.logger.info(`Published ${payloads.length} message(s) to ${props.topic} (QoS ${qos}${props.retain ? ', retained' : ''})`);
      return { messagesCount: payloads.length };
    } finally {
      await closeClient(client);
    }
  },
};

/** Publishes in order; resolves when every message is acknowledged, rejects when the connection drops. */
async function publishAll(client: MqttClient, topic: string, payloads: Buffer[], options: IClientPublishOptions, signal: AbortSignal): Promise<void> {
  let lastError: Error | undefined;
  const onError = (e: Error) => (lastError = e);
  client.on('error', onError);
  let onClose!: () => void;
  let onAbort!: () => void;
  const broken = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error(`the connection to the MQTT broker was lost while publishing${lastError ? `: ${lastError.message}` : ''}`));
    onAbort = () => reject(new Error('publishing was cancelled'));
  });
  client.once('close', onClose);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const WINDOW = 500; // mqtt.js queues the rest; keep memory bounded for big files
    for (let i = 0; i < payloads.length; i += WINDOW) {
      await Promise.race([Promise.all(payloads.slice(i, i + WINDOW).map((pl) => client.publishAsync(topic, pl, options))), broken]);
    }
  } finally {
    client.off('error', onError);
    client.off('close', onClose);
    signal.removeEventListener('abort', onAbort);
    broken.catch(() => {});
  }
}

/** JSON: values as JSON (a string that already is JSON text, e.g. a rendered map, is sent as is); STRING: text; BYTES: base64 text decoded. */
function serialize(row: unknown, serde: PublishProps['serdeType']): Buffer {
  if (typeof row === 'string') {
    if (serde === 'BYTES') return Buffer.from(row, 'base64');
    if (serde === 'STRING' || isJsonText(row)) return Buffer.from(row, 'utf8');
  }
  return Buffer.from(JSON.stringify(row ?? null), 'utf8');
}

function isJsonText(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

function correlationBytes(text: string): Buffer {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text) ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

/**
 * The inspector's "send test event": publishes one message to the trigger's first topic (or to
 * `key` when given), wildcards replaced by "test", headers as MQTT 5 user properties. It uses a
 * clientId of its own, so that the trigger's session is left alone.
 */
export async function publishTestMessage(props: ConnectionProps & { topic: string | string[]; qos?: number }, message: TestMessage, logger: Logger): Promise<void> {
  const first = (Array.isArray(props.topic) ? props.topic[0] : props.topic) ?? '';
  const topic = message.key || first.replace(/^\$share\/[^/]+\//, '').split('/').map((l) => (l === '+' || l === '#' ? 'test' : l)).join('/');
  if (!topic) throw new Error('no topic to publish the test message to');
  const clientId = `${props.clientId}-test-${Math.random().toString(36).slice(2, 8)}`;
  const { client, protocolVersion } = await openClient({ ...props, clientId }, { clean: true, logger });
  try {
    const options: IClientPublishOptions = { qos: props.qos === 0 ? 0 : 1 };
    if (protocolVersion === 5 && message.headers && Object.keys(message.headers).length) options.properties = { userProperties: message.headers };
    await publishAll(client, topic, [Buffer.from(message.payload, 'utf8')], options, new AbortController().signal);
  } finally {
    await closeClient(client);
  }
}
