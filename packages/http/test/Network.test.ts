/**
 * A browser's opaque network failure ("Failed to fetch": CORS refused or connection refused, the
 * page cannot tell which) is its own TransportError reason, gets a short retry instead of the
 * whole budget, and says what to do. Through the real FetchHttpClient with a fetch that rejects
 * as each browser does; all timing is TestClock time.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Option, Schema, type Scope, Stream, TestClock } from "effect"
import { CometHttp, type CometHttpOptions, type CometHttpShape } from "../src/CometHttp.js"
import {
  BROWSER_NETWORK_RETRIES,
  isOpaqueNetworkFailure,
  NO_CONNECTION_RETRIES,
  networkReason
} from "../src/internal/network.js"
import { RequestStats, type RequestStatsShape } from "../src/RequestStats.js"

/**
 * CometHttp over the real FetchHttpClient with a `fetch` that answers the n-th call (1-based)
 * with a Response or rejects with exactly the given error, as a browser's fetch rejects.
 */
const withFetch = <A, E>(
  answer: (n: number) => Response | Error,
  options: Partial<CometHttpOptions>,
  scenario: (env: {
    readonly http: CometHttpShape
    readonly stats: RequestStatsShape
    readonly server: { readonly count: number }
  }) => Effect.Effect<A, E, Scope.Scope>
) => {
  const server = { count: 0 }
  const fetch: typeof globalThis.fetch = async () => {
    server.count++
    const a = answer(server.count)
    if (a instanceof Error) throw a
    return a
  }
  const layer = CometHttp.layer({ apiKey: "tk_browser_key", baseUrl: "https://comet.test", ...options }).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch))
  )
  return Effect.scoped(
    Effect.flatMap(Layer.build(layer), (ctx) =>
      scenario({ http: Context.get(ctx, CometHttp), stats: Context.get(ctx, RequestStats), server })
    )
  )
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } })

const Ok = Schema.Struct({ ok: Schema.Boolean })
const OK = { ok: true }
const chromium = () => new TypeError("Failed to fetch")

describe("classifying a rejected fetch", () => {
  it("each browser's opaque message, as a TypeError without a cause, is a browser network failure", () => {
    for (const message of [
      "Failed to fetch",
      "NetworkError when attempting to fetch resource.",
      "Load failed",
      "Network request failed"
    ]) {
      assert.isTrue(isOpaqueNetworkFailure(new TypeError(message)), message)
      assert.strictEqual(networkReason(new TypeError(message)), "browser-network")
    }
  })

  it("anything that says more is not: Node's fetch with its cause, other errors, other messages", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4820"), { code: "ECONNREFUSED" })
    for (const cause of [
      new TypeError("fetch failed", { cause: refused }),
      new TypeError("Failed to fetch", { cause: refused }),
      new Error("Failed to fetch"),
      new TypeError("Failed to fetch dynamically imported module"),
      refused,
      "Failed to fetch",
      undefined
    ]) {
      assert.isFalse(isOpaqueNetworkFailure(cause), String(cause))
      assert.strictEqual(networkReason(cause), "network")
    }
    assert.strictEqual(networkReason(new DOMException("The operation was aborted.", "AbortError")), "aborted")
  })
})

describe("a browser network failure", () => {
  it.effect("fails after a short bounded retry, not the whole budget, with the CORS and proxy advice", () =>
    withFetch(
      () => chromium(),
      {},
      ({ http, server, stats }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Effect.flip(http.get("workspaces", Ok)))
          // Backoff 200 ms then 400 ms (±20 %): over within 0.72 s of test time.
          yield* TestClock.adjust("720 millis")
          const done = yield* Fiber.poll(fiber)
          assert.isTrue(Option.isSome(done), "the call must be over after the short retry")
          const e = yield* Fiber.join(fiber)
          assert.strictEqual(e._tag, "TransportError")
          if (e._tag !== "TransportError") return
          assert.strictEqual(e.reason, "browser-network")
          assert.strictEqual(e.attempts, BROWSER_NETWORK_RETRIES + 1)
          assert.strictEqual(server.count, BROWSER_NETWORK_RETRIES + 1)
          assert.include(e.detail, "Failed to fetch")
          for (const part of ["CORS", "same-origin proxy", "--cors", "refused"]) assert.include(e.message, part)
          assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { "browser-network": 2 })
        })
    )
  )

  it.effect("a server that comes up during the short retry is read", () =>
    withFetch(
      (n) => (n === 1 ? chromium() : json(OK)),
      {},
      ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(http.get("workspaces", Ok))
          yield* TestClock.adjust("1 second")
          assert.deepStrictEqual(yield* Fiber.join(fiber), OK)
          assert.strictEqual(server.count, 2)
        })
    )
  )

  it.effect("a lower maxRetries still applies (0: one attempt)", () =>
    withFetch(
      () => chromium(),
      { maxRetries: 0 },
      ({ http, server }) =>
        Effect.gen(function* () {
          const e = yield* Effect.flip(http.get("workspaces", Ok))
          assert.isTrue(e._tag === "TransportError" && e.reason === "browser-network" && e.attempts === 1)
          assert.strictEqual(server.count, 1)
        })
    )
  )

  it.effect("streams and POSTs are classified the same way", () =>
    withFetch(
      () => new TypeError("Load failed"),
      {},
      ({ http, server }) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Effect.all(
              [
                Effect.flip(Stream.runDrain(http.stream("experiment/asset/get-asset"))),
                Effect.flip(http.post("experiments/multi-metric-chart", { targetedExperiments: [] }, Ok))
              ],
              { concurrency: "unbounded" }
            )
          )
          yield* TestClock.adjust("720 millis")
          const [s, p] = yield* Fiber.join(fiber)
          for (const e of [s, p]) assert.isTrue(e._tag === "TransportError" && e.reason === "browser-network")
          assert.strictEqual(server.count, 2 * (BROWSER_NETWORK_RETRIES + 1))
        })
    )
  )

  it.effect(
    "Node's undici failure ('fetch failed' with its cause) keeps the long retry when a connection was made",
    () =>
      withFetch(
        () =>
          new TypeError("fetch failed", {
            cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })
          }),
        { maxRetries: 5 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(Effect.flip(http.get("workspaces", Ok)))
            yield* TestClock.adjust("1 minute")
            const e = yield* Fiber.join(fiber)
            assert.isTrue(e._tag === "TransportError" && e.reason === "network" && e.attempts === 6)
            assert.strictEqual(server.count, 6)
          })
      )
  )

  it.effect("a connection that cannot be made (refused, unknown host) gets the short retry, and says so", () =>
    Effect.forEach(
      ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"],
      (code) =>
        withFetch(
          () =>
            new TypeError("fetch failed", {
              cause: Object.assign(new Error(`connect ${code} comet.test`), { code })
            }),
          { maxRetries: 8 },
          ({ http, server }) =>
            Effect.gen(function* () {
              const fiber = yield* Effect.fork(Effect.flip(http.get("workspaces", Ok)))
              // the short retry's backoff (200 + 400 ms, ±20 %) is over well before 1 s
              yield* TestClock.adjust("1 second")
              const e = yield* Fiber.join(fiber)
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag !== "TransportError") return
              assert.strictEqual(e.reason, "network")
              assert.strictEqual(e.attempts, NO_CONNECTION_RETRIES + 1, code)
              assert.strictEqual(server.count, NO_CONNECTION_RETRIES + 1, code)
              assert.include(e.message, code)
              assert.include(e.message, "is running at the base URL")
              assert.notInclude(e.message, "maxRetries")
            })
        ),
      { discard: true }
    )
  )
})
