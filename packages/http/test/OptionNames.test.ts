/**
 * The names of CometHttp's options and settings, for Effect users: `CometHttp.layer({ … })`,
 * `layerTransport`, `layerConfigWith(settings)` and `make(config, settings)` refuse a misspelt,
 * unknown or symbol name, settings that are no settings object (a Map) and names that cannot be
 * read, as `new API(...)` does — a ConfigurationError naming it and the one meant, the API key
 * never shown — and a value that is no duration is a ConfigurationError, never an exception.
 */
import { CometConfig, ConfigurationError } from "@comet-ts/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"
import * as fc from "fast-check"
import { type CometHttp, layer, layerConfigWith, make } from "../src/CometHttp.js"
import * as NodeTransport from "../src/NodeTransport.js"
import * as Transport from "../src/Transport.js"
import { FakeServer, json } from "./support/harness.js"

/** A key no test holds for scrubbing, so a leak would show. */
const SECRET = "Zq8uT3kLmN0pR7sV2wX5yA1bC"
const client = () => Layer.succeed(HttpClient.HttpClient, new FakeServer(() => Effect.succeed(json({}))).client)

const failure = (l: Layer.Layer<CometHttp, ConfigurationError, HttpClient.HttpClient>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(Effect.scoped(Layer.build(Layer.provide(l, client()))))
    if (Exit.isSuccess(exit)) return assert.fail("built")
    const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    assert.instanceOf(e, ConfigurationError, String(exit.cause))
    return e as ConfigurationError
  })

const config = CometConfig.layer({
  apiKey: SECRET,
  baseUrl: "https://comet.test",
  sources: CometConfig.staticSources({})
})

