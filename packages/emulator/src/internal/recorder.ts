/**
 * The mutable counters behind {@link EmulatorStats}.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type { FaultKind } from "../Faults.js"
import {
  type EmulatorStats,
  type EmulatorStatsSnapshot,
  type EndpointCounts,
  LOG_LIMIT,
  type RequestLogEntry
} from "../Stats.js"

/** Counts requests as the emulator begins and ends them. */
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
