/**
 * Cancellation over real sockets: 100 calls in flight against the emulator on a loopback port
 * (its latency keeps them there), then interrupted — through the facade's AbortSignal, and by
 * Effect interruption of `CometApi` fibers. Afterwards the server has seen every request end,
 * the client counts nothing in flight, and the process holds no more sockets or timers than
 * before the calls (`process.getActiveResourcesInfo()`), while the client is still open. With
 * more calls than permits (the facade's default undici transport, and an Effect fan-out), the
 * cancellation of the calls holding permits starts none of the waiting ones.
 */
import { CometConfig, isCometError } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { CometHttp } from "@comet-ts/http"
import { FetchHttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer } from "effect"
import { API, CometApi, CometApiLayer, Testing } from "../src/index.js"
import { Capture } from "./support/capture.js"
import { facade, SECRET } from "./support/facade.js"
import { eventually, inFlight, resources, serverUrl } from "./support/sockets.js"

const CALLS = 100
const dataset = Emulator.generate({ size: "small", seed: 1, apiKey: SECRET })
const experiments = dataset.workspaces.flatMap((w) => w.projects.flatMap((p) => p.experiments))

/** 100 distinct reads (no two share a request): a metric history each, and some asset streams. */
const targets = Array.from({ length: CALLS }, (_, i) => {
  const e = experiments[i % experiments.length]!
  const metric = e.metrics[Math.floor(i / experiments.length)]!.name
  return { key: e.experimentKey, metric }
})

/** The emulator on a random loopback port with a latency no call outlives. */
const Server = Emulator.layerServer({ dataset, apiKey: SECRET, port: 0, latency: 600_000 })

const noMoreThan = (before: Record<string, number>) => () => {
  const now = resources()
  return (now.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0) && (now.Timeout ?? 0) <= (before.Timeout ?? 0)
}

/** Wait until the server has `n` requests in flight. */
const serverInFlight = (emulator: Emulator.EmulatorShape, n: number) =>
  eventually(
    () => inFlight(emulator) === n,
    () => `${inFlight(emulator)} requests in flight on the server, not ${n}`
  )

/** Wait until the server has seen every request end, then until the process holds no more than `before`. */
const drained = (emulator: Emulator.EmulatorShape, before: Record<string, number>) =>
  Effect.gen(function* () {
    yield* serverInFlight(emulator, 0)
    yield* eventually(
      noMoreThan(before),
      () => `resources before ${JSON.stringify(before)}, now ${JSON.stringify(resources())}`
    )
  })

describe("interrupting 100 in-flight calls", () => {
  it.live("through the facade's AbortSignal: all reject with aborted; no socket, timer or request is left", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      const capture = new Capture()
      const api = facade(globalThis.fetch, capture, { baseUrl: url, maxConcurrency: CALLS })
      const before = resources()
      const controller = new AbortController()
      const signal = controller.signal
      const calls: Array<Promise<unknown>> = targets
        .slice(0, CALLS - 10)
        .map((t) => api.getExperimentMetric(t.key, t.metric, { signal }))
      for (let i = 0; i < 10; i++) {
        calls.push(
          (async () => {
            const chunks: Array<Uint8Array> = []
            const e = experiments[i]!
            for await (const c of api.streamExperimentAsset(e.experimentKey, e.assets[0]!.assetId, { signal }))
              chunks.push(c)
            return chunks
          })()
        )
      }
      const settled = Promise.allSettled(calls)
      yield* serverInFlight(emulator, CALLS)
      assert.isAbove(resources().TCPSocketWrap ?? 0, (before.TCPSocketWrap ?? 0) + CALLS)
      controller.abort()
      const outcomes = yield* Effect.promise(() => settled)

      assert.strictEqual(outcomes.length, CALLS)
      for (const o of outcomes) {
        assert.strictEqual(o.status, "rejected")
        if (o.status === "rejected") {
          assert.isTrue(isCometError(o.reason), String(o.reason))
          assert.strictEqual((o.reason as { _tag: string })._tag, "TransportError")
          assert.strictEqual((o.reason as { reason: string }).reason, "aborted")
          capture.error(o.reason)
        }
      }
      yield* drained(emulator, before)
      const stats = yield* Effect.promise(() => api.getRequestStats())
      assert.strictEqual(stats.inFlight, 0)
      assert.strictEqual(stats.attempts, CALLS)
      assert.strictEqual(stats.retries, 0)
      assert.strictEqual(capture.requests.length, CALLS)
      assert.deepStrictEqual(capture.leaks(SECRET, [url]), [])
      yield* Effect.promise(() => api.close())
    }).pipe(Effect.provide(Server))
  )

  it.live(
    "through the AbortSignal over the default transport (undici): the same, with 300 calls past the permits",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const url = yield* serverUrl
        const api = new API({ apiKey: SECRET, baseUrl: url, panel: false, sources: CometConfig.staticSources({}) })
        yield* Effect.promise(() => api.getRequestStats()) // the runtime (and undici) loaded before the count
        const before = resources()
        const controller = new AbortController()
        const calls = Array.from({ length: 3 * CALLS }, (_, i) => {
          const t = targets[i % CALLS]!
          return api.getExperimentMetric(t.key, t.metric, { signal: controller.signal, callTimeoutMs: 600_000 + i })
        })
        const settled = Promise.allSettled(calls)
        yield* serverInFlight(emulator, 8)
        controller.abort()
        const outcomes = yield* Effect.promise(() => settled)
        assert.deepStrictEqual(
          new Set(
            outcomes.map((o) => (o.status === "rejected" ? (o.reason as { reason?: string }).reason : "answered"))
          ),
          new Set(["aborted"])
        )
        yield* drained(emulator, before)
        const stats = yield* Effect.promise(() => api.getRequestStats())
        assert.strictEqual(stats.inFlight, 0)
        assert.strictEqual(stats.attempts, 8)
        yield* Effect.promise(() => api.close())
      }).pipe(Effect.provide(Server))
  )

  it.live("by Effect interruption of CometApi fibers: the same, with every fiber interrupted", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      const before = resources()
      const ApiLive = Testing.layerClient(FetchHttpClient.layer, {
        apiKey: SECRET,
        baseUrl: url,
        maxConcurrency: CALLS
      })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const ctx = yield* Layer.build(ApiLive)
          const api = Context.get(ctx, CometApi)
          const fibers = yield* Effect.forEach(targets, (t) => Effect.fork(api.getExperimentMetric(t.key, t.metric)))
          yield* serverInFlight(emulator, CALLS)
          const exits = yield* Effect.forEach(fibers, (f) => Fiber.interrupt(f))
          for (const exit of exits) assert.isTrue(Exit.isInterrupted(exit))
          // still inside the client's scope: the client itself holds nothing
          yield* drained(emulator, before)
          const stats = yield* api.getRequestStats()
          assert.strictEqual(stats.inFlight, 0)
          assert.strictEqual(stats.attempts, CALLS)
        })
      )
    }).pipe(Effect.provide(Server))
  )

  it.live("an interrupted fan-out of 300 calls past 8 permits: no request starts after the interruption", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      const ApiLive = Testing.layerClient(FetchHttpClient.layer, { apiKey: SECRET, baseUrl: url, maxConcurrency: 8 })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const api = Context.get(yield* Layer.build(ApiLive), CometApi)
          const fanOut = yield* Effect.fork(
            Effect.forEach(
              Array.from({ length: 3 * CALLS }, (_, i) => targets[i % CALLS]!),
              (t) => api.getExperimentMetric(t.key, t.metric),
              { concurrency: "unbounded" }
            )
          )
          yield* serverInFlight(emulator, 8)
          assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(fanOut)))
          yield* serverInFlight(emulator, 0)
          const stats = yield* api.getRequestStats()
          assert.strictEqual(stats.inFlight, 0)
          assert.strictEqual(stats.attempts, 8)
        })
      )
    }).pipe(Effect.provide(Server))
  )
})

