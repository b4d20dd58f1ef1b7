// A bounded map for compiled templates with second-chance (CLOCK) eviction: a hit only sets a flag,
// so the hot path never reorders the map; eviction skips (and clears) recently used entries once.

/** A bounded cache with second-chance (CLOCK) eviction: a hit only sets a flag. */
export class TemplateCache<T extends { hot: boolean }> {
  private readonly map = new Map<string, T>();
  constructor(private readonly max: number) {}

  get(key: string): T | undefined {
    const e = this.map.get(key);
    if (e !== undefined) e.hot = true;
    return e;
  }

  set(key: string, value: T): void {
    if (this.map.size >= this.max) this.evict();
    this.map.set(key, value);
  }

  private evict(): void {
    let budget = this.map.size;
    for (const [k, e] of this.map) {
      if (e.hot && budget-- > 0) {
        e.hot = false;
        this.map.delete(k);
        this.map.set(k, e);
        continue;
      }
      this.map.delete(k);
      return;
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

