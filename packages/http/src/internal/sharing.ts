/**
 * Sharing of buffered responses: identical GETs (and read-only POSTs) in flight share one
 * request (coalescing), and responses marked cacheable are kept in the optional LRU cache.
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { RequestOptions } from "./contract.js"
import { LruCache } from "./lru.js"
import type { Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Target } from "./target.js"

/** What a finished JSON or bytes request shares between coalesced callers and the cache. */
export type Shared =
  | { readonly kind: "json"; readonly value: unknown; readonly text: string | undefined; readonly size: number }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }

interface InFlight {
  readonly deferred: Deferred.Deferred<Shared, CometError>
  fiber: Fiber.RuntimeFiber<Shared, CometError> | undefined
  waiters: number
}

/** The in-flight table and cache of one client instance. */
export interface Sharing {
  /**
   * Count the logical request, then answer it from the cache, from an identical request in
   * flight, or by running `fetch`; `copy` tells the caller its bytes are shared with others.
   */
  readonly obtain: (
    t: Target,
    options: RequestOptions | undefined,
    fetch: () => Effect.Effect<Shared, CometError>
  ) => Effect.Effect<{ readonly shared: Shared; readonly copy: boolean }, CometError>
  /** Drop every cached response. */
  readonly clearCache: Effect.Effect<void>
}

/** Build the sharing of one instance; coalesced requests run in `layerScope`. */
export const makeSharing = (settings: Resolved, stats: StatsRecorder, layerScope: Scope.Scope): Sharing => {
  const cfg = settings.config
  const inflight = new Map<string, InFlight>()
  const cache = settings.cache === null ? null : new LruCache<Shared>(settings.cache.capacity, settings.cache.ttlMillis)

  /**
   * Identical GETs in flight share one request. It runs in its own fiber (in the layer's
   * scope) and is interrupted — aborting the HTTP request — when its last waiter goes away.
   */
  const coalesce = (key: string, run: Effect.Effect<Shared, CometError>) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        let entry = inflight.get(key)
        let joined = false
        if (entry === undefined) {
          const deferred = yield* Deferred.make<Shared, CometError>()
          const created: InFlight = { deferred, fiber: undefined, waiters: 0 }
          inflight.set(key, created)
          created.fiber = yield* run.pipe(
            Effect.interruptible,
            Effect.onExit((exit) =>
              Effect.suspend(() => {
                if (inflight.get(key) === created) inflight.delete(key)
                return Deferred.done(deferred, exit)
              })
            ),
            Effect.forkIn(layerScope)
          )
          entry = created
        } else {
          joined = true
          stats.coalescedJoin()
          yield* Effect.annotateCurrentSpan("comet.coalesced", true)
        }
        const e = entry
        e.waiters++
        const shared = yield* restore(Deferred.await(e.deferred)).pipe(
          Effect.onExit(() =>
            Effect.suspend(() => {
              e.waiters--
              if (e.waiters === 0 && inflight.get(key) === e) {
                inflight.delete(key)
                return e.fiber === undefined ? Effect.void : Fiber.interrupt(e.fiber)
              }
              return Effect.void
            })
          )
        )
        return { shared, joined }
      })
    )

  const sizeOf = (s: Shared): number => (s.kind === "bytes" ? s.bytes.length : s.size)

  /**
   * Count the logical request, look in the cache, else join or start (`fetch`) the request;
   * store it when allowed.
   */
  const obtain = (
    t: Target,
    options: RequestOptions | undefined,
    fetch: () => Effect.Effect<Shared, CometError>
  ): Effect.Effect<{ readonly shared: Shared; readonly copy: boolean }, CometError> =>
    Effect.gen(function* () {
      stats.request(t.endpoint, cfg.baseUrl)
      const useCache = cache !== null && options?.cacheable === true
      if (useCache) {
        const hit = cache.get(t.key, yield* Clock.currentTimeMillis)
        if (hit !== undefined) {
          stats.cacheHit()
          yield* Effect.annotateCurrentSpan("comet.cache", "hit")
          return { shared: hit, copy: true }
        }
      }
      const run = fetch()
      const { shared, joined } =
        t.method === "GET" || options?.readOnly === true
          ? yield* coalesce(t.key, run)
          : { shared: yield* run, joined: false }
      if (useCache && settings.cache !== null && sizeOf(shared) <= settings.cache.maxEntryBytes) {
        // bytes are copied (callers may write to theirs); JSON keeps the parsed value only
        const stored: Shared =
          shared.kind === "bytes"
            ? { kind: "bytes", bytes: new Uint8Array(shared.bytes) }
            : { ...shared, text: undefined }
        cache.set(t.key, stored, yield* Clock.currentTimeMillis)
      }
      return { shared, copy: joined }
    })

  return { obtain, clearCache: Effect.sync(() => cache?.clear()) }
}
