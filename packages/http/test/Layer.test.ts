/**
 * The layers: one shared instance behind CometHttp and RequestStats, configuration from options
 * or core's CometConfig, validation, stats reset, and spans.
 */
import { CometConfig, ConfigurationError } from "@comet-ts/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Context, Effect, Fiber, Layer, Schema, TestClock } from "effect"
import { CometHttp, layer, layerConfig, layerConfigWith } from "../src/CometHttp.js"
import { HttpClientService } from "../src/internal/transportHttpClient.js"
import { RequestStats } from "../src/RequestStats.js"
import { FakeServer, json, KEY, withHttp } from "./support/harness.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })
const okServer = () => new FakeServer(() => Effect.succeed(json({ ok: true })))

describe("layers", () => {
  it("the HttpClient adapter's service is platform's HttpClient: same key, so it reads what platform's tag provides", () => {
    assert.strictEqual(HttpClientService.key, HttpClient.HttpClient.key)
    const client = okServer().client
    assert.strictEqual(Context.get(Context.make(HttpClient.HttpClient, client), HttpClientService), client)
    assert.strictEqual(Context.get(Context.make(HttpClientService, client), HttpClient.HttpClient), client)
  })

  it.effect("CometHttp and RequestStats come from one instance", () =>
    Effect.gen(function* () {
      const server = okServer()
      const ctx = yield* Layer.build(
        layer({ apiKey: KEY, baseUrl: "https://comet.test" }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        )
      )
      yield* Context.get(ctx, CometHttp).get("workspaces", Ok)
      yield* Context.get(ctx, CometHttp).get("workspaces", Ok)
      const s = yield* Context.get(ctx, RequestStats).snapshot
      assert.strictEqual(s.requests, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("layerConfig reads core's CometConfig (timeouts, retries, concurrency, key, server)", () =>
    Effect.gen(function* () {
      const server = new FakeServer(() => Effect.succeed(json({}, 503)))
      const config = CometConfig.layer({
        apiKey: KEY,
        baseUrl: "http://127.0.0.1:4820/clientlib/",
        maxRetries: 2,
        sources: CometConfig.staticSources({})
      })
      const ctx = yield* Layer.build(
        layerConfig.pipe(Layer.provide(config), Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client)))
      )
      const http = Context.get(ctx, CometHttp)
      assert.strictEqual(http.baseUrl, "http://127.0.0.1:4820")
      const fiber = yield* Effect.fork(Effect.flip(http.get("workspaces", Ok)))
      yield* TestClock.adjust("1 minute")
      const e = yield* Fiber.join(fiber)
      assert.strictEqual(e._tag, "ServerError")
      assert.strictEqual(server.count, 3)
      assert.strictEqual(server.requests[0]!.url.toString(), "http://127.0.0.1:4820/api/rest/v2/workspaces")
      assert.strictEqual(server.requests[0]!.headers.authorization, KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("layerConfig over CometConfig.layerConfig: settings from an Effect ConfigProvider, no environment", () =>
    Effect.gen(function* () {
      const server = okServer()
      const provider = ConfigProvider.fromMap(
        new Map([
          ["COMET_API_KEY", KEY],
          ["COMET_URL_OVERRIDE", "https://comet.test"]
        ])
      )
      const ctx = yield* Layer.build(
        layerConfig.pipe(
          Layer.provide(CometConfig.layerConfig),
          Layer.provide(Layer.setConfigProvider(provider)),
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        )
      )
      yield* Context.get(ctx, CometHttp).get("workspaces", Ok)
      assert.strictEqual(server.requests[0]!.url.toString(), "https://comet.test/api/rest/v2/workspaces")
      assert.strictEqual(server.requests[0]!.headers.authorization, KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("layerConfigWith passes http settings (a cache) on top of CometConfig", () =>
    Effect.gen(function* () {
      const server = okServer()
      const ctx = yield* Layer.build(
        layerConfigWith({ cache: { capacity: 5, timeToLive: "1 minute" } }).pipe(
          Layer.provide(
            CometConfig.layer({ apiKey: KEY, baseUrl: "https://comet.test", sources: CometConfig.staticSources({}) })
          ),
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        )
      )
      const http = Context.get(ctx, CometHttp)
      yield* http.get("workspaces", Ok, { cacheable: true })
      yield* http.get("workspaces", Ok, { cacheable: true })
      assert.strictEqual(server.count, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("a ResolvedConfig from core is accepted as the options of layer", () =>
    Effect.gen(function* () {
      const server = okServer()
      const resolved = yield* CometConfig.resolve({
        apiKey: KEY,
        baseUrl: "https://comet.test",
        timeoutMs: 3000,
        rateLimit: { limit: 100, intervalMs: 1000 },
        sources: CometConfig.staticSources({})
      })
      const ctx = yield* Layer.build(
        layer({ ...resolved, cache: { capacity: 1, timeToLive: "1 minute" } }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        )
      )
      assert.deepStrictEqual(yield* Context.get(ctx, CometHttp).get("workspaces", Ok), { ok: true })
      assert.strictEqual(server.requests[0]!.headers.authorization, KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("the static CometHttp.layer is the same as layer", () =>
    Effect.gen(function* () {
      const server = okServer()
      const ctx = yield* Layer.build(
        CometHttp.layer({ apiKey: KEY, baseUrl: "https://comet.test" }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        )
      )
      assert.deepStrictEqual(yield* Context.get(ctx, CometHttp).get("workspaces", Ok), { ok: true })
      assert.strictEqual(CometHttp.layerConfig, layerConfig)
    }).pipe(Effect.scoped)
  )

  const invalid: ReadonlyArray<readonly [string, Parameters<typeof layer>[0], string]> = [
    ["plain http to a remote host", { apiKey: KEY, baseUrl: "http://comet.example.com" }, "baseUrl"],
    ["a URL without a scheme", { apiKey: KEY, baseUrl: "comet.example.com" }, "baseUrl"],
    ["an empty key", { apiKey: "  ", baseUrl: "https://comet.test" }, "apiKey"],
    ["maxConcurrency 0", { apiKey: KEY, baseUrl: "https://comet.test", maxConcurrency: 0 }, "maxConcurrency"],
    [
      "a cache of capacity 0",
      { apiKey: KEY, baseUrl: "https://comet.test", cache: { capacity: 0, timeToLive: "1 minute" } },
      "cache.capacity"
    ],
    [
      "a cache TTL of 0",
      { apiKey: KEY, baseUrl: "https://comet.test", cache: { capacity: 1, timeToLive: 0 } },
      "cache.timeToLive"
    ],
    ["maxBodyBytes -1", { apiKey: KEY, baseUrl: "https://comet.test", maxBodyBytes: -1 }, "maxBodyBytes"],
    ["maxJsonBytes 0.5", { apiKey: KEY, baseUrl: "https://comet.test", maxJsonBytes: 0.5 }, "maxJsonBytes"],
    [
      "a rate limit of 0",
      { apiKey: KEY, baseUrl: "https://comet.test", rateLimit: { limit: 0, interval: "1 second" } },
      "rateLimit.limit"
    ]
  ]
  for (const [what, options, setting] of invalid) {
    it.effect(`${what} fails the layer with a ConfigurationError`, () =>
      Effect.gen(function* () {
        const e = yield* Effect.flip(
          Layer.build(layer(options).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, okServer().client))))
        )
        assert.instanceOf(e, ConfigurationError)
        assert.strictEqual(e.setting, setting)
      }).pipe(Effect.scoped)
    )
  }
  it.effect("allowInsecureHttp lets plain http to a remote host through", () =>
    Effect.gen(function* () {
      const ctx = yield* Layer.build(
        layer({ apiKey: KEY, baseUrl: "http://comet.example.com", allowInsecureHttp: true }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, okServer().client))
        )
      )
      assert.strictEqual(Context.get(ctx, CometHttp).baseUrl, "http://comet.example.com")
    }).pipe(Effect.scoped)
  )
})

describe("stats", () => {
  it.effect("reset zeroes every counter; the max in-flight gauge restarts from the current in-flight", () =>
    withHttp(
      (req) => (req.url.searchParams.get("hang") === "1" ? Effect.never : Effect.succeed(json({ ok: true }))),
      {},
      ({ http, stats }) =>
        Effect.gen(function* () {
          yield* http.get("workspaces", Ok)
          yield* http.get("workspaces", Ok, { params: { n: 2 } })
          const hanging = yield* Effect.fork(http.get("workspaces", Ok, { params: { hang: 1 } }))
          yield* TestClock.adjust("1 millis")
          assert.strictEqual((yield* stats.snapshot).maxInFlight, 1)
          yield* stats.reset
          assert.deepStrictEqual(yield* stats.snapshot, {
            requests: 0,
            attempts: 0,
            retries: 0,
            retriesByCause: {},
            resent: 0,
            failures: 0,
            cacheHits: 0,
            coalesced: 0,
            byEndpoint: {},
            byServer: {},
            bytesReceived: 0,
            millis: 0,
            inFlight: 1,
            maxInFlight: 1
          })
          yield* Fiber.interrupt(hanging)
          const after = yield* stats.snapshot
          assert.deepStrictEqual([after.inFlight, after.maxInFlight], [0, 1])
        })
    )
  )

  it.effect("time spent is the (test) clock time of the attempts, per endpoint", () =>
    withHttp(
      (req) =>
        Effect.as(Effect.sleep(req.url.pathname.endsWith("slow") ? "3 seconds" : "1 second"), json({ ok: true })),
      {},
      ({ http, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Effect.all([http.get("slow", Ok), http.get("fast", Ok), http.get("fast", Ok, { params: { b: 1 } })], {
              concurrency: "unbounded"
            })
          )
          yield* TestClock.adjust("3 seconds")
          yield* Fiber.join(fiber)
          const s = yield* stats.snapshot
          assert.strictEqual(s.millis, 5000)
          assert.strictEqual(s.byEndpoint.slow?.millis, 3000)
          assert.strictEqual(s.byEndpoint.fast?.millis, 2000)
          assert.strictEqual(s.byEndpoint.fast?.requests, 2)
        })
    )
  )
})

describe("spans", () => {
  it.effect("a span per request with endpoint, method, status and attempts, and a span per attempt", () =>
    withHttp(
      (req) => Effect.succeed(req.n === 1 ? json({}, 503) : json({ ok: true })),
      {},
      ({ http, observed }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiment/metadata", Ok, { params: { experimentKey: "k" } }))
          yield* TestClock.adjust("1 minute")
          yield* Fiber.join(fiber)
          const request = observed.spans.filter((s) => s.name === "CometHttp.get")
          assert.strictEqual(request.length, 1)
          const attrs = request[0]!.attributes
          assert.strictEqual(attrs.get("comet.endpoint"), "experiment/metadata")
          assert.strictEqual(attrs.get("http.request.method"), "GET")
          assert.strictEqual(attrs.get("http.response.status_code"), 200)
          assert.strictEqual(attrs.get("comet.attempts"), 2)
          const attempts = observed.spans.filter((s) => s.name === "CometHttp.attempt")
          assert.deepStrictEqual(
            attempts.map((s) => [s.attributes.get("comet.attempt"), s.attributes.get("http.response.status_code")]),
            [
              [1, 503],
              [2, 200]
            ]
          )
          for (const a of attempts) {
            assert.strictEqual(a.parent._tag === "Some" && a.parent.value.spanId, request[0]!.spanId)
          }
          assert.strictEqual(
            attempts[0]!.attributes.get("url.full"),
            "https://comet.test/api/rest/v2/experiment/metadata?experimentKey=k"
          )
          // no platform span: its failures carry the request with its raw Authorization header
          assert.strictEqual(observed.spans.filter((s) => s.name.startsWith("http.client")).length, 0)
        })
    )
  )

  it.effect("failed requests end their span with the error tag and status", () =>
    withHttp(
      () => Effect.succeed(json({ msg: "no" }, 404)),
      {},
      ({ http, observed }) =>
        Effect.gen(function* () {
          yield* Effect.flip(http.get("experiment/metadata", Ok, { params: { experimentKey: "k" } }))
          const span = observed.spans.find((s) => s.name === "CometHttp.get")!
          assert.strictEqual(span.attributes.get("http.response.status_code"), 404)
          assert.strictEqual(span.attributes.get("comet.error"), "NotFound")
          assert.strictEqual(span.status._tag, "Ended")
        })
    )
  )
})
