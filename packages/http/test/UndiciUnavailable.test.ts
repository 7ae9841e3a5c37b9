/**
 * undici that cannot be imported (an ES module bundle for Node whose inlined undici finds no
 * `require`) makes building the Node transport fail with the ConfigurationError that names the
 * cause and the fix, never a bare Error from the bundler's shim (scripts/consumer.mjs builds
 * that bundle for real).
 */
import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { vi } from "vitest"
import * as NodeTransport from "../src/NodeTransport.js"

vi.mock("undici", () => {
  throw new Error('Dynamic require of "node:assert" is not supported')
})

describe("NodeTransport without a loadable undici", () => {
  it.effect("fails with a ConfigurationError naming the cause and the fix", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(
          Layer.build(
            NodeTransport.layerConfig.pipe(
              Layer.provide(CometConfig.layer({ apiKey: "k", sources: CometConfig.staticSources({}) }))
            )
          )
        )
      )
      assert.strictEqual(error._tag, "ConfigurationError")
      assert.strictEqual(error.setting, "transport")
      // the import's own error is quoted (here vitest's wrapper of the mock's)
      assert.match(error.message, /undici, the Node transport, could not be loaded \(.+\)\. A bundle for Node/)
      assert.include(error.message, "--packages=external")
      assert.include(error.message, "createRequire(import.meta.url)")
      assert.include(error.message, "httpClient: FetchHttpClient.layer")
    })
  )
})
