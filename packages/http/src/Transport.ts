/**
 * Transport: what CometHttp sends its requests through. Three kinds: undici's `dispatch()` in
 * Node (`@comet-ts/http/NodeTransport`), `fetch` in browsers, Deno, Bun and workers
 * ({@link layerFetch}), and any `@effect/platform` `HttpClient` ({@link layerHttpClient}:
 * users' own clients, mock Layers, the emulator's in-process client). CometHttp's retries,
 * permits, coalescing, stats, timeouts, size limits and integrity checks sit above it, the same
 * for every transport. `@comet-ts/http/DefaultTransport` picks the right one per runtime.
 *
 * @since 0.1.0
 */
import type { ConfigurationError } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type { WireBody, WireRequest, WireResponse } from "./internal/transport.js"
import { type FetchOptions, fetchTransport } from "./internal/transportFetch.js"
import { httpClientTransport } from "./internal/transportHttpClient.js"

export type { FetchOptions } from "./internal/transportFetch.js"

/**
 * One request as a transport sends it (lower-case header names; `encoding: "identity"` asks for
 * the stored bytes, uncompressed).
 *
 * @since 0.1.0
 */
export type TransportRequest = WireRequest

/**
 * A response head and its body, read with `body.read()` one chunk at a time.
 *
 * @since 0.1.0
 */
export type TransportResponse = WireResponse

/**
 * A response body: `read()` gives the next chunk or null at the end; `cancel()` closes it.
 *
 * @since 0.1.0
 */
export type TransportBody = WireBody

/**
 * What a transport does: `send(request, signal)` resolves with the response head, or rejects
 * with the underlying error when no response came.
 *
 * @since 0.1.0
 */
export interface TransportShape {
  /** What it is, for diagnostics: `undici`, `fetch`, `http-client`. */
  readonly name: string
  readonly send: (request: TransportRequest, signal: AbortSignal) => Promise<TransportResponse>
  /** The proxy a request to `url` goes through (credentials removed), or null when none. */
  readonly proxyFor: (url: string) => string | null
  /** Release connections (the layer's scope closes). */
  readonly close: () => Promise<void>
}

/**
 * The transport CometHttp uses, as an Effect service (see `CometHttp.layerTransport` and
 * `CometHttp.layerConfigTransport`).
 *
 * @since 0.1.0
 */
export class Transport extends Context.Tag("@comet-ts/http/Transport")<Transport, TransportShape>() {}

/**
 * A Transport over `fetch` (the global one unless `options.fetch` is given): redirects are left
 * to CometHttp, downloads ask for uncompressed bytes where the runtime allows it.
 *
 * @since 0.1.0
 */
export const layerFetch = (options?: FetchOptions): Layer.Layer<Transport, ConfigurationError> => {
  // a misspelt option (`followRedirect`) would be dropped: refused, as every layer's options are
  // read once (a throwing getter is the ConfigurationError naming it, not an exception)
  const read = Inputs.settingsOf(options, FETCH_OPTION_NAMES, "Transport.layerFetch")
  return Either.isRight(read) ? Layer.succeed(Transport, fetchTransport(read.right)) : Layer.fail(read.left)
}

/** The names of `FetchOptions`, complete by type. */
const FETCH_OPTION_NAMES: ReadonlyArray<string> = Object.keys({
  fetch: true,
  init: true,
  followRedirects: true
} satisfies Record<keyof FetchOptions, true>)

/**
 * A Transport over the `HttpClient` in the context (a `FetchHttpClient`, a platform-node client,
 * a mock, the emulator's in-process client). `manualRedirects` (default true) asks
 * `FetchHttpClient` not to follow redirects itself.
 *
 * @since 0.1.0
 */
export const layerHttpClient = (options?: {
  readonly manualRedirects?: boolean | undefined
}): Layer.Layer<Transport, ConfigurationError, HttpClient.HttpClient> => {
  const read = Inputs.settingsOf(options, ["manualRedirects"], "Transport.layerHttpClient")
  return Either.isRight(read)
    ? Layer.effect(Transport, httpClientTransport({ manualRedirects: read.right.manualRedirects ?? true }))
    : Layer.fail(read.left)
}

/** Close a transport's connections when the scope ends. @internal */
export const scopedTransport = <E = never>(make: Effect.Effect<TransportShape, E>): Layer.Layer<Transport, E> =>
  Layer.scoped(
    Transport,
    Effect.acquireRelease(make, (t) => Effect.promise(() => t.close().catch(() => {})))
  )