describe("interrupting per-experiment chart calls gathered into one request", () => {
  /** Only the chart endpoint is slow: the experiments are listed at once. */
  const SlowCharts = Emulator.layerServer({
    dataset,
    apiKey: SECRET,
    port: 0,
    latency: "600000@experiments/multi-metric-chart"
  })
  const workspace = dataset.workspaces[0]!
  const project = workspace.projects[0]!

  it.live("an interrupted Effect fan-out: the gathered chart request is aborted, none stays in flight", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      // an attempt timeout the test never reaches: a request left going would stay in flight
      const ApiLive = CometApiLayer.layer().pipe(
        Layer.provideMerge(CometHttp.layer({ apiKey: SECRET, baseUrl: url, timeout: "60 seconds" })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const api = Context.get(yield* Layer.build(ApiLive), CometApi)
          const exps = yield* api.getExperiments(workspace.name, project.projectName)
          const fanOut = yield* Effect.fork(
            Effect.forEach(exps, (e) => e.getMetricsForChart(["loss"]), { concurrency: "unbounded", batching: true })
          )
          yield* serverInFlight(emulator, 1)
          assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(fanOut)))
          yield* serverInFlight(emulator, 0)
          assert.strictEqual((yield* api.getRequestStats()).inFlight, 0)
        })
      )
    }).pipe(Effect.provide(SlowCharts))
  )

  it.live("through the facade: Promise.all over APIExperiment.getMetricsForChart, aborted; the same", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const url = yield* serverUrl
      const api = new API({
        apiKey: SECRET,
        baseUrl: url,
        panel: false,
        timeoutMs: 60_000,
        sources: CometConfig.staticSources({})
      })
      const exps = yield* Effect.promise(() => api.getExperiments(workspace.name, project.projectName))
      const controller = new AbortController()
      const all = Promise.allSettled(exps.map((e) => e.getMetricsForChart(["loss"], [], { signal: controller.signal })))
      yield* serverInFlight(emulator, 1)
      controller.abort()
      const outcomes = yield* Effect.promise(() => all)
      assert.deepStrictEqual(
        new Set(outcomes.map((o) => (o.status === "rejected" ? (o.reason as { reason?: string }).reason : "answered"))),
        new Set(["aborted"])
      )
      yield* serverInFlight(emulator, 0)
      assert.strictEqual((yield* Effect.promise(() => api.getRequestStats())).inFlight, 0)
      yield* Effect.promise(() => api.close())
    }).pipe(Effect.provide(SlowCharts))
  )
})
