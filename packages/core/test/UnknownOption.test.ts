/**
 * `Inputs.unknownOption`: the first key of an options object that names no option, with the
 * option it most likely meant; never a false alarm on known keys, never a throw on odd values.
 */

import * as vm from "node:vm"
import { assert, describe, it } from "@effect/vitest"
import { Redacted } from "effect"
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
      ["workspcae", "workspace"],
      ["timeuotMs", "timeoutMs"],
      ["timeout", "timeoutMs"],
      ["workspaces", "workspace"],
      ["colour", null],
      ["a", null],
      ["url", "baseUrl"],
      ["workspaceName", "workspace"],
      ["retries", "maxRetries"],
      ["ur", null]
    ] as const) {
      assert.deepStrictEqual(
        Inputs.unknownOption({ [key]: 1 }, KNOWN),
        { key, suggestion: meant, given: "the number 1" },
        key
      )
    }
  })

  it("leaves non-objects to the type check, and reports an object whose names cannot be listed", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys")
        }
      }
    )
    for (const value of [null, undefined, 5, "x", () => 1]) {
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

  it("refuses objects that are no options object, of any realm, by type: they would read as empty options", () => {
    const other = (code: string): unknown => vm.runInNewContext(code)
    class Extended extends Map<string, unknown> {}
    for (const [value, what] of [
      [[1, 2], "an array"],
      [[], "an array"],
      [new Map([["signal", 1]]), "a Map"],
      [new Extended(), "an Extended"],
      [new Set(["fetchFull"]), "a Set"],
      [new WeakMap(), "a WeakMap"],
      [new Date(0), "a Date"],
      [/x/, "a RegExp"],
      [new Error("x"), "an Error"],
      [new Number(1), "a Number"],
      [new String("apiKey"), "a String"],
      [new Boolean(true), "a Boolean"],
      [Promise.resolve({ apiKey: "k" }), "a Promise (or another thenable): await it first"],
      // biome-ignore lint/suspicious/noThenProperty: a thenable is the point
      [{ then: () => undefined }, "a Promise (or another thenable): await it first"],
      [new Uint8Array(2), "a Uint8Array"],
      [new ArrayBuffer(2), "an ArrayBuffer"],
      [other('new Map([["signal", 1]])'), "a Map"],
      [other("new Date(0)"), "a Date"],
      [other("[1]"), "an array"],
      [other("Promise.resolve(1)"), "a Promise (or another thenable): await it first"]
    ] as const) {
      assert.deepStrictEqual(Inputs.unknownOption(value, KNOWN), { key: "", suggestion: null, notOptions: what }, what)
    }
    const reason = Inputs.unknownOptionReason(Inputs.unknownOption(new Map(), KNOWN)!, "any call", KNOWN)
    assert.include(reason, "must be a plain object of options ({ apiKey, baseUrl,")
    assert.include(reason, "not a Map")
  })

  it("accepts plain objects of any realm and class instances holding their options as own properties", () => {
    class Settings {
      readonly apiKey = "k"
      readonly maxRetries = 3
    }
    const plain = [
      {},
      { apiKey: "k" },
      Object.create(null),
      Object.freeze({ workspace: "w" }),
      new Settings(),
      vm.runInNewContext('({ baseUrl: "http://x", timeoutMs: 5 })'),
      vm.runInNewContext("Object.create(null)"),
      new Proxy({ apiKey: "k" }, {})
    ]
    for (const value of plain) assert.isNull(Inputs.unknownOption(value, KNOWN, true))
  })

  it("refuses an own enumerable symbol key by a safe description, and ignores hidden (non-enumerable) ones", () => {
    const s = Symbol("signal")
    assert.deepStrictEqual(Inputs.unknownOption({ apiKey: "k", [s]: 1 }, KNOWN), {
      key: "Symbol(signal)",
      suggestion: null,
      given: "the number 1"
    })
    assert.strictEqual(Inputs.unknownOption({ [Symbol()]: "x" }, KNOWN)?.key, "Symbol()")
    assert.strictEqual(
      Inputs.unknownOption({ [Symbol("a\nb\u001b[31m")]: "x" }, KNOWN)?.key,
      "Symbol(a\\u000ab\\u001b[31m)"
    )
    assert.strictEqual(
      Inputs.unknownOption({ [Symbol("x".repeat(500))]: 1 }, KNOWN)?.key.length,
      "Symbol()".length + 40
    )
    const hidden = Object.defineProperty({ apiKey: "k" }, Symbol("mobx administration"), {
      value: {},
      enumerable: false
    })
    assert.isNull(Inputs.unknownOption(hidden, KNOWN))
  })

  it("an API key used as a name (string or symbol) is masked in the ConfigurationError", () => {
    const key = "Zq8uT3kLmN0pR7sV2wX5yA1bC"
    for (const options of [{ [key]: 1 }, { [Symbol(key)]: 1 }]) {
      const e = Inputs.unknownSetting(options, KNOWN, "CometConfig", { apiKey: key })
      assert.isNotNull(e)
      assert.notInclude(JSON.stringify(e), key)
      assert.notInclude(e!.message, key)
      assert.include(e!.message, "is not an option of CometConfig")
    }
    assert.isNotNull(Redacted.make(key))
  })

  it("never throws and never passes an object with a name it does not know (property)", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withBoxedValues: true,
          withNullPrototype: true
        }),
        (value) => {
          const u = Inputs.unknownOption(value, KNOWN, true)
          if (typeof value !== "object" || value === null) {
            assert.isNull(u)
            return
          }
          if (u === null) {
            // an options object whose every own enumerable name is known
            assert.strictEqual(Object.prototype.toString.call(value), "[object Object]")
            for (const k of Reflect.ownKeys(value)) {
              if (Object.prototype.propertyIsEnumerable.call(value, k)) assert.include(KNOWN, k)
            }
          }
        }
      )
    )
  })
})
