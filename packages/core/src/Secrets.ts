/**
 * The API key as a secret: whether a key can be used at all ({@link checkApiKey}: printable
 * ASCII, or a `ConfigurationError` before any request), and {@link scrub}, which removes every
 * form of a key — as written, case-folded, JSON-escaped, percent-encoded, HTML-escaped, base64
 * or hex — from a text. Every error comet-ts builds is scrubbed with it against the keys held
 * now ({@link hold}: by every `CometConfig` and `CometHttp` layer while its scope is open); the
 * transport scrubs with the key it sends.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { ConfigurationError } from "./Errors.js"
import { checkApiKey as check } from "./internal/apiKey.js"
import { FRAGMENT, holdSecret, REDACTED as MASK, scrubFragments, scrub as scrubText } from "./internal/secrets.js"
import { parseKey } from "./internal/smartKey.js"

/**
 * What a key is replaced by.
 *
 * @since 0.1.0
 */
export const REDACTED: string = MASK

/**
 * `text` with every form of the keys held now ({@link hold}), and of `key` when given, replaced by
 * `<redacted>`.
 *
 * @since 0.1.0
 */
export const scrub = (text: string, key?: string): string => scrubText(text, key)

/**
 * `text` scrubbed as {@link scrub} (the keys held now, and `keys`), and with every run of 8 or
 * more consecutive characters of those keys masked too — in any letter case, percent-, backslash-
 * or HTML-escaped: for a text built from user-supplied values (a configuration or option error),
 * where a key given in the wrong place may be quoted in part (a prefix, an excerpt cut at its
 * length limit, the key with text attached).
 *
 * @since 0.1.0
 */
export const scrubPieces = (text: string, keys: ReadonlyArray<string | Redacted.Redacted<string>> = []): string =>
  scrubFragments(
    text,
    keys.map((k) => (Redacted.isRedacted(k) ? Redacted.value(k) : k))
  )

/**
 * The fewest consecutive characters of a key {@link scrubPieces} masks (8).
 *
 * @since 0.1.0
 */
export const PIECE: number = FRAGMENT

/**
 * The usable key (the white space around it trimmed), or a `ConfigurationError` naming the
 * character that makes it unusable (and its position, never the key). `source` says where the
 * key came from, for the message.
 *
 * @since 0.1.0
 */
export const checkApiKey = (key: unknown, source: string): Either.Either<string, ConfigurationError> =>
  check(key, source)

/**
 * Scrub `key` (and, for a self-hosted "smart" key, its short key) from every error comet-ts
 * builds while the scope is open. Holds are counted and released with the scope, so a process
 * that serves many keys over its life keeps only those in use. `CometConfig` and `CometHttp`
 * layers hold their key this way; call it for a key your own code sends elsewhere.
 *
 * @since 0.1.0
 */
export const hold = (key: string | Redacted.Redacted<string>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.asVoid(
    Effect.acquireRelease(
      Effect.sync(() => {
        const text = Redacted.isRedacted(key) ? Redacted.value(key) : key
        const parsed = parseKey(text)
        const releases = [holdSecret(text)]
        if (!("problem" in parsed) && parsed.short !== text) releases.push(holdSecret(parsed.short))
        return releases
      }),
      (releases) =>
        Effect.sync(() => {
          for (const release of releases) release()
        })
    )
  )
