// What every AWS SQS plugin shares: Kestra's connection properties, the client (failing fast: the
// trigger supervisor owns backoff), errors in plain words, message → trigger event, batched delete
// and the visibility keeper that holds messages invisible while their admission is pending.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { decode, eventFor, type SerdeType } from '../common/serde';
import { p, parseDuration } from '../schema';
import type { Logger, TriggerEvent } from '../types';

/** Kestra's AWS connection properties (AbstractConnectionInterface + SqsConnectionInterface). */
export const connectionProps = {
  queueUrl: p.string('The SQS queue URL. The queue must already exist.'),
  region: p.string('AWS region with which the SDK should communicate.').optional(),
  accessKeyId: p.string('Access Key Id in order to connect to AWS. Without it, the default AWS credentials chain is used.').optional(),
  secretKeyId: p.string('Secret Key Id in order to connect to AWS.').optional(),
  sessionToken: p.string('AWS session token, for temporary credentials.').optional(),
  endpointOverride: p.string('The endpoint with which the SDK should communicate (ElasticMQ, LocalStack, a VPC endpoint …).').optional(),
  stsRoleArn: p.string('AWS STS role to assume (accepted; Peregrine uses the given or default credentials).').optional(),
  stsRoleExternalId: p.string('AWS STS external id (accepted, not used).').optional(),
  stsRoleSessionName: p.string('AWS STS session name (accepted, not used).').optional(),
  stsRoleSessionDuration: p.duration('AWS STS session duration (accepted, not used).').optional(),
  stsEndpointOverride: p.string('AWS STS endpoint (accepted, not used).').optional(),
  compatibilityMode: p.bool('S3 compatibility mode (accepted, not used by SQS).').optional(),
  forcePathStyle: p.bool('S3 path-style access (accepted, not used by SQS).').optional(),
  maxConcurrency: p.int('Maximum concurrent HTTP requests of the client.').optional(),
  connectionAcquisitionTimeout: p.duration('How long to wait for a pooled connection (accepted, not used).').optional(),
};

export const serdeTypeProp = z.enum(['STRING', 'JSON']).default('STRING').describe('The serializer/deserializer to use.');

/** Kestra's visibilityTimeout is a number of seconds; an ISO duration is accepted too. */
export const visibilityTimeoutProp = z
  .union([p.int(), p.duration()])
  .describe('How long (seconds) a received message stays invisible to other consumers.');

export const connectionSchema = z.object(connectionProps);
export type ConnectionProps = z.infer<typeof connectionSchema>;

const IGNORED = ['stsRoleArn', 'stsRoleExternalId', 'stsRoleSessionName', 'stsRoleSessionDuration', 'stsEndpointOverride', 'compatibilityMode', 'forcePathStyle', 'connectionAcquisitionTimeout'] as const;

/** Says once, in the trigger's or task's log, which Kestra properties are accepted but have no effect here. */
export function noteIgnored(props: ConnectionProps, logger: Logger): void {
  const set = IGNORED.filter((k) => props[k] !== undefined);
  if (set.length) logger.warn(`${set.join(', ')}: accepted for Kestra compatibility but not used by Peregrine (it uses the given keys or the default AWS credentials chain)`);
}

