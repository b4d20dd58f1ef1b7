// Kestra-style ids: a random 128-bit value in base62 (22 characters).
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const POOL_SIZE = 16 * 256;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

export function newId(): string {
  if (offset >= pool.length) {
    pool = crypto.randomBytes(POOL_SIZE);
    offset = 0;
  }
  let hi = pool.readBigUInt64BE(offset);
  let lo = pool.readBigUInt64BE(offset + 8);
  offset += 16;
  // 22 base62 digits cover 128 bits; divide the two halves as one number.
  let out = '';
  for (let i = 0; i < 22; i++) {
    const rHi = hi % 62n;
    hi /= 62n;
    const acc = (rHi << 64n) | lo;
    lo = acc / 62n;
    out = ALPHABET[Number(acc % 62n)] + out;
    hi += lo >> 64n;
    lo &= 0xffffffffffffffffn;
  }
  return out;
}
