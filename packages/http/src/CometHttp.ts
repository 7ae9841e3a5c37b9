/**
 * CometHttp: the only place comet-ts talks HTTP. Typed JSON GET/POST decoded with the core
 * Schemas, raw bytes, and byte Streams, against `<root>/api/rest/v2/<endpoint>`, with retries,
 * Retry-After, bounded concurrency, an optional rate limit, request coalescing and an optional
 * cache, and exact request counting.
 *
 * @since 0.1.0
 */
import { CometConfig, ConfigurationError, type ResolvedConfig, type TransportError } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Secrets from "@comet-ts/core/Secrets"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as callEnd from "./internal/callEnd.js"
import { make as makeInstance } from "./internal/client.js"
import type { CometHttpSettings, CometHttpShape } from "./internal/contract.js"
import * as deadline from "./internal/deadline.js"
import { checkSettings, type Resolved, resolveSettings, SETTING_NAMES, snapshotSettings } from "./internal/settings.js"
import { fromShape, type WireTransport } from "./internal/transport.js"
import { httpClientTransport } from "./internal/transportHttpClient.js"
import { RequestStats, type RequestStatsShape } from "./RequestStats.js"
import { Transport } from "./Transport.js"

export type { CometHttpSettings, CometHttpShape, Download, Params, RequestOptions } from "./internal/contract.js"

/**
 * Give a whole call a deadline: `self` (any number of CometHttp requests, their retries and
 * rate-limit waits) must complete within `timeout`, else it fails with `TransportError`
 * "deadline" naming `label` (default `"call"`) and `setting` (default `"callTimeout"`, the
 * knob the message tells to raise). Inside it, a retry or a rate-limit wait that would end past
 * the deadline is not started: the request fails at once with its last error. The earliest of
 * nested deadlines holds.
 *
 * @since 0.1.0
 */
export const withCallTimeout = (
  timeout: Duration.DurationInput,
  label = "call",
  setting = "callTimeout"
): (<A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | TransportError, R>) =>
  deadline.withCallTimeout(timeout, label, setting)

/**
 * As {@link withCallTimeout}, for a Stream: the whole stream must end within `timeout`.
 *
 * @since 0.1.0
 */
export const streamWithCallTimeout = (
  timeout: Duration.DurationInput,
  label = "stream",
  setting = "callTimeout"
): (<A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E | TransportError, R>) =>
  deadline.streamWithCallTimeout(timeout, label, setting)

/**
 * Mark `self` as a call its caller ends with an error when `ended()` turns true (an
 * `AbortSignal` that fired: `() => signal.aborted`): a request of it interrupted while `ended()`
 * is true counts in `RequestStats` `failures`, as one the deadline of {@link withCallTimeout}
 * cuts short does. Without it, an interrupted request is the caller's own choice (a stream read
 * no further, a race lost) and no failure. Nested marks add up: any one that is true holds.
 *
 * @since 0.1.0
 */
export const withCallEnd = (
  ended: () => boolean
): (<A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) => callEnd.endedWhen(ended)

/**
 * As {@link withCallEnd}, for a Stream (a download's too: one cancelled while `ended()` is true
 * counts as failed).
 *
 * @since 0.1.0
 */
export const streamWithCallEnd = (
  ended: () => boolean
): (<A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>) => callEnd.streamEndedWhen(ended)

/**
 * The tag of {@link CometHttp} without its statics, which a bundle keeps whenever it keeps the
 * class: what this module's layers provide, so that a bundle that never names the class (the
 * facade's) carries the layers it uses and no others. Pure, so the class below (which only
 * extends it) is dropped when unused.
 */
const service = /* @__PURE__ */ Context.Tag("@comet-ts/http/CometHttp")<CometHttp, CometHttpShape>()

/**
 * The transport, as an Effect service (its layers as statics).
 *
 * @since 0.1.0
 */