describe("CometHttp option names", () => {
  it.effect("layer refuses a misspelt option, a misspelt setting and a misspelt cache setting", () =>
    Effect.gen(function* () {
      for (const [extra, setting, meant] of [
        [{ base_url: "https://x.invalid" }, "base_url", "baseUrl"],
        [{ timeoutMs: 5000 }, "timeoutMs", "timeout"],
        [{ retryBudgt: "1 minute" }, "retryBudgt", "retryBudget"],
        [{ cache: { capacity: 5, timeToLive: "1 minute", ttl: 5 } }, "cache.ttl", null],
        [{ rateLimit: { limit: 5, intervalMs: 1000 } }, "rateLimit.intervalMs", "interval"]
      ] as const) {
        const e = yield* failure(layer({ apiKey: SECRET, baseUrl: "https://comet.test", ...extra } as never))
        assert.strictEqual(e.setting, setting)
        assert.include(e.message, "is not an option of ")
        if (meant === null) assert.notInclude(e.message, "did you mean")
        else assert.include(e.message, `(did you mean ${meant}?)`)
        assert.notInclude(JSON.stringify(e), SECRET)
      }
    })
  )

  it.effect(
    "layerConfigWith and make refuse a misspelt setting, a Map and a symbol name; the key as a name is masked",
    () =>
      Effect.gen(function* () {
        const viaConfig = (settings: unknown) => failure(layerConfigWith(settings as never).pipe(Layer.provide(config)))
        const budget = yield* viaConfig({ retryBudgt: "1 minute" })
        assert.strictEqual(
          budget.message,
          `Configuration problem with retryBudgt: is not an option of the http settings (did you mean retryBudget?); the options are cache, retryBudget, retryBaseDelay, retryMaxDelay, maxBodyBytes, maxJsonBytes, rateLimitAlgorithm, manualRedirects.`
        )
        const map = yield* viaConfig(new Map([["retryBudget", "1 minute"]]))
        assert.strictEqual(map.setting, "settings")
        assert.include(map.message, "not a Map")
        const symbol = yield* viaConfig({ [Symbol("cache")]: null })
        assert.include(symbol.message, "Symbol(cache): is not an option of the http settings")
        for (const named of [
          { [SECRET]: 1 },
          { [Symbol(SECRET)]: 1 },
          { cache: { capacity: 1, timeToLive: "1 minute", [SECRET]: 1 } }
        ]) {
          const e = yield* viaConfig(named)
          assert.include(e.message, "is not an option of the http")
          assert.notInclude(e.message, SECRET)
          assert.notInclude(JSON.stringify(e), SECRET)
        }
        const resolved = yield* CometConfig.resolve({
          apiKey: SECRET,
          baseUrl: "https://comet.test",
          sources: CometConfig.staticSources({})
        })
        const exit = yield* Effect.exit(
          Effect.scoped(Effect.provide(make(resolved, { maxBodyBytez: 5 } as never), client()))
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(String(exit.cause), "(did you mean maxBodyBytes?)")
      })
  )

  it.effect("a value that is no duration is a ConfigurationError naming it, not an exception", () =>
    Effect.gen(function* () {
      for (const [extra, setting] of [
        [{ timeout: "soon" }, "timeout"],
        [{ downloadTimeout: {} }, "downloadTimeout"],
        [{ rateLimit: { limit: 5, interval: "often" } }, "rateLimit.interval"],
        [{ rateLimit: { limit: 5 } }, "rateLimit.interval"]
      ] as const) {
        const e = yield* failure(
          layer({ apiKey: Redacted.make(SECRET), baseUrl: "https://comet.test", ...(extra as object) })
        )
        assert.strictEqual(e.setting, setting)
        assert.include(e.message, "must be a duration")
      }
    })
  )

  it.effect("any other name is refused; every declared one passes (property)", () =>
    Effect.gen(function* () {
      const known = new Set([
        "apiKey",
        "baseUrl",
        "timeout",
        "downloadTimeout",
        "maxConcurrency",
        "maxRetries",
        "rateLimit",
        "allowInsecureHttp",
        "cache",
        "retryBudget",
        "retryBaseDelay",
        "retryMaxDelay",
        "maxBodyBytes",
        "maxJsonBytes",
        "rateLimitAlgorithm",
        "manualRedirects",
        "restUrl",
        "workspace",
        "projectName",
        "apiKeySource",
        "apiKeyServer",
        "proxy",
        "tls",
        "__proto__"
      ])
      const names = fc.sample(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !known.has(k)),
        40
      )
      for (const name of names) {
        const e = yield* failure(layer({ apiKey: SECRET, baseUrl: "https://comet.test", [name]: SECRET } as never))
        assert.include(e.message, "is not an option of CometHttp.layer")
        assert.notInclude(JSON.stringify(e), SECRET)
      }
      yield* Effect.scoped(
        Layer.build(
          Layer.provide(
            layer({
              apiKey: SECRET,
              baseUrl: "https://comet.test",
              timeout: "5 seconds",
              downloadTimeout: 1000,
              maxConcurrency: 2,
              maxRetries: 1,
              rateLimit: { limit: 5, interval: "1 second" },
              allowInsecureHttp: false,
              cache: { capacity: 5, timeToLive: "1 minute", maxEntryBytes: 10 },
              retryBudget: "1 minute",
              retryBaseDelay: 10,
              retryMaxDelay: 100,
              maxBodyBytes: 1 << 20,
              maxJsonBytes: 1 << 20,
              rateLimitAlgorithm: "fixed-window",
              manualRedirects: true
            }),
            client()
          )
        )
      )
    })
  )

  it.effect(
    "the transports' options: NodeTransport.layer, Transport.layerFetch and layerHttpClient refuse a misspelt one",
    () =>
      Effect.gen(function* () {
        const proxy = "http://user:pr0xy-secret@proxy.example:3128"
        const undici = {
          connections: 2,
          httpProxy: proxy,
          httpsProxy: null,
          noProxy: "",
          extraCa: null,
          rejectUnauthorized: true
        }
        for (const [layer, text] of [
          [
            NodeTransport.layer({ ...undici, httpsproxy: proxy } as never),
            "httpsproxy: is not an option of NodeTransport.layer (did you mean httpsProxy?)"
          ],
          [
            Transport.layerFetch({ followRedirect: true } as never),
            "followRedirect: is not an option of Transport.layerFetch (did you mean followRedirects?)"
          ],
          [Transport.layerFetch(new Map() as never), "options: must be a plain object of options"],
          [
            Transport.layerHttpClient({ manualRedirect: false } as never),
            "manualRedirect: is not an option of Transport.layerHttpClient (did you mean manualRedirects?)"
          ]
        ] as const) {
          const exit = yield* Effect.exit(
            Effect.scoped(
              Layer.build(
                Layer.provide(
                  layer as Layer.Layer<Transport.Transport, ConfigurationError, HttpClient.HttpClient>,
                  client()
                )
              )
            )
          )
          assert.isTrue(Exit.isFailure(exit))
          if (Exit.isFailure(exit)) {
            assert.include(String(exit.cause), `Configuration problem with ${text}`)
            assert.notInclude(String(exit.cause), "pr0xy-secret")
          }
        }
        const ok = yield* Effect.exit(Effect.scoped(Layer.build(NodeTransport.layer(undici))))
        assert.isTrue(Exit.isSuccess(ok))
      })
  )
})
