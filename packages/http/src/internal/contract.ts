/**
 * The transport's contract as the rest of the package sees it: the `CometHttpShape` operations,
 * per-call `RequestOptions` and `Params`, and the `CometHttpSettings`. Kept apart from
 * `CometHttp.ts` (which re-exports them) so the internals can use them without importing it back.
 *
 * @internal
 */
import type { BackendVersion, CometError } from "@comet-ts/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"

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
  /**
   * The most time this whole call may take, every attempt, retry wait and rate-limit pause
   * included. When it passes, the call fails with `TransportError` "deadline"; a wait that would
   * pass it is not started (the call fails at once with its last error). Default: none (each
   * attempt's `timeout`, `maxRetries` and the `retryBudget` bound the call).
   */
  readonly callTimeout?: Duration.DurationInput | undefined
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
   * `GET <rest>/<endpoint>` as a byte Stream, for large downloads: never buffered whole, one
   * chunk per element. The opening is retried; a body that breaks off in the middle resumes
   * (`Range: bytes=N-`, or read again with the first N bytes skipped) so every byte arrives
   * exactly once, within `maxRetries` and the retry budget for failures without progress; what
   * cannot be completed fails the stream with a `TransportError` ("truncated", "timeout").
   */
  readonly stream: (endpoint: string, options?: RequestOptions) => Stream.Stream<Uint8Array, CometError>
  /**
   * The same download as {@link stream}, opened for reading in plain code (`download.next()`):
   * what the Promise facade iterates, with no Effect step per chunk. Resolves once the first
   * bytes arrived; `cancel()` closes the connection and frees its permit.
   */
  readonly open: (endpoint: string, options?: RequestOptions) => Effect.Effect<Download, CometError>
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
 * An open download (see `CometHttpShape.open`).
 *
 * @since 0.1.0
 */
export interface Download {
  /**
   * The next chunk of bytes, or `null` at the end; rejects with the typed `CometError` when the
   * download fails (after its resumes). After `null`, a rejection or `cancel()`, resolves `null`.
   */
  readonly next: () => Promise<Uint8Array | null>
  /** End the download now: the connection is closed and its permit released. Idempotent. */
  readonly cancel: () => void
  /** The body's total length in bytes when the server announced it, else null. */
  readonly length: number | null
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
   * The largest body `get`, `post` and `getBytes` read into memory, counted on the decoded
   * bytes as they arrive: a larger Content-Length, or a body (compressed or not) that grows past
   * it, fails at once with `TransportError` "too-large", the connection closed and nothing
   * retried. `stream` has no limit. Default 2 GiB.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * The largest JSON body `get` and `post` read (at most `maxBodyBytes`), counted as
   * `maxBodyBytes` is: past it, `TransportError` "too-large" before anything is parsed.
   * Default 256 MiB: Comet's largest JSON answers are a few tens of MB, and JavaScript cannot
   * hold a string over about 512 MiB at all.
   */
  readonly maxJsonBytes?: number | undefined
  /** How the client-side rate limit counts: `token-bucket` (default) or `fixed-window`. */
  readonly rateLimitAlgorithm?: "token-bucket" | "fixed-window" | undefined
  /**
   * Ask the transport not to follow redirects itself (`redirect: "manual"` for fetch, merged into
   * any `FetchHttpClient.RequestInit` in the context): CometHttp follows a redirect within the
   * configured server's origin (at most 5 per attempt) and refuses one to another host with
   * `TransportError` "redirect", so the key never leaves that server. Default true.
   */
  readonly manualRedirects?: boolean | undefined
}