export function createClient(props: ConnectionProps & { clientRetryMaxAttempts?: number }, longPollSeconds = 0): SQSClient {
  // The SDK warns once per process that its 2027 releases will need Node 22: nothing a flow's
  // author can act on, so it stays out of their console (an explicit setting wins).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { accessKeyId, secretKeyId, sessionToken } = props;
  if (Boolean(accessKeyId) !== Boolean(secretKeyId)) {
    throw new Error('accessKeyId and secretKeyId go together: set both, or neither to use the default AWS credentials chain');
  }
  return new SQSClient({
    ...(props.region ? { region: props.region } : {}),
    ...(props.endpointOverride ? { endpoint: props.endpointOverride } : {}),
    ...(accessKeyId && secretKeyId ? { credentials: { accessKeyId, secretAccessKey: secretKeyId, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    maxAttempts: Math.max(1, Number(props.clientRetryMaxAttempts ?? 3)),
    requestHandler: {
      connectionTimeout: 5000,
      requestTimeout: (longPollSeconds + 15) * 1000,
      throwOnRequestTimeout: true,
      ...(typeof props.maxConcurrency === 'number' ? { httpAgent: { maxSockets: props.maxConcurrency }, httpsAgent: { maxSockets: props.maxConcurrency } } : {}),
    },
  });
}

/** Turns AWS SDK errors into plain words (keeps network error codes for the supervisor's wording). */
export function sqsError(e: unknown, queueUrl: string): unknown {
  const err = e as { name?: string; message?: string; code?: string; Code?: string };
  if (!err || typeof err !== 'object') return e;
  // The AWS SDK's own timeouts (a black-holed network): said in plain words, without its module prefix.
  const timeout = /exceeded the configured (\d+) ms requestTimeout|socket timed out after (\d+) ms of inactivity/.exec(err.message ?? '');
  if (err.name === 'TimeoutError' && timeout) {
    const seconds = Number(timeout[1] ?? timeout[2]) / 1000;
    return Object.assign(new Error(`SQS did not answer a request on ${queueUrl} within ${seconds} s: the connection is considered dead`), { cause: e });
  }
  if (err.code) return e; // ECONNREFUSED & co: the supervisor words them
  const name = err.name ?? err.Code ?? '';
  let text: string | undefined;
  if (/QueueDoesNotExist|NonExistentQueue/.test(name)) text = `the SQS queue ${queueUrl} does not exist (create it first: Kestra's SQS plugins never create queues)`;
  else if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature|AccessDenied|AuthFailure|ExpiredToken|MissingAuthenticationToken/.test(name)) {
    text = `AWS refused the credentials or the permission for ${queueUrl}: ${err.message ?? name}`;
  } else if (/CredentialsProviderError/.test(name)) text = `no AWS credentials: set accessKeyId and secretKeyId, or configure the default AWS credentials chain (${err.message ?? name})`;
  else if (/Region is missing/i.test(err.message ?? '')) text = 'no AWS region: set the region property (or AWS_REGION)';
  if (!text) return e;
  const out = new Error(text);
  (out as Error & { cause?: unknown }).cause = e;
  return out;
}

export const visibilitySeconds = (v: number | string | undefined, fallback = 30): number => {
  if (typeof v === 'number') return Math.max(0, Math.round(v));
  if (typeof v === 'string') {
    const ms = parseDuration(v);
    if (ms !== undefined) return Math.max(0, Math.round(ms / 1000));
  }
  return fallback;
};

/**
 * Checks the queue answers (and exists) before the consumer reports RUNNING; also used to read the
 * backlog. Resolves with the number of messages waiting.
 */
export async function checkQueue(client: SQSClient, queueUrl: string, signal?: AbortSignal): Promise<number | undefined> {
  try {
    const r = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      signal ? { abortSignal: signal as never } : {},
    );
    const n = Number(r.Attributes?.ApproximateNumberOfMessages);
    return Number.isFinite(n) ? n : undefined;
  } catch (e) {
    throw sqsError(e, queueUrl);
  }
}

/** `trigger.*` of one message: Kestra's `data`, plus the SQS identity and attributes. */
export function messageEvent(m: Message, serde: SerdeType): TriggerEvent {
  const messageAttributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = v.StringValue ?? (v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : '');
  }
  const event = eventFor(
    decode(m.Body ?? '', serde),
    'data',
    { messageId: m.MessageId, messageAttributes, attributes: { ...(m.Attributes ?? {}) } },
    m.MessageId,
  );
  const sent = Number(m.Attributes?.SentTimestamp);
  if (Number.isFinite(sent) && sent > 0) event.eventTime = sent;
  return event;
}

/** The value a record takes in a polling batch file: the decoded body, or the failure with the raw text. */
export function messageRecord(m: Message, serde: SerdeType): unknown {
  const d = decode(m.Body ?? '', serde);
  return d.ok ? d.value : { error: d.reason, raw: d.raw, messageId: m.MessageId };
}

function chunks<T>(items: T[], size = 10): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deletes messages (10 per request). Returns how many could not be deleted. */
export async function deleteMessages(client: SQSClient, queueUrl: string, messages: Message[], logger: Logger): Promise<number> {
  let failed = 0;
  await Promise.all(
    chunks(messages).map(async (batch) => {
      try {
        const r = await client.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
        if (r.Failed?.length) {
          failed += r.Failed.length;
          logger.warn(`SQS could not delete ${r.Failed.length} admitted message(s) (${r.Failed[0].Message ?? r.Failed[0].Code}); if they come back, their message id is already known and they will not run twice`);
        }
      } catch (e) {
        failed += batch.length;
        logger.warn(`SQS could not delete ${batch.length} admitted message(s): ${(e as Error).message}; if they come back, their message id is already known and they will not run twice`);
      }
    }),
  );
  return failed;
}

/** Sets the visibility of messages (0: give them back to the queue now). Best effort. */
export async function changeVisibility(client: SQSClient, queueUrl: string, messages: Message[], seconds: number): Promise<void> {
  await Promise.all(
    chunks(messages).map((batch) =>
      client
        .send(new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: seconds })),
        }))
        .catch(() => undefined),
    ),
  );
}

/**
 * Keeps received messages invisible while their admission is pending: every half visibility
 * timeout, their visibility is extended by another full timeout. Without it, an admission slower
 * than the timeout would let SQS hand the same message to another receive.
 */
export class VisibilityKeeper {
  private readonly held = new Map<string, Message>();
  private timer?: NodeJS.Timeout;
  extensions = 0;

  constructor(private readonly client: SQSClient, private readonly queueUrl: string, private readonly seconds: number, private readonly logger: Logger) {}

  hold(messages: Message[]): void {
    for (const m of messages) if (m.ReceiptHandle) this.held.set(m.ReceiptHandle, m);
    if (!this.timer && this.seconds > 0 && this.held.size) this.arm();
  }

  release(messages: Message[]): void {
    for (const m of messages) if (m.ReceiptHandle) this.held.delete(m.ReceiptHandle);
    if (!this.held.size) this.disarm();
  }

  stop(): void {
    this.held.clear();
    this.disarm();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const messages = [...this.held.values()];
      if (!messages.length) return;
      this.extensions++;
      this.logger.debug(`Extending the visibility of ${messages.length} message(s) whose admission is still pending`);
      void changeVisibility(this.client, this.queueUrl, messages, this.seconds).finally(() => {
        if (this.held.size && !this.timer) this.arm();
      });
    }, Math.max(200, (this.seconds * 1000) / 2));
    this.timer.unref?.();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
