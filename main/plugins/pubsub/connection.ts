// What every Google Pub/Sub plugin shares: Kestra's GCP connection properties, the client (the
// emulator when PUBSUB_EMULATOR_HOST is set), the subscription set-up, errors in plain words and
// message → trigger event.
import { PubSub, type Message, type Subscription, type protos } from '@google-cloud/pubsub';
import { z } from 'zod';
import { decode, eventFor, type SerdeType } from '../common/serde';
import { p } from '../schema';
import type { Logger, TriggerContext, TriggerEvent } from '../types';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** Kestra's GcpInterface + PubSubConnectionInterface. */
export const connectionProps = {
  projectId: p.string('The GCP project id (default: PUBSUB_PROJECT_ID / GOOGLE_CLOUD_PROJECT, or the credentials).').optional(),
  serviceAccount: p.string('The GCP service account key, as JSON (default: Application Default Credentials).').optional(),
  impersonatedServiceAccount: p.string('The GCP service account to impersonate (accepted; not used by Peregrine).').optional(),
  scopes: z.array(z.string()).default([CLOUD_PLATFORM]).describe('The GCP scopes to be used.'),
  topic: p.string('The Pub/Sub topic. It must exist.'),
};

export const serdeTypeProp = z.enum(['STRING', 'JSON']).default('STRING').describe('The serializer/deserializer to use.');

export const subscriptionProps = {
  subscription: p.string('The Pub/Sub subscription; created when missing if autoCreateSubscription (default: one named after the flow and trigger).').optional(),
  autoCreateSubscription: p.bool('Create the subscription when it does not exist.').default(true),
};

export const connectionSchema = z.object(connectionProps);
export type ConnectionProps = z.infer<typeof connectionSchema>;
export interface SubscriptionProps { subscription?: string; autoCreateSubscription: boolean }

/** gRPC status codes the errors carry. */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

/** Where the client goes: the emulator when PUBSUB_EMULATOR_HOST is set, Google otherwise. */
export function emulatorHost(): string | undefined {
  return process.env.PUBSUB_EMULATOR_HOST || undefined;
}

export function createClient(props: ConnectionProps, logger?: Logger): PubSub {
  const credentials = props.serviceAccount ? parseServiceAccount(props.serviceAccount) : undefined;
  const projectId = props.projectId || process.env.PUBSUB_PROJECT_ID || process.env.GOOGLE_CLOUD_PROJECT || process.env.GCLOUD_PROJECT || credentials?.project_id;
  if (props.impersonatedServiceAccount) logger?.warn('impersonatedServiceAccount: accepted for Kestra compatibility but not used by Peregrine (it uses serviceAccount or the default credentials)');
  const emulator = emulatorHost();
  if (emulator) {
    if (!projectId) throw new Error('projectId is required with the Pub/Sub emulator (or set PUBSUB_PROJECT_ID)');
    if (credentials) logger?.debug(`serviceAccount is not used with the Pub/Sub emulator at ${emulator}`);
    // universeDomain given: the client never asks the GCE metadata server for it.
    return new PubSub({ projectId, apiEndpoint: emulator, emulatorMode: true, universeDomain: 'googleapis.com' });
  }
  return new PubSub({ ...(projectId ? { projectId } : {}), ...(credentials ? { credentials } : {}), scopes: props.scopes });
}

function parseServiceAccount(text: string): { client_email?: string; private_key?: string; project_id?: string } {
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch (e) {
    throw new Error(`serviceAccount is not a service account key: it must be the JSON of the key file (${(e as Error).message})`);
  }
  const k = key as { client_email?: unknown; private_key?: unknown; type?: unknown };
  if (!k || typeof k !== 'object' || typeof k.client_email !== 'string' || typeof k.private_key !== 'string') {
    throw new Error('serviceAccount is not a service account key: the JSON needs client_email and private_key');
  }
  return key as { client_email: string; private_key: string; project_id?: string };
}

