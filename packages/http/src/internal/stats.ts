/**
 * The mutable counters behind RequestStats. Every update is a synchronous call made from an
 * `Effect.sync`, so counts stay exact however many fibers run at once.
 *
 * @internal
 */
import type { EndpointStats, StatsSnapshot } from "../RequestStats.js"

interface MutableEndpoint {
  requests: number
  attempts: number
  retries: number
  failures: number
  bytes: number
  millis: number
}

const emptyEndpoint = (): MutableEndpoint => ({
  requests: 0,
  attempts: 0,
  retries: 0,
  failures: 0,
  bytes: 0,
  millis: 0
})

/** @internal */
export class StatsRecorder {
  #requests = 0
  #attempts = 0
  #retries = 0
  #resent = 0
  #failures = 0
  #cacheHits = 0
  #coalesced = 0
  #bytesReceived = 0
  #millis = 0
  #retriesByCause = new Map<string, number>()
  #byEndpoint = new Map<string, MutableEndpoint>()
  #byServer = new Map<string, number>()
  #inFlight = 0
  #maxInFlight = 0

  #endpoint(name: string): MutableEndpoint {
    let e = this.#byEndpoint.get(name)
    if (e === undefined) {
      e = emptyEndpoint()
      this.#byEndpoint.set(name, e)
    }
    return e
  }

  /** A logical request (one call) started. */
  request(endpoint: string, server: string): void {
    this.#requests++
    this.#endpoint(endpoint).requests++
    this.#byServer.set(server, (this.#byServer.get(server) ?? 0) + 1)
  }

  cacheHit(): void {
    this.#cacheHits++
  }

  coalescedJoin(): void {
    this.#coalesced++
  }

  /** A logical request ended in an error. */
  failure(endpoint: string): void {
    this.#failures++
    this.#endpoint(endpoint).failures++
  }

  /** An HTTP attempt is about to be sent. */
  attemptStart(endpoint: string): void {
    this.#attempts++
    this.#endpoint(endpoint).attempts++
    this.#inFlight++
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight
  }

  /** An HTTP attempt ended (response read, failed or interrupted). */
  attemptEnd(endpoint: string, millis: number): void {
    this.#inFlight--
    this.#millis += millis
    this.#endpoint(endpoint).millis += millis
  }

  /**
   * The transport sent an attempt's request once more on a new connection (a reused keep-alive
   * connection closed under it before any byte of the answer): on the wire, so an attempt; not a
   * retry.
   */
  resent(endpoint: string): void {
    this.#resent++
    this.#attempts++
    this.#endpoint(endpoint).attempts++
  }

  /** Body bytes arrived. */
  received(endpoint: string, bytes: number): void {
    this.#bytesReceived += bytes
    this.#endpoint(endpoint).bytes += bytes
  }

  /** A retry was decided (the next attempt will be a retry). */
  retry(endpoint: string, cause: string): void {
    this.#retries++
    this.#endpoint(endpoint).retries++
    this.#retriesByCause.set(cause, (this.#retriesByCause.get(cause) ?? 0) + 1)
  }

  snapshot(): StatsSnapshot {
    const byEndpoint: Record<string, EndpointStats> = {}
    for (const [name, e] of this.#byEndpoint) byEndpoint[name] = { ...e }
    return {
      requests: this.#requests,
      attempts: this.#attempts,
      retries: this.#retries,
      retriesByCause: Object.fromEntries(this.#retriesByCause),
      resent: this.#resent,
      failures: this.#failures,
      cacheHits: this.#cacheHits,
      coalesced: this.#coalesced,
      byEndpoint,
      byServer: Object.fromEntries(this.#byServer),
      bytesReceived: this.#bytesReceived,
      millis: this.#millis,
      inFlight: this.#inFlight,
      maxInFlight: this.#maxInFlight
    }
  }

  /** Zero every counter; the in-flight gauge is kept and the maximum restarts from it. */
  reset(): void {
    this.#requests = 0
    this.#attempts = 0
    this.#retries = 0
    this.#resent = 0
    this.#failures = 0
    this.#cacheHits = 0
    this.#coalesced = 0
    this.#bytesReceived = 0
    this.#millis = 0
    this.#retriesByCause = new Map()
    this.#byEndpoint = new Map()
    this.#byServer = new Map()
    this.#maxInFlight = this.#inFlight
  }
}
