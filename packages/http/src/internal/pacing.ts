/**
 * The adaptive side of the client-wide rate gate, as a pure state machine over times in ms: a
 * 429 pauses every attempt of the client until its Retry-After (else the request's backoff)
 * plus jitter has passed; when the server throttles a large share of recent attempts, attempts
 * are then paced at a rate learned from what the server accepted, which backs off and recovers.
 * It knows nothing of the server's limit.
 *
 * @internal
 */

/** What the gate knows of one attempt: filled when the attempt is admitted. */
export interface Ticket {
  /** The pacing epoch the attempt was admitted in (-1: not admitted yet). */
  epoch: number
  /** When it was admitted, in ms. */
  admittedAt: number
}

/** A ticket for an attempt that has not been through the gate yet. */
export const newTicket = (): Ticket => ({ epoch: -1, admittedAt: 0 })

/** What `reserve` tells an attempt: start now, or wait and ask again. */
export type Reservation =
  | { readonly _tag: "Go" }
  | { readonly _tag: "Paused"; readonly millis: number }
  | { readonly _tag: "Slot"; readonly millis: number }

const GO: Reservation = { _tag: "Go" }

/** The shortest and longest window (a 429's wait) the rate is learned over. */
const MIN_WINDOW = 10
const MAX_WINDOW = 60_000
/** The share of the accepted rate the gate paces at (a margin under the server's limit). */
const MARGIN = 0.9
/** The share of throttled attempts (among the last `SAMPLE`) that means "too fast". */
const THROTTLED_SHARE = 1 / 3
/** How many of the last answered attempts the share is taken over, and the fewest it needs. */
const SAMPLE = 64
const MIN_SAMPLE = 8
/** Calm windows after a change before the pace grows again. */
const HOLD_WINDOWS = 3
/** Pacing faster than this (attempts per second) is no pacing: the gate stops pacing. */
const UNPACED_ABOVE = 1000
/** The most jitter added to a pause, in ms (else 10 % of the wait). */
const MAX_JITTER = 1000
/**
 * The longest pause one 429 sets for the whole client, in ms (an hour). A Retry-After further
 * off (`1000000000000`, a date in the year 9999: a broken proxy) would otherwise refuse every
 * call of a long-lived client for ever; past an hour the client asks the server again.
 */
export const MAX_PAUSE = 3_600_000
/** How many accepted attempts are remembered at most. */
const MAX_REMEMBERED = 4096

/**
 * The pause and the learned pace of one client.
 *
 * - Pause: a 429 pauses every attempt until `now + wait + jitter` (jitter up to 10 % of the
 *   wait, at most 1 s), `wait` being its Retry-After (at most an hour), else the request's backoff.
 * - Engage: a 429 while at least a third of the last answered attempts were throttled starts
 *   pacing at 90 % of the rate the server accepted over the window before it (the window is the
 *   429's wait), at least one attempt per window. Attempts then start one per slot.
 * - Recover: after three calm windows (no new 429) the pace grows by one attempt per window, or
 *   10 %, each window; past 1,000 attempts per second the gate stops pacing.
 * - Back off: a 429 while growing returns to the last pace that held; a 429 at that pace
 *   learns the rate again when throttling is heavy, and stops pacing when it is not (the
 *   throttling is then not about this client's pace).
 *
 * Only the first 429 of an attempt admitted since the last change counts as a new event; the
 * others of the same burst only extend the pause.
 */
export class Pacing {
  #pausedUntil = 0
  /** The pace known to hold, attempts per second; null while not pacing. */
  #plateau: number | null = null
  /** The current pace (the plateau, or above it while probing). */
  #perSecond: number | null = null
  /** When the last paced attempt started. */
  #lastStart = -Infinity
  #epoch = 0
  #window = 1000
  /** When the pace grows next, if no 429 comes first. */
  #nextGrowth = 0
  /** A rate to learn once the pause ends: the time of the 429 that asked for it. */
  #learnAt: number | null = null
  /** Admission times of attempts answered with anything but 429, in admission order. */
  readonly #accepted: Array<number> = []
  /** The last answered attempts: true when throttled. */
  readonly #answers: Array<boolean> = []

  /** The current pace in attempts per second, or null when not pacing. */
  rate(now: number): number | null {
    this.#settle(now)
    return this.#perSecond
  }

