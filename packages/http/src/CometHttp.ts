/**
 * CometHttp: the only place comet-ts talks HTTP. Typed JSON GET/POST decoded with the core
 * Schemas, raw bytes, and byte Streams, against `<root>/api/rest/v2/<endpoint>`, with retries,
 * Retry-After, bounded concurrency, an optional rate limit, request coalescing and an optional
 * cache, and exact request counting.
 *
 * @since 0.1.0
 */
import {
  type BackendVersion,
  CometConfig,
  type CometError,
  ConfigurationError,
  type ResolvedConfig
} from "@comet-ts/core"
import type { HttpClient } from "@effect/platform"
import { Context, Duration, Effect, Layer, type Redacted, type Schema, type Scope, type Stream } from "effect"
import { make as makeInstance, resolveSettings } from "./internal/client.js"
import { RequestStats, type RequestStatsShape } from "./RequestStats.js"

/**
 * Query-string parameters. `undefined` values are left out (as Python's `requests` drops
 * `None`); booleans are written `true`/`false`.
 *
 * @since 0.1.0
 */
export type Params = Readonly<Record<string, string | number | boolean | undefined>>

/**
 * Per-call options.
 *
 * @since 0.1.0
 */
export interface RequestOptions {
  /** Query-string parameters. */
  readonly params?: Params | undefined
  /** Override the per-attempt timeout for this call. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The response cannot change (e.g. a finished experiment's data): the cache may keep it. */
  readonly cacheable?: boolean | undefined
  /**
   * A POST that only reads (Comet's `multi-metric-chart` and `project/query`): identical ones in
   * flight share one request, as identical GETs always do. Never set it for a write.
   */
  readonly readOnly?: boolean | undefined
}

/**
 * The operations of the transport.
 *
 * @since 0.1.0
 */
export interface CometHttpShape {
  /** `GET <rest>/<endpoint>` and decode the JSON body with `schema`. */
  readonly get: <A, I>(
    endpoint: string,
    schema: Schema.Schema<A, I, never>,
    options?: RequestOptions
  ) => Effect.Effect<A, CometError>
  /** `POST <rest>/<endpoint>` with a JSON body, and decode the JSON answer with `schema`. */
  readonly post: <A, I>(
    endpoint: string,
    body: unknown,
    schema: Schema.Schema<A, I, never>,
    options?: RequestOptions
  ) => Effect.Effect<A, CometError>
  /** `GET <rest>/<endpoint>` and return the whole body as bytes (checked against Content-Length). */
  readonly getBytes: (endpoint: string, options?: RequestOptions) => Effect.Effect<Uint8Array, CometError>
  /**
   * `GET <rest>/<endpoint>` as a byte Stream, for large downloads: never buffered whole. A
   * failure before the first byte is retried; a body cut short fails the stream with a
   * `TransportError` ("truncated").
   */
  readonly stream: (endpoint: string, options?: RequestOptions) => Stream.Stream<Uint8Array, CometError>
  /**
   * `GET <root>/clientlib/isAlive/ver`, sent without the API key: the backend version
   * (comet-rest-v2.md §1.6).
   */
  readonly backendVersion: Effect.Effect<BackendVersion, CometError>
  /** The server root this client talks to (`scheme://host[:port]`). */
  readonly baseUrl: string
  /** `<baseUrl>/api/rest/v2/`. */
  readonly restUrl: string
  /** Drop every cached response (a no-op when the cache is off). */
  readonly clearCache: Effect.Effect<void>
}

/**
 * The transport, as an Effect service.
 *
 * @since 0.1.0
 */
export class CometHttp extends Context.Tag("@comet-ts/http/CometHttp")<CometHttp, CometHttpShape>() {
  /** See {@link layer}. */
  static layer(
    options: CometHttpOptions
  ): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient> {
    return layer(options)
  }
  /** See {@link layerConfig}. */
  static get layerConfig(): Layer.Layer<
    CometHttp | RequestStats,
    ConfigurationError,
    HttpClient.HttpClient | CometConfig
  > {
    return layerConfig
  }
  /** See {@link layerConfigWith}. */
  static layerConfigWith(
    settings: CometHttpSettings
  ): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient | CometConfig> {
    return layerConfigWith(settings)
  }
}

