/**
 * The CometHttp implementation: one instance owns one semaphore, one optional rate limiter, one
 * set of counters, one in-flight table (coalescing) and one optional response cache.
 *
 * @internal
 */
import {
  BackendVersion,
  type CometError,
  Decode,
  DecodeError,
  errorFromResponse,
  InvalidArgument,
  isRetryable,
  parseRetryAfter,
  type ResolvedConfig,
  TransportError
} from "@comet-ts/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as RateLimiter from "effect/RateLimiter"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { CometHttpSettings, CometHttpShape, Params, RequestOptions } from "../CometHttp.js"
import type { RequestStatsShape } from "../RequestStats.js"
import {
  declaredLength,
  describe,
  errorBodyShape,
  isJsonContentType,
  lengthIsCheckable,
  parseJson,
  readAll,
  readCapped
} from "./body.js"
import { LruCache } from "./lru.js"
import { networkReason, retriesFor } from "./network.js"
import { Permits } from "./permits.js"
import { StatsRecorder } from "./stats.js"
import { canonicalQuery, encodeQuery, paramEntries, validateEndpoint } from "./url.js"
import { USER_AGENT } from "./version.js"

/** Defaults of the http-specific settings. */
export const DEFAULTS = {
  retryBudget: Duration.minutes(2),
  retryBaseDelay: Duration.millis(200),
  retryMaxDelay: Duration.seconds(20),
  maxBodyBytes: 2 * 1024 * 1024 * 1024,
  maxJsonBytes: 256 * 1024 * 1024,
  cacheMaxEntryBytes: 1024 * 1024,
  errorBodyBytes: 64 * 1024
} as const

/** The endpoint label of the backend version probe. */
export const VERSION_ENDPOINT = "clientlib/isAlive/ver"

type Kind = "json" | "bytes"

interface Target {
  readonly method: "GET" | "POST"
  /** The label used in errors, stats and spans: `experiment/metadata`. */
  readonly endpoint: string
  readonly url: string
  readonly params: Readonly<Record<string, string>>
  readonly body: string | undefined
  readonly auth: boolean
  readonly accept: string
  /** Cache and coalescing key (never contains the key itself). */
  readonly key: string
}

/** What a finished JSON or bytes request shares between coalesced callers and the cache. */
type Shared =
  | { readonly kind: "json"; readonly value: unknown; readonly text: string | undefined; readonly size: number }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }

/** A failed attempt, with what the retry policy needs beyond the error. */
class AttemptFailure {
  constructor(
    readonly error: CometError,
    readonly status: number | null,
    readonly retryAfterMillis: number | null
  ) {}
}

interface InFlight {
  readonly deferred: Deferred.Deferred<Shared, CometError>
  fiber: Fiber.RuntimeFiber<Shared, CometError> | undefined
  waiters: number
}

/** Settings after defaults and validation. */
export interface Resolved {
  readonly config: ResolvedConfig
  readonly retryBudgetMillis: number
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
  readonly maxBodyBytes: number
  /** The limit of JSON bodies (`get`, `post`): at most `maxBodyBytes`. */
  readonly maxJsonBytes: number
  readonly cache: { readonly capacity: number; readonly ttlMillis: number; readonly maxEntryBytes: number } | null
  readonly rateLimitAlgorithm: "token-bucket" | "fixed-window"
  readonly manualRedirects: boolean
}

/** Apply the defaults of the http-specific settings. */
export const resolveSettings = (config: ResolvedConfig, settings: CometHttpSettings): Resolved => ({
  config,
  retryBudgetMillis: Duration.toMillis(Duration.decode(settings.retryBudget ?? DEFAULTS.retryBudget)),
  baseDelayMillis: Duration.toMillis(Duration.decode(settings.retryBaseDelay ?? DEFAULTS.retryBaseDelay)),
  maxDelayMillis: Duration.toMillis(Duration.decode(settings.retryMaxDelay ?? DEFAULTS.retryMaxDelay)),
  maxBodyBytes: settings.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
  maxJsonBytes: Math.min(
    settings.maxJsonBytes ?? DEFAULTS.maxJsonBytes,
    settings.maxBodyBytes ?? DEFAULTS.maxBodyBytes
  ),
  cache:
    settings.cache === undefined || settings.cache === null
      ? null
      : {
          capacity: settings.cache.capacity,
          ttlMillis: Duration.toMillis(Duration.decode(settings.cache.timeToLive)),
          maxEntryBytes: settings.cache.maxEntryBytes ?? DEFAULTS.cacheMaxEntryBytes
        },
  rateLimitAlgorithm: settings.rateLimitAlgorithm ?? "token-bucket",
  manualRedirects: settings.manualRedirects ?? true
})

