/**
 * The rate gate of one client instance, which every attempt (streamed or buffered) passes just
 * before it is sent: the configured limit (core's `rateLimit`: at most `limit` starts per
 * `interval`, by token bucket or fixed window), then the client-wide pause after a 429 and the
 * learned pace (`pacing.ts`). The retry loop tells the gate how each attempt was answered.
 *
 * @internal
 */
import { type CometError, RateLimited, type RetryStop, withRetryStop } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Random from "effect/Random"
import * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"
import { AttemptFailure } from "./attempt.js"
import { newTicket, Pacing, type Ticket } from "./pacing.js"
import type { Resolved } from "./settings.js"

/** The gate's view of one attempt: its ticket, and how long it may wait to be admitted. */
export interface GateTicket extends Ticket {
  readonly endpoint: string
  /** The attempt's number (1 = first). */
  readonly attempt: number
  /** The latest time (ms) the attempt may start, and which limit sets it. */
  readonly notAfter: number
  readonly limit: RetryStop
}

/** The ticket of the attempt running in this fiber (set by the retry loop around each attempt). */
const CurrentTicket = FiberRef.unsafeMake<GateTicket | null>(null)

/**
 * The gate refused to admit an attempt: the client-wide wait after a 429 would pass the
 * request's retry budget or its call's deadline. Never retried.
 */
export class Refused extends AttemptFailure {}

/** The rate gate of one instance. */
export interface RateGate {
  /** Wait until the running attempt may be sent (fails with `Refused` when it may not). */
  readonly take: Effect.Effect<void, AttemptFailure>
  /** Run one attempt under `ticket` (what `take` reads). */
  readonly run: <A>(ticket: GateTicket, attempt: Effect.Effect<A, AttemptFailure>) => Effect.Effect<A, AttemptFailure>
  /** The server answered the attempt with anything but 429. */
  readonly accepted: (ticket: GateTicket) => Effect.Effect<void>
  /** The server answered the attempt with 429, asking to wait `waitMillis` (Retry-After, else the backoff). */
  readonly throttled: (ticket: GateTicket, waitMillis: number) => Effect.Effect<void>
  /** How long every attempt must still wait before it may start (0: not paused). */
  readonly pausedFor: Effect.Effect<number>
  /** The current pace in attempts per second, or null when the gate does not pace. */
  readonly rate: Effect.Effect<number | null>
}

/** A ticket for one attempt of a request. */
export const ticketFor = (endpoint: string, attempt: number, notAfter: number, limit: RetryStop): GateTicket => ({
  ...newTicket(),
  endpoint,
  attempt,
  notAfter,
  limit
})

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

    const refuse = (ticket: GateTicket, waitMillis: number): Refused =>
      new Refused(
        withRetryStop(
          new RateLimited({
            endpoint: ticket.endpoint,
            retryAfterMillis: waitMillis,
            attempts: ticket.attempt - 1,
            serverMessage: null
          }),
          ticket.limit
        ) as CometError,
        null,
        waitMillis
      )

    const untracked = ticketFor("", 1, Number.POSITIVE_INFINITY, "retryBudget")

    /** Admit the attempt of `ticket` now, or wait (out the pause, or for its slot) and ask again. */
    const admit = (ticket: GateTicket, now: number): Effect.Effect<void, AttemptFailure> => {
      const r = pacing.reserve(now)
      if (r._tag === "Go") {
        pacing.admit(ticket, now)
        return Effect.void
      }
      if (now + r.millis > ticket.notAfter) return Effect.fail(refuse(ticket, r.millis))
      return Effect.zipRight(Effect.sleep(Duration.millis(r.millis)), adaptive)
    }

    /** Wait out the pause and the pace; admit the attempt in its ticket. */
    const adaptive: Effect.Effect<void, AttemptFailure> = Effect.flatMap(FiberRef.get(CurrentTicket), (ticket) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => admit(ticket ?? untracked, now))
    )

    const take = limiter === null ? adaptive : Effect.zipRight(limiter(Effect.void), adaptive)

    return {
      take,
      run: (ticket, attempt) => Effect.locally(attempt, CurrentTicket, ticket),
      // the admission time stands for now: it only ages the memory of accepted attempts
      accepted: (ticket) => Effect.sync(() => pacing.onAccepted(ticket, ticket.admittedAt)),
      throttled: (ticket, waitMillis) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.map(Random.next, (r) => pacing.onThrottled(ticket, now, waitMillis, r))
        ),
      pausedFor: Effect.map(Clock.currentTimeMillis, (now) => pacing.pausedFor(now)),
      rate: Effect.map(Clock.currentTimeMillis, (now) => pacing.rate(now))
    } satisfies RateGate
  })
