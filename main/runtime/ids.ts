// Kestra-style ids: 22 random base62 characters (≈131 bits), like Kestra's base62-encoded UUIDs.
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const POOL_SIZE = 4096;
let pool = crypto.randomBytes(POOL_SIZE);
let offset = 0;

export function newId(): string {
  let out = '';
  while (out.length < 22) {
    if (offset >= POOL_SIZE) {
      pool = crypto.randomBytes(POOL_SIZE);
      offset = 0;
    }
    const b = pool[offset++];
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 4 × 62: no modulo bias
  }
  return out;
}
