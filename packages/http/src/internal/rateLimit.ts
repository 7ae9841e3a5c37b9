/**
 * The rate gate of one client instance. Every attempt (streamed or buffered) first passes the
 * client-wide pause after a 429 and the learned pace (`pacing.ts`), in the retry loop, then —
 * holding its permit — the configured limit (core's `rateLimit`: at most `limit` starts per
 * `interval`, by token bucket or fixed window), and at last, as it is sent, the pause again (a
 * 429 may have come while it waited for its permit) and its slot in the pace. The retry loop
 * tells the gate how each attempt was answered.
 *
 * @internal
 */
import { RateLimited, type RetryStop } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"
import { Pacing, type Ticket } from "./pacing.js"
import type { Resolved } from "./settings.js"
import type { Timer, Timers } from "./timers.js"
import { abortError, type WireResponse, type WireTransport } from "./transport.js"

/** The gate's view of one attempt: its ticket, and how long it may wait to be admitted. */
export interface GateTicket extends Ticket {
  readonly endpoint: string
  /** The attempt's number (1 = first). */
  readonly attempt: number
  /** The latest time (ms) the attempt may start, and which limit sets it. */
  readonly notAfter: number
  readonly limit: RetryStop
}

/** A ticket for one attempt of a request. */
export const ticketFor = (endpoint: string, attempt: number, notAfter: number, limit: RetryStop): GateTicket => ({
  // newTicket()'s fields written out: a spread makes a slow-shaped object per attempt (profiled)
  epoch: -1,
  admittedAt: 0,
  endpoint,
  attempt,
  notAfter,
  limit
})

/** The rate gate of one instance. */
export interface RateGate {
  /**
   * The configured limit, taken holding the attempt's permit (`Effect.void` when none is
   * configured).
   */
  readonly token: Effect.Effect<void>
  /**
   * Admit the attempt of `ticket`: at once, or after the client-wide pause, waited with `sleep`.
   * Fails with `RateLimited` (attempts: those already sent) when the wait would pass the
   * ticket's limit.
   */
  readonly admit: <E>(
    ticket: GateTicket,
    sleep: (millis: number) => Effect.Effect<void, E>
  ) => Effect.Effect<void, RateLimited | E>
  /** Admit the attempt of `ticket` if the client is not paused at `now` (ms); false when it must wait (`admit`). */
  readonly admitNow: (ticket: GateTicket, now: number) => boolean
  /** The server answered the attempt with anything but 429. */
  readonly accepted: (ticket: GateTicket) => void
  /** The server answered the attempt with 429, asking to wait `waitMillis` (Retry-After, else the backoff). */
  readonly throttled: (ticket: GateTicket, waitMillis: number) => Effect.Effect<void>
  /**
   * `transport`, sending each request in its slot of the pace, and holding back one sent while
   * the client is paused (a 429 came after its attempt was admitted) until the pause ends — on
   * `timers`, in plain code (no fiber).
   */
  readonly transport: (transport: WireTransport, timers: Timers) => WireTransport
  /** How long every attempt must still wait before it may start (0: not paused). */
  readonly pausedFor: Effect.Effect<number>
  /** The current pace in attempts per second, or null when the gate does not pace. */
  readonly rate: Effect.Effect<number | null>
}

/** Build the gate of one instance. The configured limiter's refill fiber lives in the Scope. */
export const makeRateGate = (settings: Resolved): Effect.Effect<RateGate, never, Scope.Scope> =>
  Effect.gen(function* () {
    const config = settings.config
    const limiter =
      config.rateLimit === null
        ? null
        : yield* RateLimiter.make({
            limit: config.rateLimit.limit,
            interval: config.rateLimit.interval,
            algorithm: settings.rateLimitAlgorithm
          })
    const pacing = new Pacing()

    const refuse = (ticket: GateTicket, waitMillis: number): RateLimited =>
      new RateLimited({
        endpoint: ticket.endpoint,
        retryAfterMillis: waitMillis,
        attempts: ticket.attempt - 1,
        serverMessage: null,
        stoppedBy: ticket.limit
      })

    const admit = <E>(
      ticket: GateTicket,
      sleep: (millis: number) => Effect.Effect<void, E>
    ): Effect.Effect<void, RateLimited | E> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const wait = pacing.pausedFor(now)
        if (wait <= 0) {
          pacing.admit(ticket, now)
          return Effect.void
        }
        if (now + wait > ticket.notAfter) return Effect.fail(refuse(ticket, wait))
        return Effect.zipRight(sleep(wait), admit(ticket, sleep))
      })

    const transport = (inner: WireTransport, timers: Timers): WireTransport => ({
      ...inner,
      send: (request, signal) => {
        const first = pacing.reserve(timers.now())
        if (first._tag === "Go") return inner.send(request, signal)
        return new Promise<WireResponse>((resolve, reject) => {
          let timer: Timer | null = null
          const onAbort = () => {
            timer?.cancel()
            reject(abortError(signal.reason))
          }
          const arm = (millis: number) => {
            timer = timers.after(millis, () => {
              const r = pacing.reserve(timers.now())
              if (r._tag !== "Go") return arm(r.millis)
              signal.removeEventListener("abort", onAbort)
              inner.send(request, signal).then(resolve, reject)
            })
          }
          if (signal.aborted) return onAbort()
          signal.addEventListener("abort", onAbort, { once: true })
          arm(first.millis)
        })
      }
    })

    return {
      token: limiter === null ? Effect.void : limiter(Effect.void),
      transport,
      admit,
      admitNow: (ticket, now) => {
        if (pacing.pausedFor(now) > 0) return false
        pacing.admit(ticket, now)
        return true
      },
      // the admission time stands for now: it only ages the memory of accepted attempts
      accepted: (ticket) => pacing.onAccepted(ticket, ticket.admittedAt),
      throttled: (ticket, waitMillis) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.map(Random.next, (r) => pacing.onThrottled(ticket, now, waitMillis, r))
        ),
      pausedFor: Effect.map(Clock.currentTimeMillis, (now) => pacing.pausedFor(now)),
      rate: Effect.map(Clock.currentTimeMillis, (now) => pacing.rate(now))
    } satisfies RateGate
  })