/** Turns gRPC errors into plain words (the status code stays on the error). */
export function pubsubError(e: unknown, what: string): unknown {
  const err = e as { code?: unknown; details?: string; message?: string };
  if (!err || typeof err !== 'object' || typeof err.code !== 'number') return e;
  const detail = err.details || err.message || '';
  let text: string | undefined;
  if (err.code === NOT_FOUND) text = `${what} not found: ${detail}`;
  else if (err.code === PERMISSION_DENIED || err.code === UNAUTHENTICATED) text = `Google Cloud refused the credentials or the permission for ${what}: ${detail}`;
  else if (err.code === UNAVAILABLE) text = `Pub/Sub is unreachable${emulatorHost() ? ` at ${emulatorHost()} (PUBSUB_EMULATOR_HOST)` : ''}: ${detail}`;
  if (!text) return e;
  const out = new Error(text) as Error & { code?: number; cause?: unknown };
  out.code = err.code;
  out.cause = e;
  return out;
}

export const isUnavailable = (e: unknown): boolean => (e as { code?: unknown })?.code === UNAVAILABLE;

/** A subscription name when none is given: one per flow trigger, valid for Pub/Sub. */
export function defaultSubscription(ctx: Pick<TriggerContext, 'flow' | 'trigger'>, topic: string): string {
  const shortTopic = topic.slice(topic.lastIndexOf('/') + 1);
  const name = `peregrine-${ctx.flow.namespace}-${ctx.flow.id}-${ctx.trigger.id}-${shortTopic}`.replace(/[^A-Za-z0-9._~+%-]/g, '-');
  return name.slice(0, 255);
}

/**
 * The subscription to pull from: checked (and created on the topic when missing and
 * autoCreateSubscription), so that a missing topic or subscription is an error at start.
 */
export async function openSubscription(client: PubSub, props: ConnectionProps & SubscriptionProps, name: string, logger: Logger): Promise<void> {
  const sub = client.subscription(name);
  const topic = client.topic(props.topic);
  const timeout = { timeout: 10_000, maxRetries: 0 };
  try {
    const [meta] = await sub.getMetadata(timeout);
    if (meta.topic && meta.topic !== topic.name && meta.topic !== '_deleted-topic_') {
      throw new Error(`the Pub/Sub subscription ${name} belongs to ${meta.topic}, not to topic ${topic.name}: name another subscription`);
    }
    return;
  } catch (e) {
    if ((e as { code?: number }).code !== NOT_FOUND) throw pubsubError(e, `subscription ${name}`);
  }
  if (!props.autoCreateSubscription) throw new Error(`the Pub/Sub subscription ${name} does not exist (and autoCreateSubscription is false)`);
  try {
    await topic.createSubscription(name, { ackDeadlineSeconds: 10, gaxOpts: timeout });
    logger.info(`Created the Pub/Sub subscription ${name} on topic ${props.topic}`);
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code === ALREADY_EXISTS) return;
    if (code === NOT_FOUND) throw Object.assign(new Error(`the Pub/Sub topic ${props.topic} does not exist (create it first)`), { code, cause: e });
    throw pubsubError(e, `topic ${props.topic}`);
  }
}

/** How often a subscriber's connection is checked with a direct call, and how long that may take. */
const LIVENESS_MS = 15_000;
const LIVENESS_TIMEOUT_MS = 10_000;
const DEADLINE_EXCEEDED = 4;

/** Why a direct check failed: no answer at all (a dead link) reads differently from a refusal. */
function checkError(e: unknown, name: string, timeoutMs: number): unknown {
  const err = e as { code?: unknown; message?: string };
  // gax reports retries given up on an UNAVAILABLE server as DEADLINE_EXCEEDED too.
  if (err?.code !== DEADLINE_EXCEEDED || /UNAVAILABLE/.test(err.message ?? '')) {
    return pubsubError(err?.code === DEADLINE_EXCEEDED ? { ...err, code: UNAVAILABLE, details: err.message } : e, `subscription ${name}`);
  }
  return Object.assign(new Error(`Pub/Sub did not answer a check of subscription ${name} within ${timeoutMs / 1000} s: the connection is considered dead`), { cause: e });
}

