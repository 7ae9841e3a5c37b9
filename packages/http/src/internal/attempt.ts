/**
 * One attempt of a request: build the HTTP request (headers, raw `Authorization`, body), send it
 * holding a permit and a rate-limit token, and map its status to a `CometError` (any status but
 * 200 fails here, with what the retry policy needs); buffered attempts also read the whole body.
 *
 * @internal
 */
import {
  type CometError,
  Decode,
  DecodeError,
  errorFromResponse,
  InvalidArgument,
  parseRetryAfter,
  TransportError
} from "@comet-ts/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { declaredLength, describe, isJsonContentType, lengthIsCheckable, readAll, readCapped } from "./body.js"
import { networkReason } from "./network.js"
import type { Permits } from "./permits.js"
import { DEFAULTS, type Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Kind, Target } from "./target.js"
import { USER_AGENT } from "./version.js"

/** A failed attempt, with what the retry policy needs beyond the error. */
export class AttemptFailure {
  constructor(
    readonly error: CometError,
    readonly status: number | null,
    readonly retryAfterMillis: number | null
  ) {}
}

/** What the attempts of one client instance share. */
export interface AttemptContext {
  readonly settings: Resolved
  /** The raw API key: sent in `Authorization`, and scrubbed from every message. */
  readonly apiKey: string
  /** Replace the API key in a text by `<redacted>`. */
  readonly scrub: (s: string) => string
  readonly client: HttpClient.HttpClient
  /** The `FetchHttpClient.RequestInit` in the context when the instance was built. */
  readonly buildInit: Option.Option<RequestInit>
  readonly stats: StatsRecorder
  readonly permits: Permits
  /** Wait for one token of the client-side rate limit (a no-op when there is none). */
  readonly takeToken: Effect.Effect<void>
}

/** The attempt operations of one client instance. */
export type Attempts = ReturnType<typeof makeAttempts>

/** Build the attempt operations over one instance's client, permits, rate limit and counters. */
export const makeAttempts = (ctx: AttemptContext) => {
  const { settings, apiKey, scrub, client, buildInit, stats, permits, takeToken } = ctx

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

  /** The span of one attempt. */
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

  /**
   * Run one attempt holding one permit (taken per attempt, so nothing is held while waiting out
   * a backoff) after one rate-limit token, counted in the stats and traced in its own span.
   */
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

  return { execute, checkStatus, timeoutFailure, attemptSpan, bufferedAttempt }
}
