/**
 * Argument checks take the compiled decoder first: on hostile plain-JavaScript values (getters,
 * inherited properties, proxies, class instances, null prototypes, arrays) they must accept and
 * build exactly what Effect Schema's interpreter does, and never throw.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as Inputs from "../src/Inputs.js"

const isSignal = (u: unknown): u is AbortSignal => u instanceof AbortSignal
const Options = Schema.Struct({
  signal: Schema.optional(Inputs.refined(isSignal, "an AbortSignal")),
  callTimeoutMs: Schema.optional(Schema.Number.pipe(Schema.positive())),
  name: Schema.optional(Schema.String)
})

const interpreter = (value: unknown) =>
  Schema.decodeUnknownEither(Options, { errors: "first", onExcessProperty: "ignore" })(value)

class Opts {
  callTimeoutMs = 5
  get name() {
    return "got"
  }
}

const hostile: Array<[string, () => unknown]> = [
  ["a plain object", () => ({ callTimeoutMs: 1, extra: 2 })],
  ["inherited properties", () => Object.create({ callTimeoutMs: 10, name: "inherited" })],
  ["a null prototype", () => Object.assign(Object.create(null), { callTimeoutMs: 3 })],
  ["a class instance with a prototype getter", () => new Opts()],
  [
    "an own getter",
    () => ({
      get callTimeoutMs() {
        return 7
      }
    })
  ],
  ["an array", () => [1, 2]],
  ["a Date", () => new Date(0)],
  ["a Map", () => new Map([["callTimeoutMs", 1]])],
  ["a function with properties", () => Object.assign(() => {}, { callTimeoutMs: 2 })],
  [
    "a proxy answering every key",
    () =>
      new Proxy(
        {},
        {
          get: () => 4,
          has: () => true,
          getOwnPropertyDescriptor: () => ({ value: 4, configurable: true, enumerable: true }),
          ownKeys: () => ["callTimeoutMs"]
        }
      )
  ],
  ["undefined values", () => ({ signal: undefined, callTimeoutMs: undefined, name: undefined })],
  ["a NaN timeout", () => ({ callTimeoutMs: Number.NaN })],
  ["an aborted signal", () => ({ signal: AbortSignal.abort() })],
  ["__proto__ as an own key", () => JSON.parse('{"__proto__":{"callTimeoutMs":9},"name":"x"}')]
]

describe("Inputs.check on hostile values agrees with the interpreter", () => {
  for (const [label, make] of hostile) {
    it(label, () => {
      const expected = interpreter(make())
      const got = Inputs.check(Options, make())
      assert.strictEqual(Either.isRight(got), Either.isRight(expected), label)
      if (Either.isRight(got) && Either.isRight(expected)) {
        assert.deepStrictEqual(got.right, expected.right)
        assert.deepStrictEqual(Reflect.ownKeys(got.right), Reflect.ownKeys(expected.right))
        assert.strictEqual(Object.getPrototypeOf(got.right), Object.prototype)
      }
    })
  }

  it("a getter that throws is a Left, never an exception", () => {
    const value = {
      get callTimeoutMs(): number {
        throw new Error("boom")
      }
    }
    assert.isTrue(Either.isLeft(Inputs.check(Options, value)))
  })
})
