/**
 * A small LRU cache with a time-to-live, driven by an explicit clock value so TestClock
 * controls expiry.
 *
 * @internal
 */

interface Entry<V> {
  readonly value: V
  readonly expiresAt: number
}

/** @internal */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>()

  constructor(
    readonly capacity: number,
    readonly ttlMillis: number
  ) {}

  get size(): number {
    return this.entries.size
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAt <= now) return undefined
    // Re-insert: Map keeps insertion order, so the first key is the least recently used.
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: string, value: V, now: number): void {
    if (this.capacity <= 0 || this.ttlMillis <= 0) return
    this.entries.delete(key)
    this.entries.set(key, { value, expiresAt: now + this.ttlMillis })
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
  }

  clear(): void {
    this.entries.clear()
  }
}
