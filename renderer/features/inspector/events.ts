// What the inspector reads from an event's `trigger.*` variables, for every broker family: a short
// label (topic / subject / key / partition@offset), the payload and the rest (metadata, headers),
// and the source's own event time when it gives one. Pure.

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined);

/** The field holding the message itself, by family: Kafka/Redis/SQS value, MQTT payload, webhook body, NATS/Pub/Sub data … */
const PAYLOAD_FIELDS = ['value', 'payload', 'body', 'data', 'message', 'record', 'after'];

export function payloadField(v: Record<string, unknown> | undefined): string | undefined {
  if (!v) return undefined;
  return PAYLOAD_FIELDS.find((f) => f in v);
}

export function payloadOf(v: Record<string, unknown> | undefined): unknown {
  const f = payloadField(v);
  return f ? v![f] : v;
}

/** Everything but the payload: topic, partition, offset, key, headers, properties, attributes … */
export function metadataOf(v: Record<string, unknown> | undefined): Record<string, unknown> {
  const f = payloadField(v);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v ?? {})) if (k !== f) out[k] = x;
  return out;
}

/** `orders · key=42 · p0@17`, `sensors/lab/temperature`, `orders.created`, `POST /hook` … */
export function eventLabel(v: Record<string, unknown> | undefined): string {
  if (!v) return '';
  if (v.truncated === true) return '(large payload)';
  const parts: string[] = [];
  const where = str(v.topic) ?? str(v.subject) ?? str(v.routingKey) ?? str(v.queue) ?? str(v.queueUrl) ?? str(v.subscription) ?? str(v.stream) ?? str(v.table) ?? str(v.exchange);
  if (where) parts.push(where);
  const key = str(v.key) ?? str(v.messageId) ?? str(v.id);
  if (key !== undefined) parts.push(`key=${key.length > 40 ? `${key.slice(0, 40)}…` : key}`);
  const partition = str(v.partition);
  const offset = str(v.offset);
  if (partition !== undefined && offset !== undefined) parts.push(`p${partition}@${offset}`);
  else if (str(v.seq) ?? str(v.sequence)) parts.push(`#${str(v.seq) ?? str(v.sequence)}`);
  if (!parts.length) {
    const op = str(v.op) ?? str(v.operation);
    if (op) parts.push(op);
  }
  if (!parts.length && str(v.date)) parts.push(`date=${str(v.date)}`);
  if (!parts.length) {
    const p = payloadOf(v);
    const text = typeof p === 'string' ? p : JSON.stringify(p);
    if (text) parts.push(text.length > 60 ? `${text.slice(0, 60)}…` : text);
  }
  return parts.join(' · ');
}

/** The source's own time of an event (Kafka timestamp, Pub/Sub publishTime, SQS SentTimestamp …) if plausible for `createdAt`. */
export function eventTimeOf(variables: Record<string, unknown> | undefined, createdAt: number): number | undefined {
  if (!variables) return undefined;
  const attrs = variables.attributes as Record<string, unknown> | undefined;
  for (const v of [variables.timestamp, variables.publishTime, variables.eventTime, variables.sentTimestamp, attrs?.SentTimestamp]) {
    let t: number | undefined;
    if (typeof v === 'number') t = v;
    else if (typeof v === 'string') t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (t === undefined || !Number.isFinite(t)) continue;
    if (t < 1e11) t *= 1000;
    if (t <= createdAt + 1000 && t >= createdAt - 86_400_000) return t;
  }
  return undefined;
}

/** The payload as text, the way it travelled (strings as they are, anything else as JSON). */
export function rawText(payload: unknown, pretty = false): string {
  if (typeof payload === 'string') return payload;
  if (payload === undefined) return '';
  return JSON.stringify(payload, null, pretty ? 2 : undefined) ?? String(payload);
}
