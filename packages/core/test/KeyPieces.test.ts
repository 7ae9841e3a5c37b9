/**
 * An API key set in the wrong place (under another variable, as another option's value, as an
 * option's name) is never shown in the error about it, whole or in part: no run of 8 or more
 * consecutive characters of the key — in any letter case, percent-encoded — appears in the
 * error's message, fields or JSON, whatever the text around it, wherever an excerpt cuts it.
 * fast-check over keys and texts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import fc from "fast-check"
import { resolve, staticSources } from "../src/CometConfig.js"
import type { ConfigurationError } from "../src/Errors.js"
import * as Secrets from "../src/Secrets.js"

/** Percent escapes decoded, where they decode (an error may quote a value percent-encoded). */
const percentDecoded = (text: string): string =>
  text.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))

/** The first run of 8 characters of `key` that `text` shows (case-insensitive, percent-decoded too); null when none. */
const pieceShown = (text: string, key: string): string | null => {
  const shown = [text.toLowerCase(), percentDecoded(percentDecoded(text)).toLowerCase()]
  const k = key.toLowerCase()
  for (let i = 0; i + 8 <= k.length; i++) {
    const piece = k.slice(i, i + 8)
    if (shown.some((s) => s.includes(piece))) return piece
  }
  return null
}

const assertNoPiece = (e: ConfigurationError, key: string) => {
  for (const text of [e.message, e.setting, e.reason, JSON.stringify(e), String(e)]) {
    const piece = pieceShown(text, key)
    assert.isNull(piece, `the error shows ${piece} of the key: ${text}`)
  }
}

const failure = (eff: Effect.Effect<unknown, ConfigurationError>): ConfigurationError | null => {
  const exit = Effect.runSyncExit(eff)
  if (Exit.isSuccess(exit)) return null
  return exit.cause._tag === "Fail" ? exit.cause.error : assert.fail(String(exit.cause))
}

/** A key as Comet issues them (letters, digits, `_`, `-`), 16 to 48 characters. */
const key = fc.stringMatching(/^[A-Za-z0-9_-]{16,48}$/)

/** A text around a part of the key: prefix, suffix, letter case, percent-encoding. */
const holding = (k: string) =>
  fc
    .record({
      from: fc.nat(k.length - 8),
      length: fc.integer({ min: 8, max: k.length }),
      before: fc.oneof(fc.constant(""), fc.string({ maxLength: 140 }), fc.constant("https://")),
      after: fc.oneof(fc.constant(""), fc.string({ maxLength: 20 }), fc.constant(".example.com")),
      form: fc.constantFrom("as is", "upper", "lower", "percent", "percent all")
    })
    .map(({ from, length, before, after, form }) => {
      const piece = k.slice(from, from + length)
      const written =
        form === "upper"
          ? piece.toUpperCase()
          : form === "lower"
            ? piece.toLowerCase()
            : form === "percent"
              ? encodeURIComponent(piece)
              : form === "percent all"
                ? [...piece].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("")
                : piece
      return `${before}${written}${after}`
    })

const VARIABLES = [
  "COMET_URL_OVERRIDE",
  "COMET_TIMEOUT_API",
  "COMET_TIMEOUT_FILE_DOWNLOAD",
  "COMET_TS_MAX_CONCURRENCY",
  "COMET_HTTP_SESSION_RETRY_TOTAL",
  "COMET_TS_ALLOW_INSECURE_HTTP",
  "HTTPS_PROXY",
  "COMET_INTERNAL_CHECK_TLS_CERTIFICATE"
] as const

const OPTIONS = ["baseUrl", "timeoutMs", "downloadTimeoutMs", "maxConcurrency", "maxRetries", "proxy"] as const

describe("no part of the API key in a configuration error", () => {
  it("a key set under another variable, in part, in any case, encoded, with text around it", () =>
    fc.assert(
      fc.property(
        key.chain((k) => fc.tuple(fc.constant(k), holding(k), fc.constantFrom(...VARIABLES))),
        ([k, text, variable]) => {
          const e = failure(resolve({ sources: staticSources({ COMET_API_KEY: k, [variable]: text }) }))
          if (e !== null) assertNoPiece(e, k)
        }
      ),
      { numRuns: 300 }
    ))

  it("a key given as another option's value (the key given as text or Redacted)", () =>
    fc.assert(
      fc.property(
        key.chain((k) => fc.tuple(fc.constant(k), holding(k), fc.constantFrom(...OPTIONS), fc.boolean())),
        ([k, text, option, redacted]) => {
          const apiKey = redacted ? Redacted.make(k) : k
          const e = failure(resolve({ apiKey, sources: staticSources({}), [option]: text }))
          if (e !== null) assertNoPiece(e, k)
        }
      ),
      { numRuns: 300 }
    ))

  it("a key given as an option's name (cut at the name's length limit), or a symbol's description", () =>
    fc.assert(
      fc.property(
        key.chain((k) => fc.tuple(fc.constant(k), holding(k), fc.boolean())),
        ([k, text, symbol]) => {
          const e = failure(
            resolve({ apiKey: k, sources: staticSources({}), ...{ [symbol ? Symbol(text) : text]: 1 } } as never)
          )
          assert.isNotNull(e, "an unknown option is refused")
          if (e !== null) assertNoPiece(e, k)
        }
      ),
      { numRuns: 300 }
    ))

  it("examples: a prefix, the key cut by the 60-character name limit, a suffix attached, another case", () => {
    const k = "abcdefghijklmnopqrstuvwxyz012345"
    for (const [variable, text] of [
      ["COMET_URL_OVERRIDE", k.slice(0, 20)],
      ["COMET_TIMEOUT_API", k.slice(0, 20)],
      ["COMET_TIMEOUT_API", `${k}s`],
      ["COMET_TIMEOUT_FILE_DOWNLOAD", k.toUpperCase().slice(4)],
      ["COMET_TS_MAX_CONCURRENCY", encodeURIComponent(`/${k.slice(3, 15)}`)]
    ] as const) {
      const e = failure(resolve({ sources: staticSources({ COMET_API_KEY: k, [variable]: text }) }))
      assert.isNotNull(e, text)
      if (e === null) continue
      assert.include(e.message, variable)
      assertNoPiece(e, k)
    }
    const named = failure(resolve({ apiKey: k, sources: staticSources({}), ...{ [`${"x".repeat(50)}${k}`]: 1 } }))
    assert.isNotNull(named)
    if (named !== null) assertNoPiece(named, k)
  })

  it("what is not the key is still shown (an 8-character run of other text)", () => {
    const k = "abcdefghijklmnopqrstuvwxyz012345"
    const e = failure(resolve({ sources: staticSources({ COMET_API_KEY: k, COMET_TIMEOUT_API: "seventeen" }) }))
    assert.include(e?.message, '"seventeen" is not a positive number of seconds')
  })
})

describe("Secrets.scrubPieces", () => {
  it("masks every run of 8 characters of a key, keeps shorter runs and other text", () => {
    const k = "Zq7_kP2mW9xL4vB8nR1t"
    assert.strictEqual(Secrets.scrubPieces(`a ${k.slice(2, 10)} b`, [k]), "a <redacted> b")
    assert.strictEqual(Secrets.scrubPieces(`a ${k.slice(2, 9)} b`, [k]), `a ${k.slice(2, 9)} b`)
    assert.strictEqual(Secrets.scrubPieces(`x${encodeURIComponent(k.slice(5).toLowerCase())}y`, [k]), "x<redacted>y")
    assert.strictEqual(Secrets.scrubPieces("nothing here", [k]), "nothing here")
  })
})
