/**
 * The CometHttp implementation, assembled from its parts: one instance owns one transport
 * (`transport.ts`), one semaphore (`permits.ts`), one set of timers (`timers.ts`), one rate
 * gate (`rateLimit.ts`), one set of counters (`stats.ts`), one in-flight table and one optional
 * response cache (`sharing.ts`), and its closing (`closing.ts`); every request is built by
 * `target.ts`, sent by `attempt.ts` under `retry.ts`, and served by `requests.ts` or
 * `stream.ts`, within its call's deadline (`deadline.ts`).
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
import * as Secrets from "@comet-ts/core/Secrets"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { RequestStatsShape } from "../RequestStats.js"
import { type AttemptContext, makeAttempts } from "./attempt.js"
import { makeClosing } from "./closing.js"
import type { CometHttpShape, RequestOptions } from "./contract.js"
import { streamWithCallTimeout, withCallTimeout } from "./deadline.js"
import { Permits } from "./permits.js"
import { makeRateGate } from "./rateLimit.js"
import { makeRequests } from "./requests.js"
import { makeRetries } from "./retry.js"
import type { Resolved } from "./settings.js"
import { makeSharing } from "./sharing.js"
import { StatsRecorder } from "./stats.js"
import { makeDownloads } from "./stream.js"
import { makeTargets } from "./target.js"
import { Timers } from "./timers.js"
import type { WireTransport } from "./transport.js"

/**
 * Build one client instance over `transport`. Needs a `Scope` (the timers' and the rate
 * limiter's fibers, and coalesced requests, live in it).
 */
export const make = (
  settings: Resolved,
  transport: WireTransport
): Effect.Effect<{ readonly http: CometHttpShape; readonly stats: RequestStatsShape }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const cfg = settings.config
    const apiKey = Redacted.value(cfg.apiKey)
    // every form of the key: as written, case-folded (a redirect host), escaped, encoded
    const scrub = (s: string): string => Secrets.scrub(s, apiKey)
    const layerScope = yield* Effect.scope
    const permits = new Permits(cfg.maxConcurrency)
    const gate = yield* makeRateGate(settings)
    const timers = yield* Timers.make
    const stats = new StatsRecorder()
    // added after the timers and the rate limiter: its finalizer runs before theirs
    const closing = yield* makeClosing(layerScope)
    const ctx: AttemptContext = {
      settings,
      apiKey,
      scrub,
      transport: gate.transport(transport, timers),
      timers,
      stats,
      permits,
      takeToken: gate.token,
      track: closing.track
    }
    const targets = makeTargets(cfg)
    const attempts = makeAttempts(ctx)
    const retries = makeRetries(settings, stats, gate, closing)
    const sharing = makeSharing(settings, stats, layerScope)
    const requests = makeRequests({ config: cfg, apiKey, scrub, targets, attempts, retries, sharing, stats })
    const downloads = makeDownloads(ctx, targets, attempts, retries.withRetries)
    yield* Effect.addFinalizer(() => Effect.sync(() => downloads.closeAll()))

    /** One operation: within the call's own deadline (`callTimeout`), ended by the closing. */
    const operation = <A>(
      endpoint: string,
      options: RequestOptions | undefined,
      self: Effect.Effect<A, CometError>
    ): Effect.Effect<A, CometError> =>
      closing.effect(
        endpoint,
        options?.callTimeout === undefined ? self : withCallTimeout(options.callTimeout, endpoint, "callTimeout")(self)
      )

    const stream = (endpoint: string, options?: RequestOptions): Stream.Stream<Uint8Array, CometError> => {
      const self = downloads.stream(endpoint, options)
      return closing.stream(
        endpoint,
        options?.callTimeout === undefined
          ? self
          : streamWithCallTimeout(options.callTimeout, endpoint, "callTimeout")(self)
      )
    }

    const http: CometHttpShape = {
      get: (endpoint, schema, options) => operation(endpoint, options, requests.get(endpoint, schema, options)),
      post: (endpoint, body, schema, options) =>
        operation(endpoint, options, requests.post(endpoint, body, schema, options)),
      getBytes: (endpoint, options) => operation(endpoint, options, requests.getBytes(endpoint, options)),
      stream,
      // the opening only: the reads of an open download end with the closing (closeAll above)
      open: (endpoint, options) => operation(endpoint, options, downloads.open(endpoint, options)),
      backendVersion: operation("clientlib/isAlive/ver", undefined, requests.backendVersion),
      baseUrl: cfg.baseUrl,
      restUrl: cfg.restUrl,
      clearCache: sharing.clearCache
    }
    const requestStats: RequestStatsShape = {
      snapshot: Effect.sync(() => stats.snapshot()),
      reset: Effect.sync(() => stats.reset())
    }
    return { http, stats: requestStats }
  })
