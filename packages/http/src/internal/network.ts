/**
 * What kind of network failure a rejected `fetch` is, and how many retries each kind gets. A
 * browser rejects with a bare `TypeError` whose message is all it says ("Failed to fetch") for a
 * CORS refusal and for a refused connection alike, hiding the cause from the page on purpose; a
 * CORS refusal never heals, so that kind gets a short retry, not the whole retry budget. A
 * connection that could not be made at all (refused, unknown host, no route) gets the same short
 * retry: it fails in about half a second, not after the whole backoff.
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
import * as Network from "@comet-ts/core/Network"
import { isAbort } from "./body.js"

/**
 * What each browser's `fetch` says when it will not tell why: Chromium, Firefox, Safari, and
 * the `whatwg-fetch` polyfill (React Native).
 */
const OPAQUE_MESSAGES: ReadonlyArray<RegExp> = [
  /^Failed to fetch$/,
  /^NetworkError when attempting to fetch resource\.?$/,
  /^Load failed$/,
  /^Network request failed$/
]

/**
 * Whether a `fetch` rejection is a browser's opaque network failure: a `TypeError` with one of
 * the browsers' messages and no cause (Node's undici says "fetch failed" and gives the cause).
 */
export const isOpaqueNetworkFailure = (cause: unknown): boolean =>
  cause instanceof Error &&
  cause.name === "TypeError" &&
  Reflect.get(cause, "cause") === undefined &&
  OPAQUE_MESSAGES.some((re) => re.test(cause.message))

/** The transport reason of a request that failed before any response. */
export const networkReason = (cause: unknown): "aborted" | "browser-network" | "network" =>
  isAbort(cause) ? "aborted" : isOpaqueNetworkFailure(cause) ? "browser-network" : "network"

/**
 * Retries of a browser's opaque network failure at most (about 0.6 s of backoff): enough for a
 * server that is just starting, short for a CORS refusal, which no retry can fix.
 */
export const BROWSER_NETWORK_RETRIES = 2

/**
 * The error codes (as Node and undici name them, in the cause chain a `TransportError`'s detail
 * shows) of a connection that was never made: nothing listens at the address, the host name does
 * not resolve, or there is no route to it. Resets and timeouts of a connection that was made are
 * not among them: those heal, and keep the whole retry.
 */
const NO_CONNECTION =
  /\((ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_NODATA|EAI_FAIL|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|ERR_INVALID_IP_ADDRESS)\)/

/** Whether a failure is a connection that was never made (see {@link NO_CONNECTION}). */
export const isNoConnection = (error: CometError): boolean =>
  error._tag === "TransportError" && error.reason === "network" && NO_CONNECTION.test(error.detail)

/**
 * Retries of a connection that was never made at most (about 0.6 s of backoff): a server that
 * is restarting gets a second chance, a wrong host or port fails at once instead of after the
 * whole backoff.
 */
export const NO_CONNECTION_RETRIES = 2

/**
 * The status a proxy refused a request it forwards (plain http, through undici's ProxyAgent)
 * with, read from undici's error (its text, as `describe` gives the cause chain): 407, or null
 * when the failure is not that. (A refused `CONNECT` is told by the tunnel itself, tunnel.ts.)
 */
export const proxyRefusedWith = (described: string): number | null =>
  /Proxy Authentication Required \(407\)/.test(described) ? 407 : null

/**
 * A proxy that answered what no retry changes: bytes that are not HTTP (not an HTTP proxy's
 * address), or, after its 200 to `CONNECT`, bytes that are not TLS (as the tunnel writes them).
 */
const PROXY_MISSPOKE =
  /^the proxy \S+(?: \(from [^)]+\))? (answered .+ with bytes that are not HTTP|accepted CONNECT .+, but what came through the tunnel is not TLS)/

/** Whether a failure is a proxy that answered what no retry changes (see {@link PROXY_MISSPOKE}). */
export const isProxyMisspoke = (error: CometError): boolean =>
  error._tag === "TransportError" && error.reason === "network" && PROXY_MISSPOKE.test(error.detail)

/**
 * How many retries a failure may have, given the configured `maxRetries`, and whether that
 * number is `maxRetries` cutting short what the failure's kind would get (so that raising it
 * would help): never for a failure whose kind gets no more retries than `maxRetries` allows
 * (a 407 gets none, so with `maxRetries: 0` it was not stopped by `maxRetries`).
 */
export const retriesFor = (
  error: CometError,
  maxRetries: number
): { readonly retries: number; readonly byMaxRetries: boolean } => {
  // a proxy's refusal: credentials it does not accept never heal; another refusal (the proxy
  // could not reach the server), or an answer that is not HTTP (or not TLS through its tunnel),
  // gets the short retry of a connection never made. A proxy that dropped the connection gets
  // the whole retry, as any dropped connection.
  const refused = error._tag === "TransportError" ? Network.proxyRefusalStatus(error.detail) : null
  const cap =
    refused === 407
      ? 0
      : error._tag === "TransportError" && error.reason === "browser-network"
        ? BROWSER_NETWORK_RETRIES
        : isNoConnection(error) || refused !== null || isProxyMisspoke(error)
          ? NO_CONNECTION_RETRIES
          : Number.POSITIVE_INFINITY
  return maxRetries < cap ? { retries: maxRetries, byMaxRetries: true } : { retries: cap, byMaxRetries: false }
}
