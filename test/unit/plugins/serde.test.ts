// Payload decoding shared by the broker triggers: unreadable payloads become failures that keep
// the raw bytes and say why; they never throw.
import { describe, expect, it } from 'vitest';
import { decode, eventFor } from '../../../main/plugins/common/serde';

describe('serde', () => {
  it('decodes JSON and keeps strings as strings', () => {
    expect(decode('{"a":1}', 'JSON')).toEqual({ ok: true, value: { a: 1 } });
    expect(decode('{"a":1}', 'STRING')).toEqual({ ok: true, value: '{"a":1}' });
    expect(decode(Buffer.from([0, 255, 1]), 'BYTES')).toEqual({ ok: true, value: 'AP8B' });
  });

  it('invalid JSON is a failure with the reason and the raw text', () => {
    const d = decode('{"a":', 'JSON');
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/not valid JSON \(serdeType: JSON\)/);
    expect(!d.ok && d.raw).toBe('{"a":');
  });

  it('bytes that are not UTF-8 are a failure that keeps them (base64), not mojibake', () => {
    const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
    const d = decode(bytes, 'JSON');
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/not valid UTF-8/);
    expect(!d.ok && Buffer.from(d.raw, 'base64')).toEqual(bytes);
  });

  it('eventFor carries the failure and the metadata, or the decoded value', () => {
    expect(eventFor(decode('1', 'JSON'), 'value', { topic: 't' }, 'k')).toEqual({ variables: { topic: 't', value: 1 }, dedupKey: 'k' });
    const bad = eventFor(decode('nope', 'JSON'), 'data', { headers: { 'x-\u0000odd': ['\u0001'] } });
    expect(bad.failure?.raw).toBe('nope');
    expect(bad.variables).toEqual({ headers: { 'x-\u0000odd': ['\u0001'] } });
  });
});
