/**
 * Retry policy: Retry-After (seconds and HTTP-date) as the minimum wait, exponential backoff with
 * jitter and a cap, the per-request retry count, the total retry budget, transport errors and
 * per-attempt timeouts. All timing is TestClock time.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schema, TestClock } from "effect"
import { ADAPTERS, json, withHttpOver } from "./support/harness.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })
const OK = { ok: true }

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("Retry-After", () => {
    it.effect(
      "with Retry-After: 7 no second attempt starts before 7 s of test time (nor after 7 s + 10 % jitter)",
      () =>
        withHttp(
          (req) =>
            Effect.succeed(req.n === 1 ? json({ code: 429, msg: "slow down" }, 429, { "retry-after": "7" }) : json(OK)),
          {},
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const fiber = yield* Effect.fork(http.get("experiments", Ok, { params: { projectId: "p" } }))
              yield* TestClock.adjust("6999 millis")
              assert.strictEqual(server.count, 1)
              assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
              // the client-wide pause is Retry-After plus up to 10 % jitter
              yield* TestClock.adjust("701 millis")
              assert.deepStrictEqual(yield* Fiber.join(fiber), OK)
              assert.strictEqual(server.count, 2)
              const at = server.requests[1]?.at ?? 0
              assert.isTrue(at >= 7000 && at <= 7700, `second attempt at ${at} ms`)
              const s = yield* stats.snapshot
              assert.deepStrictEqual(
                {
                  requests: s.requests,
                  attempts: s.attempts,
                  retries: s.retries,
                  byCause: s.retriesByCause,
                  failures: s.failures
                },
                { requests: 1, attempts: 2, retries: 1, byCause: { "429": 1 }, failures: 0 }
              )
            })
        )
    )

    it.effect("Retry-After as an HTTP-date is honoured against the (test) clock", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            req.n === 1
              ? json({ msg: "later" }, 503, { "retry-after": new Date(req.at + 9000).toUTCString() })
              : json(OK)
          ),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* TestClock.adjust("1 hour") // the date form must work at any clock time
            const fiber = yield* Effect.fork(http.get("experiments", Ok))
            yield* TestClock.adjust("8999 millis")
            assert.strictEqual(server.count, 1)
            yield* TestClock.adjust("1 millis")
            assert.deepStrictEqual(yield* Fiber.join(fiber), OK)
            assert.strictEqual(server.requests[1]!.at - server.requests[0]!.at, 9000)
          })
      )
    )

    it.effect("a Retry-After beyond the retry budget fails fast with RateLimited carrying it (no sleeping)", () =>
      withHttp(
        () => Effect.succeed(json({ msg: "quota" }, 429, { "retry-after": "3600" })),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            // Not forked and the clock never moves: it must fail without waiting.
            const e = yield* Effect.flip(http.get("experiments", Ok))
            assert.strictEqual(e._tag, "RateLimited")
            if (e._tag !== "RateLimited") return
            assert.strictEqual(e.retryAfterMillis, 3_600_000)
            assert.strictEqual(e.attempts, 1)
            assert.include(e.message, "3600 s")
            assert.strictEqual(server.count, 1)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.attempts, s.retries, s.failures], [1, 0, 1])
          })
      )
    )

    it.effect("the retry budget is never exceeded: attempts stop when the next wait would pass it", () =>
      withHttp(
        () => Effect.succeed(json({ msg: "busy" }, 503, { "retry-after": "2" })),
        { maxRetries: 100, retryBudget: "5 seconds" },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("experiments", Ok)))
            yield* TestClock.adjust("1 hour")
            const e = yield* Fiber.join(fiber)
            assert.strictEqual(e._tag, "ServerError")
            // Attempts at 0, 2 and 4 s; the next would start at 6 s > 5 s.
            assert.deepStrictEqual(
              server.requests.map((r) => r.at),
              [0, 2000, 4000]
            )
            if (e._tag === "ServerError") assert.strictEqual(e.attempts, 3)
            assert.strictEqual((yield* stats.snapshot).retries, 2)
          })
      )
    )
  })

  describe("backoff", () => {
    it.effect("delays grow ×2 from 200 ms with ±20% jitter and are capped", () =>
      withHttp(
        () => Effect.succeed(json({ msg: "down" }, 500)),
        { maxRetries: 10, retryMaxDelay: "3 seconds", retryBudget: "10 minutes" },
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("experiments", Ok)))
            yield* TestClock.adjust("10 minutes")
            yield* Fiber.join(fiber)
            assert.strictEqual(server.count, 11)
            const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at)
            gaps.forEach((gap, i) => {
              const nominal = 200 * 2 ** i
              assert.isAtLeast(gap, Math.min(3000, Math.floor(nominal * 0.8)), `retry ${i + 1}`)
              assert.isAtMost(gap, Math.min(3000, Math.ceil(nominal * 1.2)), `retry ${i + 1}`)
            })
            // jitter: not every gap is exactly nominal
            assert.isTrue(gaps.slice(0, 4).some((g, i) => g !== 200 * 2 ** i))
          })
      )
    )

    it.effect(
      "a call waiting out a backoff holds no permit: with maxConcurrency 1 another call completes meanwhile",
      () =>
        withHttp(
          // a 503's Retry-After is this request's wait (a 429's pauses the whole client: RateGate.test.ts)
          (req) =>
            Effect.succeed(
              req.url.searchParams.get("who") === "slow" && req.n === 1
                ? json({ msg: "later" }, 503, { "retry-after": "10" })
                : json(OK)
            ),
          { maxConcurrency: 1 },
          ({ http, server }) =>
            Effect.gen(function* () {
              const slow = yield* Effect.fork(http.get("experiments", Ok, { params: { who: "slow" } }))
              yield* TestClock.adjust("1 second")
              const fast = yield* Effect.fork(http.get("experiments", Ok, { params: { who: "fast" } }))
              yield* TestClock.adjust("1 second")
              assert.deepStrictEqual(yield* Fiber.join(fast), OK)
              assert.isTrue(Option.isNone(yield* Fiber.poll(slow)))
              assert.strictEqual(server.count, 2)
              yield* TestClock.adjust("10 seconds")
              assert.deepStrictEqual(yield* Fiber.join(slow), OK)
              assert.deepStrictEqual(
                server.requests.map((r) => [r.url.searchParams.get("who"), r.at]),
                [
                  ["slow", 0],
                  ["fast", 1000],
                  ["slow", 10000]
                ]
              )
            })
        )
    )
  })

  describe("transport errors and timeouts", () => {
    it.effect("network errors are retried and counted by cause", () =>
      withHttp(
        (req) => (req.n <= 2 ? Effect.fail(new Error("connect ECONNREFUSED 127.0.0.1:443")) : Effect.succeed(json(OK))),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.get("experiments", Ok))
            yield* TestClock.adjust("1 minute")
            assert.deepStrictEqual(yield* Fiber.join(fiber), OK)
            assert.strictEqual(server.count, 3)
            assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { network: 2 })
          })
      )
    )

    it.effect("a network error that never ends fails with TransportError 'network' naming the cause", () =>
      withHttp(
        () => Effect.fail(new Error("getaddrinfo ENOTFOUND comet.test")),
        { maxRetries: 2 },
        ({ http }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("experiments", Ok)))
            yield* TestClock.adjust("1 minute")
            const e = yield* Fiber.join(fiber)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag !== "TransportError") return
            assert.strictEqual(e.reason, "network")
            assert.strictEqual(e.attempts, 3)
            assert.include(e.detail, "ENOTFOUND")
          })
      )
    )

    it.effect("each attempt has its own timeout; a timed-out attempt is aborted and retried", () =>
      withHttp(
        (req) => (req.n === 1 ? Effect.never : Effect.succeed(json(OK))),
        { timeout: "10 seconds" },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.get("experiments", Ok))
            yield* TestClock.adjust("9999 millis")
            assert.strictEqual(server.count, 1)
            assert.isFalse(server.requests[0]!.signal.aborted)
            yield* TestClock.adjust("1 millis")
            assert.isTrue(server.requests[0]!.signal.aborted)
            yield* TestClock.adjust("1 second")
            assert.deepStrictEqual(yield* Fiber.join(fiber), OK)
            const s = yield* stats.snapshot
            assert.deepStrictEqual(s.retriesByCause, { timeout: 1 })
            assert.strictEqual(s.attempts, 2)
            assert.strictEqual(s.inFlight, 0)
          })
      )
    )

    it.effect("getBytes uses downloadTimeout, not the JSON timeout", () =>
      withHttp(
        (req) => (req.n === 1 ? Effect.as(Effect.sleep("30 seconds"), new Response("late but in time")) : Effect.never),
        { timeout: "10 seconds", downloadTimeout: "60 seconds", maxRetries: 0 },
        ({ http }) =>
          Effect.gen(function* () {
            const ok = yield* Effect.fork(http.getBytes("experiment/asset/get-asset", { params: { assetId: "a" } }))
            yield* TestClock.adjust("30 seconds")
            assert.strictEqual(new TextDecoder().decode(yield* Fiber.join(ok)), "late but in time")
            const late = yield* Effect.fork(
              Effect.flip(http.getBytes("experiment/asset/get-asset", { params: { assetId: "b" } }))
            )
            yield* TestClock.adjust("60 seconds")
            const e = yield* Fiber.join(late)
            assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout")
          })
      )
    )

    it.effect("a per-call timeout overrides the configured one", () =>
      withHttp(
        () => Effect.never,
        { maxRetries: 0 },
        ({ http }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("experiments", Ok, { timeout: "2 seconds" })))
            yield* TestClock.adjust("2 seconds")
            const e = yield* Fiber.join(fiber)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") {
              assert.strictEqual(e.reason, "timeout")
              assert.include(e.detail, "2s")
            }
          })
      )
    )

    it.effect("a timeout's message gives the value set, not a rounding of it (1.5 s, 90.5 s)", () =>
      withHttp(
        () => Effect.never,
        { maxRetries: 0 },
        ({ http }) =>
          Effect.gen(function* () {
            for (const [timeout, shown] of [
              ["1500 millis", "within 1.5s"],
              ["90500 millis", "within 1m 30.5s"],
              ["120 seconds", "within 2m "]
            ] as const) {
              const fiber = yield* Effect.fork(
                Effect.flip(http.get("experiments", Ok, { timeout, params: { timeout } }))
              )
              yield* TestClock.adjust(timeout)
              const e = yield* Fiber.join(fiber)
              assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout")
              assert.include(e.message, shown)
            }
          })
      )
    )

    it.effect("decode errors are never retried", () =>
      withHttp(
        () => Effect.succeed(json({ ok: "yes" })),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get("experiments", Ok))
            assert.strictEqual(e._tag, "DecodeError")
            assert.strictEqual(server.count, 1)
            assert.strictEqual((yield* stats.snapshot).retries, 0)
          })
      )
    )

    it.effect("maxRetries 0 sends exactly one attempt", () =>
      withHttp(
        () => Effect.succeed(json({}, 503)),
        { maxRetries: 0 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get("experiments", Ok))
            assert.strictEqual(e._tag, "ServerError")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("retries are logged at debug level with endpoint and cause", () =>
      withHttp(
        (req) => Effect.succeed(req.n === 1 ? json({}, 503) : json(OK)),
        {},
        ({ http, observed }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.get("experiments", Ok))
            yield* TestClock.adjust("1 minute")
            yield* Fiber.join(fiber)
            const retryLines = observed.logs.filter((l) => l.includes("retrying"))
            assert.strictEqual(retryLines.length, 1)
            assert.include(retryLines[0]!, "endpoint=experiments")
            assert.include(retryLines[0]!, "cause=503")
          })
      )
    )
  })
})
