/**
 * Byte streams for large downloads: never buffered whole, retried only before the first byte,
 * failing with "truncated" when the body ends short, with an inactivity (not whole-download)
 * timeout, and holding their permit while the body is open.
 */
import type { TransportError } from "@comet-ts/core"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Fiber, Layer, Option, Schema, Scope, Stream, TestClock } from "effect"
import { CometHttp } from "../src/CometHttp.js"
import { ADAPTERS, BASE, bytes, chunked, FakeServer, json, KEY, settle, withHttpOver } from "./support/harness.js"

const decode = (chunks: Chunk.Chunk<Uint8Array>) => [...chunks].map((c) => new TextDecoder().decode(c)).join("")
const ASSET = "experiment/asset/get-asset"
const params = { experimentKey: "e", assetId: "a" }

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("stream", () => {
    it.effect(
      "streams 1 GiB with only a few chunks in memory at any time, counting every byte",
      () => {
        const CHUNK = 64 * 1024
        const TOTAL = 1024 * 1024 * 1024
        const chunk = new Uint8Array(CHUNK).fill(7)
        let produced = 0
        let consumed = 0
        let maxAhead = 0
        const body = () =>
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                if (produced * CHUNK >= TOTAL) return controller.close()
                produced++
                maxAhead = Math.max(maxAhead, produced - consumed)
                controller.enqueue(chunk)
              }
            },
            { highWaterMark: 0 }
          )
        return withHttp(
          () => Effect.succeed(new Response(body(), { headers: { "content-length": String(TOTAL) } })),
          {},
          ({ http, stats }) =>
            Effect.gen(function* () {
              const total = yield* http.stream(ASSET, { params }).pipe(
                Stream.runFold(0, (n, c) => {
                  consumed++
                  return n + c.length
                })
              )
              assert.strictEqual(total, TOTAL)
              assert.strictEqual(produced, TOTAL / CHUNK)
              assert.isAtMost(maxAhead, 8)
              const s = yield* stats.snapshot
              assert.deepStrictEqual([s.bytesReceived, s.attempts, s.inFlight], [TOTAL, 1, 0])
            })
        )
      },
      120_000
    )

    it.effect("an error status before the first byte is retried; the stream then delivers everything", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            req.n === 1 ? json({}, 503) : new Response("hello world", { headers: { "content-length": "11" } })
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Stream.runCollect(http.stream(ASSET, { params })))
            yield* TestClock.adjust("1 minute")
            assert.strictEqual(decode(yield* Fiber.join(fiber)), "hello world")
            assert.strictEqual(server.count, 2)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.requests, s.attempts, s.retries, s.failures, s.inFlight], [1, 2, 1, 0, 0])
          })
      )
    )

    it.effect("a connection reset before the first byte is retried", () =>
      withHttp(
        (req) => Effect.succeed(req.n === 1 ? chunked([], "error") : new Response("ok")),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Stream.runCollect(http.stream(ASSET, { params })))
            yield* TestClock.adjust("1 minute")
            assert.strictEqual(decode(yield* Fiber.join(fiber)), "ok")
            assert.strictEqual(server.count, 2)
            assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 1 })
          })
      )
    )

    it.effect(
      "a body that ends short of Content-Length resumes; when it stays short, 'truncated' after the retries, each byte delivered once",
      () =>
        withHttp(
          () => Effect.succeed(chunked([bytes("0123456789")], "close", { headers: { "content-length": "20" } })),
          { maxRetries: 2 },
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const got: Array<string> = []
              const fiber = yield* Effect.fork(
                Effect.flip(
                  Stream.runForEach(http.stream(ASSET, { params }), (c) =>
                    Effect.sync(() => got.push(new TextDecoder().decode(c)))
                  )
                )
              )
              yield* TestClock.adjust("1 minute")
              const e = yield* Fiber.join(fiber)
              assert.deepStrictEqual(got, ["0123456789"])
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag === "TransportError") {
                assert.strictEqual(e.reason, "truncated")
                assert.include(e.detail, "10 of the 20 bytes")
              }
              // the first answer, then a resume (Range: bytes=10-) and its 2 retries
              assert.strictEqual(server.count, 4)
              assert.deepStrictEqual(
                server.requests.map((r) => r.headers.range),
                [undefined, "bytes=10-", "bytes=10-", "bytes=10-"]
              )
              const s = yield* stats.snapshot
              assert.deepStrictEqual(
                [s.requests, s.attempts, s.failures, s.bytesReceived, s.inFlight],
                [1, 4, 1, 40, 0]
              )
            })
        )
    )

    it.effect(
      "a connection reset in the middle of the body resumes past the bytes delivered (no silent partial data)",
      () =>
        withHttp(
          (req) =>
            Effect.succeed(
              req.n === 1
                ? chunked([bytes("abc"), bytes("def")], "error", { headers: { "content-length": "9" } })
                : new Response("abcdefghi", { headers: { "content-length": "9" } })
            ),
          {},
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const chunks = yield* Stream.runCollect(http.stream(ASSET, { params }))
              assert.strictEqual(decode(chunks), "abcdefghi")
              assert.strictEqual(server.count, 2)
              assert.strictEqual(server.requests[1]!.headers.range, "bytes=6-")
              assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 1 })
            })
        )
    )

    it.effect("a connection reset in the middle with maxRetries 0 is not resumed: 'truncated', one request", () =>
      withHttp(
        () => Effect.succeed(chunked([bytes("abc"), bytes("def")], "error")),
        { maxRetries: 0 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(Stream.runCollect(http.stream(ASSET, { params })))
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") {
              assert.strictEqual(e.reason, "truncated")
              assert.strictEqual(e.stoppedBy, "maxRetries")
            }
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("the timeout applies to inactivity, not to the whole download", () =>
      withHttp(
        (req) =>
          Effect.gen(function* () {
            const gap = req.url.searchParams.get("gap") ?? "5"
            const slowBody = Stream.range(1, 6).pipe(
              Stream.mapEffect((i) => Effect.as(Effect.sleep(`${Number(gap)} seconds`), bytes(`chunk${i};`)))
            )
            const readable = yield* Stream.toReadableStreamEffect(slowBody)
            return new Response(readable)
          }),
        { downloadTimeout: "10 seconds", maxRetries: 0 },
        ({ http }) =>
          Effect.gen(function* () {
            // 6 chunks, 5 s apart: 30 s in all, never 10 s without data
            const ok = yield* Effect.fork(Stream.runCollect(http.stream(ASSET, { params: { gap: 5 } })))
            for (let i = 0; i < 8; i++) yield* TestClock.adjust("5 seconds")
            assert.strictEqual(decode(yield* Fiber.join(ok)), "chunk1;chunk2;chunk3;chunk4;chunk5;chunk6;")
            // 11 s between chunks: the first byte is already late
            const late = yield* Effect.fork(Effect.flip(Stream.runCollect(http.stream(ASSET, { params: { gap: 11 } }))))
            yield* TestClock.adjust("10 seconds")
            const e = yield* Fiber.join(late)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") assert.strictEqual(e.reason, "timeout")
          })
      )
    )

    it.effect(
      "a stall in the middle of the body resumes after the inactivity limit; a resume that stalls too fails with a timeout naming downloadTimeoutMs",
      () =>
        withHttp(
          () => Effect.succeed(chunked([bytes("first")], "hang")),
          { downloadTimeout: "10 seconds", maxRetries: 1 },
          ({ http, server }) =>
            Effect.gen(function* () {
              const got: Array<string> = []
              const fiber = yield* Effect.fork(
                Effect.flip(
                  Stream.runForEach(http.stream(ASSET, { params }), (c) =>
                    Effect.sync(() => got.push(new TextDecoder().decode(c)))
                  )
                )
              )
              yield* TestClock.adjust("9 seconds")
              assert.deepStrictEqual(got, ["first"])
              assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
              yield* TestClock.adjust("1 second")
              yield* settle
              // the stalled request was aborted and a resume sent (Range past the 5 bytes delivered)
              assert.isTrue(server.requests[0]!.signal.aborted)
              assert.strictEqual(server.count, 2)
              assert.strictEqual(server.requests[1]!.headers.range, "bytes=5-")
              // the resume stalls before any new byte, is retried once (maxRetries 1), and stalls again
              yield* TestClock.adjust("2 minutes")
              const e = yield* Fiber.join(fiber)
              assert.deepStrictEqual(got, ["first"])
              assert.strictEqual(server.count, 3)
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag !== "TransportError") return
              assert.strictEqual(e.reason, "timeout")
              assert.include(e.message, "no byte past the 5 already delivered")
              assert.include(e.message, "downloadTimeoutMs")
              assert.notInclude(e.message, "timeoutMs,")
            })
        )
    )

    it.effect("a stream holds its permit until the body ends (maxConcurrency 1 makes other calls wait)", () =>
      withHttp(
        (req) =>
          req.url.pathname.endsWith("get-asset")
            ? Effect.map(
                Stream.toReadableStreamEffect(
                  Stream.range(1, 3).pipe(
                    Stream.mapEffect((i) => Effect.as(Effect.sleep("1 second"), bytes(String(i))))
                  )
                ),
                (r) => new Response(r)
              )
            : Effect.succeed(json({ ok: true })),
        { maxConcurrency: 1 },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const download = yield* Effect.fork(Stream.runCollect(http.stream(ASSET, { params })))
            yield* TestClock.adjust("1500 millis")
            const other = yield* Effect.fork(http.get("experiments", Schema.Struct({ ok: Schema.Boolean })))
            yield* TestClock.adjust("1 millis")
            assert.strictEqual(server.count, 1)
            assert.strictEqual((yield* stats.snapshot).inFlight, 1)
            yield* TestClock.adjust("2 seconds")
            assert.strictEqual(decode(yield* Fiber.join(download)), "123")
            assert.deepStrictEqual(yield* Fiber.join(other), { ok: true })
            assert.strictEqual(server.requests[1]!.at, 3000)
            assert.strictEqual((yield* stats.snapshot).inFlight, 0)
          })
      )
    )

    it.effect("a 404 fails the stream with NotFound after one attempt", () =>
      withHttp(
        () => Effect.succeed(json({ code: 404, msg: "no asset" }, 404)),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(Stream.runCollect(http.stream(ASSET, { params })))
            assert.strictEqual(e._tag, "NotFound")
            if (e._tag === "NotFound") assert.strictEqual(e.resource, "asset")
            assert.strictEqual(server.count, 1)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.requests, s.attempts, s.failures, s.inFlight], [1, 1, 1, 0])
          })
      )
    )

    it.effect("an empty body is an empty stream", () =>
      withHttp(
        () => Effect.succeed(new Response(null, { headers: { "content-length": "0" } })),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            assert.strictEqual(Chunk.size(yield* Stream.runCollect(http.stream(ASSET, { params }))), 0)
          })
      )
    )

    it.effect("each stream is its own request: streams are never coalesced or cached", () =>
      withHttp(
        () => Effect.succeed(new Response("x")),
        { cache: { capacity: 10, timeToLive: "1 hour" } },
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* Effect.all(
              [
                Stream.runDrain(http.stream(ASSET, { params, cacheable: true })),
                Stream.runDrain(http.stream(ASSET, { params, cacheable: true }))
              ],
              { concurrency: "unbounded" }
            )
            assert.strictEqual(server.count, 2)
          })
      )
    )
  })
})

