/**
 * The emulator's options from JavaScript: `make`, `layer`, `layerClient`, `layerTest` and
 * `layerServer({ host, port, latency, dataset, … })` refuse a misspelt (`prot`, `latncy`),
 * unknown or symbol name, options that are no options object (a Map) and names that cannot be
 * read — an InvalidArgument naming it and the one meant — instead of dropping it (a server on
 * the default port, no latency).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, type Scope } from "effect"
import * as fc from "fast-check"
import { layer, layerClient, layerServer, layerTest, make } from "../src/Emulator.js"

const failure = <E>(effect: Effect.Effect<unknown, E, Scope.Scope>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(effect))
    if (Exit.isSuccess(exit)) return assert.fail("succeeded")
    const e = exit.cause._tag === "Fail" ? (exit.cause.error as { _tag: string; message: string }) : undefined
    assert.strictEqual(e?._tag, "InvalidArgument", String(exit.cause))
    return e as { readonly _tag: string; readonly message: string; readonly argument: string }
  })

describe("emulator option names", () => {
  it.effect("a misspelt name is an InvalidArgument naming it and the one meant, for every entry", () =>
    Effect.gen(function* () {
      for (const [build, argument, meant] of [
        [() => make({ latncy: 5 } as never), "options.latncy", "latency"],
        [() => Layer.build(layer({ seeed: 2 } as never)), "options.seeed", "seed"],
        [() => Layer.build(layerClient({ api_key: "k" } as never)), "options.api_key", "apiKey"],
        [() => Layer.build(layerTest({ fault: "500:1" } as never)), "options.fault", "faults"],
        [() => Layer.build(layerServer({ prot: 0 } as never)), "options.prot", "port"],
        [() => Layer.build(layerServer({ hostname: "127.0.0.1", port: 0 } as never)), "options.hostname", "host"],
        [() => make({ port: 0 } as never), "options.port", null]
      ] as const) {
        const e = yield* failure(build() as Effect.Effect<unknown, unknown, Scope.Scope>)
        assert.strictEqual(e.argument, argument)
        assert.include(e.message, "is not an option of the emulator")
        if (meant === null) assert.notInclude(e.message, "did you mean")
        else assert.include(e.message, `(did you mean ${meant}?)`)
      }
    })
  )

  it.effect("a Map, a symbol name and unreadable names are refused, not read as no options", () =>
    Effect.gen(function* () {
      const map = yield* failure(make(new Map([["port", 0]]) as never))
      assert.strictEqual(map.argument, "options")
      assert.include(map.message, "not a Map")
      const symbol = yield* failure(Layer.build(layerServer({ port: 0, [Symbol("host")]: "0.0.0.0" } as never)))
      assert.strictEqual(symbol.argument, "options.Symbol(host)")
      const hiding = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("no")
          }
        }
      )
      const e = yield* failure(make(hiding as never))
      assert.include(e.message, "cannot be read")
    })
  )

  it.effect("any other name is refused (property); every declared one passes", () =>
    Effect.gen(function* () {
      const known = new Set([
        "dataset",
        "apiKey",
        "apiKeys",
        "latency",
        "faults",
        "seed",
        "backendVersion",
        "evaluatePredicates",
        "cors",
        "__proto__"
      ])
      for (const name of fc.sample(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !known.has(k)),
        30
      )) {
        const e = yield* failure(make({ [name]: 1 } as never))
        assert.include(e.message, "is not an option of the emulator")
      }
      const emu = yield* make({ apiKey: "k", latency: 0, faults: "", seed: 3, backendVersion: "1", cors: [] })
      assert.strictEqual(emu.seed, 3)
      yield* Effect.scoped(Layer.build(layerServer({ host: "127.0.0.1", port: 0, seed: 2 })))
    })
  )
})
