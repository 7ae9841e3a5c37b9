/**
 * One attempt of a request, in plain code under one `Effect.async`: send it through the
 * transport (headers, raw `Authorization`, body), follow a redirect only within the same
 * origin, map its status to a `CometError` (any status but 200 fails here, with what the retry
 * policy needs), and for buffered reads read and parse the whole body under the size limit.
 * The attempt holds a permit and a rate-limit token; its timeout is a timer of the client's
 * `Timers` that aborts the request, not a racing fiber; it is traced only when a tracer other
 * than Effect's default is installed.
 *
 * @internal
 */
import { errorFromResponse, parseRetryAfter, TransportError } from "@comet-ts/core"
import * as Decode from "@comet-ts/core/Decode"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  BodyError,
  checkableLength,
  declaredLength,
  isJsonContentType,
  parseJson,
  readAll,
  readCapped
} from "./body.js"
import { DEFAULTS } from "./settings.js"
import type { Shared } from "./sharing.js"
import type { Target } from "./target.js"
import type { Timer } from "./timers.js"
import { tracedWithExit } from "./tracing.js"
import { Aborter, type Cancel, type WireRequest, type WireResponse } from "./transport.js"
import { USER_AGENT } from "./version.js"

export {
  type AttemptContext,
  AttemptFailure,
  formatMillis,
  INTERRUPTED,
  millisOf,
  type Range,
  TIMEOUT
} from "./failures.js"

import {
  type AttemptContext,
  AttemptFailure,
  INTERRUPTED,
  makeFailures,
  millisOf,
  type Range,
  TIMEOUT
} from "./failures.js"

/** Same-origin redirects followed at most per attempt. */
const MAX_REDIRECTS = 5

/** The attempt operations of one client instance. */
export type Attempts = ReturnType<typeof makeAttempts>

