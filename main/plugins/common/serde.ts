// Payload decoding shared by the broker triggers (Kestra's `serdeType`). A payload that cannot be
// read is not an exception: it becomes a FAILED execution that keeps the raw text and the reason.
import type { TriggerEvent } from '../types';

export type SerdeType = 'STRING' | 'JSON' | 'BYTES';

export type Decoded = { ok: true; value: unknown } | { ok: false; reason: string; raw: string };

export function decode(payload: Buffer | string, serde: SerdeType): Decoded {
  const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (serde === 'BYTES') return { ok: true, value: buf.toString('base64') };
  const text = buf.toString('utf8');
  if (serde === 'STRING') return { ok: true, value: text };
  if (!isUtf8(buf)) return { ok: false, reason: 'the payload is not valid UTF-8, so it cannot be read as JSON', raw: buf.toString('base64') };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, reason: `the payload is not valid JSON (serdeType: JSON): ${(e as Error).message}`, raw: text };
  }
}

/** Builds the event for a payload: `field` holds the decoded value, or the event carries the failure. */
export function eventFor(decoded: Decoded, field: string, extra: Record<string, unknown>, dedupKey?: string): TriggerEvent {
  return decoded.ok
    ? { variables: { ...extra, [field]: decoded.value }, ...(dedupKey ? { dedupKey } : {}) }
    : { variables: { ...extra }, failure: { reason: decoded.reason, raw: decoded.raw }, ...(dedupKey ? { dedupKey } : {}) };
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}
