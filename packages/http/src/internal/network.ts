/**
 * What kind of network failure a rejected `fetch` is, and how many retries each kind gets. A
 * browser rejects with a bare `TypeError` whose message is all it says ("Failed to fetch") for a
 * CORS refusal and for a refused connection alike, hiding the cause from the page on purpose; a
 * CORS refusal never heals, so that kind gets a short retry, not the whole retry budget.
 *
 * @internal
 */
import type { CometError } from "@comet-ts/core"
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

/** How many retries a failure may have, given the configured `maxRetries`. */
export const retriesFor = (error: CometError, maxRetries: number): number =>
  error._tag === "TransportError" && error.reason === "browser-network"
    ? Math.min(maxRetries, BROWSER_NETWORK_RETRIES)
    : maxRetries
