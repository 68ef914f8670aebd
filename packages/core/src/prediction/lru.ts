/** A small LRU map; `onEvict` releases what the value holds (tensors, sessions). */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(
    private readonly capacity: number,
    private readonly onEvict: (value: V) => void = () => {},
  ) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const [oldest, v] = this.map.entries().next().value as [K, V];
      this.map.delete(oldest);
      this.onEvict(v);
    }
  }

  /** Forgets a key without evicting (no onEvict): for values that never became usable. */
  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    for (const v of this.map.values()) this.onEvict(v);
    this.map.clear();
  }
}
