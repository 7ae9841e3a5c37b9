/**
 * Interruption aborts the underlying request (the fake server sees the AbortSignal fire), over
 * the real FetchHttpClient adapter with a fake fetch and over a mock HttpClient.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schema, Stream, TestClock } from "effect"
import { bytes, chunked, json, settle, withFetch, withHttp } from "./support/harness.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })

describe("interruption aborts the request (FetchHttpClient + fake fetch)", () => {
  it.effect("interrupting a get while the server has not answered aborts the fetch", () =>
    withFetch(
      () => Effect.never,
      {},
      ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiments", Ok))
          yield* settle
          assert.strictEqual(server.count, 1)
          assert.isFalse(server.requests[0]!.signal.aborted)
          yield* Fiber.interrupt(fiber)
          assert.isTrue(server.requests[0]!.signal.aborted)
          assert.strictEqual(server.aborts, 1)
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.failures, s.inFlight], [1, 1, 0, 0])
        })
    )
  )

  it.effect("interrupting while the body is being read aborts the fetch", () =>
    withFetch(
      () => Effect.succeed(chunked([bytes('{"ok":')], "hang", { headers: { "content-type": "application/json" } })),
      {},
      ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiments", Ok))
          yield* settle
          assert.strictEqual(server.count, 1)
          assert.strictEqual(server.inFlight, 1)
          yield* Fiber.interrupt(fiber)
          yield* settle
          assert.isTrue(server.requests[0]!.signal.aborted)
          assert.strictEqual(server.inFlight, 0)
        })
    )
  )

  it.effect("a per-attempt timeout aborts the fetch and the retry succeeds", () =>
    withFetch(
      (req) => (req.n === 1 ? Effect.never : Effect.succeed(json({ ok: true }))),
      { timeout: "5 seconds" },
      ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiments", Ok))
          yield* settle
          yield* TestClock.adjust("5 seconds")
          yield* settle
          assert.isTrue(server.requests[0]!.signal.aborted)
          yield* TestClock.adjust("1 second")
          yield* settle
          assert.deepStrictEqual(yield* Fiber.join(fiber), { ok: true })
          // the retry was answered in full (the platform releases its request once the body is read)
          assert.deepStrictEqual([server.count, server.answered], [2, [2]])
        })
    )
  )

  it.effect("interrupting a stream consumer aborts the download", () =>
    withFetch(
      () => Effect.succeed(chunked([bytes("aaaa"), bytes("bbbb")], "hang")),
      {},
      ({ http, server }) =>
        Effect.gen(function* () {
          const got: Array<string> = []
          const fiber = yield* Effect.fork(
            Stream.runForEach(http.stream("experiment/asset/get-asset", { params: { assetId: "x" } }), (c) =>
              Effect.sync(() => got.push(new TextDecoder().decode(c)))
            )
          )
          yield* settle
          assert.deepStrictEqual(got, ["aaaa", "bbbb"])
          assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
          yield* Fiber.interrupt(fiber)
          yield* settle
          assert.isTrue(server.requests[0]!.signal.aborted)
          assert.strictEqual(server.inFlight, 0)
        })
    )
  )

  it.effect("FetchHttpClient is asked not to follow redirects, keeping the user's RequestInit", () =>
    withFetch(
      () => Effect.succeed(json({ ok: true })),
      {},
      ({ http, inits }) =>
        Effect.gen(function* () {
          yield* http.get("experiments", Ok)
          assert.strictEqual(inits.length, 1)
          assert.strictEqual(inits[0]!.redirect, "manual")
          assert.strictEqual(inits[0]!.credentials, "omit")
          assert.strictEqual(inits[0]!.keepalive, true)
        }),
      { credentials: "omit", keepalive: true }
    )
  )

  it.effect("manualRedirects: false leaves the RequestInit alone", () =>
    withFetch(
      () => Effect.succeed(json({ ok: true })),
      { manualRedirects: false },
      ({ http, inits }) =>
        Effect.gen(function* () {
          yield* http.get("experiments", Ok)
          assert.strictEqual(inits[0]!.redirect, undefined)
        })
    )
  )

  it.effect("a fetch rejected with a network TypeError is a retried 'network' TransportError", () =>
    withFetch(
      (req) => (req.n === 1 ? Effect.fail(new TypeError("fetch failed")) : Effect.succeed(json({ ok: true }))),
      {},
      ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiments", Ok))
          yield* settle
          yield* TestClock.adjust("1 second")
          yield* settle
          assert.deepStrictEqual(yield* Fiber.join(fiber), { ok: true })
          assert.strictEqual(server.count, 2)
          assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { network: 1 })
        })
    )
  )
})

describe("interruption aborts the request (mock HttpClient)", () => {
  it.effect("interrupting a getBytes aborts its request", () =>
    withHttp(
      () => Effect.never,
      {},
      ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.getBytes("experiment/asset/get-asset", { params: { assetId: "1" } }))
          yield* TestClock.adjust("1 millis")
          yield* Fiber.interrupt(fiber)
          assert.isTrue(server.requests[0]!.signal.aborted)
        })
    )
  )

  it.effect("interrupting a call waiting for a permit sends nothing", () =>
    withHttp(
      () => Effect.as(Effect.sleep("1 second"), json({ ok: true })),
      { maxConcurrency: 1 },
      ({ http, server, stats }) =>
        Effect.gen(function* () {
          const first = yield* Effect.fork(http.get("experiments", Ok, { params: { n: 1 } }))
          const second = yield* Effect.fork(http.get("experiments", Ok, { params: { n: 2 } }))
          yield* TestClock.adjust("10 millis")
          yield* Fiber.interrupt(second)
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(first)
          assert.strictEqual(server.count, 1)
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.inFlight], [2, 1, 0])
        })
    )
  )

  it.effect("interrupting a call waiting out a backoff sends no further attempt", () =>
    withHttp(
      () => Effect.succeed(json({}, 503, { "retry-after": "30" })),
      {},
      ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("experiments", Ok))
          yield* TestClock.adjust("10 seconds")
          yield* Fiber.interrupt(fiber)
          yield* TestClock.adjust("1 minute")
          assert.strictEqual(server.count, 1)
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.attempts, s.retries, s.failures], [1, 0, 0])
        })
    )
  )
})
