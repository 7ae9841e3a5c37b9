/**
 * What the emulator saw: requests per endpoint and status, faults injected, requests in flight
 * and the most ever in flight at once, and a bounded log of recent requests. Client tests
 * assert on it ("the client sent 3 requests, never more than 4 at once").
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { FaultKind } from "./Faults.js"

/**
 * Counts for one endpoint.
 *
 * @since 0.1.0
 */
export interface EndpointCounts {
  readonly requests: number
  readonly byStatus: Readonly<Record<string, number>>
}

/**
 * One request as the emulator saw it. `status` is the HTTP status sent (the promised one for a
 * truncated body; 0 when the connection was reset before any response).
 *
 * @since 0.1.0
 */
export interface RequestLogEntry {
  readonly index: number
  readonly method: string
  readonly endpoint: string
  readonly status: number
  readonly fault: FaultKind | null
}

/**
 * A point-in-time copy of the counters.
 *
 * @since 0.1.0
 */
export interface EmulatorStatsSnapshot {
  readonly requests: number
  readonly byEndpoint: Readonly<Record<string, EndpointCounts>>
  readonly byStatus: Readonly<Record<string, number>>
  readonly faults: Readonly<Record<string, number>>
  readonly inFlight: number
  readonly maxInFlight: number
  /** The most recent requests (at most {@link LOG_LIMIT}), oldest first. */
  readonly log: ReadonlyArray<RequestLogEntry>
}

/**
 * How many requests the log keeps.
 *
 * @since 0.1.0
 */
export const LOG_LIMIT = 10_000

/**
 * The counters of one emulator instance.
 *
 * @since 0.1.0
 */
export interface EmulatorStats {
  /** Read the counters. */
  readonly snapshot: Effect.Effect<EmulatorStatsSnapshot>
  /** Zero every counter and clear the log (in-flight gauge excepted). */
  readonly reset: Effect.Effect<void>
}
