/**
 * The API key as a secret: whether a key can be used at all ({@link checkApiKey}: printable
 * ASCII, or a `ConfigurationError` before any request), and {@link scrub}, which removes every
 * form of a key — as written, case-folded, JSON-escaped, percent-encoded, HTML-escaped, base64
 * or hex — from a text. Every error comet-ts builds is scrubbed with it against the keys config
 * resolution registered; the transport scrubs with the key it sends.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type { ConfigurationError } from "./Errors.js"
import { checkApiKey as check } from "./internal/apiKey.js"
import { REDACTED as MASK, scrub as scrubText } from "./internal/secrets.js"

/**
 * What a key is replaced by.
 *
 * @since 0.1.0
 */
export const REDACTED: string = MASK

/**
 * `text` with every form of the registered keys, and of `key` when given, replaced by
 * `<redacted>`.
 *
 * @since 0.1.0
 */
export const scrub = (text: string, key?: string): string => scrubText(text, key)

/**
 * The usable key (the white space around it trimmed), or a `ConfigurationError` naming the
 * character that makes it unusable (and its position, never the key). `source` says where the
 * key came from, for the message.
 *
 * @since 0.1.0
 */
export const checkApiKey = (key: unknown, source: string): Either.Either<string, ConfigurationError> =>
  check(key, source)
