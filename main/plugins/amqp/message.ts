// AMQP messages as Kestra shows them (io.kestra.plugin.amqp.models.Message): the decoded `data`
// and the message properties, and the way back for Publish.
import type { Message, Options } from 'amqplib';
import { decode, eventFor, type Decoded, type SerdeType } from '../common/serde';
import { parseDuration } from '../schema';
import type { TriggerEvent } from '../types';
import { headerText, isoDuration, isoInstant } from './connection';

/** The message's properties under Kestra's names; absent properties are left out, as Kestra does. */
export function propertiesOf(msg: Message): Record<string, unknown> {
  const p = msg.properties;
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null) out[k] = v;
  };
  set('contentType', p.contentType);
  set('contentEncoding', p.contentEncoding);
  if (p.headers && Object.keys(p.headers).length) {
    out.headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, headerText(v)]));
  }
  set('deliveryMode', p.deliveryMode);
  set('priority', p.priority);
  set('messageId', p.messageId);
  set('correlationId', p.correlationId);
  set('replyTo', p.replyTo);
  if (p.expiration !== undefined && p.expiration !== null && String(p.expiration) !== '' && !Number.isNaN(Number(p.expiration))) {
    out.expiration = isoDuration(Number(p.expiration));
  }
  if (typeof p.timestamp === 'number') out.timestamp = dateMs(p.timestamp) === undefined ? p.timestamp : isoInstant(p.timestamp * 1000);
  set('type', p.type);
  set('userId', p.userId);
  set('appId', p.appId);
  return out;
}

/** The broker's identity of a message: the publisher's messageId, when it set one. */
export function identityOf(msg: Message): string | undefined {
  const id = msg.properties.messageId;
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

/** One message → one realtime event: `trigger.data` plus the properties; unreadable → FAILED execution. */
export function eventOf(msg: Message, serde: SerdeType): TriggerEvent {
  const event = eventFor(decode(msg.content, serde), 'data', propertiesOf(msg), identityOf(msg));
  const eventTime = dateMs(msg.properties.timestamp);
  if (eventTime !== undefined) event.eventTime = eventTime;
  return event;
}

/**
 * The AMQP timestamp (seconds, 64 bits) in milliseconds, when a JavaScript date can hold it. Beyond
 * ±275,760 years a Date is invalid and formatting it throws: such a message would fail every time it
 * is redelivered, so its timestamp stays the number the publisher sent.
 */
function dateMs(seconds: unknown): number | undefined {
  if (typeof seconds !== 'number') return undefined;
  const ms = seconds * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

/** One message → one line of a batch file (Kestra writes the Message object). */
export function recordOf(msg: Message, serde: SerdeType): Record<string, unknown> {
  const d: Decoded = decode(msg.content, serde);
  return d.ok ? { ...propertiesOf(msg), data: d.value } : { ...propertiesOf(msg), error: d.reason, raw: d.raw };
}

// ── Publish ───────────────────────────────────────────────────────────────────

/** The fields a message to publish may have (Kestra's Message). */
export const MESSAGE_FIELDS = [
  'data', 'contentType', 'contentEncoding', 'headers', 'deliveryMode', 'priority', 'messageId', 'correlationId',
  'replyTo', 'expiration', 'timestamp', 'type', 'userId', 'appId',
] as const;

export interface OutgoingMessage { content: Buffer; options: Options.Publish }

/** Builds the body and properties of one message of Publish's `from`. */
export function outgoing(item: unknown, serde: SerdeType, index: number): OutgoingMessage {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    throw new Error(`from[${index}] must be a message such as {data: …, headers: {…}}, not ${JSON.stringify(item)}`);
  }
  const m = item as Record<string, unknown>;
  const unknown = Object.keys(m).filter((k) => !(MESSAGE_FIELDS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new Error(`from[${index}] has unknown field(s) ${unknown.join(', ')}; a message has ${MESSAGE_FIELDS.join(', ')}`);
  }
  const options: Options.Publish = {};
  const str = (k: string) => (m[k] === undefined || m[k] === null ? undefined : String(m[k]));
  const int = (k: string) => {
    if (m[k] === undefined || m[k] === null) return undefined;
    const n = Number(m[k]);
    if (!Number.isInteger(n)) throw new Error(`from[${index}].${k} must be an integer, not ${JSON.stringify(m[k])}`);
    return n;
  };
  const assign = <K extends keyof Options.Publish>(k: K, v: Options.Publish[K] | undefined) => {
    if (v !== undefined) options[k] = v;
  };
  assign('contentType', str('contentType'));
  assign('contentEncoding', str('contentEncoding'));
  if (m.headers !== undefined && m.headers !== null) {
    if (typeof m.headers !== 'object' || Array.isArray(m.headers)) throw new Error(`from[${index}].headers must be a map`);
    options.headers = m.headers;
  }
  assign('deliveryMode', int('deliveryMode'));
  assign('priority', int('priority'));
  assign('messageId', str('messageId'));
  assign('correlationId', str('correlationId'));
  assign('replyTo', str('replyTo'));
  if (m.expiration !== undefined && m.expiration !== null) {
    const ms = typeof m.expiration === 'number' ? m.expiration : parseDuration(String(m.expiration));
    if (ms === undefined || ms < 0) throw new Error(`from[${index}].expiration must be an ISO-8601 duration such as PT30S`);
    options.expiration = String(Math.round(ms));
  }
  if (m.timestamp !== undefined && m.timestamp !== null) {
    const ms = typeof m.timestamp === 'number' ? m.timestamp : Date.parse(String(m.timestamp));
    if (Number.isNaN(ms)) throw new Error(`from[${index}].timestamp must be an ISO-8601 instant such as 2024-01-09T08:46:33Z`);
    options.timestamp = Math.floor(ms / 1000);
  }
  assign('type', str('type'));
  assign('userId', str('userId'));
  assign('appId', str('appId'));
  return { content: serialize(m.data, serde), options };
}

/** Kestra's serde: JSON writes JSON; STRING writes the text (other values as JSON). */
export function serialize(data: unknown, serde: SerdeType): Buffer {
  if (serde === 'JSON') return Buffer.from(JSON.stringify(data ?? null), 'utf8');
  if (data === undefined || data === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}
