import * as HttpClientError from "@effect/platform/HttpClientError"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import { Emulator, layerClient } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { get, getJson } from "./util.js"

const dataset = generate({ size: "small", seed: 1 })
const first = dataset.workspaces[0]!.projects[0]!.experiments[0]!

const statuses = (n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.map(get("/api/rest/v2/workspaces"), (r) => r.status))

describe("fault injection in process", () => {
  it.effect("--faults 503:0.5 --seed 1 gives the same sequence every run", () =>
    Effect.gen(function* () {
      const run = (seed: number) => statuses(60).pipe(Effect.provide(layerClient({ dataset, faults: "503:0.5", seed })))
      const a = yield* run(1)
      const b = yield* run(1)
      const c = yield* run(2)
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a, c)
      const failures = a.filter((s) => s === 503).length
      assert.isTrue(failures > 15 && failures < 45, `${failures} of 60 were 503`)
      assert.deepStrictEqual([...new Set(a)].sort(), [200, 503])
    })
  )

  it.effect("the server's log records each fault in order", () =>
    Effect.gen(function* () {
      const seen = yield* statuses(30)
      const emulator = yield* Emulator
      const snap = yield* emulator.stats.snapshot
      assert.deepStrictEqual(
        snap.log.map((e) => e.status),
        seen
      )
      assert.deepStrictEqual(
        snap.log.map((e) => e.fault),
        seen.map((s) => (s === 503 ? "503" : null))
      )
      assert.strictEqual(snap.faults["503"], seen.filter((s) => s === 503).length)
    }).pipe(Effect.provide(layerClient({ dataset, faults: "503:0.5", seed: 1 })))
  )

  it.effect("429 carries Retry-After and Comet's error body; 503 carries it when retry-after is set", () =>
    Effect.gen(function* () {
      const r = yield* get("/api/rest/v2/workspaces")
      assert.strictEqual(r.status, 429)
      assert.strictEqual(r.headers["retry-after"], "2")
      assert.deepStrictEqual(yield* r.json, { code: 429, msg: "Too many requests: rate limit exceeded" })
      const m = yield* get(`/api/rest/v2/experiment/metadata?experimentKey=${first.experimentKey}`)
      assert.strictEqual(m.status, 503)
      assert.strictEqual(m.headers["retry-after"], "2")
      assert.strictEqual(m.headers["content-type"], "application/json")
    }).pipe(
      Effect.provide(layerClient({ dataset, faults: "429:1@workspaces,503:1@experiment/metadata,retry-after=2" }))
    )
  )

  it.effect("500 is Comet's error body", () =>
    Effect.gen(function* () {
      const r = yield* get("/api/rest/v2/workspaces")
      assert.strictEqual(r.status, 500)
      assert.deepStrictEqual(yield* r.json, { code: 500, msg: "Internal server error" })
    }).pipe(Effect.provide(layerClient({ dataset, faults: "500:1" })))
  )

  it.effect("reset: the request fails with a transport error, as undici reports it", () =>
    Effect.gen(function* () {
      const r = yield* Effect.either(get("/api/rest/v2/workspaces"))
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r)) {
        assert.isTrue(HttpClientError.isHttpClientError(r.left))
        assert.strictEqual(r.left._tag, "RequestError")
        assert.strictEqual((r.left as HttpClientError.RequestError).reason, "Transport")
      }
      const ok = yield* getJson("/clientlib/isAlive/ver", {})
      assert.deepStrictEqual(ok, { version: "4.3.385" })
    }).pipe(Effect.provide(layerClient({ dataset, faults: "reset:1" })))
  )

  it.effect("truncate: full Content-Length in the headers, the body fails half way", () =>
    Effect.gen(function* () {
      const r = yield* get("/api/rest/v2/workspaces")
      assert.strictEqual(r.status, 200)
      const length = Number(r.headers["content-length"])
      assert.isTrue(length > 10)
      const body = yield* Effect.either(r.text)
      assert.isTrue(Either.isLeft(body), "reading the body must fail")
      const snap = yield* Effect.flatMap(Emulator, (e) => e.stats.snapshot)
      assert.deepStrictEqual(snap.faults, { truncate: 1 })
    }).pipe(Effect.provide(layerClient({ dataset, faults: "truncate:1" })))
  )

  it.effect("truncate on a streamed asset cuts it at half", () =>
    Effect.gen(function* () {
      const big = first.assets.find((a) => a.fileName === "checkpoint.bin")!
      const r = yield* get(
        `/api/rest/v2/experiment/asset/get-asset?experimentKey=${first.experimentKey}&assetId=${big.assetId}`
      )
      assert.strictEqual(r.headers["content-length"], String(8 * 1024 * 1024))
      const body = yield* Effect.either(r.arrayBuffer)
      assert.isTrue(Either.isLeft(body))
    }).pipe(Effect.provide(layerClient({ dataset, faults: "truncate:1@experiment/asset/get-asset" })))
  )

  it.effect("slow: the body arrives in 8 chunks paced by the clock", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flatMap(get("/api/rest/v2/workspaces"), (r) => r.text))
      yield* TestClock.adjust("1 second")
      assert.isTrue((yield* Fiber.poll(fiber))._tag === "None", "not done after 1 s")
      yield* TestClock.adjust("1 second")
      const text = yield* Fiber.join(fiber)
      assert.deepStrictEqual(JSON.parse(text), { workspaceNames: ["local-dev", "team-vision"] })
    }).pipe(Effect.provide(layerClient({ dataset, faults: "slow:1,slow-ms=250" })))
  )

  it.effect("latency follows the clock", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(get("/api/rest/v2/workspaces"))
      yield* TestClock.adjust("99 millis")
      assert.strictEqual((yield* Fiber.poll(fiber))._tag, "None")
      yield* TestClock.adjust("1 millis")
      const r = yield* Fiber.join(fiber)
      assert.strictEqual(r.status, 200)
    }).pipe(Effect.provide(layerClient({ dataset, latency: 100 })))
  )
})

describe("request counting", () => {
  it.effect("per endpoint and status, in flight and the most in flight", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const fibers = yield* Effect.forEach(
        Array.from({ length: 5 }),
        () => Effect.fork(get("/api/rest/v2/workspaces")),
        { concurrency: "unbounded" }
      )
      yield* TestClock.adjust("10 millis")
      const during = yield* emulator.stats.snapshot
      assert.strictEqual(during.inFlight, 5)
      yield* TestClock.adjust("40 millis")
      yield* Fiber.joinAll(fibers)
      yield* get("/api/rest/v2/workspaces", {}).pipe(
        Effect.fork,
        Effect.tap(() => TestClock.adjust("50 millis")),
        Effect.flatMap(Fiber.join)
      )
      const snap = yield* emulator.stats.snapshot
      assert.strictEqual(snap.requests, 6)
      assert.strictEqual(snap.maxInFlight, 5)
      assert.strictEqual(snap.inFlight, 0)
      assert.deepStrictEqual(snap.byEndpoint, { workspaces: { requests: 6, byStatus: { "200": 5, "401": 1 } } })
      yield* emulator.stats.reset
      const after = yield* emulator.stats.snapshot
      assert.deepStrictEqual([after.requests, after.log.length, after.maxInFlight], [0, 0, 0])
    }).pipe(Effect.provide(layerClient({ dataset, latency: 50 })))
  )
})
