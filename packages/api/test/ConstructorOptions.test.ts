/**
 * `new API(options)` from plain JavaScript with options of the wrong runtime type — a number, a
 * string, a symbol, a function, an array, a Map, a Proxy that throws or was revoked — never
 * throws (a constructor cannot return an Effect): every call, stream and download of the client
 * rejects with the ConfigurationError naming `options` and what was given, never a TypeError.
 * `null`, as every optional argument of this codebase, reads as "not given": `new API(null)` is
 * `new API()` (the configuration sources then supply the key).
 */
import { ConfigurationError, TransportError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import { API } from "../src/index.js"

const revoked = (() => {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
})()
const throwing = new Proxy(
  {},
  {
    ownKeys() {
      throw new TypeError("boom")
    }
  }
)

const wrong: ReadonlyArray<readonly [string, unknown, string]> = [
  ["a number", 5, "not the number 5"],
  ["a string", "apiKey=abc", "not a string"],
  ["a boolean", true, "not true"],
  ["a symbol", Symbol("options"), "not a symbol"],
  ["a bigint", 10n, "not a bigint"],
  ["a function", () => ({ apiKey: "k" }), "not a function"],
  ["an array", [{ apiKey: "k" }], "not an array"],
  ["a Map", new Map([["apiKey", "k"]]), "a Map"],
  ["a Proxy whose keys throw", throwing, "cannot be read"],
  ["a revoked Proxy", revoked, "cannot be read"]
]

/** What a promise rejects with (fails the test when it resolves). */
const rejection = (p: Promise<unknown>) =>
  Effect.promise(() =>
    p.then(
      () => assert.fail("resolved"),
      (e: unknown) => e
    )
  )

const first = <A>(iterable: AsyncIterable<A>) => iterable[Symbol.asyncIterator]().next()

describe("new API(options of the wrong type)", () => {
  for (const [what, options, says] of wrong) {
    it.effect(`${what}: no throw; every call, stream and download rejects with ConfigurationError "options"`, () =>
      Effect.gen(function* () {
        const api = new API(options as never)
        for (const pending of [
          api.getWorkspaces(),
          first(api.streamExperiments("ws", "proj")),
          first(api.streamExperimentAsset("0123456789abcdef0123456789abcdef", "a"))
        ]) {
          const e = yield* rejection(pending)
          assert.instanceOf(e, ConfigurationError, String(e))
          if (!(e instanceof ConfigurationError)) return
          assert.strictEqual(e.setting, "options")
          assert.include(e.message, says)
        }
        yield* Effect.promise(() => api.close())
      })
    )
  }

  it.effect("null reads as no options (as every optional argument): the environment supplies key and server", () =>
    Effect.gen(function* () {
      // the environment of `new API()`: a key, and a server on a port nothing listens on
      vi.stubEnv("COMET_API_KEY", "ck_env_0123456789abcdefXYZ")
      vi.stubEnv("COMET_URL_OVERRIDE", "http://127.0.0.1:9/clientlib/")
      vi.stubEnv("COMET_HTTP_SESSION_RETRY_TOTAL", "0")
      try {
        for (const options of [null, undefined]) {
          const api = new API(options as never)
          const e = yield* rejection(api.getWorkspaces())
          // the options were read as none: the call went to the environment's server
          assert.instanceOf(e, TransportError, String(e))
          if (e instanceof TransportError) assert.strictEqual(e.reason, "network", e.message)
          yield* Effect.promise(() => api.close())
        }
      } finally {
        vi.unstubAllEnvs()
      }
    })
  )
})
