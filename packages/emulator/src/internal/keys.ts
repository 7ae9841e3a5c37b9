/**
 * API key lookup in constant time: the key a request presents is compared with every known key,
 * always all of them, through `crypto.timingSafeEqual` on SHA-256 digests (equal lengths
 * whatever the keys' lengths). How long a lookup takes says nothing about how much of a key
 * matched, or which key it was.
 *
 * @internal
 */
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (key: string): Buffer => createHash("sha256").update(key, "utf8").digest()

/** Compares two digests of equal length without an early exit. */
export type DigestCompare = (a: Buffer, b: Buffer) => boolean

/** Known keys and what each resolves to. */
export class KeyTable<A> {
  private readonly entries: ReadonlyArray<{ readonly digest: Buffer; readonly value: A }>

  constructor(
    entries: ReadonlyArray<readonly [key: string, value: A]>,
    private readonly compare: DigestCompare = timingSafeEqual
  ) {
    // A later entry with the same key replaces an earlier one (as Map.set did).
    const byKey = new Map<string, A>()
    for (const [key, value] of entries) byKey.set(key, value)
    this.entries = [...byKey].map(([key, value]) => ({ digest: digest(key), value }))
  }

  /** The value of `candidate`, or undefined. Every entry is compared, whether one matched or not. */
  lookup(candidate: string): A | undefined {
    const d = digest(candidate)
    let found: A | undefined
    for (const entry of this.entries) {
      // no short-circuit: the comparison runs for every entry
      const equal = this.compare(d, entry.digest)
      if (equal) found = entry.value
    }
    return found
  }

  /** How many keys are known. */
  get size(): number {
    return this.entries.length
  }
}
