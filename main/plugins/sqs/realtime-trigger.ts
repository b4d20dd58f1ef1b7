// AWS SQS RealtimeTrigger: one execution per message. A long-poll receive asks only for as many
// messages as the in-flight cap leaves room for (none at the cap); each received batch is admitted
// in one commit and only then deleted (DeleteMessageBatch). While an admission is pending its
// messages are kept invisible (ChangeMessageVisibilityBatch), and the MessageId is the dedup key,
// so a message SQS hands out twice never runs twice. Kestra deletes right after emitting instead.
import { ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { SerdeType } from '../common/serde';
import { p, parseDuration } from '../schema';
import type { TriggerContext, TriggerDefinition, TriggerHandle } from '../types';
import {
  changeVisibility, checkQueue, connectionProps, createClient, deleteMessages, messageEvent, noteIgnored, serdeTypeProp,
  sqsError, visibilitySeconds, visibilityTimeoutProp, VisibilityKeeper, type ConnectionProps,
} from './connection';

/** Received batches whose admission may overlap (keeps a burst fast without unbounded buffering). */
const PIPELINE = 8;
/** How often the queue's backlog is read for the health panel. */
const LAG_EVERY_MS = 5000;
/** Concurrent receives while a backlog is being drained (one long poll when the queue is idle). */
const RECEIVERS = 4;

export interface SqsRealtimeProps extends ConnectionProps {
  serdeType: SerdeType;
  waitTime: string;
  maxNumberOfMessage: number;
  autoDelete: boolean;
  visibilityTimeout: number | string;
  clientRetryMaxAttempts: number;
}

const props = z.object({
  ...connectionProps,
  serdeType: serdeTypeProp,
  waitTime: p.duration('How long one receive waits for a message (long polling, at most PT20S).').default('PT20S'),
  maxNumberOfMessage: p
    .int('The most messages one receive returns (1 to 10).')
    .refine((v) => typeof v !== 'number' || (v >= 1 && v <= 10), 'maxNumberOfMessage must be between 1 and 10')
    .default(5),
  autoDelete: p.bool('Delete each message once its execution is created.').default(true),
  visibilityTimeout: visibilityTimeoutProp.default(30),
  clientRetryMaxAttempts: p.int("The maximum number of attempts of the SQS client's retry strategy.").default(3),
});

export const sqsRealtimeTrigger: TriggerDefinition<SqsRealtimeProps> = {
  kind: 'trigger',
  mode: 'realtime',
  type: 'io.kestra.plugin.aws.sqs.RealtimeTrigger',
  title: 'AWS SQS (realtime)',
  description:
    'Starts one execution per message of an AWS SQS queue, within milliseconds. A message is deleted only once its execution is committed; ' +
    'its visibility is extended while that is pending, and its MessageId makes sure a redelivered message never runs twice. ' +
    'No message is received while the trigger is at its in-flight cap.',
  category: 'AWS SQS',
  icon: 'aws-sqs',
  props,
  outputs: {
    data: 'The message body, decoded as serdeType says (STRING: the text; JSON: the parsed value)',
    messageId: 'The SQS MessageId (also the dedup key)',
    messageAttributes: 'The message attributes, name → value (binary values in base64)',
    attributes: 'The SQS system attributes (SentTimestamp, ApproximateReceiveCount, SenderId …)',
  },
  examples: [{
    title: 'One execution per SQS message',
    code: `id: sqs_orders
namespace: company.team

tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "Order {{ trigger.data.order_id }} ({{ trigger.messageId }})"

triggers:
  - id: realtime_trigger
    type: io.kestra.plugin.aws.sqs.RealtimeTrigger
    accessKeyId: "{{ secret('AWS_ACCESS_KEY_ID') }}"
    secretKeyId: "{{ secret('AWS_SECRET_KEY_ID') }}"
    region: eu-central-1
    queueUrl: https://sqs.eu-central-1.amazonaws.com/000000000000/orders
    serdeType: JSON`,
  }],

  async start(ctx, props) {
    noteIgnored(props, ctx.logger);
    const waitSeconds = Math.min(20, Math.max(0, Math.round((parseDuration(props.waitTime) ?? 20_000) / 1000)));
    const visibility = visibilitySeconds(props.visibilityTimeout);
    const client = createClient(props, waitSeconds);
    let backlog: number | undefined;
    try {
      backlog = await checkQueue(client, props.queueUrl, ctx.signal);
    } catch (e) {
      client.destroy();
      throw e;
    }
    const consumer = new Consumer(ctx, props, client, waitSeconds, visibility);
    ctx.setState('RUNNING');
    // The lag the health shows: messages waiting in the queue, as SQS counts them.
    const lagTimer = setInterval(() => {
      checkQueue(client, props.queueUrl).then((n) => (backlog = n), () => {});
    }, LAG_EVERY_MS);
    lagTimer.unref?.();
    const loop = consumer.run().catch((e) => {
      if (!consumer.stopping) ctx.fail(sqsError(e, props.queueUrl));
    });
    // The client lives until the last receive has answered (its messages are handed back) and the
    // last admission has deleted its messages.
    void loop
      .then(() => consumer.drain())
      .finally(() => {
        clearInterval(lagTimer);
        client.destroy();
      });
    const handle: TriggerHandle = {
      lag: () => backlog,
      /** Messages visible in the queue, as SQS counts them (asked afresh: the watchdog needs it now). */
      backlog: async () => (backlog = await checkQueue(client, props.queueUrl)) ?? 0,
      stallForTest: () => consumer.stallForTest(),
      async stop() {
        clearInterval(lagTimer);
        // A long poll in progress is not aborted: SQS would still take a message for the dropped
        // request and hide it for the visibility timeout. It ends by itself within waitTime, and
        // whatever it brings is handed back at once. Admissions under way finish (then delete).
        consumer.stopping = true;
        await consumer.drain();
      },
    };
    return handle;
  },

  async publish(ctx, props, message) {
    const client = createClient(props);
    try {
      const attributes = { ...(message.headers ?? {}), ...(message.attributes ?? {}) };
      await client.send(new SendMessageCommand({
        QueueUrl: props.queueUrl,
        MessageBody: message.payload,
        ...(Object.keys(attributes).length
          ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }
          : {}),
      }));
    } catch (e) {
      throw sqsError(e, props.queueUrl);
    } finally {
      client.destroy();
    }
    ctx.logger.info(`Sent a test message to ${props.queueUrl}`);
  },
};

