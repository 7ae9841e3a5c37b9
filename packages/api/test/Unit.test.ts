import { ConfigurationError, InvalidArgument, NotFound, ServerError, TransportError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { API, CometApi, Testing } from "../src/index.js"
import { resolveLocation } from "../src/internal/paths.js"
import { chartReply, Fake, key, summary } from "./support/fake.js"

const fail = <E>(exit: Exit.Exit<unknown, E>): E => {
  if (Exit.isSuccess(exit)) return assert.fail("expected a failure")
  const error = Cause.failureOption(exit.cause)
  return Option.isSome(error) ? error.value : assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
}

describe("ws/proj/exp paths", () => {
  it.effect("split as the Python SDK splits them", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* resolveLocation("ws/proj/exp", undefined, undefined), {
        workspace: "ws",
        projectName: "proj",
        experiment: "exp"
      })
      // The experiment part keeps further slashes.
      assert.deepStrictEqual(yield* resolveLocation("ws/proj/a/b", undefined, undefined), {
        workspace: "ws",
        projectName: "proj",
        experiment: "a/b"
      })
      assert.deepStrictEqual(yield* resolveLocation("ws", "proj/exp", undefined), {
        workspace: "ws",
        projectName: "proj",
        experiment: "exp"
      })
    })
  )

  it.effect("malformed paths are InvalidArgument", () =>
    Effect.gen(function* () {
      for (const [a, b, c] of [
        ["ws//exp", undefined, undefined],
        ["/proj", undefined, undefined],
        ["ws/", undefined, undefined],
        ["ws/proj", "other", undefined],
        ["ws", "proj/exp", "again"],
        [" ", undefined, undefined]
      ] as const) {
        const e = fail(yield* Effect.exit(resolveLocation(a, b, c)))
        assert.instanceOf(e, InvalidArgument)
      }
    })
  )
})

describe("chart fetches", () => {
  it.effect("long key lists are chunked, fetched concurrently and merged exactly", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const keys = Array.from({ length: 7 }, (_, i) => key(i))
      const result = yield* Effect.flatMap(CometApi, (api) => api.getMetricsForChart(keys, ["loss", "acc"])).pipe(
        Effect.provide(Testing.layerClient(fake.layer, { chartChunkSize: 3 }))
      )
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 3)
      assert.deepStrictEqual(Object.keys(result), keys)
      assert.deepStrictEqual(
        fake.seen.map((s) => (s.body as { targetedExperiments: Array<string> }).targetedExperiments.length),
        [3, 3, 1]
      )
      assert.deepStrictEqual(
        result[key(6)]?.metrics.map((m) => m.metricName),
        ["loss", "acc"]
      )
    })
  )

  it.effect("a chunk that keeps failing fails the whole call: never a short result", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) => {
        const body = req.body as { targetedExperiments: Array<string> }
        return body.targetedExperiments.includes(key(4)) ? { status: 500, json: { msg: "boom" } } : chartReply(req)
      })
      const exit = yield* Effect.flatMap(CometApi, (api) =>
        api.getMetricsForChart(
          Array.from({ length: 6 }, (_, i) => key(i)),
          ["loss"]
        )
      ).pipe(Effect.provide(Testing.layerClient(fake.layer, { chartChunkSize: 2, maxRetries: 0 })), Effect.exit)
      assert.instanceOf(fail(exit), ServerError)
    })
  )

  it.effect("no metrics asks nothing", () =>
    Effect.gen(function* () {
      const fake = new Fake(chartReply)
      const result = yield* Effect.flatMap(CometApi, (api) => api.getMetricsForChart([key(1)], [])).pipe(
        Effect.provide(Testing.layerClient(fake.layer))
      )
      assert.deepStrictEqual(result, {})
      assert.strictEqual(fake.count(), 0)
    })
  )

  it.effect("per-experiment calls are batched into one request and equal the direct call", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) =>
        req.endpoint === "experiments"
          ? { json: { experiments: Array.from({ length: 10 }, (_, i) => summary(i)) } }
          : chartReply(req)
      )
      const program = Effect.gen(function* () {
        const api = yield* CometApi
        const experiments = yield* api.getExperiments("ws", "proj")
        const batched = yield* Effect.forEach(experiments, (e) => e.getMetricsForChart(["loss"]), {
          concurrency: "unbounded",
          batching: true
        })
        const direct = yield* api.getMetricsForChart(experiments, ["loss"])
        return { batched, direct, keys: experiments.map((e) => e.key as string) }
      })
      const { batched, direct, keys } = yield* program.pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.strictEqual(fake.count("experiments"), 1)
      // One request for the ten batched calls, one for the direct call.
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 2)
      assert.deepStrictEqual(
        batched,
        keys.map((k) => direct[k] ?? null)
      )
    })
  )
})

