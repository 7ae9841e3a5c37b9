/**
 * RequestStats tell the truth about Effect calls ended from outside: a request, a stream or a
 * download its deadline (`callTimeout`, `withCallTimeout`, `streamWithCallTimeout`) or a marked
 * AbortSignal (`withCallEnd`) cuts short is a failure — the caller gets an error — while one the
 * caller's own code interrupts (its `Effect.timeout`, a stream read no further) is not. The
 * identity `attempts = requests − cacheHits − coalesced + retries + resent` keeps holding. Over
 * every transport adapter, on real loopback sockets.
 */
import type { ServerResponse } from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Schema, Stream } from "effect"
import { type StatsSnapshot, streamWithCallTimeout, withCallEnd, withCallTimeout } from "../src/index.js"
import { over, REAL, serve } from "./support/sockets.js"

const Values = Schema.Struct({ values: Schema.Array(Schema.Number) })
const ASSET = { params: { experimentKey: "e", assetId: "a" } }

/** Never answers JSON; an asset: its headers and a first KiB, then nothing more. */
const stalling = serve((req, res: ServerResponse) => {
  if ((req.url ?? "").includes("get-asset")) {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(1024 * 1024) })
    res.write(Buffer.alloc(1024, 7))
  }
})

const assertIdentity = (s: StatsSnapshot) =>
  assert.strictEqual(s.attempts, s.requests - s.cacheHits - s.coalesced + s.retries + s.resent, JSON.stringify(s))

describe.each(REAL)("over %s", (adapter) => {
  it.scopedLive("a request, a stream and a download their deadline cuts short are failures", () =>
    Effect.gen(function* () {
      const { url } = yield* stalling
      yield* over(adapter, url, { maxRetries: 0 }, ({ http, stats }) =>
        Effect.gen(function* () {
          const e = yield* Effect.flip(http.get("workspaces", Values, { callTimeout: "100 millis" }))
          assert.strictEqual(e._tag === "TransportError" ? e.reason : e._tag, "deadline")
          assert.strictEqual((yield* stats.snapshot).failures, 1)
          yield* Effect.flip(withCallTimeout("100 millis")(http.get("workspaces", Values)))
          assert.strictEqual((yield* stats.snapshot).failures, 2)
          // a download read as a Stream, its first KiB read, then cut short by the deadline
          let read = 0
          const cut = yield* Effect.flip(
            Stream.runForEach(
              streamWithCallTimeout("300 millis")(http.stream("experiment/asset/get-asset", ASSET)),
              (chunk) => Effect.sync(() => (read += chunk.length))
            )
          )
          assert.strictEqual(cut._tag === "TransportError" ? cut.reason : cut._tag, "deadline")
          assert.strictEqual(read, 1024)
          // a download opened, then cut short by the deadline of its reader
          const opened = yield* Effect.flip(
            withCallTimeout("300 millis")(
              Effect.flatMap(http.open("experiment/asset/get-asset", ASSET), (d) =>
                Effect.promise(async () => {
                  while ((await d.next()) !== null) {}
                })
              )
            )
          )
          assert.strictEqual(opened._tag === "TransportError" ? opened.reason : opened._tag, "deadline")
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.failures], [4, 4, 3])
          assertIdentity(s)
        })
      )
    })
  )

  it.scopedLive(
    "withCallEnd: a request its marked AbortSignal ends is a failure; the caller's own interruption is not",
    () =>
      Effect.gen(function* () {
        const { url } = yield* stalling
        yield* over(adapter, url, { maxRetries: 0 }, ({ http, stats }) =>
          Effect.gen(function* () {
            // the caller's own timeout, a stream read no further: no failure
            const own = yield* Effect.either(Effect.timeout(http.get("workspaces", Values), "100 millis"))
            assert.strictEqual(own._tag, "Left")
            const first = yield* Stream.runCollect(Stream.take(http.stream("experiment/asset/get-asset", ASSET), 1))
            assert.strictEqual(first.length, 1)
            assert.strictEqual((yield* stats.snapshot).failures, 0)
            // an AbortSignal the call is marked with
            const controller = new AbortController()
            yield* Effect.fork(
              Effect.delay(
                Effect.sync(() => controller.abort()),
                "100 millis"
              )
            )
            const exit = yield* Effect.promise(() =>
              Effect.runPromiseExit(withCallEnd(() => controller.signal.aborted)(http.get("workspaces", Values)), {
                signal: controller.signal
              })
            )
            assert.isTrue(Exit.isInterrupted(exit))
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.requests, s.failures], [3, 1])
            assertIdentity(s)
          })
        )
      })
  )
})