/**
 * Settings of the transport that are not part of core's configuration.
 *
 * @since 0.1.0
 */
export interface CometHttpSettings {
  /**
   * A response cache for calls made with `cacheable: true` (responses that cannot change). Off
   * by default. Bounded by `capacity` entries (least recently used first out) and
   * `timeToLive`; bodies over `maxEntryBytes` (default 1 MiB) are not kept. One cache per layer
   * instance, keyed by server and API key too, so it is never shared across either.
   */
  readonly cache?:
    | {
        readonly capacity: number
        readonly timeToLive: Duration.DurationInput
        readonly maxEntryBytes?: number | undefined
      }
    | null
    | undefined
  /**
   * The most time one request may spend from its first attempt until its last retry starts.
   * When the next wait (backoff, or a longer Retry-After) would pass it, the request fails at
   * once with the last error. Default 2 minutes.
   */
  readonly retryBudget?: Duration.DurationInput | undefined
  /** The first backoff delay (doubled per retry, ±20% jitter). Default 200 ms. */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
  /** The largest backoff delay. A Retry-After may ask for more. Default 20 s. */
  readonly retryMaxDelay?: Duration.DurationInput | undefined
  /**
   * The largest body `get`, `post` and `getBytes` read into memory; a larger Content-Length (or
   * body) fails with `TransportError` "too-large". `stream` has no limit. Default 2 GiB.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * The largest JSON body `get` and `post` read (at most `maxBodyBytes`); a larger
   * Content-Length (or body) fails with `TransportError` "too-large" before anything is parsed.
   * Default 256 MiB: Comet's largest JSON answers are a few tens of MB, and JavaScript cannot
   * hold a string over about 512 MiB at all.
   */
  readonly maxJsonBytes?: number | undefined
  /** How the client-side rate limit counts: `token-bucket` (default) or `fixed-window`. */
  readonly rateLimitAlgorithm?: "token-bucket" | "fixed-window" | undefined
  /**
   * Ask `FetchHttpClient` not to follow redirects (`redirect: "manual"`, merged into any
   * `FetchHttpClient.RequestInit` in the context), so a redirect fails with `TransportError`
   * "redirect" instead of being followed. Any 3xx is refused whatever the client. Default true.
   */
  readonly manualRedirects?: boolean | undefined
}

/**
 * Explicit options of {@link layer}: a `ResolvedConfig` from core fits, plus any
 * {@link CometHttpSettings}.
 *
 * @since 0.1.0
 */