class Consumer {
  private _stopping = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly receiving = new Set<Promise<void>>();
  /** Room asked for by receives under way plus messages received and not yet admitted: both count against the cap. */
  private reserved = 0;
  /** Whether the last receive came back full: more receivers then help drain the backlog. */
  private backlog = false;
  private wakeHelpers: (() => void)[] = [];
  private readonly keeper: VisibilityKeeper;
  /** Test only: no receive is sent any more (a long poll that hangs), until stopped. */
  private stalled = false;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly props: SqsRealtimeProps,
    private readonly client: SQSClient,
    private readonly waitSeconds: number,
    private readonly visibility: number,
  ) {
    this.keeper = new VisibilityKeeper(client, props.queueUrl, visibility, ctx.logger);
    ctx.signal.addEventListener('abort', () => this.wake(), { once: true });
  }

  get stopping(): boolean {
    return this._stopping;
  }

  set stopping(v: boolean) {
    this._stopping = v;
    if (v) this.wake();
  }

  private get stopped(): boolean {
    return this._stopping || this.ctx.signal.aborted;
  }

  /** One long-poll receiver while the queue is idle; up to RECEIVERS while there is a backlog. */
  async run(): Promise<void> {
    await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => this.receive(i)));
  }

  private async receive(index: number): Promise<void> {
    const { ctx } = this;
    while (!this.stopped) {
      if (this.stalled || (index > 0 && !this.backlog)) {
        await new Promise<void>((resolve) => this.wakeHelpers.push(resolve));
        continue;
      }
      const room = Math.min(this.props.maxNumberOfMessage, ctx.maxInFlight - ctx.inFlight() - this.reserved);
      if (room <= 0 || this.pending.size >= PIPELINE) {
        // At the cap: no receive at all until a receive or an admission settles, or an execution ends.
        const busy = [...this.pending, ...this.receiving];
        if (busy.length) await Promise.race(busy);
        else await ctx.waitForCapacity(); // nothing reserved: room <= 0 means the cap is reached
        continue;
      }
      this.reserved += room;
      let messages: Message[];
      let settle!: () => void;
      const receiving = new Promise<void>((resolve) => (settle = resolve));
      this.receiving.add(receiving);
      try {
        const response = await this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.props.queueUrl,
            MaxNumberOfMessages: room,
            WaitTimeSeconds: this.waitSeconds,
            VisibilityTimeout: this.visibility,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        );
        messages = response.Messages ?? [];
      } finally {
        this.reserved -= room;
        this.receiving.delete(receiving);
        settle();
      }
      const full = messages.length >= room;
      if (full !== this.backlog) {
        this.backlog = full;
        if (full) this.wake();
      }
      if (!messages.length) continue;
      if (this.stopped) {
        // Stopped meanwhile: hand them back now rather than after the visibility timeout.
        await changeVisibility(this.client, this.props.queueUrl, messages, 0);
        break;
      }
      this.reserved += messages.length;
      const done: Promise<void> = this.admit(messages).finally(() => {
        this.reserved -= messages.length;
        this.pending.delete(done);
      });
      this.pending.add(done);
    }
  }

  /** Resolves once the receives under way have answered: from then on, nothing is received. */
  async stallForTest(): Promise<void> {
    this.stalled = true;
    await Promise.allSettled([...this.receiving]);
  }

  private wake(): void {
    this.wakeHelpers.splice(0).forEach((w) => w());
  }

  /** Waits for the admissions under way (their messages are then deleted). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    this.keeper.stop();
  }

  private async admit(messages: Message[]): Promise<void> {
    const { ctx, props } = this;
    this.keeper.hold(messages);
    try {
      const results = await ctx.admitMany(messages.map((m) => messageEvent(m, props.serdeType)));
      const again = results.filter((r) => r.duplicate).length;
      if (again) ctx.logger.debug(`${again} message(s) were delivered again by SQS and already have an execution: not run twice`);
    } catch (e) {
      this.keeper.release(messages);
      await changeVisibility(this.client, props.queueUrl, messages, 0); // not admitted: back to the queue now
      ctx.fail(e);
      return;
    }
    this.keeper.release(messages);
    if (props.autoDelete) await deleteMessages(this.client, props.queueUrl, messages, ctx.logger);
  }
}