/** Build the attempt operations over one instance's transport, permits, rate limit and counters. */
export const makeAttempts = (ctx: AttemptContext) => {
  const { apiKey, scrub, transport, timers, stats, permits, takeToken, track } = ctx

  const onBytes = (t: Target) => (n: number) => stats.received(t.endpoint, n)

  const {
    describeError,
    sendFailure,
    proxyOwnAnswer,
    viaOf,
    decodeFailure,
    timeoutFailure,
    limitOf,
    limitName,
    bodyFailure
  } = makeFailures(ctx)

  /** The wire request of a target (to `url`, which differs from `t.url` after a redirect). */
  const wire = (t: Target, url: string, range?: Range): WireRequest => {
    const headers: Record<string, string> = { "user-agent": USER_AGENT, accept: t.accept }
    if (t.auth) headers.authorization = apiKey
    if (t.body !== undefined) headers["content-type"] = "application/json"
    if (range !== undefined) {
      headers.range = `bytes=${range.from}-`
      if (range.validator !== null) headers["if-range"] = range.validator
    }
    return {
      method: t.method,
      url,
      headers,
      body: t.body,
      encoding: t.kind === "bytes" ? "identity" : "any",
      replayable: t.method === "GET" || t.readOnly === true,
      onResend: () => stats.resent(t.endpoint)
    }
  }

  /**
   * Send a request and return its response, following redirects within the same origin (the
   * key only ever goes to the configured server); a redirect elsewhere, or more than
   * {@link MAX_REDIRECTS}, fails. `extra` adds headers (a Range).
   */
  const send = async (
    t: Target,
    attempt: number,
    signal: Cancel,
    timeoutMillis: number,
    range?: Range
  ): Promise<WireResponse> => {
    let url = t.url
    for (let hop = 0; ; hop++) {
      let response: WireResponse
      try {
        // aborted already (the client closed): not sent
        if (signal.aborted) throw signal.reason
        response = await transport.send(wire(t, url, range), signal)
      } catch (e) {
        throw sendFailure(t, url, attempt, e, signal, timeoutMillis)
      }
      const status = response.status
      if (status !== 0 && (status < 300 || status >= 400)) return response
      response.body.cancel()
      const location = response.headers.location
      let to: URL | null = null
      try {
        to = location === undefined ? null : new URL(location, url)
      } catch {
        to = null
      }
      const origin = new URL(t.url).origin
      const followable =
        to !== null &&
        to.origin === origin &&
        (status === 307 ||
          status === 308 ||
          (t.method === "GET" && (status === 301 || status === 302 || status === 303)))
      if (followable && hop < MAX_REDIRECTS && to !== null) {
        url = to.href
        continue
      }
      const detail =
        status === 0
          ? "the server answered with a redirect, which is not followed"
          : to === null
            ? `the server answered HTTP ${status} without a usable Location, which is not followed`
            : to.origin !== origin
              ? `the server answered HTTP ${status} redirecting to ${to.origin}, which is not followed: it is another host, and the API key is only ever sent to ${origin}`
              : followable
                ? `the server redirected more than ${MAX_REDIRECTS} times within ${origin} (a redirect loop)`
                : `the server answered HTTP ${status} redirecting a ${t.method} within ${origin}, which cannot be repeated as it was`
      throw new AttemptFailure(
        new TransportError({ endpoint: t.endpoint, reason: "redirect", detail: scrub(detail), attempts: attempt }),
        status,
        null
      )
    }
  }

  /**
   * Any status but 200 (or 206 when `partial`) becomes a failure here (the promise rejects with
   * it); nothing else decides what a status means. A success is null: no promise, no await.
   */
  const checkStatus = (t: Target, response: WireResponse, attempt: number, partial = false): Promise<void> | null => {
    const status = response.status
    if (status === 200 || (partial && status === 206)) return null
    return failStatus(t, response, attempt)
  }

  /** The failure of an answer that is not a success: its (capped) body read for the error. */
  const failStatus = async (t: Target, response: WireResponse, attempt: number): Promise<never> => {
    const status = response.status
    const body = await readCapped(response.body, DEFAULTS.errorBodyBytes, onBytes(t))
    const now = timers.now()
    const retryAfter = response.headers["retry-after"]
    // a proxy's own answer (it says so) is the proxy's refusal, not the server's status
    const proxyOwn = proxyOwnAnswer(t, attempt, status, response.headers)
    if (proxyOwn !== null) throw proxyOwn
    const error = errorFromResponse({
      status,
      endpoint: t.endpoint,
      params: t.params,
      body,
      retryAfter,
      nowMillis: now,
      attempts: attempt,
      apiKey,
      via: viaOf(t.url)
    })
    throw new AttemptFailure(error, status, parseRetryAfter(retryAfter, now))
  }

  /**
   * Refuse a download the transport decompressed without checking it is complete, when the
   * server was asked for the stored bytes and could have sent them: never possibly short bytes.
   */
  const refuseUnchecked = (t: Target, response: WireResponse): void => {
    if (t.kind !== "bytes" || !response.decodedUnchecked || !response.identityIgnored) return
    response.body.cancel()
    throw decodeFailure(
      t,
      `the server compressed the download (Content-Encoding ${response.headers["content-encoding"]}) although it was asked for the stored bytes (Accept-Encoding: identity), and the ${transport.name} transport decompresses it without checking that it is complete; the bytes are refused rather than possibly cut short. Use the default Node transport (it checks), or a server or proxy that honours Accept-Encoding`,
      ""
    )
  }

  /** The whole of one buffered attempt, in plain code: a value, or a thrown AttemptFailure. */
  const runBuffered = async (t: Target, attempt: number, signal: Cancel, timeoutMillis: number): Promise<Shared> => {
    const response = await send(t, attempt, signal, timeoutMillis)
    const failing = checkStatus(t, response, attempt)
    if (failing !== null) await failing
    refuseUnchecked(t, response)
    const kind = t.kind
    const declared = declaredLength(response.headers)
    if (declared !== null && checkableLength(response) !== null && declared > limitOf(kind)) {
      response.body.cancel()
      throw new AttemptFailure(
        new TransportError({
          endpoint: t.endpoint,
          reason: "too-large",
          detail: `Content-Length is ${declared} bytes, over the ${limitOf(kind)} bytes this client reads into memory${kind === "json" ? " for JSON" : ""} (${limitName(kind)}); nothing was read`,
          attempts: attempt
        }),
        200,
        null
      )
    }
    const contentType = response.headers["content-type"]
    if (kind === "json" && contentType !== undefined && !isJsonContentType(contentType)) {
      const text = await readCapped(response.body, DEFAULTS.errorBodyBytes, onBytes(t))
      throw decodeFailure(
        t,
        `JSON was expected but the server sent Content-Type ${JSON.stringify(Decode.excerpt(contentType, apiKey))} (a proxy, login or error page?)`,
        Decode.excerpt(text, apiKey)
      )
    }
    let bytes: Uint8Array
    try {
      const read = readAll({
        response,
        limit: limitOf(kind),
        limitName: limitName(kind),
        onBytes: onBytes(t),
        describeError,
        textOnly: kind === "json"
      })
      // a body that had arrived whole is read already: no step to wait for
      bytes = read instanceof Uint8Array ? read : await read
    } catch (e) {
      if (e instanceof BodyError) throw bodyFailure(t, attempt, e, signal, "no complete answer", timeoutMillis)
      throw e
    }
    if (kind === "bytes") return { kind: "bytes", bytes }
    const parsed = parseJson(t.endpoint, bytes, apiKey)
    if (parsed._tag === "Right")
      return { kind: "json", value: parsed.right.value, text: parsed.right.text, size: bytes.length }
    if (response.decodedUnchecked && bytes.length > 0) {
      // the transport decompressed it without checking the compressed stream's end: a body
      // that is not JSON is most likely cut short, so it is read again
      throw new AttemptFailure(
        new TransportError({
          endpoint: t.endpoint,
          reason: "truncated",
          detail: scrub(
            `the compressed body (Content-Encoding ${response.headers["content-encoding"]}) did not parse as JSON after decompression, as when it is cut short: ${parsed.left.detail}`
          ),
          attempts: attempt
        }),
        200,
        null
      )
    }
    throw new AttemptFailure(parsed.left, 200, null)
  }

  /**
   * Start plain attempt code: counted in the stats, with a timeout timer that aborts it, after
   * its permit when it holds one (taken in plain code, no fiber step). `done` gets its value or
   * its AttemptFailure, once; the returned function cancels it (aborting the request, giving
   * back the permit), after which `done` is not called.
   */
  const startAttempt = <A>(
    t: Target,
    attempt: number,
    timeoutMillis: number | null,
    run: (signal: Cancel) => Promise<A>,
    holdPermit: boolean,
    done: (result: Either.Either<A, AttemptFailure>) => void
  ): (() => void) => {
    let controller: Aborter | null = null
    let untrack: (() => void) | null = null
    let timer: Timer | null = null
    let start = 0
    let started = false
    let ended = false
    /** End the attempt once; `cancelled` when the caller cancelled it (its permit is handed on later). */
    const end = (cancelled: boolean) => {
      if (ended) return false
      ended = true
      timer?.cancel()
      untrack?.()
      if (started) stats.attemptEnd(t.endpoint, timers.now() - start)
      if (holdPermit && started) permits.releaseNow(cancelled)
      return true
    }
    const go = () => {
      if (ended) {
        // cancelled while the permit was on its way
        if (holdPermit) permits.releaseNow(true)
        return
      }
      started = true
      const c = new Aborter()
      controller = c
      untrack = track(c)
      start = timers.now()
      stats.attemptStart(t.endpoint)
      if (timeoutMillis !== null) timer = timers.after(timeoutMillis, () => c.abort(TIMEOUT))
      run(c.signal).then(
        (value) => {
          if (end(false)) done(Either.right(value))
        },
        (e: unknown) => {
          if (end(false)) {
            done(
              Either.left(
                e instanceof AttemptFailure
                  ? e
                  : new AttemptFailure(
                      new TransportError({
                        endpoint: t.endpoint,
                        reason: "network",
                        detail: describeError(e),
                        attempts: attempt
                      }),
                      null,
                      null
                    )
              )
            )
          }
        }
      )
    }
    let cancelWait: (() => void) | null = null
    if (holdPermit) cancelWait = permits.acquire(go)
    else go()
    return () => {
      const wasStarted = started
      if (!end(true)) return
      if (!wasStarted) cancelWait?.()
      controller?.abort(INTERRUPTED)
    }
  }

  /** {@link startAttempt} as an Effect: interrupting it cancels the attempt. */
  const asAttempt = <A>(
    t: Target,
    attempt: number,
    timeoutMillis: number | null,
    run: (signal: Cancel) => Promise<A>,
    holdPermit = false
  ): Effect.Effect<A, AttemptFailure> =>
    Effect.async<A, AttemptFailure>((resume) => {
      const cancel = startAttempt(t, attempt, timeoutMillis, run, holdPermit, (result) =>
        resume(Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left))
      )
      return Effect.sync(cancel)
    })

  /** The span of one attempt (only when a tracer is installed), with the status it got. */
  const attemptSpan = <A>(t: Target, attempt: number) =>
    tracedWithExit<A, AttemptFailure>(
      "CometHttp.attempt",
      () => ({
        "comet.endpoint": t.endpoint,
        "comet.attempt": attempt,
        "http.request.method": t.method,
        "url.full": t.url
      }),
      (exit) => {
        const status = exit._tag === "Success" ? 200 : failureStatus(exit.cause)
        return status === null ? {} : { "http.response.status_code": status }
      }
    )

  /** Hold one permit (per attempt: none is held while waiting out a backoff) after one rate-limit token. */
  const guarded = <A>(self: Effect.Effect<A, AttemptFailure>): Effect.Effect<A, AttemptFailure> =>
    permits.withPermit(takeToken === Effect.void ? self : Effect.zipRight(takeToken, self))

  /** One attempt of a request whose whole body is read into memory (and parsed, for JSON). */
  const bufferedAttempt = (
    t: Target,
    attempt: number,
    timeout: Duration.Duration
  ): Effect.Effect<Shared, AttemptFailure> => {
    const millis = millisOf(timeout)
    const run = (signal: Cancel) => runBuffered(t, attempt, signal, millis)
    return attemptSpan<Shared>(
      t,
      attempt
    )(
      takeToken === Effect.void
        ? asAttempt(t, attempt, millis, run, true)
        : permits.withPermit(Effect.zipRight(takeToken, asAttempt(t, attempt, millis, run)))
    )
  }

  /**
   * One buffered attempt in plain code (see {@link startAttempt}), holding its permit; only
   * when no configured rate limit applies (`plain`), since that limit is taken as an Effect.
   */
  const startBuffered = (
    t: Target,
    attempt: number,
    timeoutMillis: number,
    done: (result: Either.Either<Shared, AttemptFailure>) => void
  ): (() => void) =>
    startAttempt(t, attempt, timeoutMillis, (signal) => runBuffered(t, attempt, signal, timeoutMillis), true, done)

  return {
    plain: takeToken === Effect.void,
    startBuffered,
    send,
    checkStatus,
    refuseUnchecked,
    guarded,
    bodyFailure,
    timeoutFailure,
    describeError,
    asAttempt,
    startAttempt,
    attemptSpan,
    bufferedAttempt,
    onBytes
  }
}

/** The HTTP status of a failed attempt, when it got one. */
const failureStatus = (cause: Cause.Cause<AttemptFailure>): number | null => {
  const failure = Cause.failureOption(cause)
  return failure._tag === "Some" ? failure.value.status : null
}
