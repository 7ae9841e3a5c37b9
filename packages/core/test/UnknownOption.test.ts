/**
 * `Inputs.unknownOption`: the first key of an options object that names no option, with the
 * option it most likely meant; never a false alarm on known keys, never a throw on odd values.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as Inputs from "../src/Inputs.js"

const KNOWN = ["apiKey", "baseUrl", "timeoutMs", "maxRetries", "maxConcurrency", "workspace"] as const

describe("unknownOption", () => {
  it("accepts any object whose keys are known, and reports the first that is not", () => {
    fc.assert(
      fc.property(
        fc.subarray([...KNOWN]),
        fc.string({ minLength: 1 }).filter((k) => !(KNOWN as ReadonlyArray<string>).includes(k)),
        (keys, extra) => {
          const known = Object.fromEntries(keys.map((k) => [k, 1]))
          assert.isNull(Inputs.unknownOption(known, KNOWN))
          const u = Inputs.unknownOption({ ...known, [extra]: 1 }, KNOWN)
          assert.strictEqual(u?.key, extra)
        }
      )
    )
  })

  it("suggests the option meant: case, separators, small typos, a part of the name", () => {
    for (const [key, meant] of [
      ["baseURL", "baseUrl"],
      ["BASE_URL", "baseUrl"],
      ["api_key", "apiKey"],
      ["api-key", "apiKey"],
      ["apikey", "apiKey"],
      ["maxRetires", "maxRetries"],
      ["timeout", "timeoutMs"],
      ["workspaces", "workspace"],
      ["colour", null],
      ["a", null],
      ["url", "baseUrl"],
      ["workspaceName", "workspace"],
      ["retries", "maxRetries"],
      ["ur", null]
    ] as const) {
      assert.deepStrictEqual(Inputs.unknownOption({ [key]: 1 }, KNOWN), { key, suggestion: meant }, key)
    }
  })

  it("leaves non-objects and arrays to the type check, and reports an object whose names cannot be listed", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys")
        }
      }
    )
    for (const value of [null, undefined, 5, "x", [1, 2], () => 1]) {
      assert.isNull(Inputs.unknownOption(value, KNOWN))
    }
    assert.deepStrictEqual(Inputs.unknownOption(hostile, KNOWN), { key: "", suggestion: null, unreadable: true })
  })

  it("names the options and the one meant in its reason", () => {
    assert.strictEqual(
      Inputs.unknownOptionReason({ key: "baseURL", suggestion: "baseUrl" }, "new API(...)", ["apiKey", "baseUrl"]),
      "is not an option of new API(...) (did you mean baseUrl?); the options are apiKey, baseUrl."
    )
  })
})
