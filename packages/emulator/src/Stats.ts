/**
 * What the emulator saw: requests per endpoint and status, faults injected, requests in flight
 * and the most ever in flight at once, and a bounded log of recent requests. Client tests
 * assert on it ("the client sent 3 requests, never more than 4 at once").
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
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
 * One request as the emulator saw it. `status` is the HTTP status sent (or that would have
 * been sent when the connection was reset or truncated).
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

/** @internal */
export class StatsRecorder implements EmulatorStats {
  private total = 0
  private endpoints = new Map<string, { requests: number; byStatus: Map<number, number> }>()
  private statuses = new Map<number, number>()
  private faultCounts = new Map<string, number>()
  private entries: Array<RequestLogEntry> = []
  private current = 0
  private max = 0
  private perEndpointIndex = new Map<string, number>()

  /** Register an arriving request; returns its 0-based index among requests to this endpoint. */
  begin(endpoint: string): number {
    this.total++
    this.current++
    if (this.current > this.max) this.max = this.current
    const n = this.perEndpointIndex.get(endpoint) ?? 0
    this.perEndpointIndex.set(endpoint, n + 1)
    return n
  }

  /** Register a finished request. */
  end(method: string, endpoint: string, status: number, fault: FaultKind | null): void {
    this.current--
    let e = this.endpoints.get(endpoint)
    if (e === undefined) {
      e = { requests: 0, byStatus: new Map() }
      this.endpoints.set(endpoint, e)
    }
    e.requests++
    e.byStatus.set(status, (e.byStatus.get(status) ?? 0) + 1)
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1)
    if (fault !== null) this.faultCounts.set(fault, (this.faultCounts.get(fault) ?? 0) + 1)
    this.entries.push({ index: this.entries.length, method, endpoint, status, fault })
    if (this.entries.length > LOG_LIMIT) this.entries.splice(0, this.entries.length - LOG_LIMIT)
  }

  readonly snapshot: Effect.Effect<EmulatorStatsSnapshot> = Effect.sync(() => {
    const byEndpoint: Record<string, EndpointCounts> = {}
    for (const [k, v] of [...this.endpoints.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      byEndpoint[k] = {
        requests: v.requests,
        byStatus: Object.fromEntries([...v.byStatus].map(([s, c]) => [String(s), c]))
      }
    }
    return {
      requests: this.total,
      byEndpoint,
      byStatus: Object.fromEntries([...this.statuses].map(([s, c]) => [String(s), c])),
      faults: Object.fromEntries(this.faultCounts),
      inFlight: this.current,
      maxInFlight: this.max,
      log: [...this.entries]
    }
  })

  readonly reset: Effect.Effect<void> = Effect.sync(() => {
    this.total = 0
    this.endpoints.clear()
    this.statuses.clear()
    this.faultCounts.clear()
    this.entries = []
    this.max = this.current
  })
}
