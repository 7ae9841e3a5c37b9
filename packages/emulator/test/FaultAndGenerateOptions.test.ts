/**
 * `faultConfig` and `generate` from plain JavaScript: a misspelt (`fault`, `seeed`), unknown,
 * inherited or symbol name, an object that is no options object and a value of the wrong type
 * (`latency: -5`, `size: "tiny"`, `seed: "3"`) are the `InvalidArgument` naming the option —
 * `generate`, synchronous, throws that typed error itself — never dropped, never used as the
 * wrong type, never a `TypeError`.
 */
import { InvalidArgument } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import { faultConfig, make } from "../src/Emulator.js"
import * as Faults from "../src/Faults.js"
import { generate, generateEither } from "../src/Generator.js"

const invalid = (result: Either.Either<unknown, unknown>): InvalidArgument => {
  if (Either.isRight(result)) return assert.fail("succeeded")
  assert.instanceOf(result.left, InvalidArgument)
  return result.left as InvalidArgument
}

const thrown = (f: () => unknown): InvalidArgument => {
  try {
    f()
  } catch (e) {
    assert.instanceOf(e, InvalidArgument, String(e))
    return e as InvalidArgument
  }
  return assert.fail("returned")
}

describe("faultConfig options", () => {
  it("a misspelt name is an InvalidArgument naming it and the one meant", () => {
    const e = invalid(faultConfig({ fault: "500:1" } as never))
    assert.strictEqual(e.argument, "options.fault")
    assert.include(e.message, "(did you mean faults?)")
    assert.strictEqual(invalid(faultConfig({ latncy: 5 } as never)).argument, "options.latncy")
    assert.strictEqual(invalid(faultConfig(new Map() as never)).argument, "options")
    assert.strictEqual(
      invalid(faultConfig({ [Symbol("faults")]: "500:1" } as never)).argument,
      "options.Symbol(faults)"
    )
    assert.strictEqual(invalid(faultConfig(Object.create({ faults: "500:1" }))).argument, "options.faults")
  })

  it("a value of the wrong type is refused, not used", () => {
    for (const latency of [-5, Number.NaN, Number.POSITIVE_INFINITY, true, {}]) {
      const e = invalid(faultConfig({ latency } as never))
      assert.strictEqual(e.argument, "options.latency", String(latency))
    }
    assert.strictEqual(invalid(faultConfig({ faults: 500 } as never)).argument, "options.faults")
    const rule = invalid(
      faultConfig({ faults: { ...Faults.none, rules: [{ kind: "501", probability: 1, scope: null }] } } as never)
    )
    assert.strictEqual(rule.argument, "options.faults.rules[0].kind")
    const probability = invalid(
      faultConfig({ faults: { ...Faults.none, rules: [{ kind: "500", probability: "1", scope: null }] } } as never)
    )
    assert.strictEqual(probability.argument, "options.faults.rules[0].probability")
    assert.strictEqual(invalid(faultConfig({ faults: { rules: [] } } as never)).argument, "options.faults.latency")
  })

  it("the declared options still work, with every emulator option name", () => {
    const config = faultConfig({ faults: "500:0.5", latency: 20, seed: 3, apiKey: "k" })
    assert.isTrue(Either.isRight(config))
    if (Either.isRight(config)) {
      assert.deepStrictEqual(config.right.rules, [{ kind: "500", probability: 0.5, scope: null }])
      assert.deepStrictEqual(config.right.latency, [{ fixedMs: 20, jitterMs: 0, scope: null }])
    }
    const given = { ...Faults.none, retryAfterSeconds: 3 }
    const object = faultConfig({ faults: given, latency: "5~2" })
    assert.strictEqual(Either.isRight(object) ? object.right.retryAfterSeconds : -1, 3)
    assert.deepStrictEqual(faultConfig({}), Either.right(Faults.none))
    assert.deepStrictEqual(faultConfig({ faults: null, latency: null } as never), Either.right(Faults.none))
  })

  it.effect("make refuses a fault value of the wrong type as an InvalidArgument, not a defect", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(make({ latency: -1 }))
      if (Exit.isSuccess(exit)) return assert.fail("made")
      const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(e?.argument, "options.latency", String(exit.cause))
      const seed = yield* Effect.exit(make({ seed: "3" } as never))
      if (Exit.isSuccess(seed)) return assert.fail("made")
      assert.strictEqual(seed.cause._tag === "Fail" ? seed.cause.error.argument : "", "options.seed")
    })
  )
})

describe("generate options", () => {
  it("a misspelt or unknown name is thrown as the typed InvalidArgument naming it", () => {
    const e = thrown(() => generate({ size: "small", seeed: 2 } as never))
    assert.strictEqual(e.argument, "options.seeed")
    assert.include(e.message, "(did you mean seed?)")
    assert.strictEqual(e._tag, "InvalidArgument")
    assert.strictEqual(thrown(() => generate({ size: "small", api_key: "k" } as never)).argument, "options.api_key")
    assert.strictEqual(thrown(() => generate(new Map() as never)).argument, "options")
    assert.strictEqual(
      invalid(generateEither({ size: "small", largeAsset: 1 } as never)).argument,
      "options.largeAsset"
    )
  })

  it("a value of the wrong type is thrown as the InvalidArgument, never a TypeError or a dataset", () => {
    for (const [options, argument] of [
      [{ size: "tiny" }, "options.size"],
      [{}, "options.size"],
      [undefined, "options.size"],
      [{ size: "small", seed: "3" }, "options.seed"],
      [{ size: "small", seed: 1.5 }, "options.seed"],
      [{ size: "small", largeAssetBytes: -1 }, "options.largeAssetBytes"],
      [{ size: "small", apiKey: 42 }, "options.apiKey"]
    ] as const) {
      assert.strictEqual(thrown(() => generate(options as never)).argument, argument, JSON.stringify(options))
      assert.strictEqual(invalid(generateEither(options as never)).argument, argument)
    }
  })

  it('a missing size says what it must be (it said "a value of another kind")', () => {
    for (const options of [{}, undefined, null]) {
      const e = thrown(() => generate(options as never))
      assert.strictEqual(e.argument, "options.size")
      assert.include(e.message, '"small", "medium" or "large"')
      assert.notInclude(e.message, "another kind")
    }
  })

  it("the declared options still work; null reads as not given", () => {
    const d = generate({ size: "small", seed: 2, apiKey: "key-1" })
    assert.deepStrictEqual(generate({ size: "small", seed: 2, apiKey: "key-1", largeAssetBytes: null } as never), d)
    assert.deepStrictEqual(generateEither({ size: "small", seed: 2, apiKey: "key-1" }), Either.right(d))
  })
})
