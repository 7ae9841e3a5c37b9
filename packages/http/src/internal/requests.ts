/**
 * The buffered operations of CometHttp — `get`, `post`, `getBytes`, `backendVersion`: build the
 * target, obtain the body (cache, a request in flight, or attempts under the retry policy),
 * parse it, and decode JSON with the caller's Schema (an error-shaped 200 body becomes the
 * `CometError` its code names).
 *
 * @internal
 */
import {
  BackendVersion,
  type CometError,
  type DecodeError,
  errorFromResponse,
  InvalidArgument,
  type ResolvedConfig
} from "@comet-ts/core"
import * as Decode from "@comet-ts/core/Decode"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Schema from "effect/Schema"
import type { Attempts } from "./attempt.js"
import { millisOf } from "./attempt.js"
import { errorBodyShape } from "./body.js"
import { CurrentCallEnds, callEnded } from "./callEnd.js"
import type { CometHttpShape, RequestOptions } from "./contract.js"
import { CurrentDeadline } from "./deadline.js"
import type { Retries } from "./retry.js"
import type { Begun, Shared, Sharing } from "./sharing.js"
import type { StatsRecorder } from "./stats.js"
import type { Target, Targets } from "./target.js"
import { nativeTracer, traced } from "./tracing.js"

/** What the buffered operations of one instance are built from. */
export interface RequestsContext {
  readonly config: ResolvedConfig
  readonly apiKey: string
  readonly scrub: (s: string) => string
  readonly targets: Targets
  readonly attempts: Attempts
  readonly retries: Retries
  readonly sharing: Sharing
  readonly stats: StatsRecorder
}

