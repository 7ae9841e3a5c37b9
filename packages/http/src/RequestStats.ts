/**
 * RequestStats: exact counts of what the client sent — logical requests, attempts, retries by
 * cause, per-endpoint and per-server counts, bytes received and time spent. Readable at any
 * moment and resettable; the data behind `getPanelRequestCount` and `getPanelReport`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/**
 * Counts for one endpoint.
 *
 * @since 0.1.0
 */
export interface EndpointStats {
  /** Logical requests (one per call, however many attempts it took). */
  readonly requests: number
  /** HTTP attempts sent. */
  readonly attempts: number
  /** Attempts that were retries. */
  readonly retries: number
  /** Logical requests that ended in an error, or that their call's deadline or AbortSignal cut short. */
  readonly failures: number
  /** Response body bytes received. */
  readonly bytes: number
  /** Wall time spent in attempts, in ms. */
  readonly millis: number
}

/**
 * A point-in-time copy of the counters.
 *
 * @since 0.1.0
 */
export interface StatsSnapshot {
  /** Logical requests started. */
  readonly requests: number
  /** HTTP requests sent (requests + retries + resent). */
  readonly attempts: number
  /** Retries in total. */
  readonly retries: number
  /** Retries by cause: `"429"`, `"503"`, `"timeout"`, `"network"`, `"truncated"`, … */
  readonly retriesByCause: Readonly<Record<string, number>>
  /**
   * Requests sent once more, at once, on a new connection because the reused keep-alive
   * connection they went out on was closed by the server before any byte of the answer (Node
   * transport). Counted in `attempts`; not retries (no backoff, not against `maxRetries`).
   */
  readonly resent: number
  /**
   * Logical requests that ended in an error — and those their call was ended under from outside
   * (the caller gets a TransportError): its deadline passed (`callTimeout`, `withCallTimeout`,
   * the facade's `callTimeoutMs`) or its AbortSignal fired (the facade's `signal`, an Effect
   * marked with `withCallEnd`). A request its caller's own code interrupts (its own timeout, a
   * race lost, a stream read no further, a download cancelled) is not a failure.
   */
  readonly failures: number
  /** Requests answered from the response cache (no attempt sent). */
  readonly cacheHits: number
  /** Requests that joined an identical GET already in flight (no attempt sent). */
  readonly coalesced: number
  /** Per endpoint (`experiment/metadata`, …). */
  readonly byEndpoint: Readonly<Record<string, EndpointStats>>
  /** Logical requests per server root URL. */
  readonly byServer: Readonly<Record<string, number>>
  /** Response body bytes received. */
  readonly bytesReceived: number
  /** Wall time spent in attempts, in ms. */
  readonly millis: number
  /** Attempts in flight now. */
  readonly inFlight: number
  /** The most attempts ever in flight at once. */
  readonly maxInFlight: number
}

/**
 * The request counters of one client instance.
 *
 * @since 0.1.0
 */
export interface RequestStatsShape {
  /** Read the counters. */
  readonly snapshot: Effect.Effect<StatsSnapshot>
  /** Set every counter back to zero (in-flight gauges excepted). */
  readonly reset: Effect.Effect<void>
}

/**
 * The request counters of one client instance, as an Effect service.
 *
 * @since 0.1.0
 */
export class RequestStats extends Context.Tag("@comet-ts/http/RequestStats")<RequestStats, RequestStatsShape>() {}