export interface CometHttpOptions extends CometHttpSettings {
  /** The API key; sent raw in `Authorization` and nowhere else. */
  readonly apiKey: string | Redacted.Redacted<string>
  /** The server; only scheme, host and port are used. */
  readonly baseUrl: string
  /** Per-attempt timeout of `get`/`post`. Default 10 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Per-attempt timeout of `getBytes`, and time-to-first-byte / inactivity timeout of `stream`. Default 600 s. */
  readonly downloadTimeout?: Duration.DurationInput | undefined
  /** Requests in flight at most. Default 8. */
  readonly maxConcurrency?: number | undefined
  /** Retries of one request at most. Default 8. */
  readonly maxRetries?: number | undefined
  /** Client-side rate limit: at most `limit` attempt starts per `interval`. Off by default. */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | null | undefined
  /** Allow plain http to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
}

const checkSettings = (settings: CometHttpSettings): Effect.Effect<void, ConfigurationError> => {
  const problems: Array<[string, string]> = []
  const nonNegative = (name: string, d: Duration.DurationInput | undefined) => {
    if (d === undefined) return
    const decoded = Duration.decodeUnknown(d)
    if (decoded._tag === "None" || !Duration.isFinite(decoded.value)) problems.push([name, "must be a finite duration"])
  }
  nonNegative("retryBudget", settings.retryBudget)
  nonNegative("retryBaseDelay", settings.retryBaseDelay)
  nonNegative("retryMaxDelay", settings.retryMaxDelay)
  if (
    settings.maxBodyBytes !== undefined &&
    !(Number.isSafeInteger(settings.maxBodyBytes) && settings.maxBodyBytes > 0)
  ) {
    problems.push(["maxBodyBytes", "must be a positive integer"])
  }
  if (
    settings.maxJsonBytes !== undefined &&
    !(Number.isSafeInteger(settings.maxJsonBytes) && settings.maxJsonBytes > 0)
  ) {
    problems.push(["maxJsonBytes", "must be a positive integer"])
  }
  if (settings.cache !== undefined && settings.cache !== null) {
    const c = settings.cache
    if (!(Number.isSafeInteger(c.capacity) && c.capacity > 0))
      problems.push(["cache.capacity", "must be a positive integer"])
    const ttl = Duration.decodeUnknown(c.timeToLive)
    if (ttl._tag === "None" || Duration.toMillis(ttl.value) <= 0)
      problems.push(["cache.timeToLive", "must be a positive duration"])
    if (c.maxEntryBytes !== undefined && !(Number.isSafeInteger(c.maxEntryBytes) && c.maxEntryBytes >= 0)) {
      problems.push(["cache.maxEntryBytes", "must be a non-negative integer"])
    }
  }
  const first = problems[0]
  return first === undefined
    ? Effect.void
    : Effect.fail(new ConfigurationError({ setting: first[0], reason: first[1] }))
}

const millisOf = (d: Duration.DurationInput | undefined): number | undefined =>
  d === undefined ? undefined : Duration.toMillis(Duration.decode(d))

const build = (
  config: ResolvedConfig,
  settings: CometHttpSettings
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      yield* checkSettings(settings)
      const { http, stats } = yield* makeInstance(resolveSettings(config, settings))
      return Context.make(CometHttp, http).pipe(Context.add(RequestStats, stats))
    })
  )

/**
 * Build the transport from a resolved configuration and settings: one semaphore, one set of
 * counters, one in-flight table and one cache, shared by everything the returned context
 * serves. Needs an `HttpClient` and a `Scope`.
 *
 * @since 0.1.0
 */
export const make = (
  config: ResolvedConfig,
  settings: CometHttpSettings = {}
): Effect.Effect<
  { readonly http: CometHttpShape; readonly stats: RequestStatsShape },
  ConfigurationError,
  HttpClient.HttpClient | Scope.Scope
> => Effect.zipRight(checkSettings(settings), makeInstance(resolveSettings(config, settings)))

/**
 * The transport from explicit options. Provides `CometHttp` and `RequestStats` from ONE
 * instance, and needs an `HttpClient` (`FetchHttpClient.layer` or a Node client). Options are
 * validated as core's `CometConfig.resolve` validates them (the key is registered for scrubbing);
 * a bad value fails the layer with a `ConfigurationError`. Call it once and share the Layer:
 * every call builds a new instance.
 *
 * @since 0.1.0
 */
export const layer = (
  options: CometHttpOptions
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(
      CometConfig.resolve({
        apiKey: options.apiKey,
        baseUrl: options.baseUrl,
        timeoutMs: millisOf(options.timeout),
        downloadTimeoutMs: millisOf(options.downloadTimeout),
        maxConcurrency: options.maxConcurrency,
        maxRetries: options.maxRetries,
        rateLimit:
          options.rateLimit === undefined || options.rateLimit === null
            ? undefined
            : {
                limit: options.rateLimit.limit,
                intervalMs: Duration.toMillis(Duration.decode(options.rateLimit.interval))
              },
        allowInsecureHttp: options.allowInsecureHttp,
        sources: CometConfig.staticSources({})
      }),
      (config) => build(config, options)
    )
  )

/**
 * The transport configured from core's `CometConfig` service, with the given http-specific
 * settings.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (
  settings: CometHttpSettings
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient | CometConfig> =>
  Layer.unwrapEffect(Effect.map(CometConfig, (config) => build(config, settings)))

/**
 * The transport configured from core's `CometConfig` service (default http settings: no cache,
 * 2-minute retry budget).
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<
  CometHttp | RequestStats,
  ConfigurationError,
  HttpClient.HttpClient | CometConfig
> = layerConfigWith({})
