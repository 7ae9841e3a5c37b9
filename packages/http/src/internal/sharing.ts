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
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"
import type { RequestOptions } from "./contract.js"
import { CurrentDeadline, type Deadline, type SharedDeadline, shareDeadline } from "./deadline.js"
import { LruCache } from "./lru.js"
import type { Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Target } from "./target.js"
import { annotate } from "./tracing.js"

/** What a finished JSON or bytes request shares between coalesced callers and the cache. */
export type Shared =
  | { readonly kind: "json"; readonly value: unknown; readonly text: string | undefined; readonly size: number }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }

interface InFlight {
  /** Made when the first caller joins (a request nobody joins needs none). */
  deferred: Deferred.Deferred<Shared, CometError> | undefined
  /** The caller that sent the request is still waiting for it. */
  leading: boolean
  /** The request sent again for the callers still waiting after the first one went away. */
  fiber: Fiber.RuntimeFiber<Shared, CometError> | undefined
  /** Callers that joined and still wait. */
  waiters: number
  /** The deadline it runs under: the latest of its callers'. */
  readonly deadline: SharedDeadline
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
  /**
   * The common case without steps: count the logical request and, for a GET (or read-only
   * POST), make it the one in flight for its key — when no cache applies, no identical request
   * is in flight and the caller has no deadline. Null otherwise (use `obtain`). The request must
   * then end with `settle`, which settles it for callers that join it meanwhile.
   */
  readonly begin: (t: Target, options: RequestOptions | undefined) => Begun | null
  /** Drop every cached response. */
  readonly clearCache: Effect.Effect<void>
}

/** A request begun by `Sharing.begin`. */
export interface Begun {
  /**
   * To run when the request ends, however (`Effect.onExit`): it is settled for the callers that
   * joined it; `run` sends it again for them if the caller that began it went away first.
   */
  readonly settle: (
    exit: Exit.Exit<Shared, CometError>,
    run: () => Effect.Effect<Shared, CometError>
  ) => Effect.Effect<void>
  /**
   * The request succeeded: {@link settle} for its value, in plain code (a success is only ever
   * settled). True when other callers joined it: they copy the value as they resume, after the
   * caller that began it may have written to it, so that caller takes a copy too.
   */
  readonly succeeded: (shared: Shared) => boolean
}

