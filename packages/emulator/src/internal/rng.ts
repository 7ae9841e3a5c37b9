/**
 * Deterministic pseudo-random numbers: a stateless hash for random access (the value of point
 * `i` of a series, the fault of request `n` to an endpoint) and a small seeded generator for
 * sequential use (the dataset generator). No `Math.random` anywhere in the emulator.
 *
 * @internal
 */

/** Murmur3's 32-bit finaliser: a good avalanche for integer keys. */
const fmix32 = (h0: number): number => {
  let h = h0 | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Hash a string to 32 bits (FNV-1a, then finalised). */
export const hashString = (s: string, seed = 0): number => {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

/** Hash up to four integers to 32 bits. */
export const hashInts = (a: number, b = 0, c = 0, d = 0): number => {
  let h = fmix32(a ^ 0x9e3779b9)
  h = fmix32(h ^ Math.imul(b | 0, 0x85ebca6b) ^ 0x27d4eb2f)
  h = fmix32(h ^ Math.imul(c | 0, 0xc2b2ae35) ^ 0x165667b1)
  h = fmix32(h ^ Math.imul(d | 0, 0x27d4eb2f) ^ 0x9e3779b9)
  return h
}

/** A uniform number in [0, 1) from up to four integers. */
export const uniformAt = (a: number, b = 0, c = 0, d = 0): number => hashInts(a, b, c, d) / 4294967296

/** A standard normal number from up to three integers (Box–Muller on two hashed uniforms). */
export const normalAt = (a: number, b = 0, c = 0): number => {
  const u1 = (hashInts(a, b, c, 1) + 1) / 4294967297
  const u2 = hashInts(a, b, c, 2) / 4294967296
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

/** A small sequential generator (mulberry32) for building datasets. */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = hashInts(seed, 0x5eed) | 0
  }
  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  /** A number in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }
  /** A number spread evenly on a log scale between lo and hi. */
  logRange(lo: number, hi: number): number {
    return Math.exp(this.range(Math.log(lo), Math.log(hi)))
  }
  /** One element of a non-empty array. */
  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)] as A
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }
  /** A 32-bit unsigned integer. */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0
  }
  /** `n` lowercase hex characters. */
  hex(n: number): string {
    let out = ""
    while (out.length < n) out += this.u32().toString(16).padStart(8, "0")
    return out.slice(0, n)
  }
}