describe("per-experiment chart calls made together share requests", () => {
  const listing = (req: { endpoint: string }) =>
    req.endpoint === "experiments" ? { json: { experiments: Array.from({ length: 12 }, (_, i) => summary(i)) } } : null

  it.effect("concurrent fibers without batching: one request per window and request shape", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) => listing(req) ?? chartReply(req))
      const result = yield* Effect.gen(function* () {
        const api = yield* CometApi
        const experiments = yield* api.getExperiments("ws", "proj")
        return yield* Effect.all(
          [
            Effect.forEach(experiments, (e) => e.getMetricsForChart(["loss"]), { concurrency: "unbounded" }),
            Effect.forEach(experiments.slice(0, 3), (e) => e.getMetricsForChart(["acc"]), { concurrency: "unbounded" })
          ],
          { concurrency: "unbounded" }
        )
      }).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 2)
      assert.deepStrictEqual(
        result[0].map((c) => c?.metrics[0]?.metricName),
        Array.from({ length: 12 }, () => "loss")
      )
      assert.deepStrictEqual(
        result[1].map((c) => c?.experimentKey as string | undefined),
        [key(0), key(1), key(2)]
      )
    })
  )

  it("Promise.all over the facade's experiments: one request for all of them", async () => {
    const fake = new Fake((req) => listing(req) ?? chartReply(req))
    const api = new API({
      apiKey: "local-dev-key",
      baseUrl: "http://127.0.0.1:4820",
      httpClient: fake.layer,
      panel: false
    })
    try {
      const experiments = await api.getExperiments("ws", "proj")
      const charts = await Promise.all(experiments.map((e) => e.getMetricsForChart(["loss"])))
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 1)
      assert.deepStrictEqual(
        charts.map((c) => c?.experimentKey),
        experiments.map((e) => e.key)
      )
      // One after the other: one request each (nothing waits for company).
      await experiments[0]?.getMetricsForChart(["loss"])
      await experiments[1]?.getMetricsForChart(["loss"])
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 3)
    } finally {
      await api.close()
    }
  })

  it.effect("a failed window fails every call in it with the typed error", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) => listing(req) ?? { status: 500, json: { msg: "down" } })
      const errors = yield* Effect.gen(function* () {
        const api = yield* CometApi
        const experiments = yield* api.getExperiments("ws", "proj")
        return yield* Effect.forEach(experiments.slice(0, 4), (e) => Effect.flip(e.getMetricsForChart(["loss"])), {
          concurrency: "unbounded"
        })
      }).pipe(Effect.provide(Testing.layerClient(fake.layer, { maxRetries: 0 })))
      assert.strictEqual(fake.count("experiments/multi-metric-chart"), 1)
      assert.isTrue(errors.every((e) => e instanceof ServerError))
    })
  )
})

describe("lookups dedupe", () => {
  it.effect("the same metadata asked many times at once is fetched once", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) => {
        const k = req.url.searchParams.get("experimentKey") ?? ""
        return { json: { ...summary(Number.parseInt(k, 16)), userName: "u", running: false, throttle: false } }
      })
      const keys = [1, 2, 1, 3, 2, 1].map(key)
      const metas = yield* Effect.flatMap(CometApi, (api) =>
        Effect.forEach(keys, api.getExperimentMetadata, { concurrency: "unbounded", batching: true })
      ).pipe(Effect.provide(Testing.layerClient(fake.layer)))
      assert.deepStrictEqual(
        metas.map((m) => m.experimentKey),
        keys
      )
      assert.strictEqual(fake.count("experiment/metadata"), 3)
    })
  )
})

describe("experiment lookups fall back from key to name", () => {
  it.effect("an unknown key is looked up by name in the project", () =>
    Effect.gen(function* () {
      const fake = new Fake((req) =>
        req.endpoint === "experiment/metadata"
          ? { status: 404, json: { code: 404, msg: "Experiment not found", sdk_error_code: 90211 } }
          : { json: { experiments: [summary(1), summary(2)] } }
      )
      const api = Testing.layerClient(fake.layer)
      const byName = yield* Effect.flatMap(CometApi, (a) => a.get("ws/proj/run-2")).pipe(Effect.provide(api))
      assert.strictEqual(byName.key, key(2))
      assert.strictEqual(byName.url, `http://127.0.0.1:4820/ws/proj/${key(2)}`)
      const missing = yield* Effect.flatMap(CometApi, (a) => a.getExperiment("ws", "proj", "nope")).pipe(
        Effect.provide(api),
        Effect.exit
      )
      const e = fail(missing)
      assert.instanceOf(e, NotFound)
      assert.include(e.message, "ws/proj/nope")
    })
  )
})

describe("the Promise facade", () => {
  it("rejects with the typed error instance when no key is configured", async () => {
    const api = new API({
      sources: {
        env: () => undefined,
        readFile: () => undefined,
        isDirectory: () => false,
        cwd: undefined,
        home: undefined
      }
    })
    const error = await api.getWorkspaces().then(
      () => assert.fail("resolved"),
      (e: unknown) => e
    )
    assert.instanceOf(error, ConfigurationError)
    assert.strictEqual((error as ConfigurationError)._tag, "ConfigurationError")
    assert.include((error as ConfigurationError).message, "COMET_API_KEY")
    await api.close()
  })

  it("an AbortSignal cancels the call and its HTTP request", async () => {
    const fake = new Fake(() => "hang")
    const api = new API({
      apiKey: "local-dev-key",
      baseUrl: "http://127.0.0.1:4820",
      httpClient: fake.layer,
      panel: false
    })
    const controller = new AbortController()
    const pending = api.getWorkspaces({ signal: controller.signal })
    while (fake.count() === 0) await new Promise((r) => setImmediate(r))
    controller.abort()
    const error = await pending.then(
      () => assert.fail("resolved"),
      (e: unknown) => e
    )
    assert.instanceOf(error, TransportError)
    assert.strictEqual((error as TransportError).reason, "aborted")
    assert.isTrue(fake.seen[0]?.signal.aborted)
    await api.close()
  })

  it("panel methods reject with a ConfigurationError when no panel is configured", async () => {
    const api = new API({
      apiKey: "k-12345678",
      baseUrl: "http://127.0.0.1:1",
      panel: false,
      httpClient: new Fake(() => ({ json: {} })).layer
    })
    const error = await api.getPanelExperimentKeys().catch((e: unknown) => e)
    assert.instanceOf(error, ConfigurationError)
    await api.close()
    const closed = await api.getWorkspaces().catch((e: unknown) => e)
    assert.instanceOf(closed, ConfigurationError)
  })
})