const retryCause = (f: AttemptFailure): string => {
  const e = f.error
  switch (e._tag) {
    case "RateLimited":
      return "429"
    case "ServerError":
      return String(e.status)
    case "TransportError":
      return e.reason
    default:
      return e._tag
  }
}

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
    const scrub = (s: string): string => (apiKey.length > 0 ? s.split(apiKey).join("<redacted>") : s)
    const fingerprint = Hash.string(`${cfg.baseUrl}\u0000${apiKey}`).toString(36)
    const layerScope = yield* Effect.scope
    // No trace headers to a third party, and no platform span: its failure would carry the
    // request (and so the raw Authorization header) into any tracer. Our own spans say the same
    // things without it.
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )
    const permits = new Permits(cfg.maxConcurrency)
    const limiter =
      cfg.rateLimit === null
        ? null
        : yield* RateLimiter.make({
            limit: cfg.rateLimit.limit,
            interval: cfg.rateLimit.interval,
            algorithm: settings.rateLimitAlgorithm
          })
    const takeToken: Effect.Effect<void> = limiter === null ? Effect.void : limiter(Effect.void)
    const buildInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    const stats = new StatsRecorder()
    const inflight = new Map<string, InFlight>()
    const cache =
      settings.cache === null ? null : new LruCache<Shared>(settings.cache.capacity, settings.cache.ttlMillis)

    // ---------------------------------------------------------------- requests

    const target = (
      method: "GET" | "POST",
      endpoint: string,
      params: Params | undefined,
      body: string | undefined,
      accept: string,
      kind: Kind
    ): Either.Either<Target, InvalidArgument> =>
      Either.gen(function* () {
        const path = yield* validateEndpoint(endpoint)
        const entries = yield* paramEntries(params)
        const query = yield* encodeQuery(entries)
        const url = `${cfg.restUrl}${path}${query.length === 0 ? "" : `?${query}`}`
        return {
          method,
          endpoint: path,
          url,
          params: Object.fromEntries(entries),
          body,
          auth: true,
          accept,
          key: [fingerprint, cfg.baseUrl, kind, method, path, canonicalQuery(entries), body ?? ""].join("\u0000")
        }
      })

    const versionTarget: Target = {
      method: "GET",
      endpoint: VERSION_ENDPOINT,
      url: `${cfg.baseUrl}/${VERSION_ENDPOINT}`,
      params: {},
      body: undefined,
      auth: false,
      accept: "application/json",
      key: [fingerprint, cfg.baseUrl, "json", "GET", VERSION_ENDPOINT].join("\u0000")
    }

    /** Make `FetchHttpClient` leave redirects to us (`redirect: "manual"`), keeping other init. */
    const withFetchInit = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      settings.manualRedirects
        ? Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (current) =>
            Effect.provideService(self, FetchHttpClient.RequestInit, {
              ...Option.getOrUndefined(buildInit),
              ...Option.getOrUndefined(current),
              redirect: "manual"
            })
          )
        : self

    const transportFailure = (t: Target, attempt: number, e: HttpClientError.HttpClientError): AttemptFailure => {
      if (e._tag === "RequestError" && e.reason === "InvalidUrl") {
        return new AttemptFailure(
          new InvalidArgument({ argument: "url", value: scrub(t.url), reason: scrub(describe(e.cause)) }),
          null,
          null
        )
      }
      if (e._tag === "RequestError" && e.reason === "Encode") {
        return new AttemptFailure(
          new InvalidArgument({ argument: "body", value: t.endpoint, reason: scrub(describe(e.cause)) }),
          null,
          null
        )
      }
      return new AttemptFailure(
        new TransportError({
          endpoint: t.endpoint,
          reason: networkReason(e.cause),
          detail: scrub(describe(e.cause ?? e)),
          attempts: attempt
        }),
        null,
        null
      )
    }

    const execute = (
      t: Target,
      attempt: number
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, AttemptFailure> => {
      let request = t.method === "GET" ? HttpClientRequest.get(t.url) : HttpClientRequest.post(t.url)
      request = HttpClientRequest.setHeaders(request, { "user-agent": USER_AGENT, accept: t.accept })
      if (t.auth) request = HttpClientRequest.setHeader(request, "authorization", apiKey)
      if (t.body !== undefined) request = HttpClientRequest.bodyText(request, t.body, "application/json")
      return client.execute(request).pipe(
        withFetchInit,
        Effect.mapError((e) => transportFailure(t, attempt, e)),
        Effect.tap((response) => Effect.annotateCurrentSpan("http.response.status_code", response.status)),
        Effect.locallyWith(Headers.currentRedactedNames, (names) =>
          names.some((n) => typeof n === "string" && n.toLowerCase() === "authorization")
            ? names
            : [...names, "authorization"]
        )
      )
    }

    const onBytes = (t: Target) => (n: number) => stats.received(t.endpoint, n)

    /** Any status but 200 becomes a failure here; nothing else decides what a status means. */
    const checkStatus = (
      t: Target,
      response: HttpClientResponse.HttpClientResponse,
      attempt: number
    ): Effect.Effect<void, AttemptFailure> => {
      const status = response.status
      if (status === 200) return Effect.void
      if (status === 0 || (status >= 300 && status < 400)) {
        const location = response.headers.location
        let where = "another location"
        if (location !== undefined) {
          try {
            const to = new URL(location, t.url)
            where = to.origin === new URL(t.url).origin ? `${to.origin} (same host)` : to.origin
          } catch {
            where = "an unreadable location"
          }
        }
        return readCapped(response, 0, onBytes(t)).pipe(
          Effect.zipRight(
            Effect.fail(
              new AttemptFailure(
                new TransportError({
                  endpoint: t.endpoint,
                  reason: "redirect",
                  detail: scrub(
                    status === 0
                      ? "the server answered with a redirect, which is not followed"
                      : `the server answered HTTP ${status} redirecting to ${where}, which is not followed`
                  ),
                  attempts: attempt
                }),
                status,
                null
              )
            )
          )
        )
      }
      return Effect.gen(function* () {
        const body = yield* readCapped(response, DEFAULTS.errorBodyBytes, onBytes(t))
        const now = yield* Clock.currentTimeMillis
        const retryAfter = response.headers["retry-after"]
        const error = errorFromResponse({
          status,
          endpoint: t.endpoint,
          params: t.params,
          body,
          retryAfter,
          nowMillis: now,
          attempts: attempt,
          apiKey
        })
        return yield* Effect.fail(new AttemptFailure(error, status, parseRetryAfter(retryAfter, now)))
      })
    }

    const limitOf = (kind: Kind): number => (kind === "json" ? settings.maxJsonBytes : settings.maxBodyBytes)

    const tooLarge = (t: Target, kind: Kind, attempt: number, declared: number) =>
      new AttemptFailure(
        new TransportError({
          endpoint: t.endpoint,
          reason: "too-large",
          detail:
            kind === "json"
              ? `Content-Length is ${declared} bytes, over the ${limitOf(kind)} bytes this client reads into memory for JSON (maxJsonBytes)`
              : `Content-Length is ${declared} bytes, over the ${limitOf(kind)} bytes this client reads into memory (maxBodyBytes)`,
          attempts: attempt
        }),
        200,
        null
      )

    const timeoutFailure = (t: Target, attempt: number, timeout: Duration.Duration, what: string) =>
      new AttemptFailure(
        new TransportError({
          endpoint: t.endpoint,
          reason: "timeout",
          detail: `${what} within ${Duration.format(timeout)}`,
          attempts: attempt
        }),
        null,
        null
      )

    /**
     * Run one attempt holding one permit (taken per attempt, so nothing is held while waiting out
     * a backoff) after one rate-limit token, counted in the stats and traced in its own span.
     */
    const attemptSpan = (t: Target, attempt: number) =>
      Effect.withSpan("CometHttp.attempt", {
        kind: "client",
        captureStackTrace: false,
        attributes: {
          "comet.endpoint": t.endpoint,
          "comet.attempt": attempt,
          "http.request.method": t.method,
          "url.full": t.url
        }
      })

    const guarded = <A>(
      t: Target,
      attempt: number,
      body: Effect.Effect<A, AttemptFailure>
    ): Effect.Effect<A, AttemptFailure> =>
      permits.withPermit(
        Effect.zipRight(
          takeToken,
          Effect.acquireUseRelease(
            Effect.flatMap(Clock.currentTimeMillis, (start) =>
              Effect.sync(() => {
                stats.attemptStart(t.endpoint)
                return start
              })
            ),
            () => attemptSpan(t, attempt)(body),
            (start) =>
              Effect.flatMap(Clock.currentTimeMillis, (end) =>
                Effect.sync(() => stats.attemptEnd(t.endpoint, end - start))
              )
          )
        )
      )

    /** One attempt of a request whose whole body is read into memory. */
    const bufferedAttempt = (
      t: Target,
      kind: Kind,
      attempt: number,
      timeout: Duration.Duration
    ): Effect.Effect<Uint8Array, AttemptFailure> =>
      guarded(
        t,
        attempt,
        Effect.gen(function* () {
          const response = yield* execute(t, attempt)
          yield* checkStatus(t, response, attempt)
          const declared = declaredLength(response.headers)
          if (declared !== null && lengthIsCheckable(response.headers) && declared > limitOf(kind)) {
            yield* readCapped(response, 0, onBytes(t))
            return yield* Effect.fail(tooLarge(t, kind, attempt, declared))
          }
          const contentType = response.headers["content-type"]
          if (kind === "json" && contentType !== undefined && !isJsonContentType(contentType)) {
            const text = yield* readCapped(response, DEFAULTS.errorBodyBytes, onBytes(t))
            return yield* Effect.fail(
              new AttemptFailure(
                new DecodeError({
                  endpoint: t.endpoint,
                  path: "",
                  detail: scrub(
                    `JSON was expected but the server sent Content-Type ${JSON.stringify(contentType)} (a proxy, login or error page?)`
                  ),
                  excerpt: Decode.excerpt(text, apiKey)
                }),
                200,
                null
              )
            )
          }
          return yield* readAll({
            response,
            endpoint: t.endpoint,
            attempt,
            limit: limitOf(kind),
            onBytes: onBytes(t),
            scrub
          }).pipe(Effect.mapError((e) => new AttemptFailure(e, 200, null)))
        }).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => timeoutFailure(t, attempt, timeout, "no complete answer")
          })
        )
      )

    // ---------------------------------------------------------------- retries

    const backoff = (retry: number): Effect.Effect<number> =>
      Effect.map(Random.next, (r) =>
        Math.round(Math.min(settings.maxDelayMillis, settings.baseDelayMillis * 2 ** (retry - 1) * (0.8 + 0.4 * r)))
      )

    /**
     * Run attempts until one succeeds, a failure is not retryable, `maxRetries` retries were
     * made, or the next wait (backoff, at least any Retry-After) would pass the retry budget —
     * then fail at once with the last error (a RateLimited carries its Retry-After).
     */
    const withRetries = <A>(t: Target, run: (attempt: number) => Effect.Effect<A, AttemptFailure>) =>
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        let attempt = 1
        while (true) {
          const result = yield* Effect.either(run(attempt))
          if (Either.isRight(result)) {
            yield* Effect.annotateCurrentSpan({ "comet.attempts": attempt, "http.response.status_code": 200 })
            return result.right
          }
          const failure = result.left
          yield* Effect.annotateCurrentSpan({
            "comet.attempts": attempt,
            ...(failure.status === null ? {} : { "http.response.status_code": failure.status }),
            "comet.error": failure.error._tag
          })
          if (!isRetryable(failure.error) || attempt > retriesFor(failure.error, cfg.maxRetries))
            return yield* Effect.fail(failure.error)
          const delay = yield* backoff(attempt)
          const wait = failure.retryAfterMillis === null ? delay : Math.max(delay, failure.retryAfterMillis)
          const now = yield* Clock.currentTimeMillis
          if (now - started + wait > settings.retryBudgetMillis) return yield* Effect.fail(failure.error)
          const cause = retryCause(failure)
          yield* Effect.logDebug("CometHttp: retrying").pipe(
            Effect.annotateLogs({ endpoint: t.endpoint, cause, attempt, waitMillis: wait })
          )
          yield* Effect.sleep(Duration.millis(wait))
          stats.retry(t.endpoint, cause)
          attempt++
        }
      })

    // ---------------------------------------------------------------- sharing

    /** Fetch a JSON or bytes body with retries. */
    const fetchShared = (t: Target, kind: Kind, timeout: Duration.Duration): Effect.Effect<Shared, CometError> =>
      withRetries(t, (attempt) => bufferedAttempt(t, kind, attempt, timeout)).pipe(
        Effect.flatMap(
          (bytes): Effect.Effect<Shared, CometError> =>
            kind === "bytes"
              ? Effect.succeed({ kind: "bytes", bytes })
              : Either.match(parseJson(t.endpoint, bytes, apiKey), {
                  onLeft: (e) => Effect.fail(e),
                  onRight: ({ value, text }) => Effect.succeed({ kind: "json", value, text, size: bytes.length })
                })
        )
      )

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

    /** Look in the cache, else join or start the request; store it when allowed. */
    const obtain = (
      t: Target,
      kind: Kind,
      options: RequestOptions | undefined,
      defaultTimeout: Duration.Duration
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
        const timeout = options?.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout)
        const run = fetchShared(t, kind, timeout)
        const { shared, joined } =
          t.method === "GET" || options?.readOnly === true
            ? yield* coalesce(t.key, run)
            : { shared: yield* run, joined: false }
        if (useCache && settings.cache !== null && sizeOf(shared) <= settings.cache.maxEntryBytes) {
          // bytes are copied (callers may write to theirs); JSON keeps the parsed value only
          const stored: Shared =
            shared.kind === "bytes" ? { kind: "bytes", bytes: shared.bytes.slice() } : { ...shared, text: undefined }
          cache.set(t.key, stored, yield* Clock.currentTimeMillis)
        }
        return { shared, copy: joined }
      })

    const logical = <A>(
      t: Target,
      kind: Kind,
      options: RequestOptions | undefined,
      defaultTimeout: Duration.Duration,
      finish: (shared: Shared, copy: boolean) => Effect.Effect<A, CometError>
    ): Effect.Effect<A, CometError> =>
      obtain(t, kind, options, defaultTimeout).pipe(
        Effect.flatMap(({ shared, copy }) => finish(shared, copy)),
        Effect.tapError(() => Effect.sync(() => stats.failure(t.endpoint)))
      )

    const span =
      (name: string, endpoint: string, method: string) =>
      <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        Effect.withSpan(self, name, {
          kind: "client",
          captureStackTrace: false,
          attributes: { "comet.endpoint": endpoint, "http.request.method": method }
        })

    /** Decode a shared JSON body with the caller's Schema. */
    const decodeShared =
      <A, I>(t: Target, schema: Schema.Schema<A, I, never>) =>
      (shared: Shared): Effect.Effect<A, CometError> => {
        if (shared.kind !== "json") return Effect.dieMessage("CometHttp: a bytes body reached a JSON decoder")
        return Decode.decodeWire(schema, t.endpoint)(shared.value, shared.text, apiKey).pipe(
          Effect.catchAll((decodeError): Effect.Effect<A, CometError> => {
            const errorBody = errorBodyShape(shared.value)
            if (errorBody === null) return Effect.fail(decodeError)
            return Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.fail(
                errorFromResponse({
                  status:
                    errorBody.code !== null && errorBody.code >= 400 && errorBody.code < 600 ? errorBody.code : 200,
                  endpoint: t.endpoint,
                  params: t.params,
                  body: shared.text ?? JSON.stringify(shared.value),
                  nowMillis: now,
                  attempts: 1,
                  apiKey
                })
              )
            )
          })
        )
      }

    const invalid = <A>(e: InvalidArgument): Effect.Effect<A, CometError> => Effect.fail(e)

    const getJson = <A, I>(
      endpoint: string,
      schema: Schema.Schema<A, I, never>,
      options?: RequestOptions
    ): Effect.Effect<A, CometError> =>
      Effect.suspend(() =>
        Either.match(target("GET", endpoint, options?.params, undefined, "application/json", "json"), {
          onLeft: invalid<A>,
          onRight: (t) =>
            logical(t, "json", options, cfg.timeout, decodeShared(t, schema)).pipe(
              span("CometHttp.get", t.endpoint, "GET")
            )
        })
      )

    const post = <A, I>(
      endpoint: string,
      body: unknown,
      schema: Schema.Schema<A, I, never>,
      options?: RequestOptions
    ): Effect.Effect<A, CometError> => Effect.suspend(() => postNow(endpoint, body, schema, options))

    const postNow = <A, I>(
      endpoint: string,
      body: unknown,
      schema: Schema.Schema<A, I, never>,
      options?: RequestOptions
    ): Effect.Effect<A, CometError> => {
      let text: string | undefined
      try {
        text = JSON.stringify(body)
      } catch (e) {
        return invalid(
          new InvalidArgument({
            argument: "body",
            value: endpoint,
            reason: `it cannot be written as JSON (${scrub(e instanceof Error ? e.message : String(e))})`
          })
        )
      }
      if (text === undefined) {
        return invalid(
          new InvalidArgument({ argument: "body", value: endpoint, reason: "it cannot be written as JSON" })
        )
      }
      return Either.match(target("POST", endpoint, options?.params, text, "application/json", "json"), {
        onLeft: invalid<A>,
        onRight: (t) =>
          logical(t, "json", options, cfg.timeout, decodeShared(t, schema)).pipe(
            span("CometHttp.post", t.endpoint, "POST")
          )
      })
    }

    const getBytes = (endpoint: string, options?: RequestOptions): Effect.Effect<Uint8Array, CometError> =>
      Effect.suspend(() =>
        Either.match(target("GET", endpoint, options?.params, undefined, "*/*", "bytes"), {
          onLeft: invalid<Uint8Array>,
          onRight: (t) =>
            logical(t, "bytes", options, cfg.downloadTimeout, (shared, copy) =>
              shared.kind === "bytes"
                ? Effect.succeed(copy ? shared.bytes.slice() : shared.bytes)
                : Effect.dieMessage("CometHttp: a JSON body reached getBytes")
            ).pipe(span("CometHttp.getBytes", t.endpoint, "GET"))
        })
      )

    const backendVersion: Effect.Effect<BackendVersion, CometError> = logical(
      versionTarget,
      "json",
      undefined,
      cfg.timeout,
      decodeShared(versionTarget, BackendVersion)
    ).pipe(span("CometHttp.backendVersion", VERSION_ENDPOINT, "GET"))

    // ---------------------------------------------------------------- streams

    interface Opened {
      readonly first: Chunk.Chunk<Uint8Array>
      readonly rest: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<CometError>> | null
      readonly attempt: number
    }

    /**
     * One attempt of a streamed download, run in a child of the stream's scope: a permit and a
     * token are taken, the request sent and the first bytes awaited (the time-to-first-byte
     * timeout). On success the child scope — and with it the permit and the open body — lives
     * until the stream ends; on failure it is closed at once.
     */
    const openAttempt = (
      t: Target,
      attempt: number,
      timeout: Duration.Duration,
      outer: Scope.Scope
    ): Effect.Effect<Opened, AttemptFailure> =>
      Effect.gen(function* () {
        const child = yield* Scope.fork(outer, ExecutionStrategy.sequential)
        const run = Effect.gen(function* () {
          yield* Effect.uninterruptibleMask((restore) =>
            restore(permits.take).pipe(Effect.zipRight(Scope.addFinalizer(child, permits.release)))
          )
          yield* takeToken
          const start = yield* Clock.currentTimeMillis
          yield* Effect.acquireRelease(
            Effect.sync(() => stats.attemptStart(t.endpoint)),
            () =>
              Effect.flatMap(Clock.currentTimeMillis, (end) =>
                Effect.sync(() => stats.attemptEnd(t.endpoint, end - start))
              )
          )
          return yield* Effect.gen(function* () {
            const response = yield* execute(t, attempt)
            yield* checkStatus(t, response, attempt)
            const declared = lengthIsCheckable(response.headers) ? declaredLength(response.headers) : null
            let received = 0
            const truncated = (detail: string) =>
              new TransportError({
                endpoint: t.endpoint,
                reason: "truncated",
                detail: scrub(detail),
                attempts: attempt
              })
            const body: Stream.Stream<Uint8Array, CometError> = response.stream.pipe(
              Stream.catchAll((e) =>
                e.reason === "EmptyBody"
                  ? Stream.empty
                  : Stream.fail(
                      truncated(
                        `the body broke off after ${received} bytes${declared === null ? "" : ` of ${declared}`} (${describe(e.cause)})`
                      )
                    )
              ),
              Stream.tap((chunk) =>
                Effect.sync(() => {
                  received += chunk.length
                  stats.received(t.endpoint, chunk.length)
                })
              ),
              Stream.concat(
                Stream.execute(
                  Effect.suspend(() =>
                    declared !== null && received < declared
                      ? Effect.fail(
                          truncated(
                            `the body ended after ${received} of the ${declared} bytes announced by Content-Length`
                          )
                        )
                      : Effect.void
                  )
                )
              )
            )
            const pull = yield* Stream.toPull(body)
            const first = yield* Effect.either(pull)
            if (Either.isRight(first)) return { first: first.right, rest: pull, attempt }
            return yield* Option.match(first.left, {
              onNone: () => Effect.succeed<Opened>({ first: Chunk.empty(), rest: null, attempt }),
              onSome: (e) => Effect.fail(new AttemptFailure(e, 200, null))
            })
          }).pipe(
            Effect.timeoutFail({
              duration: timeout,
              onTimeout: () => timeoutFailure(t, attempt, timeout, "no first byte")
            }),
            attemptSpan(t, attempt)
          )
        })
        return yield* run.pipe(
          Scope.extend(child),
          Effect.onError((cause) => Scope.close(child, Exit.failCause(cause)))
        )
      })

    const stream = (endpoint: string, options?: RequestOptions): Stream.Stream<Uint8Array, CometError> =>
      Either.match(target("GET", endpoint, options?.params, undefined, "*/*", "bytes"), {
        onLeft: (e) => Stream.fail(e),
        onRight: (t) => {
          const timeout = options?.timeout === undefined ? cfg.downloadTimeout : Duration.decode(options.timeout)
          const opened = Effect.gen(function* () {
            stats.request(t.endpoint, cfg.baseUrl)
            const outer = yield* Effect.scope
            const { first, rest, attempt } = yield* withRetries(t, (attempt) => openAttempt(t, attempt, timeout, outer))
            const tail =
              rest === null
                ? Stream.empty
                : Stream.repeatEffectChunkOption(
                    rest.pipe(
                      Effect.timeoutFail({
                        duration: timeout,
                        onTimeout: () =>
                          Option.some<CometError>(
                            new TransportError({
                              endpoint: t.endpoint,
                              reason: "timeout",
                              detail: `no data for ${Duration.format(timeout)} in the middle of the body`,
                              attempts: attempt
                            })
                          )
                      })
                    )
                  )
            return Stream.concat(Stream.fromChunk(first), tail)
          })
          return Stream.unwrapScoped(opened).pipe(
            Stream.tapError(() => Effect.sync(() => stats.failure(t.endpoint))),
            Stream.withSpan("CometHttp.stream", {
              kind: "client",
              captureStackTrace: false,
              attributes: { "comet.endpoint": t.endpoint, "http.request.method": "GET" }
            })
          )
        }
      })

    const http: CometHttpShape = {
      get: getJson,
      post,
      getBytes,
      stream,
      backendVersion,
      baseUrl: cfg.baseUrl,
      restUrl: cfg.restUrl,
      clearCache: Effect.sync(() => cache?.clear())
    }
    const requestStats: RequestStatsShape = {
      snapshot: Effect.sync(() => stats.snapshot()),
      reset: Effect.sync(() => stats.reset())
    }
    return { http, stats: requestStats }
  })
