/**
 * The semaphore bounds requests in flight (measured at the fake server), the rate limiter
 * bounds attempt starts, and the counters stay exact under concurrency.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Duration, Effect, Fiber, Option, Schema, TestClock } from "effect"
import { ADAPTERS, json, withHttpOver } from "./support/harness.js"

const Item = Schema.Struct({ i: Schema.Number })

/** Advance the clock in steps until the fiber is done (bounded). */
const driveUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput, maxSteps: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < maxSteps; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return i
      yield* TestClock.adjust(step)
    }
    return maxSteps
  })

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("concurrency bound", () => {
    it.effect(
      "200 concurrent calls with a bound of 8: the server never sees more than 8 in flight, all complete",
      () =>
        withHttp(
          (req) => Effect.as(Effect.sleep("100 millis"), json({ i: Number(req.url.searchParams.get("i")) })),
          { maxConcurrency: 8 },
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const calls = Array.from({ length: 200 }, (_, i) => i)
              const fiber = yield* Effect.fork(
                Effect.forEach(calls, (i) => http.get("experiment/metadata", Item, { params: { i } }), {
                  concurrency: "unbounded"
                })
              )
              yield* driveUntilDone(fiber, "100 millis", 1000)
              const results = yield* Fiber.join(fiber)
              assert.deepStrictEqual(
                results.map((r) => r.i),
                calls
              )
              assert.strictEqual(server.count, 200)
              assert.strictEqual(server.maxInFlight, 8)
              assert.strictEqual(server.inFlight, 0)
              const s = yield* stats.snapshot
              const bodyBytes = calls.reduce((n, i) => n + JSON.stringify({ i }).length, 0)
              assert.deepStrictEqual(s, {
                requests: 200,
                attempts: 200,
                retries: 0,
                retriesByCause: {},
                resent: 0,
                failures: 0,
                cacheHits: 0,
                coalesced: 0,
                byEndpoint: {
                  "experiment/metadata": {
                    requests: 200,
                    attempts: 200,
                    retries: 0,
                    failures: 0,
                    bytes: bodyBytes,
                    millis: 20_000
                  }
                },
                byServer: { "https://comet.test": 200 },
                bytesReceived: bodyBytes,
                millis: 20_000,
                inFlight: 0,
                maxInFlight: 8
              })
            })
        ),
      30_000
    )

    it.effect("retries under load also respect the bound, and the counts stay exact", () =>
      withHttp(
        (req) =>
          Effect.as(
            Effect.sleep("50 millis"),
            // every request's first attempt fails with 503: each call takes exactly 2 attempts
            firstTime(seen, req.url.search) ? json({}, 503) : json({ i: 1 })
          ),
        { maxConcurrency: 4 },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.forEach(
                Array.from({ length: 40 }, (_, i) => i),
                (i) => http.get("experiments", Item, { params: { i } }),
                { concurrency: "unbounded" }
              )
            )
            yield* driveUntilDone(fiber, "50 millis", 2000)
            assert.strictEqual((yield* Fiber.join(fiber)).length, 40)
            assert.isAtMost(server.maxInFlight, 4)
            const s = yield* stats.snapshot
            assert.deepStrictEqual(
              [s.requests, s.attempts, s.retries, s.retriesByCause, s.failures, s.maxInFlight, s.inFlight],
              [40, 80, 40, { "503": 40 }, 0, 4, 0]
            )
            assert.strictEqual(server.count, 80)
          })
      )
    )

    it.effect("the in-flight gauge is readable while requests run", () =>
      withHttp(
        () => Effect.as(Effect.sleep("1 second"), json({ i: 0 })),
        { maxConcurrency: 3 },
        ({ http, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.forEach([1, 2, 3, 4, 5], (i) => http.get("experiments", Item, { params: { i } }), {
                concurrency: "unbounded"
              })
            )
            yield* TestClock.adjust("10 millis")
            const during = yield* stats.snapshot
            assert.deepStrictEqual(
              [during.inFlight, during.maxInFlight, during.attempts, during.requests],
              [3, 3, 3, 5]
            )
            yield* TestClock.adjust("3 seconds")
            yield* Fiber.join(fiber)
            const after = yield* stats.snapshot
            assert.deepStrictEqual([after.inFlight, after.maxInFlight, after.attempts], [0, 3, 5])
          })
      )
    )
  })

  const seen = new Set<string>()
  const firstTime = (set: Set<string>, key: string): boolean => {
    if (set.has(key)) return false
    set.add(key)
    return true
  }

  describe("client-side rate limit", () => {
    it.effect(
      "at most `limit` attempt starts per interval (token bucket); a big job slows down instead of failing",
      () =>
        withHttp(
          () => Effect.succeed(json({ i: 0 })),
          { rateLimit: { limit: 5, interval: "1 second" } },
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const fiber = yield* Effect.fork(
                Effect.forEach(
                  Array.from({ length: 20 }, (_, i) => i),
                  (i) => http.get("experiments", Item, { params: { i } }),
                  { concurrency: "unbounded" }
                )
              )
              yield* TestClock.adjust("1 millis")
              assert.strictEqual(server.count, 5)
              const steps = yield* driveUntilDone(fiber, "100 millis", 1000)
              assert.isTrue(steps > 0)
              assert.strictEqual((yield* Fiber.join(fiber)).length, 20)
              // in any 1-second window at most 5 + 5 starts (burst + refill), and never more than the bucket allows
              const times = server.requests.map((r) => r.at)
              for (const t of times) {
                const inWindow = times.filter((u) => u >= t && u < t + 1000).length
                assert.isAtMost(inWindow, 10)
              }
              // 15 starts beyond the burst of 5, one per 200 ms: the last starts at 3 s
              assert.strictEqual(Math.max(...times), 3000)
              assert.strictEqual((yield* stats.snapshot).attempts, 20)
            })
        )
    )

    it.effect("fixed-window algorithm: 5 per second window", () =>
      withHttp(
        () => Effect.succeed(json({ i: 0 })),
        { rateLimit: { limit: 5, interval: "1 second" }, rateLimitAlgorithm: "fixed-window" },
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.forEach(
                Array.from({ length: 12 }, (_, i) => i),
                (i) => http.get("experiments", Item, { params: { i } }),
                { concurrency: "unbounded" }
              )
            )
            yield* driveUntilDone(fiber, "100 millis", 1000)
            yield* Fiber.join(fiber)
            const perSecond = new Map<number, number>()
            for (const r of server.requests)
              perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1)
            assert.deepStrictEqual([...perSecond.values()], [5, 5, 2])
          })
      )
    )

    it.effect("retries take rate-limit tokens too", () =>
      withHttp(
        (req) => Effect.succeed(req.n === 1 ? json({}, 503) : json({ i: 0 })),
        { rateLimit: { limit: 1, interval: "5 seconds" } },
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.get("experiments", Item))
            yield* TestClock.adjust("4 seconds")
            assert.strictEqual(server.count, 1)
            yield* TestClock.adjust("1 second")
            yield* Fiber.join(fiber)
            assert.deepStrictEqual(
              server.requests.map((r) => r.at),
              [0, 5000]
            )
          })
      )
    )
  })
})
