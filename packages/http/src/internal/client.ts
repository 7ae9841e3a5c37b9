/**
 * The CometHttp implementation, assembled from its parts: one instance owns one semaphore
 * (`permits.ts`), one rate gate (`rateLimit.ts`), one set of counters (`stats.ts`), one
 * in-flight table and one optional response cache (`sharing.ts`), and its closing
 * (`closing.ts`); every request is built by `target.ts`, sent by `attempt.ts` under `retry.ts`,
 * served by `requests.ts` or `stream.ts`, within its call's deadline (`deadline.ts`).
 *
 * @internal
 */
import { type CometError, Secrets, withSetting } from "@comet-ts/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
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
import { makeStream } from "./stream.js"
import { makeTargets } from "./target.js"

/**
 * Build one client instance. Needs an `HttpClient` and a `Scope` (the rate limiter's refill
 * fiber and coalesced requests live in it).
 */
export const make = (
  settings: Resolved
): Effect.Effect<
  { readonly http: CometHttpShape; readonly stats: RequestStatsShape },
  never,
  HttpClient.HttpClient | Scope.Scope
> =>
  Effect.gen(function* () {
    const cfg = settings.config
    const apiKey = Redacted.value(cfg.apiKey)
    // every form of the key: as written, case-folded (a redirect host), escaped, encoded
    const scrub = (s: string): string => Secrets.scrub(s, apiKey)
    const layerScope = yield* Effect.scope
    // No trace headers to a third party, and no platform span: its failure would carry the
    // request (and so the raw Authorization header) into any tracer. Our own spans say the same
    // things without it.
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )
    const permits = new Permits(cfg.maxConcurrency)
    const gate = yield* makeRateGate(settings)
    const buildInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    const stats = new StatsRecorder()
    const ctx: AttemptContext = {
      settings,
      apiKey,
      scrub,
      client,
      buildInit,
      stats,
      permits,
      takeToken: gate.take
    }
    const targets = makeTargets(cfg)
    const attempts = makeAttempts(ctx)
    const withRetries = makeRetries(settings, stats, gate)
    // requests shared by several callers live in a scope of their own, closed after the closing
    // below has failed every pending call (finalizers run last-added first)
    const sharingScope = yield* Scope.fork(layerScope, ExecutionStrategy.sequential)
    const closing = yield* makeClosing(layerScope)
    const sharing = makeSharing(settings, stats, sharingScope)
    const requests = makeRequests({ config: cfg, apiKey, scrub, targets, attempts, withRetries, sharing, stats })
    const streamOf = makeStream(ctx, targets, attempts, withRetries)

    /** The setting that bounds an attempt's time, named in a timeout's message. */
    const timeoutSetting = (kind: "json" | "bytes", options: RequestOptions | undefined): string =>
      options?.timeout !== undefined ? "timeout" : kind === "json" ? "timeoutMs" : "downloadTimeoutMs"
    const nameTimeout =
      (setting: string) =>
      (e: CometError): CometError =>
        e._tag === "TransportError" && e.reason === "timeout" && e.setting === undefined ? withSetting(e, setting) : e

    /** One buffered operation: named timeouts, the call's own deadline, and the instance's closing. */
    const operation = <A>(
      endpoint: string,
      kind: "json" | "bytes",
      options: RequestOptions | undefined,
      self: Effect.Effect<A, CometError>,
      shared = true
    ): Effect.Effect<A, CometError> => {
      const named = Effect.mapError(self, nameTimeout(timeoutSetting(kind, options)))
      const timed =
        options?.callTimeout === undefined
          ? named
          : withCallTimeout(options.callTimeout, endpoint, "callTimeout")(named)
      return closing.effect(endpoint, timed, shared)
    }

    const http: CometHttpShape = {
      get: (endpoint, schema, options) => operation(endpoint, "json", options, requests.get(endpoint, schema, options)),
      post: (endpoint, body, schema, options) =>
        // a POST is shared (coalesced) only when it only reads
        operation(
          endpoint,
          "json",
          options,
          requests.post(endpoint, body, schema, options),
          options?.readOnly === true
        ),
      getBytes: (endpoint, options) => operation(endpoint, "bytes", options, requests.getBytes(endpoint, options)),
      stream: (endpoint, options) => {
        const named = Stream.mapError(streamOf(endpoint, options), nameTimeout(timeoutSetting("bytes", options)))
        const timed =
          options?.callTimeout === undefined
            ? named
            : streamWithCallTimeout(options.callTimeout, endpoint, "callTimeout")(named)
        return closing.stream(endpoint, timed)
      },
      backendVersion: operation("clientlib/isAlive/ver", "json", undefined, requests.backendVersion),
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