export class CometHttp extends service {
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
  /** See {@link layerTransport}. */
  static layerTransport(
    options: CometHttpOptions
  ): Layer.Layer<CometHttp | RequestStats, ConfigurationError, Transport> {
    return layerTransport(options)
  }
  /** See {@link layerConfigTransport}. */
  static layerConfigTransport(
    settings?: CometHttpSettings
  ): Layer.Layer<CometHttp | RequestStats, ConfigurationError, Transport | CometConfig> {
    return layerConfigTransport(settings)
  }
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

/**
 * A configuration built by hand (not by `CometConfig.resolve`) may carry a key no request can send:
 * refuse it here too, before any request.
 */
const checkKey = (config: ResolvedConfig): Effect.Effect<void, ConfigurationError> =>
  Effect.asVoid(Secrets.checkApiKey(Redacted.value(config.apiKey), config.apiKeySource))

/** The transport of an instance: the `HttpClient` adapter over the client in the context. */
const fromHttpClient = (settings: Resolved): Effect.Effect<WireTransport, never, HttpClient.HttpClient> =>
  httpClientTransport({ manualRedirects: settings.manualRedirects })

/** The transport of an instance: the `Transport` service in the context. */
const fromService = (): Effect.Effect<WireTransport, never, Transport> => Effect.map(Transport, fromShape)

/**
 * `CometConfig`'s tag without the class's statics (every layer and source of the configuration,
 * which a bundle of these layers would otherwise carry: a class's statics are never
 * tree-shaken), found by the class's key (a test pins it).
 */
const configService = Context.GenericTag<CometConfig, ResolvedConfig>("@comet-ts/core/CometConfig")

/**
 * {@link checkSettings} (names too, unless `namesChecked`: then `settings` is a snapshot), the
 * settings read once; its error with any part of the key masked: the key is not held yet, and a
 * key pasted as a setting's value may be quoted in part.
 */
const checkSettingsMasked = (
  settings: CometHttpSettings,
  apiKey: Redacted.Redacted<string>,
  namesChecked: boolean
): Effect.Effect<CometHttpSettings, ConfigurationError> =>
  Effect.mapError(
    checkSettings(settings, namesChecked ? null : apiKey),
    (e) =>
      new ConfigurationError({
        setting: Secrets.scrubPieces(e.setting, [apiKey]),
        reason: Secrets.scrubPieces(e.reason, [apiKey])
      })
  )

const build = <R>(
  config: ResolvedConfig,
  settings: CometHttpSettings,
  transport: (resolved: Resolved) => Effect.Effect<WireTransport, never, R>,
  namesChecked = false
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, R> =>
  Layer.scopedContext(
    Effect.gen(function* () {
      // (the names of `layer`'s options are checked with the options, before the configuration)
      const checked = yield* checkSettingsMasked(settings, config.apiKey, namesChecked)
      yield* checkKey(config)
      yield* Secrets.hold(config.apiKey)
      const resolved = resolveSettings(config, checked)
      const { http, stats } = yield* makeInstance(resolved, yield* transport(resolved))
      return Context.make(service, http).pipe(Context.add(RequestStats, stats))
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
> =>
  Effect.gen(function* () {
    const checked = yield* checkSettingsMasked(settings, config.apiKey, false)
    yield* checkKey(config)
    yield* Secrets.hold(config.apiKey)
    const resolved = resolveSettings(config, checked)
    return yield* makeInstance(resolved, yield* fromHttpClient(resolved))
  })

/**
 * The transport from explicit options. Provides `CometHttp` and `RequestStats` from ONE
 * instance, and needs an `HttpClient` (`FetchHttpClient.layer`, a Node client, a mock), which
 * it sends through the `Transport.layerHttpClient` adapter; see {@link layerTransport} for
 * undici or `fetch` directly. Options are
 * validated as core's `CometConfig.resolve` validates them (the key is held for scrubbing while the
 * layer's scope is open);
 * a bad value fails the layer with a `ConfigurationError`. Call it once and share the Layer:
 * every call builds a new instance.
 *
 * @since 0.1.0
 */
export const layer = (
  options: CometHttpOptions
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(resolveOptions(options, "CometHttp.layer"), ({ config, given }) =>
      build(config, given, fromHttpClient, true)
    )
  )

/**
 * As {@link layer}, over the `Transport` in the context instead of an `HttpClient`
 * (`NodeTransport.layer(…)`, `Transport.layerFetch()`, `DefaultTransport.layerConfig`).
 *
 * @since 0.1.0
 */
export const layerTransport = (
  options: CometHttpOptions
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, Transport> =>
  Layer.unwrapEffect(
    Effect.map(resolveOptions(options, "CometHttp.layerTransport"), ({ config, given }) =>
      build(config, given, fromService, true)
    )
  )

/**
 * The names of {@link CometHttpOptions}, complete by type (an unknown one is refused), and of
 * core's `ResolvedConfig` (which fits as options: its other fields are not read here).
 */
const OPTION_NAMES: ReadonlyArray<string> = /* @__PURE__ */ SETTING_NAMES.concat(
  /* @__PURE__ */ Object.keys({
    restUrl: true,
    workspace: true,
    projectName: true,
    apiKeySource: true,
    apiKeyServer: true,
    proxy: true,
    tls: true
  } satisfies Record<Exclude<keyof ResolvedConfig, keyof CometHttpOptions>, true>),
  /* @__PURE__ */ Object.keys({
    apiKey: true,
    baseUrl: true,
    timeout: true,
    downloadTimeout: true,
    maxConcurrency: true,
    maxRetries: true,
    rateLimit: true,
    allowInsecureHttp: true
  } satisfies Record<Exclude<keyof CometHttpOptions, keyof CometHttpSettings>, true>)
)

/**
 * Explicit options read once into a snapshot (`given`: the settings are built from it, not from
 * the object given), validated as core's `CometConfig.resolve` validates them, after their names
 * (a misspelt or unknown one is refused, as `new API(...)` refuses it) and durations: a value
 * from JavaScript that is no duration is a ConfigurationError naming it, not an exception.
 */
const resolveOptions = (
  options: CometHttpOptions,
  where: "CometHttp.layer" | "CometHttp.layerTransport"
): Effect.Effect<{ readonly config: ResolvedConfig; readonly given: CometHttpOptions }, ConfigurationError> =>
  Effect.suspend(() => {
    // (named after the entry called: the error names the knob the caller holds)
    const read = snapshotSettings(options, OPTION_NAMES, where, { keyName: "apiKey" })
    if (Either.isLeft(read)) return Effect.fail(read.left)
    const given = read.right as CometHttpOptions
    return Effect.flatMap(
      Effect.all({
        timeout: durationOf("timeout", given.timeout),
        downloadTimeout: durationOf("downloadTimeout", given.downloadTimeout),
        rateLimit: rateLimitOf(given.rateLimit)
      }),
      ({ timeout, downloadTimeout, rateLimit }) =>
        Effect.map(
          CometConfig.resolve({
            apiKey: given.apiKey,
            baseUrl: given.baseUrl,
            timeoutMs: timeout,
            downloadTimeoutMs: downloadTimeout,
            maxConcurrency: given.maxConcurrency,
            maxRetries: given.maxRetries,
            rateLimit,
            allowInsecureHttp: given.allowInsecureHttp,
            sources: CometConfig.staticSources({})
          }),
          (config) => ({ config, given })
        )
    )
  }).pipe(
    Effect.catchAllDefect(() =>
      Effect.fail(
        new ConfigurationError({
          setting: "options",
          reason: "could not be read (a getter or a Proxy threw): pass a plain object of options."
        })
      )
    )
  )

/** A duration option in ms, or the ConfigurationError naming it (undefined and null: not given). */
const durationOf = (setting: string, d: unknown): Effect.Effect<number | undefined, ConfigurationError> =>
  d === undefined || d === null ? Effect.succeed(undefined) : requiredDuration(setting, d)

/** A duration in ms, or the ConfigurationError naming it. */
const requiredDuration = (setting: string, d: unknown): Effect.Effect<number, ConfigurationError> => {
  const decoded = Duration.decodeUnknown(d)
  return decoded._tag === "Some" && !Number.isNaN(Duration.toMillis(decoded.value))
    ? Effect.succeed(Duration.toMillis(decoded.value))
    : Effect.fail(
        new ConfigurationError({
          setting,
          reason: `must be a duration (ms, or text such as "10 seconds"), not ${Inputs.describeValue(d)}.`
        })
      )
}

/** The rate limit as core reads it (`intervalMs`), or the ConfigurationError naming what is wrong. */
const rateLimitOf = (
  r: CometHttpOptions["rateLimit"]
): Effect.Effect<{ readonly limit: number; readonly intervalMs: number } | undefined, ConfigurationError> => {
  if (r === undefined || r === null) return Effect.succeed(undefined)
  const unknown = Inputs.unknownSetting(r, ["limit", "interval"], "the rate limit", { prefix: "rateLimit." })
  if (unknown !== null) return Effect.fail(unknown)
  if (typeof r !== "object")
    return Effect.fail(
      new ConfigurationError({
        setting: "rateLimit",
        reason: `must be { limit, interval }, not ${Inputs.describeValue(r)}.`
      })
    )
  return Effect.map(requiredDuration("rateLimit.interval", r.interval), (intervalMs) => ({
    limit: r.limit,
    intervalMs
  }))
}

/**
 * The transport configured from core's `CometConfig` service, with the given http-specific
 * settings.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (
  settings: CometHttpSettings
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, HttpClient.HttpClient | CometConfig> =>
  Layer.unwrapEffect(Effect.map(configService, (config) => build(config, settings, fromHttpClient)))

/**
 * The transport configured from core's `CometConfig`, over the `Transport` in the context: what
 * the Promise facade uses, with `DefaultTransport.layerConfig` (undici in Node, `fetch`
 * elsewhere) unless it was given an `httpClient`.
 *
 * @since 0.1.0
 */
export const layerConfigTransport = (
  settings: CometHttpSettings = {}
): Layer.Layer<CometHttp | RequestStats, ConfigurationError, Transport | CometConfig> =>
  Layer.unwrapEffect(Effect.map(configService, (config) => build(config, settings, fromService)))

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
> = /* @__PURE__ */ layerConfigWith({})
