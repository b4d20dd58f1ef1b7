// A bounded ring buffer (the latest `capacity` items) and a filtered view over one that scans only
// what arrived since its last look. Pure: no React, no DOM (unit-tested in Node).

export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private head = 0;
  /** Items held (≤ capacity). */
  size = 0;
  /** Items ever pushed (a sequence number: the newest item's is seq - 1). */
  seq = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array(capacity);
  }

  push(item: T): void {
    this.buf[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.seq++;
  }

  /** The i-th newest item (0 = the newest). */
  newest(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.buf[(this.head - 1 - i + this.capacity * 2) % this.capacity];
  }

  /** Newest first, at most `limit`. */
  toArray(limit = this.size): T[] {
    const n = Math.min(limit, this.size);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.newest(i)!;
    return out;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.size = 0;
  }
}

/**
 * The items of a source ring that match a predicate, kept in a ring of their own. `sync()` looks
 * only at what the source received since the previous call (or everything it holds, after a reset),
 * so a filter costs O(new items) per frame, not O(buffer).
 */
export class FilteredRing<T> {
  readonly ring: Ring<T>;
  private seen = 0;

  constructor(private readonly source: Ring<T>, private readonly match: (item: T) => boolean) {
    this.ring = new Ring<T>(source.capacity);
    this.sync();
  }

  sync(): number {
    const fresh = Math.min(this.source.seq - this.seen, this.source.size);
    let added = 0;
    for (let i = fresh - 1; i >= 0; i--) {
      const item = this.source.newest(i)!;
      if (this.match(item)) {
        this.ring.push(item);
        added++;
      }
    }
    this.seen = this.source.seq;
    return added;
  }
}
