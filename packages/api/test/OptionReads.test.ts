/**
 * Every public function that takes an options object reads each of its properties exactly once
 * (into a snapshot): a getter with side effects, or a Proxy, sees one read and cannot answer the
 * check one thing and the build another. A counting Proxy over each entry's options.
 */
import { CometConfig } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { CometHttp, Transport } from "@comet-ts/http"
import * as NodeTransport from "@comet-ts/http/NodeTransport"
import { compile, compileTerms, parse, pythonRegex } from "@comet-ts/query"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Redacted } from "effect"
import { counted, once, readsOf } from "../../core/test/support/reads.js"
import { API, CometApiLayer, Panel, Testing } from "../src/index.js"

const KEY = "tk_optionreads_0a1b2c3d4e5f6a7b8c9d"

/** Each property of `given` was read exactly once. */
const assertReadOnce = (given: object, reads: ReadonlyMap<string, number>, where: string) =>
  assert.deepStrictEqual(readsOf(Object.keys(given), reads), once(Object.keys(given)), where)

/** Build a layer in a scope (and release it); its failure is returned, not thrown. */
const built = <A, E>(layer: Layer.Layer<A, E>) => Effect.scoped(Effect.exit(Effect.asVoid(Layer.build(layer))))

describe("each option is read once", () => {
  it.effect("CometHttp.layer and layerTransport (options and the cache settings in them)", () =>
    Effect.gen(function* () {
      for (const [where, make] of [
        ["CometHttp.layer", (o: never) => CometHttp.layer(o).pipe(Layer.provide(FetchHttpClient.layer))],
        [
          "CometHttp.layerTransport",
          (o: never) => CometHttp.layerTransport(o).pipe(Layer.provide(Transport.layerFetch()))
        ]
      ] as const) {
        const cache = counted({ capacity: 10, timeToLive: "1 minute", maxEntryBytes: 1000 })
        const rateLimit = counted({ limit: 5, interval: "1 second" })
        const given = {
          apiKey: KEY,
          baseUrl: "http://127.0.0.1:9",
          timeout: "5 seconds",
          downloadTimeout: Duration.seconds(30),
          maxConcurrency: 3,
          maxRetries: 2,
          rateLimit: rateLimit.proxy,
          retryBudget: "1 minute",
          retryBaseDelay: "100 millis",
          retryMaxDelay: "2 seconds",
          maxBodyBytes: 1_000_000,
          maxJsonBytes: 100_000,
          cache: cache.proxy,
          manualRedirects: true
        }
        const options = counted(given)
        const exit = yield* built(make(options.proxy as never))
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        assertReadOnce(given, options.reads, where)
        assertReadOnce({ capacity: 1, timeToLive: 1, maxEntryBytes: 1 }, cache.reads, `${where}: cache`)
        assertReadOnce({ limit: 1, interval: 1 }, rateLimit.reads, `${where}: rateLimit`)
      }
    })
  )

  it.effect("CometHttp.layerConfigWith and layerConfigTransport (the settings)", () =>
    Effect.gen(function* () {
      const config = CometConfig.layer({
        apiKey: KEY,
        baseUrl: "http://127.0.0.1:9",
        sources: CometConfig.staticSources({})
      })
      for (const [where, make] of [
        [
          "CometHttp.layerConfigWith",
          (s: never) => CometHttp.layerConfigWith(s).pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(config))
        ],
        [
          "CometHttp.layerConfigTransport",
          (s: never) =>
            CometHttp.layerConfigTransport(s).pipe(Layer.provide(Transport.layerFetch()), Layer.provide(config))
        ]
      ] as const) {
        const cache = counted({ capacity: 10, timeToLive: "1 minute" })
        const given = { retryBudget: "1 minute", maxBodyBytes: 1_000_000, cache: cache.proxy, manualRedirects: true }
        const settings = counted(given)
        const exit = yield* built(make(settings.proxy as never))
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        assertReadOnce(given, settings.reads, where)
        assertReadOnce({ capacity: 1, timeToLive: 1 }, cache.reads, `${where}: cache`)
      }
    })
  )

  it.effect("CometConfig.resolve and CometConfig.layer", () =>
    Effect.gen(function* () {
      for (const [where, run] of [
        ["CometConfig.resolve", (o: never) => Effect.exit(Effect.asVoid(CometConfig.resolve(o)))],
        ["CometConfig.layer", (o: never) => built(CometConfig.layer(o))]
      ] as const) {
        const rateLimit = counted({ limit: 5, intervalMs: 1000 })
        const given = {
          apiKey: Redacted.make(KEY),
          baseUrl: "http://127.0.0.1:9",
          timeoutMs: 5000,
          downloadTimeoutMs: 30_000,
          maxConcurrency: 3,
          maxRetries: 2,
          rateLimit: rateLimit.proxy,
          workspace: "ws",
          projectName: "p",
          sources: CometConfig.staticSources({})
        }
        const options = counted(given)
        const exit = yield* run(options.proxy as never)
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        assertReadOnce(given, options.reads, where)
        assertReadOnce({ limit: 1, intervalMs: 1 }, rateLimit.reads, `${where}: rateLimit`)
      }
    })
  )

  it.effect("NodeTransport.layer", () =>
    Effect.gen(function* () {
      // the options as NodeTransport.optionsOf builds them from a configuration
      const config = yield* CometConfig.resolve({ apiKey: KEY, sources: CometConfig.staticSources({}) })
      const given = { ...(yield* NodeTransport.optionsOf(config)) }
      const options = counted(given)
      const exit = yield* built(NodeTransport.layer(options.proxy as never))
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assertReadOnce(given, options.reads, "NodeTransport.layer")
    })
  )

  it.effect("Emulator.layerServer (host and port), Emulator.layer and layerClient", () =>
    Effect.gen(function* () {
      const given = { host: "127.0.0.1", port: 0, seed: 3, apiKey: "emulator-key-123", latency: 0 }
      const server = counted(given)
      const exit = yield* built(Emulator.layerServer(server.proxy as never))
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assertReadOnce(given, server.reads, "Emulator.layerServer")
      for (const [where, make] of [
        ["Emulator.layer", (o: never) => Emulator.layer(o)],
        ["Emulator.layerClient", (o: never) => Emulator.layerClient(o)]
      ] as const) {
        const plain = { seed: 3, apiKey: "emulator-key-123", latency: 0 }
        const options = counted(plain)
        const made = yield* built(make(options.proxy as never))
        assert.isTrue(Exit.isSuccess(made), String(made))
        assertReadOnce(plain, options.reads, where)
      }
    })
  )

  it("Emulator.generate", () => {
    const given = { size: "small", seed: 2 }
    const options = counted(given)
    Emulator.generate(options.proxy as never)
    assertReadOnce(given, options.reads, "Emulator.generate")
  })

  it("query parse", () => {
    const given = { maxLength: 1000, maxDepth: 20 }
    const options = counted(given)
    assert.isTrue(parse('Metric("acc") > 0.9', options.proxy as never)._tag === "Right")
    assertReadOnce(given, options.reads, "parse")
  })

  it("new API(options), and its http settings", async () => {
    const http = counted({ retryBudget: "1 minute", maxBodyBytes: 1_000_000 })
    const panel = counted({ workspace: "ws", projectName: "p", experimentKeys: ["k1"] })
    const given = {
      apiKey: KEY,
      baseUrl: "http://127.0.0.1:9",
      timeoutMs: 5000,
      maxRetries: 0,
      panel: panel.proxy,
      sources: CometConfig.staticSources({}),
      http: http.proxy
    }
    const options = counted(given)
    const api = new API(options.proxy as never)
    // the layers are built by the first call (nothing listens there: it fails, after building them)
    const failed = await api.getWorkspaces().then(
      () => null,
      (e: unknown) => e
    )
    await api.close()
    assert.isNotNull(failed)
    assertReadOnce(given, options.reads, "new API(...)")
    assertReadOnce({ retryBudget: 1, maxBodyBytes: 1 }, http.reads, "new API(...): http")
    assertReadOnce({ workspace: 1, projectName: 1, experimentKeys: 1 }, panel.reads, "new API(...): panel")
  })

  it.effect("CometApi.layer and Testing.layerClient", () =>
    Effect.gen(function* () {
      const settings = counted({ chartChunkSize: 10, orStrategy: "dnf", workspace: "ws" })
      const exit = yield* built(
        CometApiLayer.layer(settings.proxy as never).pipe(
          Layer.provide(
            CometHttp.layer({ apiKey: KEY, baseUrl: "http://127.0.0.1:9" }).pipe(Layer.provide(FetchHttpClient.layer))
          )
        )
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assertReadOnce({ chartChunkSize: 1, orStrategy: 1, workspace: 1 }, settings.reads, "CometApi.layer")
      const given = { maxRetries: 0, apiKey: "local-dev-key" }
      const options = counted(given)
      const test = yield* built(Testing.layerClient(Emulator.layerClient({}), options.proxy as never))
      assert.isTrue(Exit.isSuccess(test), String(test))
      assertReadOnce(given, options.reads, "Testing.layerClient")
    })
  )

  it.effect("Transport.layerFetch and layerHttpClient", () =>
    Effect.gen(function* () {
      const given = { fetch: globalThis.fetch, followRedirects: false }
      const options = counted(given)
      assert.isTrue(Exit.isSuccess(yield* built(Transport.layerFetch(options.proxy as never))))
      assertReadOnce(given, options.reads, "Transport.layerFetch")
      const client = counted({ manualRedirects: true })
      const exit = yield* built(
        Transport.layerHttpClient(client.proxy as never).pipe(Layer.provide(FetchHttpClient.layer))
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assertReadOnce({ manualRedirects: 1 }, client.reads, "Transport.layerHttpClient")
    })
  )

  it.effect("CometApi.layerConfigWith, Panel.layer and Panel.layerTest (the panel values)", () =>
    Effect.gen(function* () {
      const http = CometHttp.layer({ apiKey: KEY, baseUrl: "http://127.0.0.1:9" }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      const config = CometConfig.layer({
        apiKey: KEY,
        baseUrl: "http://127.0.0.1:9",
        sources: CometConfig.staticSources({})
      })
      const settings = counted({ chartChunkSize: 10, orStrategy: "dnf" })
      const exit = yield* built(
        CometApiLayer.layerConfigWith(settings.proxy as never).pipe(Layer.provide(http), Layer.provide(config))
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assertReadOnce({ chartChunkSize: 1, orStrategy: 1 }, settings.reads, "CometApi.layerConfigWith")
      const given = { workspace: "ws", projectName: "p", projectId: "pid", experimentKeys: ["k1"], options: {} }
      const values = counted(given)
      const panel = yield* built(
        Panel.layer(values.proxy as never).pipe(Layer.provide(CometApiLayer.layer()), Layer.provide(http))
      )
      assert.isTrue(Exit.isSuccess(panel), String(panel))
      assertReadOnce(given, values.reads, "Panel.layer")
      const test = { experimentKeys: ["k1"], workspace: "ws", projectName: "p", projectId: "pid", options: {} }
      const testValues = counted(test)
      assert.isTrue(Exit.isSuccess(yield* built(Panel.layerTest(testValues.proxy as never))))
      assertReadOnce(test, testValues.reads, "Panel.layerTest")
    })
  )

  it("query compile and compileTerms, pythonRegex", () => {
    const query = parse('Metric("acc") > 0.9')
    if (query._tag !== "Right") return assert.fail("parsed")
    const columns = [{ name: "acc", id: "acc--metrics", type: "double", source: "metrics" }]
    for (const [where, run, given] of [
      ["compile", (o: never) => compile(query.right, columns, o), { maxDepth: 20 }],
      ["compileTerms", (o: never) => compileTerms(query.right, columns, o), { maxDepth: 20, maxTerms: 50 }],
      ["pythonRegex", (o: never) => pythonRegex("a.c", o), { argument: "pattern" }]
    ] as const) {
      const options = counted(given)
      assert.strictEqual(run(options.proxy as never)._tag, "Right", where)
      assertReadOnce(given, options.reads, where)
    }
  })

  it.effect("Emulator.layerTest, generateEither and faultConfig", () =>
    Effect.gen(function* () {
      const given = { seed: 3, apiKey: "emulator-key-123", latency: 0 }
      const options = counted(given)
      assert.isTrue(Exit.isSuccess(yield* built(Emulator.layerTest(options.proxy as never))))
      assertReadOnce(given, options.reads, "Emulator.layerTest")
      const generate = { size: "small", seed: 2 }
      const generated = counted(generate)
      assert.strictEqual(Emulator.generateEither(generated.proxy as never)._tag, "Right")
      assertReadOnce(generate, generated.reads, "Emulator.generateEither")
      const faults = { seed: 4, latency: 0 }
      const fault = counted(faults)
      assert.strictEqual(Emulator.faultConfig(fault.proxy as never)._tag, "Right")
      assertReadOnce(faults, fault.reads, "Emulator.faultConfig")
    })
  )
})