/**
 * Reports a subscriber whose streams fail: `error` (NOT_FOUND, PERMISSION_DENIED …) at once;
 * an UNAVAILABLE stream (the client retries those by itself, silently) once a direct call confirms
 * the server is unreachable. A server that merely recycles a stream is not a failure. A stream on
 * a dead (black-holed) connection says nothing at all: a periodic direct call that gets no answer
 * reports it.
 */
export function watchSubscriber(sub: Subscription, name: string, onFailure: (e: unknown) => void): void {
  let checking = false;
  const check = (timeout: number) => {
    checking = true;
    sub.getMetadata({ timeout, maxRetries: 0 }).then(
      () => (checking = false),
      (e: unknown) => {
        clearInterval(liveness);
        onFailure(checkError(e, name, timeout));
      },
    );
  };
  const liveness = setInterval(() => checking || check(LIVENESS_TIMEOUT_MS), LIVENESS_MS);
  liveness.unref();
  sub.on('close', () => clearInterval(liveness));
  sub.on('error', (e: unknown) => onFailure(pubsubError(e, `subscription ${name}`)));
  sub.on('debug', (d: { error?: unknown }) => {
    if (!checking && isUnavailable(d?.error)) check(3000);
  });
}

/** One message, whichever way it came (streaming pull or synchronous pull). */
export interface Received {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string;
  /** Epoch milliseconds, when Pub/Sub tells it. */
  publishMs?: number;
  publishTime?: string;
}

export function fromMessage(m: Message): Received {
  const ms = m.publishTime ? m.publishTime.getTime() : NaN;
  return {
    id: m.id,
    data: m.data ?? Buffer.alloc(0),
    attributes: { ...(m.attributes ?? {}) },
    orderingKey: m.orderingKey ?? '',
    ...(Number.isFinite(ms) ? { publishMs: ms, publishTime: m.publishTime.toISOString() } : {}),
  };
}

export function fromPulled(m: protos.google.pubsub.v1.IPubsubMessage): Received {
  const seconds = Number(m.publishTime?.seconds ?? NaN);
  const nanos = Number(m.publishTime?.nanos ?? 0);
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  const data = m.data === undefined || m.data === null ? Buffer.alloc(0) : typeof m.data === 'string' ? Buffer.from(m.data, 'base64') : Buffer.from(m.data);
  let publishTime: string | undefined;
  if (Number.isFinite(ms)) {
    const iso = new Date(ms).toISOString();
    publishTime = `${iso.slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
  }
  return {
    id: String(m.messageId ?? ''),
    data,
    attributes: { ...(m.attributes ?? {}) },
    orderingKey: m.orderingKey ?? '',
    ...(Number.isFinite(ms) ? { publishMs: ms, publishTime } : {}),
  };
}

/** `trigger.*` of one message: Kestra's data, attributes, messageId, orderingKey, plus publishTime. */
export function messageEvent(m: Received, serde: SerdeType): TriggerEvent {
  const event = eventFor(
    decode(m.data, serde),
    'data',
    { messageId: m.id, attributes: m.attributes, orderingKey: m.orderingKey, publishTime: m.publishTime },
    m.id,
  );
  if (m.publishMs && m.publishMs > 0) event.eventTime = m.publishMs;
  return event;
}

/** The value a message takes in a polling batch file: Kestra's message {data, attributes, messageId, orderingKey}. */
export function messageRecord(m: Received, serde: SerdeType): unknown {
  const d = decode(m.data, serde);
  const base = { messageId: m.id, attributes: m.attributes, orderingKey: m.orderingKey, publishTime: m.publishTime };
  return d.ok ? { data: d.value, ...base } : { error: d.reason, raw: d.raw, ...base };
}
