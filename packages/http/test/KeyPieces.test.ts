/**
 * An API key pasted as an http setting's value (`cache: key`) or name is not shown in part in the
 * ConfigurationError of `CometHttp.layer`: the key is not held yet when the settings are checked.
 */
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { CometHttp } from "../src/CometHttp.js"

const KEY = "Qm4sT8vX2zB6nD0fH3jL"

const errorOf = (settings: Record<string, unknown>) =>
  Effect.flip(
    Layer.build(
      CometHttp.layer({ apiKey: KEY, baseUrl: "http://127.0.0.1:9", ...settings } as never).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
  )

describe("no part of the API key in a CometHttp settings error", () => {
  for (const [name, settings] of [
    ["the cache as a prefix of the key", { cache: KEY.slice(0, 12) }],
    ["the cache as the key cased otherwise, with a suffix", { cache: `${KEY.toLowerCase().slice(2)}!` }],
    ["a setting named by a part of the key", { [`http_${KEY.slice(4, 16)}`]: 1 }]
  ] as const) {
    it.scoped(name, () =>
      Effect.gen(function* () {
        const e = yield* errorOf(settings)
        assert.strictEqual(e._tag, "ConfigurationError")
        for (let i = 0; i + 8 <= KEY.length; i++) {
          assert.notInclude(e.message.toLowerCase(), KEY.slice(i, i + 8).toLowerCase(), e.message)
        }
      })
    )
  }
})