/** Build the sharing of one instance; coalesced requests run in `layerScope`. */
export const makeSharing = (settings: Resolved, stats: StatsRecorder, layerScope: Scope.Scope): Sharing => {
  const cfg = settings.config
  const inflight = new Map<string, InFlight>()
  const cache = settings.cache === null ? null : new LruCache<Shared>(settings.cache.capacity, settings.cache.ttlMillis)

  /**
   * Identical GETs in flight share one request. The first caller sends it in its own fiber, so
   * a request nobody joins costs no extra fiber; callers that come while it is in flight wait
   * for its result. If the first caller goes away (interrupted) while others still wait, the
   * request is sent again for them in a fiber of the layer's scope, which is interrupted —
   * aborting the HTTP request — when the last of them goes away. `copy`: the value is shared
   * with other callers (each one that may write to it takes a copy).
   */
  const coalesce = (
    key: string,
    run: Effect.Effect<Shared, CometError>
  ): Effect.Effect<{ readonly shared: Shared; readonly copy: boolean }, CometError> =>
    Effect.suspend(() => {
      const existing = inflight.get(key)
      return existing === undefined ? lead(key, run) : join(key, existing)
    })

  /** Settle an entry with how its request ended, and take it out of the table (plain code). */
  const settleNow = (key: string, entry: InFlight, exit: Exit.Exit<Shared, CometError>): void => {
    if (inflight.get(key) === entry) inflight.delete(key)
    if (entry.deferred !== undefined) Deferred.unsafeDone(entry.deferred, exit)
  }

  /** {@link settleNow} as an Effect. */
  const settle = (key: string, entry: InFlight, exit: Exit.Exit<Shared, CometError>): Effect.Effect<void> =>
    Effect.sync(() => settleNow(key, entry, exit))

  /**
   * What ends a leader's request: settle its entry — unless it was interrupted while others
   * still wait, then the request is sent again for them, in a fiber of its own (`run`).
   */
  const leaderExit =
    (key: string, entry: InFlight, run: () => Effect.Effect<Shared, CometError>) =>
    (exit: Exit.Exit<Shared, CometError>): Effect.Effect<void> => {
      entry.leading = false
      if (Exit.isInterrupted(exit) && entry.waiters > 0 && inflight.get(key) === entry) {
        // others still wait: send it again for them, in a fiber of its own
        return Effect.flatMap(
          Effect.forkIn(
            // forked from a finalizer: made interruptible again, or the last waiter could not stop
            // it; it runs for the callers left, each bounded by its own deadline
            Effect.onExit(Effect.interruptible(Effect.locally(run(), CurrentDeadline, null)), (e) =>
              settle(key, entry, e)
            ),
            layerScope
          ),
          (fiber) =>
            Effect.sync(() => {
              entry.fiber = fiber
            })
        )
      }
      return settle(key, entry, exit)
    }

  /** A new entry for a request about to be sent, under `deadline` (shared with joiners). */
  const enter = (key: string, deadline: Deadline | null): InFlight => {
    const entry: InFlight = {
      deferred: undefined,
      leading: true,
      fiber: undefined,
      waiters: 0,
      deadline: shareDeadline(deadline)
    }
    inflight.set(key, entry)
    return entry
  }

  const lead = (key: string, run: Effect.Effect<Shared, CometError>) =>
    // entered and handed its end handler without an interruption between: only the request
    // itself may be interrupted, and its end, however it comes, settles the entry
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(FiberRef.get(CurrentDeadline), (deadline) => {
        const entry = enter(key, deadline)
        const end = leaderExit(key, entry, () => run)
        // with a deadline, it runs under the latest of its callers' (joining callers extend it)
        const shared = deadline === null ? run : Effect.locally(run, CurrentDeadline, entry.deadline.deadline)
        return Effect.matchCauseEffect(restore(shared), {
          onFailure: (cause) => Effect.zipRight(end(Exit.failCause(cause)), Effect.failCause(cause)),
          // joined: the others copy the value as they resume, after this caller may have written
          // to it (its caller's next step runs first), so this caller takes a copy too
          onSuccess: (value) =>
            Effect.map(end(Exit.succeed(value)), () => ({ shared: value, copy: entry.deferred !== undefined }))
        })
      })
    )

  const join = (key: string, entry: InFlight) =>
    Effect.flatMap(FiberRef.get(CurrentDeadline), (deadline) => {
      stats.coalescedJoin()
      entry.deadline.join(deadline)
      entry.deferred ??= Deferred.unsafeMake<Shared, CometError>(FiberId.none)
      entry.waiters++
      return annotate({ "comet.coalesced": true }).pipe(
        Effect.zipRight(Deferred.await(entry.deferred)),
        Effect.onExit(() =>
          Effect.suspend(() => {
            entry.waiters--
            if (entry.waiters === 0 && !entry.leading && inflight.get(key) === entry) {
              inflight.delete(key)
              return entry.fiber === undefined ? Effect.void : Fiber.interrupt(entry.fiber)
            }
            return Effect.void
          })
        ),
        Effect.map((shared) => ({ shared, copy: true }))
      )
    })

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
    Effect.suspend(() => {
      stats.request(t.endpoint, cfg.baseUrl)
      const shared = t.method === "GET" || options?.readOnly === true
      if (cache === null || options?.cacheable !== true) {
        // the common path: no cache involved
        return shared ? coalesce(t.key, fetch()) : Effect.map(fetch(), (s) => ({ shared: s, copy: false }))
      }
      return Effect.gen(function* () {
        const hit = cache.get(t.key, yield* Clock.currentTimeMillis)
        if (hit !== undefined) {
          stats.cacheHit()
          yield* annotate({ "comet.cache": "hit" })
          return { shared: hit, copy: true }
        }
        const run = fetch()
        const got = shared ? yield* coalesce(t.key, run) : { shared: yield* run, copy: false }
        if (settings.cache !== null && sizeOf(got.shared) <= settings.cache.maxEntryBytes) {
          // bytes are copied (callers may write to theirs); JSON keeps the parsed value only
          const stored: Shared =
            got.shared.kind === "bytes"
              ? { kind: "bytes", bytes: new Uint8Array(got.shared.bytes) }
              : { ...got.shared, text: undefined }
          cache.set(t.key, stored, yield* Clock.currentTimeMillis)
        }
        return got
      })
    })

  const begin = (t: Target, options: RequestOptions | undefined): Begun | null => {
    if (cache !== null && options?.cacheable === true) return null
    const shared = t.method === "GET" || options?.readOnly === true
    if (shared && inflight.has(t.key)) return null
    stats.request(t.endpoint, cfg.baseUrl)
    if (!shared) return { settle: () => Effect.void, succeeded: () => false }
    const key = t.key
    const entry = enter(key, null)
    return {
      settle: (exit, run) => leaderExit(key, entry, run)(exit),
      succeeded: (value) => {
        entry.leading = false
        settleNow(key, entry, Exit.succeed(value))
        return entry.deferred !== undefined
      }
    }
  }

  return { obtain, begin, clearCache: Effect.sync(() => cache?.clear()) }
}
