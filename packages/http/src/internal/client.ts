/**
 * The CometHttp implementation, assembled from its parts: one instance owns one transport
 * (`transport.ts`), one semaphore (`permits.ts`), one set of timers (`timers.ts`), one optional
 * rate limiter (`rateLimit.ts`), one set of counters (`stats.ts`), one in-flight table and one
 * optional response cache (`sharing.ts`); every request is built by `target.ts`, sent by
 * `attempt.ts` under `retry.ts`, and served by `requests.ts` or `stream.ts`.
 *
 * @internal
 */
import { Secrets } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { RequestStatsShape } from "../RequestStats.js"
import { type AttemptContext, makeAttempts } from "./attempt.js"
import type { CometHttpShape } from "./contract.js"
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
    const takeToken = yield* makeRateGate(cfg, settings.rateLimitAlgorithm)
    const timers = yield* Timers.make
    const stats = new StatsRecorder()
    const ctx: AttemptContext = { settings, apiKey, scrub, transport, timers, stats, permits, takeToken }
    const targets = makeTargets(cfg)
    const attempts = makeAttempts(ctx)
    const withRetries = makeRetries(settings, stats)
    const sharing = makeSharing(settings, stats, layerScope)
    const requests = makeRequests({ config: cfg, apiKey, scrub, targets, attempts, withRetries, sharing, stats })
    const downloads = makeDownloads(ctx, targets, attempts, withRetries)
    yield* Effect.addFinalizer(() => Effect.sync(() => downloads.closeAll()))

    const http: CometHttpShape = {
      get: requests.get,
      post: requests.post,
      getBytes: requests.getBytes,
      stream: downloads.stream,
      open: downloads.open,
      backendVersion: requests.backendVersion,
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
