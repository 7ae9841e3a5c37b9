/**
 * Identical GETs in flight share one request; the optional cache answers `cacheable` calls
 * without a request, bounded by size and TTL and never shared across keys or servers.
 */

import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Schema, TestClock } from "effect"
import { CometHttp } from "../src/CometHttp.js"
import { RequestStats } from "../src/RequestStats.js"
import { ADAPTERS, FakeServer, json, settle, withHttpOver } from "./support/harness.js"

const N = Schema.Struct({ n: Schema.Number })
const slow = (req: { readonly n: number }) => Effect.as(Effect.sleep("1 second"), json({ n: req.n }))

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("coalescing identical GETs", () => {
    it.effect("5 identical GETs in flight share one request; each caller gets the value", () =>
      withHttp(slow, {}, ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Effect.all(
              Array.from({ length: 5 }, () => http.get("experiment/metadata", N, { params: { experimentKey: "k" } })),
              { concurrency: "unbounded" }
            )
          )
          yield* TestClock.adjust("1 second")
          assert.deepStrictEqual(
            yield* Fiber.join(fiber),
            Array.from({ length: 5 }, () => ({ n: 1 }))
          )
          assert.strictEqual(server.count, 1)
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.coalesced, s.cacheHits, s.failures], [5, 1, 4, 0, 0])
          assert.strictEqual(s.byEndpoint["experiment/metadata"]?.requests, 5)
        })
      )
    )

    it.effect("identical read-only POSTs share one request; other POSTs and different bodies never do", () =>
      withHttp(slow, {}, ({ http, server, stats }) =>
        Effect.gen(function* () {
          const body = { targetedExperiments: ["a", "b"], metrics: ["loss"] }
          const fiber = yield* Effect.fork(
            Effect.all(
              [
                http.post("experiments/multi-metric-chart", body, N, { readOnly: true }),
                http.post("experiments/multi-metric-chart", { ...body }, N, { readOnly: true }),
                http.post("experiments/multi-metric-chart", { ...body, metrics: ["acc"] }, N, { readOnly: true }),
                http.post("experiments/multi-metric-chart", body, N),
                http.post("experiments/multi-metric-chart", body, N)
              ],
              { concurrency: "unbounded" }
            )
          )
          yield* TestClock.adjust("1 second")
          const results = yield* Fiber.join(fiber)
          assert.strictEqual(results.length, 5)
          assert.strictEqual(server.count, 4)
          const s = yield* stats.snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.coalesced], [5, 4, 1])
        })
      )
    )

    it.effect("the order of parameters does not matter; different values or endpoints do", () =>
      withHttp(slow, {}, ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Effect.all(
              [
                http.get("experiments", N, { params: { a: "1", b: "2" } }),
                http.get("experiments", N, { params: { b: "2", a: "1" } }),
                http.get("experiments", N, { params: { a: "1", b: "3" } }),
                http.get("projects", N, { params: { a: "1", b: "2" } })
              ],
              { concurrency: "unbounded" }
            )
          )
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(fiber)
          assert.strictEqual(server.count, 3)
          assert.strictEqual((yield* stats.snapshot).coalesced, 1)
        })
      )
    )

    it.effect("a GET after the first finished sends a new request", () =>
      withHttp(slow, {}, ({ http, server }) =>
        Effect.gen(function* () {
          const first = yield* Effect.fork(http.get("experiments", N))
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(first)
          const second = yield* Effect.fork(http.get("experiments", N))
          yield* TestClock.adjust("1 second")
          assert.deepStrictEqual(yield* Fiber.join(second), { n: 2 })
          assert.strictEqual(server.count, 2)
        })
      )
    )

    it.effect("a shared failure fails every caller, each counted as a failure", () =>
      withHttp(
        () => Effect.as(Effect.sleep("1 second"), json({ msg: "nope" }, 404)),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.all(
                [1, 2, 3].map(() =>
                  Effect.flip(http.get("experiment/metadata", N, { params: { experimentKey: "k" } }))
                ),
                { concurrency: "unbounded" }
              )
            )
            yield* TestClock.adjust("1 second")
            const errors = yield* Fiber.join(fiber)
            assert.deepStrictEqual(
              errors.map((e) => e._tag),
              ["NotFound", "NotFound", "NotFound"]
            )
            assert.strictEqual(server.count, 1)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.requests, s.failures, s.coalesced], [3, 3, 2])
          })
      )
    )

    it.effect(
      "interrupting the caller that sent the request: the others still get it (sent again for them); interrupting the last aborts it",
      () =>
        withHttp(slow, {}, ({ http, server }) =>
          Effect.gen(function* () {
            const a = yield* Effect.fork(http.get("experiments", N))
            const b = yield* Effect.fork(http.get("experiments", N))
            yield* TestClock.adjust("100 millis")
            yield* Fiber.interrupt(a)
            yield* settle
            assert.isTrue(server.requests[0]!.signal.aborted)
            assert.strictEqual(server.count, 2)
            yield* TestClock.adjust("1 second")
            assert.deepStrictEqual(yield* Fiber.join(b), { n: 2 })

            const c = yield* Effect.fork(http.get("experiments", N))
            const d = yield* Effect.fork(http.get("experiments", N))
            yield* TestClock.adjust("100 millis")
            yield* Fiber.interrupt(d)
            assert.isFalse(server.requests[2]!.signal.aborted)
            yield* Fiber.interrupt(c)
            yield* settle
            assert.isTrue(server.requests[2]!.signal.aborted)
            assert.strictEqual(server.count, 3)
          })
        )
    )

    it.effect("the request sent again for the callers left is aborted when the last of them goes away", () =>
      withHttp(slow, {}, ({ http, server }) =>
        Effect.gen(function* () {
          const a = yield* Effect.fork(http.get("experiments", N))
          const b = yield* Effect.fork(http.get("experiments", N))
          yield* TestClock.adjust("100 millis")
          yield* Fiber.interrupt(a)
          yield* settle
          assert.strictEqual(server.count, 2)
          assert.isFalse(server.requests[1]!.signal.aborted)
          yield* Fiber.interrupt(b)
          yield* settle
          assert.isTrue(server.requests[1]!.signal.aborted)
          assert.strictEqual(server.count, 2)
        })
      )
    )

    it.effect("each caller decodes with its own Schema", () =>
      withHttp(
        () => Effect.as(Effect.sleep("1 second"), json({ n: 5, extra: "x" })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const Extra = Schema.Struct({ extra: Schema.String })
            const Wrong = Schema.Struct({ missing: Schema.String })
            const fiber = yield* Effect.fork(
              Effect.all(
                [
                  Effect.either(http.get("experiments", N)),
                  Effect.either(http.get("experiments", Extra)),
                  Effect.either(http.get("experiments", Wrong))
                ],
                { concurrency: "unbounded" }
              )
            )
            yield* TestClock.adjust("1 second")
            const [a, b, c] = yield* Fiber.join(fiber)
            assert.deepStrictEqual(a._tag === "Right" && a.right.n, 5)
            assert.deepStrictEqual(b._tag === "Right" && b.right.extra, "x")
            assert.strictEqual(c._tag === "Left" && c.left._tag, "DecodeError")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("POSTs are not coalesced", () =>
      withHttp(slow, {}, ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Effect.all([http.post("project/query", { q: 1 }, N), http.post("project/query", { q: 1 }, N)], {
              concurrency: "unbounded"
            })
          )
          yield* TestClock.adjust("1 second")
          yield* Fiber.join(fiber)
          assert.strictEqual(server.count, 2)
        })
      )
    )

    it.effect("coalesced getBytes callers get their own copy of the bytes", () =>
      withHttp(
        () => Effect.as(Effect.sleep("1 second"), new Response(new Uint8Array([1, 2, 3]))),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.all([http.getBytes("experiment/asset/get-asset"), http.getBytes("experiment/asset/get-asset")], {
                concurrency: "unbounded"
              })
            )
            yield* TestClock.adjust("1 second")
            const [a, b] = yield* Fiber.join(fiber)
            a[0] = 99
            assert.deepStrictEqual([...b], [1, 2, 3])
            assert.strictEqual(server.count, 1)
          })
      )
    )
    for (const [title, options] of [
      ["", undefined],
      [" (a cacheable call)", { cacheable: true }]
    ] as const) {
      it.effect(
        `the caller that began a shared getBytes writes to its bytes at once: the others still get the server's${title}`,
        () =>
          withHttp(
            () => Effect.as(Effect.sleep("1 second"), new Response(new Uint8Array([1, 2, 3]))),
            { cache: { capacity: 10, timeToLive: "1 minute" } },
            ({ http, server }) =>
              Effect.gen(function* () {
                const get = http.getBytes("experiment/asset/get-asset", options)
                const fiber = yield* Effect.fork(
                  Effect.all(
                    [
                      // the first caller (it began the request) writes to its bytes in the same step it gets them
                      Effect.map(get, (bytes) => [...bytes.fill(99)]),
                      Effect.map(get, (bytes) => [...bytes]),
                      Effect.map(get, (bytes) => [...bytes])
                    ],
                    { concurrency: "unbounded" }
                  )
                )
                yield* TestClock.adjust("1 second")
                assert.deepStrictEqual(yield* Fiber.join(fiber), [
                  [99, 99, 99],
                  [1, 2, 3],
                  [1, 2, 3]
                ])
                assert.strictEqual(server.count, 1)
                // and what a later cacheable call gets from the cache is the server's too
                if (options !== undefined) assert.deepStrictEqual([...(yield* get)], [1, 2, 3])
              })
          )
      )
    }
  })

  describe("response cache", () => {
    it.effect("is off by default: cacheable calls still go to the server", () =>
      withHttp(
        (req) => Effect.succeed(json({ n: req.n })),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            yield* http.get("experiment/code", N, { cacheable: true })
            yield* http.get("experiment/code", N, { cacheable: true })
            assert.strictEqual(server.count, 2)
            assert.strictEqual((yield* stats.snapshot).cacheHits, 0)
          })
      )
    )

    it.effect("answers a repeated cacheable call without a request, until the TTL passes", () =>
      withHttp(
        (req) => Effect.succeed(json({ n: req.n })),
        { cache: { capacity: 10, timeToLive: "1 minute" } },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get("experiment/code", N, { cacheable: true }), { n: 1 })
            assert.deepStrictEqual(yield* http.get("experiment/code", N, { cacheable: true }), { n: 1 })
            // not cacheable: always asks
            assert.deepStrictEqual(yield* http.get("experiment/code", N), { n: 2 })
            yield* TestClock.adjust("59 seconds")
            assert.deepStrictEqual(yield* http.get("experiment/code", N, { cacheable: true }), { n: 1 })
            yield* TestClock.adjust("1 second")
            assert.deepStrictEqual(yield* http.get("experiment/code", N, { cacheable: true }), { n: 3 })
            assert.strictEqual(server.count, 3)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.requests, s.attempts, s.cacheHits], [5, 3, 2])
          })
      )
    )

    it.effect("is a bounded LRU: the least recently used entry goes first", () =>
      withHttp(
        (req) => Effect.succeed(json({ n: req.n })),
        { cache: { capacity: 2, timeToLive: "1 hour" } },
        ({ http, server }) =>
          Effect.gen(function* () {
            const get = (k: string) => http.get("experiment/code", N, { params: { experimentKey: k }, cacheable: true })
            yield* get("a") // 1
            yield* get("b") // 2
            yield* get("a") // hit: a is now most recent
            yield* get("c") // 3, evicts b
            yield* get("a") // hit
            assert.strictEqual(server.count, 3)
            assert.deepStrictEqual(yield* get("b"), { n: 4 })
            assert.strictEqual(server.count, 4)
          })
      )
    )

    it.effect("never stores errors", () =>
      withHttp(
        (req) => Effect.succeed(req.n === 1 ? json({ msg: "no" }, 404) : json({ n: req.n })),
        { cache: { capacity: 10, timeToLive: "1 hour" } },
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get("experiment/code", N, { cacheable: true }))
            assert.strictEqual(e._tag, "NotFound")
            assert.deepStrictEqual(yield* http.get("experiment/code", N, { cacheable: true }), { n: 2 })
            assert.strictEqual(server.count, 2)
          })
      )
    )

    it.effect("skips bodies over maxEntryBytes, and clearCache empties it", () =>
      withHttp(
        (req) =>
          Effect.succeed(json({ n: req.n, pad: req.url.searchParams.get("big") === "1" ? "x".repeat(200) : "" })),
        { cache: { capacity: 10, timeToLive: "1 hour", maxEntryBytes: 100 } },
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* http.get("experiment/code", N, { params: { big: 1 }, cacheable: true })
            yield* http.get("experiment/code", N, { params: { big: 1 }, cacheable: true })
            assert.strictEqual(server.count, 2)
            yield* http.get("experiment/code", N, { params: { big: 0 }, cacheable: true })
            yield* http.get("experiment/code", N, { params: { big: 0 }, cacheable: true })
            assert.strictEqual(server.count, 3)
            yield* http.clearCache
            yield* http.get("experiment/code", N, { params: { big: 0 }, cacheable: true })
            assert.strictEqual(server.count, 4)
          })
      )
    )

    it.effect("cached bytes are copies: mutating a result does not change the next hit", () =>
      withHttp(
        () => Effect.succeed(new Response(new Uint8Array([1, 2, 3]))),
        { cache: { capacity: 10, timeToLive: "1 hour" } },
        ({ http, server }) =>
          Effect.gen(function* () {
            const a = yield* http.getBytes("experiment/asset/get-asset", { cacheable: true })
            a[0] = 42
            const b = yield* http.getBytes("experiment/asset/get-asset", { cacheable: true })
            b[1] = 42
            const c = yield* http.getBytes("experiment/asset/get-asset", { cacheable: true })
            assert.deepStrictEqual([...c], [1, 2, 3])
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("is never shared across API keys or servers: each layer instance has its own", () =>
      Effect.gen(function* () {
        const server = new FakeServer((req) => Effect.succeed(json({ n: req.n })))
        const client = Layer.succeed(HttpClient.HttpClient, server.client)
        const build = (apiKey: string, baseUrl: string) =>
          Layer.build(
            CometHttp.layer({ apiKey, baseUrl, cache: { capacity: 10, timeToLive: "1 hour" } }).pipe(
              Layer.provide(client)
            )
          )
        const one = yield* build("key-one-aaaa", "https://a.comet.test")
        const two = yield* build("key-two-bbbb", "https://a.comet.test")
        const three = yield* build("key-one-aaaa", "https://b.comet.test")
        for (const ctx of [one, two, three]) {
          const http = Context.get(ctx, CometHttp)
          yield* http.get("experiment/code", N, { cacheable: true })
          yield* http.get("experiment/code", N, { cacheable: true })
          assert.strictEqual((yield* Context.get(ctx, RequestStats).snapshot).cacheHits, 1)
        }
        assert.strictEqual(server.count, 3)
        assert.deepStrictEqual(
          server.requests.map((r) => [r.url.origin, r.headers.authorization]),
          [
            ["https://a.comet.test", "key-one-aaaa"],
            ["https://a.comet.test", "key-two-bbbb"],
            ["https://b.comet.test", "key-one-aaaa"]
          ]
        )
      }).pipe(Effect.scoped)
    )
  })
})
