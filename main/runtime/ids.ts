// Kestra-shaped ids (22 base62 characters) that sort by creation time: 8 characters of
// milliseconds, 2 of a per-millisecond counter, then 12 random ones (≈71 bits). Ordered keys make
// SQLite append to its B-trees instead of touching random pages: about a third of the writer's
// CPU per execution compared with fully random ids (measured in the commit that made them).
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const POOL_SIZE = 4096;
/** 62² ids per millisecond before the clock part is moved ahead by one. */
const PER_MS = 62 * 62;
let pool = crypto.randomBytes(POOL_SIZE);
let offset = 0;
let lastMs = 0;
let counter = 0;

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomChars(count: number): string {
  let out = '';
  while (out.length < count) {
    if (offset >= POOL_SIZE) {
      pool = crypto.randomBytes(POOL_SIZE);
      offset = 0;
    }
    const b = pool[offset++];
    if (b < 248) out += ALPHABET[b % 62]; // 248 = 4 × 62: no modulo bias
  }
  return out;
}

export function newId(): string {
  // Monotonic within the process even if the wall clock steps back.
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter >= PER_MS) {
    lastMs++;
    counter = 0;
  }
  return base62(lastMs, 8) + base62(counter, 2) + randomChars(12);
}
