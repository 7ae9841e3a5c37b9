/**
 * CometHttp: the only place comet-ts talks HTTP. Typed JSON GET/POST decoded with the core
 * Schemas, raw bytes, and byte Streams, against `<root>/api/rest/v2/<endpoint>`, with retries,
 * Retry-After, bounded concurrency, an optional rate limit, request coalescing and an optional
 * cache, and exact request counting.
 *
 * @since 0.1.0
 */
import type { CometError } from "@comet-ts/core"
import { Context, type Duration, type Effect, type Schema, type Stream } from "effect"

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
  /** The server root this client talks to (`scheme://host[:port]`). */
  readonly baseUrl: string
}

/**
 * The transport, as an Effect service.
 *
 * @since 0.1.0
 */
export class CometHttp extends Context.Tag("@comet-ts/http/CometHttp")<CometHttp, CometHttpShape>() {}
