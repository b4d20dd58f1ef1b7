// AMQP producer and administration tasks: Publish, DeclareExchange, CreateQueue, QueueBind.
import type { ConfirmChannel } from 'amqplib';
import { z } from 'zod';
import { messagesFrom } from '../common/messages-from';
import type { SerdeType } from '../common/serde';
import { p } from '../schema';
import type { TaskDefinition } from '../types';
import { connectionProps, withChannel, type ConnectionProps } from './connection';
import { MESSAGE_FIELDS, outgoing } from './message';

const CONNECTION_EXAMPLE = `    host: localhost
    port: 5672
    username: guest
    password: "{{ secret('AMQP_PASSWORD') }}"
    virtualHost: /`;

export const amqpPublish: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.amqp.Publish',
  title: 'AMQP Publish',
  description:
    'Publishes one or more messages to a RabbitMQ exchange with a routing key. The task ends once the broker has confirmed every message (publisher confirms); messages no queue received are reported in the log.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({
    ...connectionProps,
    exchange: z.string().describe('The exchange to publish to ("" is the default exchange, which routes by queue name).'),
    routingKey: z.string().describe('The routing key (default "").').optional(),
    from: z
      .union([z.string(), z.array(z.any()), z.record(z.string(), z.any())])
      .describe(`A message, a list of messages, a kestra:// URI of a file of messages (one JSON per line) or a JSON string. A message has ${MESSAGE_FIELDS.join(', ')}.`),
    serdeType: p.enum(['STRING', 'JSON'] as const, 'How `data` is written: STRING (text) or JSON.').default('STRING'),
  }),
  outputs: { messagesCount: 'How many messages were published' },
  examples: [{
    title: 'Publish two messages with headers and properties',
    code: `id: amqp_publish
namespace: company.team
tasks:
  - id: publish
    type: io.kestra.plugin.amqp.Publish
${CONNECTION_EXAMPLE}
    exchange: orders
    routingKey: eu
    serdeType: JSON
    from:
      - data: {"id": 1, "amount": 42}
        messageId: order-1
        headers:
          source: kestra
        deliveryMode: 2
      - data: {"id": 2, "amount": 7}
        messageId: order-2
        appId: shop`,
  }],
  async run(ctx, props: ConnectionProps & { exchange: string; routingKey?: string; from: unknown; serdeType: SerdeType }) {
    const messages = messagesFrom(props.from, ctx.services.storage, { what: 'a message {data, …}', text: 'json' }).map((m, i) => outgoing(m, props.serdeType, i));
    const routingKey = props.routingKey ?? '';
    let unroutable = 0;
    await withChannel(props, async (raw) => {
      const ch = raw as ConfirmChannel;
      ch.on('return', () => unroutable++);
      for (const m of messages) {
        // mandatory: a message no queue takes comes back and is counted, instead of vanishing silently.
        if (!ch.publish(props.exchange, routingKey, m.content, { ...m.options, mandatory: true })) {
          await new Promise<void>((resolve) => ch.once('drain', () => resolve()));
        }
      }
      await ch.waitForConfirms();
    }, true);
    if (unroutable) {
      ctx.logger.warn(`${unroutable} of ${messages.length} message(s) were not routed to any queue (exchange "${props.exchange}", routing key "${routingKey}"): RabbitMQ dropped them. Bind a queue to the exchange (io.kestra.plugin.amqp.QueueBind).`);
    }
    ctx.logger.info(`Published ${messages.length} message(s) to exchange "${props.exchange}" with routing key "${routingKey}"`);
    return { messagesCount: messages.length };
  },
};

const argsProp = (what: string) => p.map(`Other arguments of the ${what} (x-message-ttl, x-queue-type …).`).optional();