describe("closing the client", () => {
  it.live("ends an open download at once: a pending read rejects with 'closed' saying the client was closed", () =>
    Effect.gen(function* () {
      const server = new FakeServer(() => Effect.succeed(chunked([bytes("first")], "hang")))
      const scope = yield* Scope.make()
      const ctx = yield* Layer.buildWithScope(
        CometHttp.layer({ apiKey: KEY, baseUrl: BASE }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, server.client))
        ),
        scope
      )
      const http = Context.get(ctx, CometHttp)
      const download = yield* http.open(ASSET, { params })
      assert.strictEqual(new TextDecoder().decode((yield* Effect.promise(() => download.next()))!), "first")
      const pending = download.next().then(
        () => null,
        (e: unknown) => e
      )
      yield* Scope.close(scope, Exit.void)
      const e = (yield* Effect.promise(() => pending)) as TransportError | null
      assert.isNotNull(e)
      assert.strictEqual(e?._tag, "TransportError")
      assert.strictEqual(e?.reason, "closed")
      assert.include(e?.message, "the client was closed")
      assert.notInclude(e?.message ?? "", "0 attempt")
      // the request is aborted too (the client's body reader is cancelled, then its request)
      yield* settle
      assert.isTrue(server.requests[0]!.signal.aborted)
    })
  )
})
