/**
 * Plain values the api modules read alike: whether a value is a plain object (not null, not an
 * array), and bytes as UTF-8 text.
 *
 * @internal
 */

/** Whether `u` is an object that is neither null nor an array. */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** A UTF-8 decoder (malformed sequences become U+FFFD, as `TextDecoder` does by default). */
export const textDecoder = new TextDecoder("utf-8")