/** The buffered operations of one client instance. */
export const makeRequests = (
  ctx: RequestsContext
): Pick<CometHttpShape, "get" | "post" | "getBytes" | "backendVersion"> => {
  const { config: cfg, apiKey, scrub, attempts, retries, sharing, stats } = ctx
  const { target, version: versionTarget } = ctx.targets
  const { bufferedAttempt } = attempts

  /** Fetch a JSON (parsed) or bytes body with retries. */
  const fetchShared = (t: Target, timeout: Duration.Duration): Effect.Effect<Shared, CometError> =>
    retries.withRetries(t, (attempt) => bufferedAttempt(t, attempt, timeout))

  const span = (name: string, endpoint: string, method: string) =>
    traced(name, () => ({ "comet.endpoint": endpoint, "http.request.method": method }))

  /** Count a failed logical request. */
  const failed = (t: Target) => (e: CometError) => {
    stats.failure(t.endpoint)
    return Effect.fail(e)
  }

  /**
   * Count a logical request interrupted because its call was ended with an error (its deadline
   * passed, its AbortSignal fired: the caller gets a TransportError) as failed; one its caller
   * stopped (a stream read no further, a race lost) is not.
   */
  const interrupted = (fiber: Fiber.RuntimeFiber<unknown, unknown>, t: Target) => {
    if (callEnded(fiber.getFiberRef(CurrentCallEnds))) stats.failure(t.endpoint)
  }

  /**
   * The common case in a few steps (no tracer, no deadline, no cache, nothing identical in
   * flight, no configured rate limit: `sharing.begin` and `attempts.plain` say when): the first
   * attempt runs in plain code under one `Effect.async`; a failure goes on in the retry loop,
   * and the request is settled for callers that join it meanwhile, as on the general path.
   */
  const direct = <A>(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    t: Target,
    begun: Begun,
    timeout: Duration.Duration,
    finish: (shared: Shared, copy: boolean) => Effect.Effect<A, CometError>,
    restore: <X, Y, Z>(self: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
  ): Effect.Effect<A, CometError> => {
    const started = Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
    const run = (attempt: number) => bufferedAttempt(t, attempt, timeout)
    const ticket = retries.admitFirst(t, started, null)
    // the first attempt, cancelled by the one exit handler below if the call is interrupted
    // (an Effect.async without a canceller: no interruption handler of its own)
    let cancel: (() => void) | null = null
    const request: Effect.Effect<Shared, CometError> =
      ticket === null
        ? retries.afterFailure(t, run, started, null, null)
        : Effect.async<Shared, CometError>((resume) => {
            cancel = attempts.startBuffered(t, 1, millisOf(timeout), (result) => {
              cancel = null
              if (Either.isLeft(result)) {
                resume(retries.afterFailure(t, run, started, null, { attempt: 1, ticket, failure: result.left }))
              } else {
                retries.accepted(ticket)
                resume(Effect.succeed(result.right))
              }
            })
          })
    // begun uninterruptibly (`logical`): only the request itself may be interrupted, and its end,
    // however it comes, settles what `begin` entered (a success in plain code, then decoded)
    return Effect.matchCauseEffect(restore(request), {
      onFailure: (cause) => {
        if (cancel !== null) {
          cancel()
          cancel = null
        }
        if (Cause.isInterruptedOnly(cause)) interrupted(fiber, t)
        return Effect.catchAll(
          Effect.zipRight(
            begun.settle(Exit.failCause(cause), () => fetchShared(t, timeout)),
            Effect.failCause(cause)
          ),
          failed(t)
        )
      },
      onSuccess: (shared) => {
        // a copy when others joined it (they copy theirs as they resume, after this caller's next step)
        const done = finish(shared, begun.succeeded(shared))
        return Exit.isExit(done) && Exit.isSuccess(done) ? done : Effect.catchAll(done, failed(t))
      }
    })
  }

  /**
   * One logical request to the target `targetOf` builds (an invalid one fails with its
   * InvalidArgument): from the cache, an identical request in flight, or attempts under the
   * retry policy; then `finishOf(target)` (decode). Traced as `spanName` when a tracer is installed.
   */
  const logical = <A>(
    targetOf: () => Either.Either<Target, InvalidArgument>,
    options: RequestOptions | undefined,
    defaultTimeout: Duration.Duration,
    finishOf: (t: Target) => (shared: Shared, copy: boolean) => Effect.Effect<A, CometError>,
    spanName: string
  ): Effect.Effect<A, CometError> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime<A, CometError>((fiber) => {
        // the target built when the request runs (as a suspended Effect would; no step of its own)
        const made = targetOf()
        if (Either.isLeft(made)) return Effect.fail(made.left)
        const t = made.right
        const finish = finishOf(t)
        const timeout = options?.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout)
        const plain = fiber.currentTracer === nativeTracer
        if (plain && attempts.plain && fiber.getFiberRef(CurrentDeadline) === null) {
          // entered in the in-flight table and handed its end handler with no interruption between
          const begun = sharing.begin(t, options)
          if (begun !== null) return direct(fiber, t, begun, timeout, finish, restore)
        }
        const general = sharing
          .obtain(t, options, () => fetchShared(t, timeout))
          .pipe(
            Effect.flatMap(({ shared, copy }) => finish(shared, copy)),
            Effect.catchAll(failed(t)),
            Effect.onInterrupt(() => Effect.sync(() => interrupted(fiber, t)))
          )
        return restore(plain ? general : span(spanName, t.endpoint, t.method)(general))
      })
    )

  /** One decoder per Schema and endpoint, built on first use (not per call). */
  const decoders = new WeakMap<object, Map<string, ReturnType<typeof Decode.decodeWire>>>()
  const decoderOf = <A, I>(
    schema: Schema.Schema<A, I, never>,
    endpoint: string
  ): ((value: unknown, body?: string, apiKey?: string) => Effect.Effect<A, DecodeError>) => {
    let byEndpoint = decoders.get(schema)
    if (byEndpoint === undefined) {
      byEndpoint = new Map()
      decoders.set(schema, byEndpoint)
    }
    let decoder = byEndpoint.get(endpoint)
    if (decoder === undefined) {
      decoder = Decode.decodeWire(schema, endpoint)
      byEndpoint.set(endpoint, decoder)
    }
    return decoder as (value: unknown, body?: string, apiKey?: string) => Effect.Effect<A, DecodeError>
  }

  /** Decode a shared JSON body with the caller's Schema. */
  const decodeShared =
    <A, I>(t: Target, schema: Schema.Schema<A, I, never>) =>
    (shared: Shared): Effect.Effect<A, CometError> => {
      if (shared.kind !== "json") return Effect.dieMessage("CometHttp: a bytes body reached a JSON decoder")
      const decoded = decoderOf(schema, t.endpoint)(shared.value, shared.text, apiKey)
      // decoded already (the compiled decoder's answer is an Exit): no step added
      if (Exit.isExit(decoded) && Exit.isSuccess(decoded)) return decoded
      return decoded.pipe(
        Effect.catchAll((decodeError): Effect.Effect<A, CometError> => {
          const errorBody = errorBodyShape(shared.value)
          if (errorBody === null) return Effect.fail(decodeError)
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(
              errorFromResponse({
                status: errorBody.code !== null && errorBody.code >= 400 && errorBody.code < 600 ? errorBody.code : 200,
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
    logical(
      () => target("GET", endpoint, options?.params, undefined, "application/json", "json"),
      options,
      cfg.timeout,
      (t) => decodeShared(t, schema),
      "CometHttp.get"
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
      return invalid(new InvalidArgument({ argument: "body", value: endpoint, reason: "it cannot be written as JSON" }))
    }
    const json = text
    return logical(
      () =>
        Either.map(target("POST", endpoint, options?.params, json, "application/json", "json"), (t) =>
          options?.readOnly === true ? { ...t, readOnly: true } : t
        ),
      options,
      cfg.timeout,
      (t) => decodeShared(t, schema),
      "CometHttp.post"
    )
  }

  /** A bytes body as getBytes yields it (a copy when the body is shared with other callers). */
  const bytesOf = (shared: Shared, copy: boolean): Effect.Effect<Uint8Array, CometError> =>
    shared.kind === "bytes"
      ? Effect.succeed(copy ? new Uint8Array(shared.bytes) : shared.bytes)
      : Effect.dieMessage("CometHttp: a JSON body reached getBytes")

  const getBytes = (endpoint: string, options?: RequestOptions): Effect.Effect<Uint8Array, CometError> =>
    logical(
      () => target("GET", endpoint, options?.params, undefined, "*/*", "bytes"),
      options,
      cfg.downloadTimeout,
      () => bytesOf,
      "CometHttp.getBytes"
    )

  const versionOf = Either.right(versionTarget)
  const versionDecoded = decodeShared(versionTarget, BackendVersion)
  const backendVersion: Effect.Effect<BackendVersion, CometError> = logical(
    () => versionOf,
    undefined,
    cfg.timeout,
    () => versionDecoded,
    "CometHttp.backendVersion"
  )

  return { get: getJson, post, getBytes, backendVersion }
}
