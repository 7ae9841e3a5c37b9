/**
 * What a review of the transports' options found: `Transport.layerFetch`, `layerHttpClient` and
 * `NodeTransport.layer` read their options after the names' check, outside any Effect — a getter
 * that throws escaped as the exception itself (thrown by the call that builds the Layer), and
 * `NodeTransport.layer` given a value of the wrong type or no `extraCa` died with a TypeError in
 * undici. Each is now the ConfigurationError naming the option, the options read once.
 */
import { ConfigurationError } from "@comet-ts/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { layerTransport } from "../src/CometHttp.js"
import * as NodeTransport from "../src/NodeTransport.js"
import * as Transport from "../src/Transport.js"
import { FakeServer, json } from "./support/harness.js"
import { DIRECT } from "./support/sockets.js"

const client = () => Layer.succeed(HttpClient.HttpClient, new FakeServer(() => Effect.succeed(json({}))).client)

const failure = (build: () => Layer.Layer<Transport.Transport, ConfigurationError, HttpClient.HttpClient>) =>
  Effect.gen(function* () {
    // building the Layer must not throw: the failure is the Layer's
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(build(), client()))))
    if (Exit.isSuccess(exit)) return assert.fail("built")
    const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    assert.instanceOf(e, ConfigurationError, String(exit.cause))
    return e as ConfigurationError
  })

const throwing = (name: string, rest: object = {}) =>
  Object.defineProperty({ ...rest }, name, {
    enumerable: true,
    get: () => {
      throw new Error("boom")
    }
  })

const undici = DIRECT

describe("transport options review", () => {
  it.effect("a getter that throws is the ConfigurationError naming the option, never the exception", () =>
    Effect.gen(function* () {
      for (const [build, setting, where] of [
        [() => Transport.layerFetch(throwing("followRedirects") as never), "followRedirects", "Transport.layerFetch"],
        [
          () => Transport.layerHttpClient(throwing("manualRedirects") as never),
          "manualRedirects",
          "Transport.layerHttpClient"
        ],
        [() => NodeTransport.layer(throwing("connections", undici) as never), "connections", "NodeTransport.layer"]
      ] as const) {
        const e = yield* failure(build)
        assert.strictEqual(e.setting, setting)
        assert.include(e.message, `cannot be read: reading it threw (a getter or a Proxy), so ${where} cannot use it`)
      }
    })
  )

  it.effect("NodeTransport.layer: a value of the wrong type, or one left out, is a ConfigurationError naming it", () =>
    Effect.gen(function* () {
      for (const [options, setting, said] of [
        [{ ...undici, connections: "8" }, "connections", "must be a positive integer, not a string"],
        [{ ...undici, httpsProxy: 8080 }, "httpsProxy", "must be a proxy URL or null, not the number 8080"],
        [
          { ...undici, extraCa: "-----BEGIN CERTIFICATE-----" },
          "extraCa",
          "must be an array of PEM certificates, or null"
        ],
        [{ ...undici, rejectUnauthorized: "false" }, "rejectUnauthorized", "must be a boolean, not a string"],
        [{ connections: 4 }, "httpProxy", "is missing: NodeTransport.layer needs every one of"]
      ] as const) {
        const e = yield* failure(() => NodeTransport.layer(options as never))
        assert.strictEqual(e.setting, setting, e.message)
        assert.include(e.message, said)
      }
      // the options as given still build
      const ok = yield* Effect.exit(Effect.scoped(Layer.build(NodeTransport.layer(undici))))
      assert.isTrue(Exit.isSuccess(ok))
    })
  )

  it.effect("CometHttp.layerTransport's errors name CometHttp.layerTransport, the entry called", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Layer.build(
            layerTransport({
              apiKey: "k".repeat(32),
              baseUrl: "https://comet.test",
              retryBudgt: "1 minute"
            } as never).pipe(Layer.provide(Transport.layerFetch()))
          )
        )
      )
      if (Exit.isSuccess(exit)) return assert.fail("built")
      const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.instanceOf(e, ConfigurationError)
      assert.include(
        (e as ConfigurationError).message,
        "retryBudgt: is not an option of CometHttp.layerTransport (did you mean retryBudget?)"
      )
    })
  )
})