export const amqpDeclareExchange: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.amqp.DeclareExchange',
  title: 'AMQP DeclareExchange',
  description: 'Declares (creates if missing) a RabbitMQ exchange.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({
    ...connectionProps,
    name: z.string().describe('The name of the exchange.'),
    exchangeType: p.enum(['DIRECT', 'FANOUT', 'TOPIC', 'HEADERS'] as const, 'The exchange type.').default('DIRECT'),
    durability: p.bool('Declare a durable exchange (it survives a broker restart).').default(true),
    autoDelete: p.bool('Delete the exchange when no queue is bound to it any more.').default(false),
    internal: p.bool('An internal exchange cannot be published to directly by clients.').default(false),
    args: argsProp('exchange'),
  }),
  outputs: { exchange: 'The exchange name' },
  examples: [{
    title: 'Declare a topic exchange',
    code: `id: amqp_declare_exchange
namespace: company.team
tasks:
  - id: exchange
    type: io.kestra.plugin.amqp.DeclareExchange
${CONNECTION_EXAMPLE}
    name: orders
    exchangeType: TOPIC`,
  }],
  async run(ctx, props: ConnectionProps & { name: string; exchangeType: string; durability: boolean; autoDelete: boolean; internal: boolean; args?: Record<string, unknown> }) {
    await withChannel(props, (ch) =>
      ch.assertExchange(props.name, props.exchangeType.toLowerCase(), {
        durable: props.durability, autoDelete: props.autoDelete, internal: props.internal, arguments: props.args ?? {},
      }));
    ctx.logger.info(`Exchange "${props.name}" (${props.exchangeType}) declared`);
    return { exchange: props.name };
  },
};

export const amqpCreateQueue: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.amqp.CreateQueue',
  title: 'AMQP CreateQueue',
  description: 'Declares (creates if missing) a RabbitMQ queue.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({
    ...connectionProps,
    name: z.string().describe('The name of the queue.'),
    durability: p.bool('Declare a durable queue (it survives a broker restart).').default(true),
    exclusive: p.bool('An exclusive queue belongs to this connection only (and goes away with it).').default(false),
    autoDelete: p.bool('Delete the queue when its last consumer goes away.').default(false),
    args: argsProp('queue'),
  }),
  outputs: { queue: 'The queue name' },
  examples: [{
    title: 'Create a durable queue with a message TTL',
    code: `id: amqp_create_queue
namespace: company.team
tasks:
  - id: queue
    type: io.kestra.plugin.amqp.CreateQueue
${CONNECTION_EXAMPLE}
    name: orders.eu
    args:
      x-message-ttl: 3600000`,
  }],
  async run(ctx, props: ConnectionProps & { name: string; durability: boolean; exclusive: boolean; autoDelete: boolean; args?: Record<string, unknown> }) {
    if (props.exclusive) ctx.logger.warn(`Queue "${props.name}" is exclusive: it is deleted when this task's connection closes, right after the task`);
    const ok = await withChannel(props, (ch) =>
      ch.assertQueue(props.name, { durable: props.durability, exclusive: props.exclusive, autoDelete: props.autoDelete, arguments: props.args ?? {} }));
    ctx.logger.info(`Queue "${ok.queue}" declared (${ok.messageCount} message(s) waiting, ${ok.consumerCount} consumer(s))`);
    return { queue: ok.queue };
  },
};

export const amqpQueueBind: TaskDefinition = {
  kind: 'task',
  type: 'io.kestra.plugin.amqp.QueueBind',
  title: 'AMQP QueueBind',
  description: 'Binds a RabbitMQ queue to an exchange with a routing key.',
  category: 'AMQP',
  icon: 'rabbitmq',
  props: z.object({
    ...connectionProps,
    exchange: z.string().describe('The exchange to bind with.'),
    queue: z.string().describe('The queue to bind.'),
    routingKey: z.string().describe('The routing key of the binding (default "").').optional(),
    args: p.map('Other binding arguments (x-match for a headers exchange …).').optional(),
  }),
  outputs: { queue: 'The queue name', exchange: 'The exchange name' },
  examples: [{
    title: 'Route the European orders to their queue',
    code: `id: amqp_queue_bind
namespace: company.team
tasks:
  - id: bind
    type: io.kestra.plugin.amqp.QueueBind
${CONNECTION_EXAMPLE}
    exchange: orders
    queue: orders.eu
    routingKey: eu`,
  }],
  async run(ctx, props: ConnectionProps & { exchange: string; queue: string; routingKey?: string; args?: Record<string, unknown> }) {
    await withChannel(props, (ch) => ch.bindQueue(props.queue, props.exchange, props.routingKey ?? '', props.args ?? {}));
    ctx.logger.info(`Queue "${props.queue}" bound to exchange "${props.exchange}" with routing key "${props.routingKey ?? ''}"`);
    return { queue: props.queue, exchange: props.exchange };
  },
};
