/**
 * Over the facade: an API key given in the wrong place — as another option's value, as an
 * option's name, as an http setting — is refused with a ConfigurationError that shows no run of
 * 8 or more consecutive characters of it, whatever the case or the text attached.
 */
import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { API } from "../src/index.js"
import { rejection } from "./support/hostile.js"

const KEY = "Vb7nM2xQ9kL4pR8tW1yZ"

const assertNoPiece = (text: string) => {
  for (let i = 0; i + 8 <= KEY.length; i++)
    assert.notInclude(text.toLowerCase(), KEY.slice(i, i + 8).toLowerCase(), text)
}

describe("no part of the API key in the facade's configuration errors", () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ["baseUrl: a prefix of the key", { baseUrl: KEY.slice(0, 12) }],
    ["timeoutMs: the key with a suffix", { timeoutMs: `${KEY}s` }],
    ["an option named by a part of the key", { [`x${KEY.slice(3, 15)}`]: 1 }],
    [
      "an option named by the key in upper case, cut at 60 characters",
      { [`${"y".repeat(50)}${KEY.toUpperCase()}`]: 1 }
    ],
    ["an http setting named by a part of the key", { http: { [KEY.slice(5)]: 1 } }],
    ["http.cache: the key in lower case", { http: { cache: KEY.toLowerCase() } }],
    [
      "COMET_TIMEOUT_API: a prefix of the key",
      { sources: CometConfig.staticSources({ COMET_TIMEOUT_API: KEY.slice(0, 9) }) }
    ]
  ]
  for (const [name, options] of cases) {
    it(name, async () => {
      const api = new API({
        apiKey: KEY,
        panel: false,
        sources: CometConfig.staticSources({}),
        baseUrl: "http://127.0.0.1:9",
        ...options
      } as never)
      const e = await rejection(api.getWorkspaces())
      await api.close()
      assert.strictEqual(e._tag, "ConfigurationError", e.message)
      assertNoPiece(`${e.message}\n${JSON.stringify(e)}`)
    })
  }
})