  /** How long every attempt must still wait before it may start (0: not paused). */
  pausedFor(now: number): number {
    // whole ms: a fractional wait can be rounded down by a clock and never end the pause
    return Math.max(0, Math.ceil(this.#pausedUntil - now))
  }

  /**
   * Ask to start an attempt: `Go`; or wait (out the pause, or until the next slot) and ask
   * again.
   */
  reserve(now: number): Reservation {
    if (now < this.#pausedUntil) return { _tag: "Paused", millis: Math.ceil(this.#pausedUntil - now) }
    this.#settle(now)
    if (this.#perSecond === null) return GO
    // no slot is booked ahead: a waiter asks again at its slot, so a new pace applies at once
    const slot = this.#lastStart + 1000 / this.#perSecond
    if (slot > now) return { _tag: "Slot", millis: Math.ceil(slot - now) }
    this.#lastStart = now
    return GO
  }

  /** Record that an attempt was admitted now. */
  admit(ticket: Ticket, now: number): void {
    ticket.epoch = this.#epoch
    ticket.admittedAt = now
  }

  /** The server answered an admitted attempt with anything but 429. */
  onAccepted(ticket: Ticket, now: number): void {
    if (ticket.epoch < 0) return
    this.#answer(false)
    // admission order is almost arrival order; keep the array sorted for the window count
    let i = this.#accepted.length
    while (i > 0 && (this.#accepted[i - 1] ?? 0) > ticket.admittedAt) i--
    this.#accepted.splice(i, 0, ticket.admittedAt)
    this.#forget(now)
  }

  /**
   * The server answered an admitted attempt with 429, asking to wait `waitMillis`; `random` is
   * a number in [0, 1) for the jitter.
   */
  onThrottled(ticket: Ticket, now: number, waitMillis: number, random: number): void {
    if (ticket.epoch < 0) return
    this.#answer(true)
    const wait = Math.min(MAX_PAUSE, Math.max(0, waitMillis))
    this.#pausedUntil = Math.max(this.#pausedUntil, Math.ceil(now + wait + random * Math.min(0.1 * wait, MAX_JITTER)))
    if (ticket.epoch < this.#epoch) return
    this.#settle(now)
    this.#epoch++
    this.#window = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, wait))
    if (this.#perSecond !== null && this.#plateau !== null && this.#perSecond > this.#plateau) {
      // a step up did not hold: back to the pace that did
      this.#perSecond = this.#plateau
    } else {
      // decided when the pause ends, once the answers of this burst are in
      this.#learnAt = now
    }
    this.#lastStart = -Infinity
    this.#nextGrowth = this.#pausedUntil + HOLD_WINDOWS * this.#window
  }

  /** Learn a pending rate once the pause is over, then grow by the calm windows since the last change. */
  #settle(now: number): void {
    if (this.#learnAt !== null && now >= this.#pausedUntil) {
      if (this.#throttledShare() >= THROTTLED_SHARE) {
        const until = this.#learnAt
        const since = until - this.#window
        let n = 0
        for (let i = this.#accepted.length - 1; i >= 0; i--) {
          const at = this.#accepted[i] ?? 0
          if (at <= since) break
          if (at <= until) n++
        }
        this.#perSecond = Math.max(1000 / this.#window, (MARGIN * n * 1000) / this.#window)
        this.#plateau = this.#perSecond
      } else {
        // throttled lightly: not about this client's pace
        this.#perSecond = null
        this.#plateau = null
      }
      this.#learnAt = null
    }
    while (this.#perSecond !== null && this.#learnAt === null && now >= this.#nextGrowth) {
      // the last step held for a whole window: it becomes the plateau, and the pace steps up
      this.#plateau = this.#perSecond
      this.#perSecond += Math.max(1000 / this.#window, 0.1 * this.#perSecond)
      this.#nextGrowth += this.#window
      if (this.#perSecond > UNPACED_ABOVE) {
        this.#perSecond = null
        this.#plateau = null
      }
    }
  }

  #answer(throttled: boolean): void {
    this.#answers.push(throttled)
    if (this.#answers.length > SAMPLE) this.#answers.shift()
  }

  #throttledShare(): number {
    if (this.#answers.length < MIN_SAMPLE) return 0
    let n = 0
    for (const a of this.#answers) if (a) n++
    return n / this.#answers.length
  }

  #forget(now: number): void {
    const horizon = now - MAX_WINDOW
    let drop = 0
    while (drop < this.#accepted.length && (this.#accepted[drop] ?? 0) <= horizon) drop++
    if (drop > MAX_REMEMBERED / 2 || this.#accepted.length - drop > MAX_REMEMBERED) {
      drop = Math.max(drop, this.#accepted.length - MAX_REMEMBERED)
    }
    if (drop > 0) this.#accepted.splice(0, drop)
  }
}
