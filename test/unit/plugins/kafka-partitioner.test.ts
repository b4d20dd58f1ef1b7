import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { javaCompatiblePartitioner, murmur2 } from '../../../main/plugins/kafka/partitioner';

// kafkajs's own murmur2 (64-bit Long emulation): the reference our 32-bit one must equal.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer | string) => number;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const partitions = (n: number, down: number[] = []) => Array.from({ length: n }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: down.includes(i) ? -1 : 0, replicas: [0], isr: [0] }));

describe('Kafka default partitioner', () => {
  it("murmur2 equals kafkajs's (the Java client's) on 2,000 random keys of every length 0–300 bytes and odd text", () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
      expect(murmur2(key), key.toString('hex')).toBe(kafkajsMurmur2(key));
    }
    for (const key of ['', 'a', 'order-42', 'ключ', '🔑🔑', 'x'.repeat(4099)]) expect(murmur2(key), key).toBe(kafkajsMurmur2(key));
    // Known values of Kafka's Utils.murmur2 (from the Java client's tests).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });

  it('a 1 MB key gets its partition from the hash of all its bytes', () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    big.write('end', big.length - 3);
    const pick = javaCompatiblePartitioner();
    const partition = pick({ topic: 't', partitionMetadata: partitions(12), message: { key: big, value: 'v' } });
    expect(partition).toBe((murmur2(big) & 0x7fffffff) % 12);
    expect(partition).toBeGreaterThanOrEqual(0);
  });

  it('an explicit partition wins; without a key, round robin over the partitions that have a leader', () => {
    const pick = javaCompatiblePartitioner();
    expect(pick({ topic: 't', partitionMetadata: partitions(3), message: { key: 'k', value: 'v', partition: 2 } })).toBe(2);
    const seen = new Set(Array.from({ length: 12 }, () => pick({ topic: 't', partitionMetadata: partitions(4, [1]), message: { value: 'v' } })));
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });
});
