import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Emu from "../src/index.js"

describe("public exports", () => {
  it.live("the names the api package and benchmarks use", () =>
    Effect.gen(function* () {
      const dataset: Emu.Dataset = Emu.generate({ size: "small", seed: 2 })
      assert.isTrue(Schema.is(Emu.Dataset)(dataset))
      const emulator = yield* Emu.makeApp({ dataset, faults: "503:0.1", latency: 5 })
      assert.deepStrictEqual(emulator.apiKeys, [Emu.GENERATED_KEYS.main, Emu.GENERATED_KEYS.other])
      assert.strictEqual(Emu.Faults.format(emulator.faults), "503:0.1,latency=5")
      const r = yield* Effect.promise(() =>
        emulator.fetch("http://x/api/rest/v2/account-details", { headers: { authorization: "local-dev-key" } })
      )
      assert.deepStrictEqual(yield* Effect.promise(() => r.json()), {
        userName: "local-dev",
        defaultWorkspaceName: "local-dev"
      })
      for (const name of [
        "layer",
        "layerClient",
        "layerServer",
        "layerTest",
        "loadDataset",
        "decodeDataset",
        "describeDataset"
      ])
        assert.strictEqual(typeof (Emu as Record<string, unknown>)[name], "function", name)
      const bad = yield* Effect.either(Emu.makeApp({ faults: "teapot:1" }))
      assert.strictEqual(bad._tag, "Left")
    })
  )
})
