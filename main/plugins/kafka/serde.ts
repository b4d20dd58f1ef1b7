// Kafka (de)serializers with Kestra's names. Each reads the bytes the Java serializer of the same
// name writes (big-endian numbers, UTF-8 strings, UUID as text). A payload that does not fit is not
// an exception: it is reported so that the message becomes a FAILED execution keeping its bytes.
import { decode } from '../common/serde';

export const SERDE_TYPES = [
  'STRING', 'INTEGER', 'FLOAT', 'DOUBLE', 'LONG', 'SHORT', 'BYTE_ARRAY', 'BYTE_BUFFER', 'BYTES', 'UUID', 'VOID', 'AVRO', 'JSON', 'PROTOBUF',
] as const;
export type KafkaSerde = (typeof SERDE_TYPES)[number];

/** Serdes that need a schema registry: accepted in a flow, refused at start. */
export function unsupportedSerde(serde: string): string | undefined {
  if (serde === 'AVRO' || serde === 'PROTOBUF') {
    return `${serde} (de)serialization with a schema registry is not supported locally yet; use JSON, STRING or BYTES`;
  }
  return undefined;
}

export type Read = { ok: true; value: unknown } | { ok: false; reason: string; raw: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a key or a value; `what` names it in the failure reason. */
export function deserialize(bytes: Buffer | null | undefined, serde: KafkaSerde, what: 'key' | 'value'): Read {
  if (bytes === null || bytes === undefined) return { ok: true, value: null };
  const fail = (reason: string): Read => ({ ok: false, reason: `the ${what} ${reason}`, raw: rawText(bytes) });
  const fixed = (n: number, read: () => unknown): Read =>
    bytes.length === n ? { ok: true, value: read() } : fail(`is ${bytes.length} byte(s), but ${serde} needs exactly ${n}`);
  switch (serde) {
    case 'STRING':
      return { ok: true, value: bytes.toString('utf8') };
    case 'JSON': {
      if (bytes.length === 0) return { ok: true, value: null };
      const d = decode(bytes, 'JSON');
      if (d.ok) return d;
      const why = d.reason.replace(/^.*?\(serdeType: JSON\):\s*/, '');
      return { ok: false, reason: `the ${what} is not valid JSON (${what}Deserializer: JSON): ${why}`, raw: d.raw };
    }
    case 'INTEGER':
      return fixed(4, () => bytes.readInt32BE(0));
    case 'SHORT':
      return fixed(2, () => bytes.readInt16BE(0));
    case 'FLOAT':
      return fixed(4, () => bytes.readFloatBE(0));
    case 'DOUBLE':
      return fixed(8, () => bytes.readDoubleBE(0));
    case 'LONG':
      return fixed(8, () => {
        const v = bytes.readBigInt64BE(0);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
      });
    case 'BYTE_ARRAY':
    case 'BYTE_BUFFER':
    case 'BYTES':
      // Kestra's JSON form of byte[]: base64.
      return { ok: true, value: bytes.toString('base64') };
    case 'UUID': {
      const text = bytes.toString('utf8');
      return UUID_RE.test(text) ? { ok: true, value: text } : fail(`is not a UUID (UUID deserializer)`);
    }
    case 'VOID':
      return bytes.length === 0 ? { ok: true, value: null } : fail('is not empty, but the VOID deserializer expects no data');
    case 'AVRO':
    case 'PROTOBUF':
      return fail(`cannot be read: ${unsupportedSerde(serde)}`);
  }
}

/** The payload kept on a FAILED execution: text when it is UTF-8, else base64. */
function rawText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('base64');
  }
}

/** Writes a key or a value as the Java serializer of the same name would. */
export function serialize(value: unknown, serde: KafkaSerde, what: 'key' | 'value'): Buffer | null {
  if (value === null || value === undefined) return null;
  const number = (): number => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new Error(`the ${what} ${JSON.stringify(value)} is not a number (${serde} serializer)`);
    return n;
  };
  const buf = (n: number, write: (b: Buffer) => void) => {
    const b = Buffer.alloc(n);
    write(b);
    return b;
  };
  switch (serde) {
    case 'STRING':
      return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
    case 'JSON':
      return Buffer.from(JSON.stringify(value), 'utf8');
    case 'INTEGER':
      return buf(4, (b) => b.writeInt32BE(Math.trunc(number()), 0));
    case 'SHORT':
      return buf(2, (b) => b.writeInt16BE(Math.trunc(number()), 0));
    case 'FLOAT':
      return buf(4, (b) => b.writeFloatBE(number(), 0));
    case 'DOUBLE':
      return buf(8, (b) => b.writeDoubleBE(number(), 0));
    case 'LONG': {
      let big: bigint;
      try {
        big = BigInt(typeof value === 'number' ? Math.trunc(value) : String(value).trim());
      } catch {
        throw new Error(`the ${what} ${JSON.stringify(value)} is not an integer (LONG serializer)`);
      }
      return buf(8, (b) => b.writeBigInt64BE(big, 0));
    }
    case 'BYTE_ARRAY':
    case 'BYTE_BUFFER':
    case 'BYTES': {
      if (Buffer.isBuffer(value)) return value;
      const text = String(value);
      // base64 (what the consumer side hands out); anything else is taken as UTF-8 text.
      const clean = text.replace(/\s+/g, '');
      return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean) && clean.length > 0
        ? Buffer.from(clean, 'base64')
        : Buffer.from(text, 'utf8');
    }
    case 'UUID': {
      const text = String(value);
      if (!UUID_RE.test(text)) throw new Error(`the ${what} ${JSON.stringify(value)} is not a UUID (UUID serializer)`);
      return Buffer.from(text, 'utf8');
    }
    case 'VOID':
      return null;
    case 'AVRO':
    case 'PROTOBUF':
      throw new Error(unsupportedSerde(serde));
  }
}
