/**
 * RequestStats tell the truth about facade calls ended from outside: a request its call's
 * deadline (`callTimeoutMs`) or AbortSignal cuts short is a failure — the caller gets a
 * TransportError — for Promise calls, streams and downloads, while one the caller stops itself
 * (a `break` out of a download) is not (Effect calls: http's StatsInterrupted.test.ts). The identity `attempts = requests − cacheHits − coalesced
 * + retries + resent` keeps holding. Over real loopback sockets, the default transport (undici)
 * and fetch.
 */
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { StatsSnapshot } from "@comet-ts/http"
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import type { API, APIOptions } from "../src/index.js"
import { Capture, hostileApi, rejection } from "./support/hostile.js"

/**
 * A server that never answers JSON requests, and answers an asset with its headers and a first
 * chunk, then nothing more (both until the test's scope ends).
 */
const stalling: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<{ server: import("node:http").Server; origin: string }>((resume) => {
    const open = new Set<ServerResponse>()
    const server = createServer((req, res) => {
      open.add(res)
      if ((req.url ?? "").includes("get-asset")) {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(1024 * 1024) })
        res.write(Buffer.alloc(1024, 7))
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}` }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ origin }) => origin))

/** The identity the stats document, for calls however they ended. */
const assertIdentity = (s: StatsSnapshot) =>
  assert.strictEqual(s.attempts, s.requests - s.cacheHits - s.coalesced + s.retries + s.resent, JSON.stringify(s))

/** Rejected with the typed error (the test fails when it resolves). */
const rejected = (p: Promise<unknown>) => Effect.promise(() => rejection(p))

/** A facade on `origin` over the default transport (undici) or fetch, closed with the scope. */
const facadeOver = (origin: string, adapter: "undici" | "fetch", options: Partial<APIOptions> = {}) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      hostileApi(origin, "fetch", new Capture(), {
        timeoutMs: 60_000,
        downloadTimeoutMs: 60_000,
        // no HttpClient given: the default transport
        ...(adapter === "undici" ? { httpClient: undefined } : {}),
        ...options
      })
    ),
    (api) => Effect.promise(() => api.close())
  )

const stats = (api: API) => Effect.promise(() => api.getRequestStats())

describe.each(["undici", "fetch"] as const)("over %s", (adapter) => {
  describe("the facade", () => {
    it.scopedLive("a call its callTimeoutMs ends is a failure in the stats", () =>
      Effect.gen(function* () {
        const api = yield* facadeOver(yield* stalling, adapter)
        const e = yield* rejected(api.getWorkspaces({ callTimeoutMs: 100 }))
        assert.strictEqual(e.reason, "deadline", e.message)
        const s = yield* stats(api)
        assert.deepStrictEqual([s.requests, s.attempts, s.failures], [1, 1, 1])
        assert.strictEqual(s.byEndpoint.workspaces?.failures, 1)
        assertIdentity(s)
      })
    )

    it.scopedLive("the client's default callTimeoutMs too", () =>
      Effect.gen(function* () {
        const api = yield* facadeOver(yield* stalling, adapter, { callTimeoutMs: 100 })
        assert.strictEqual((yield* rejected(api.getWorkspaces())).reason, "deadline")
        assert.strictEqual((yield* stats(api)).failures, 1)
      })
    )

    it.scopedLive("a call its AbortSignal ends is a failure in the stats", () =>
      Effect.gen(function* () {
        const api = yield* facadeOver(yield* stalling, adapter)
        const controller = new AbortController()
        const pending = api.getWorkspaces({ signal: controller.signal })
        yield* Effect.fork(
          Effect.delay(
            Effect.sync(() => controller.abort()),
            "100 millis"
          )
        )
        assert.strictEqual((yield* rejected(pending)).reason, "aborted")
        const s = yield* stats(api)
        assert.deepStrictEqual([s.requests, s.attempts, s.failures], [1, 1, 1])
        assertIdentity(s)
      })
    )

    it.scopedLive("a stream its callTimeoutMs or AbortSignal ends is a failure in the stats", () =>
      Effect.gen(function* () {
        const api = yield* facadeOver(yield* stalling, adapter)
        const next = (options: { callTimeoutMs?: number; signal?: AbortSignal }) =>
          api.streamExperiments("ws", "proj", options)[Symbol.asyncIterator]().next()
        assert.strictEqual((yield* rejected(next({ callTimeoutMs: 100 }))).reason, "deadline")
        assert.strictEqual((yield* stats(api)).failures, 1)
        const controller = new AbortController()
        yield* Effect.fork(
          Effect.delay(
            Effect.sync(() => controller.abort()),
            "100 millis"
          )
        )
        assert.strictEqual((yield* rejected(next({ signal: controller.signal }))).reason, "aborted")
        const s = yield* stats(api)
        assert.deepStrictEqual([s.requests, s.failures], [2, 2])
        assertIdentity(s)
      })
    )

    it.scopedLive("a download its callTimeoutMs or AbortSignal ends is a failure; a break out of it is not", () =>
      Effect.gen(function* () {
        const api = yield* facadeOver(yield* stalling, adapter)
        const read = (options: { callTimeoutMs?: number; signal?: AbortSignal }) =>
          Effect.promise(async () => {
            const chunks = api.streamExperimentAsset("0123456789abcdef0123456789abcdef", "a", options)
            let got = 0
            try {
              for await (const chunk of chunks) got += chunk.length
              return { got, error: null }
            } catch (e) {
              return { got, error: e as Error & { readonly reason?: string } }
            }
          })
        const timed = yield* read({ callTimeoutMs: 300 })
        assert.strictEqual(timed.error?.reason, "deadline", String(timed.error))
        assert.strictEqual((yield* stats(api)).failures, 1)
        const controller = new AbortController()
        yield* Effect.fork(
          Effect.delay(
            Effect.sync(() => controller.abort()),
            "300 millis"
          )
        )
        const aborted = yield* read({ signal: controller.signal })
        assert.strictEqual(aborted.error?.reason, "aborted", String(aborted.error))
        assert.strictEqual((yield* stats(api)).failures, 2)
        // the caller's own choice: a break after the first chunk
        const stopped = yield* Effect.promise(async () => {
          for await (const chunk of api.streamExperimentAsset("0123456789abcdef0123456789abcdef", "a")) {
            return chunk.length
          }
          return 0
        })
        assert.strictEqual(stopped, 1024)
        const s = yield* stats(api)
        assert.deepStrictEqual([s.requests, s.attempts, s.failures], [3, 3, 2])
        assertIdentity(s)
      })
    )
  })
})
