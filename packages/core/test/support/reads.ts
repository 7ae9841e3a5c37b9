/**
 * Counting the reads of an options object: `target` behind a Proxy that counts each read of a
 * string-named property, for the tests that each option is read exactly once (into a snapshot).
 */

/** `target` behind a Proxy counting the reads of each of its string-named properties. */
export const counted = <T extends object>(target: T) => {
  const reads = new Map<string, number>()
  const proxy = new Proxy(target, {
    get: (t, k, r) => {
      if (typeof k === "string") reads.set(k, (reads.get(k) ?? 0) + 1)
      return Reflect.get(t, k, r)
    }
  })
  return { proxy, reads }
}

/** How many times each of `names` was read. */
export const readsOf = (names: ReadonlyArray<string>, reads: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries(names.map((k) => [k, reads.get(k) ?? 0]))

/** Each of `names` once: what {@link readsOf} gives when every option was read exactly once. */
export const once = (names: ReadonlyArray<string>): Record<string, number> =>
  Object.fromEntries(names.map((k) => [k, 1]))
