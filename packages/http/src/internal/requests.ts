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
  Decode,
  type DecodeError,
  errorFromResponse,
  InvalidArgument,
  type ResolvedConfig
} from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import type { Attempts } from "./attempt.js"
import { errorBodyShape } from "./body.js"
import type { CometHttpShape, RequestOptions } from "./contract.js"
import type { WithRetries } from "./retry.js"
import type { Shared, Sharing } from "./sharing.js"
import type { StatsRecorder } from "./stats.js"
import { type Target, type Targets, VERSION_ENDPOINT } from "./target.js"
import { traced } from "./tracing.js"

/** What the buffered operations of one instance are built from. */
export interface RequestsContext {
  readonly config: ResolvedConfig
  readonly apiKey: string
  readonly scrub: (s: string) => string
  readonly targets: Targets
  readonly attempts: Attempts
  readonly withRetries: WithRetries
  readonly sharing: Sharing
  readonly stats: StatsRecorder
}

/** The buffered operations of one client instance. */
export const makeRequests = (
  ctx: RequestsContext
): Pick<CometHttpShape, "get" | "post" | "getBytes" | "backendVersion"> => {
  const { config: cfg, apiKey, scrub, attempts, withRetries, sharing, stats } = ctx
  const { target, version: versionTarget } = ctx.targets
  const { bufferedAttempt } = attempts

  /** Fetch a JSON (parsed) or bytes body with retries. */
  const fetchShared = (t: Target, timeout: Duration.Duration): Effect.Effect<Shared, CometError> =>
    withRetries(t, (attempt) => bufferedAttempt(t, attempt, timeout))

  const logical = <A>(
    t: Target,
    options: RequestOptions | undefined,
    defaultTimeout: Duration.Duration,
    finish: (shared: Shared, copy: boolean) => Effect.Effect<A, CometError>
  ): Effect.Effect<A, CometError> =>
    sharing
      .obtain(t, options, () =>
        fetchShared(t, options?.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout))
      )
      .pipe(
        Effect.flatMap(({ shared, copy }) => finish(shared, copy)),
        Effect.tapError(() => Effect.sync(() => stats.failure(t.endpoint)))
      )

  const span = (name: string, endpoint: string, method: string) =>
    traced(name, () => ({ "comet.endpoint": endpoint, "http.request.method": method }))

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
      return decoderOf(schema, t.endpoint)(shared.value, shared.text, apiKey).pipe(
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
    Effect.suspend(() =>
      Either.match(target("GET", endpoint, options?.params, undefined, "application/json", "json"), {
        onLeft: invalid<A>,
        onRight: (t) =>
          logical(t, options, cfg.timeout, decodeShared(t, schema)).pipe(span("CometHttp.get", t.endpoint, "GET"))
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
      return invalid(new InvalidArgument({ argument: "body", value: endpoint, reason: "it cannot be written as JSON" }))
    }
    return Either.match(target("POST", endpoint, options?.params, text, "application/json", "json"), {
      onLeft: invalid<A>,
      onRight: (t) =>
        logical(t, options, cfg.timeout, decodeShared(t, schema)).pipe(span("CometHttp.post", t.endpoint, "POST"))
    })
  }

  const getBytes = (endpoint: string, options?: RequestOptions): Effect.Effect<Uint8Array, CometError> =>
    Effect.suspend(() =>
      Either.match(target("GET", endpoint, options?.params, undefined, "*/*", "bytes"), {
        onLeft: invalid<Uint8Array>,
        onRight: (t) =>
          logical(t, options, cfg.downloadTimeout, (shared, copy) =>
            shared.kind === "bytes"
              ? Effect.succeed(copy ? new Uint8Array(shared.bytes) : shared.bytes)
              : Effect.dieMessage("CometHttp: a JSON body reached getBytes")
          ).pipe(span("CometHttp.getBytes", t.endpoint, "GET"))
      })
    )

  const backendVersion: Effect.Effect<BackendVersion, CometError> = logical(
    versionTarget,
    undefined,
    cfg.timeout,
    decodeShared(versionTarget, BackendVersion)
  ).pipe(span("CometHttp.backendVersion", VERSION_ENDPOINT, "GET"))

  return { get: getJson, post, getBytes, backendVersion }
}
