/**
 * The retry policy: what is retried (`isRetryable` from core), the backoff (doubling, ±20%
 * jitter, capped), Retry-After (waited at least), `maxRetries` (fewer retries for a connection
 * that cannot be made), the retry budget and the call's deadline; a failure that ends on one of
 * these limits says which.
 *
 * @internal
 */
import { type CometError, isRetryable, type RetryStop, withRetryStop } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Random from "effect/Random"
import type { AttemptFailure } from "./attempt.js"
import type { Closing } from "./closing.js"
import { CurrentDeadline, type Deadline } from "./deadline.js"
import { retriesFor } from "./network.js"
import { type GateTicket, type RateGate, ticketFor } from "./rateLimit.js"
import type { Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Target } from "./target.js"
import { annotate, nativeTracer } from "./tracing.js"

/** The cause a retry is counted under in the stats: `"429"`, `"503"`, `"timeout"`, … */
const retryCause = (f: AttemptFailure): string => {
  const e = f.error
  switch (e._tag) {
    case "RateLimited":
      return "429"
    case "ServerError":
      return String(e.status)
    case "TransportError":
      return e.reason
    default:
      return e._tag
  }
}

/**
 * The error a request ends with when `error` came after `attempt` attempts: the error itself
 * when it is not retried, marked as stopped by `maxRetries` when those retries were used up;
 * null when it may be retried.
 */
export const finalError = (error: CometError, attempt: number, maxRetries: number): CometError | null => {
  if (!isRetryable(error)) return error
  const allowed = retriesFor(error, maxRetries)
  if (attempt <= allowed.retries) return null
  return allowed.byMaxRetries ? withRetryStop(error, "maxRetries") : error
}

/** Run attempts of one request under the retry policy. */
export type WithRetries = <A>(
  t: Target,
  run: (attempt: number) => Effect.Effect<A, AttemptFailure>
) => Effect.Effect<A, CometError>

/** An attempt already made, and how it failed (the loop goes on from it). */
export interface FirstFailure {
  readonly attempt: number
  readonly ticket: GateTicket
  readonly failure: AttemptFailure
}

/** The retry policy of one instance, and its parts for a first attempt made in plain code. */
export interface Retries {
  readonly withRetries: WithRetries
  /**
   * The ticket of a first attempt at `started` (ms), admitted now by the rate gate and counted
   * in `deadline`; null when the client is paused (then the loop, which waits, makes it).
   */
  readonly admitFirst: (t: Target, started: number, deadline: Deadline | null) => GateTicket | null
  /**
   * The rest of the policy: the loop from the failure of an attempt already made (`first`), or
   * from the start (null). `started` is when the request began (for the retry budget).
   */
  readonly afterFailure: <A>(
    t: Target,
    run: (attempt: number) => Effect.Effect<A, AttemptFailure>,
    started: number,
    deadline: Deadline | null,
    first: FirstFailure | null
  ) => Effect.Effect<A, CometError>
  /** The server answered the attempt of `ticket` (not with 429): the gate learns it. */
  readonly accepted: (ticket: GateTicket) => void
}

/** The retry policy of one client instance, counting retries in its stats and telling its rate gate each answer. */
export const makeRetries = (settings: Resolved, stats: StatsRecorder, gate: RateGate, closing: Closing): Retries => {
  const cfg = settings.config

  const backoff = (retry: number): Effect.Effect<number> =>
    Effect.map(Random.next, (r) =>
      Math.round(Math.min(settings.maxDelayMillis, settings.baseDelayMillis * 2 ** (retry - 1) * (0.8 + 0.4 * r)))
    )

  /** Tell the gate how the server answered a failed attempt (nothing when no answer came). */
  const report = (ticket: GateTicket, failure: AttemptFailure, waitMillis: number): Effect.Effect<void> => {
    if (failure.status === 429) return gate.throttled(ticket, failure.retryAfterMillis ?? waitMillis)
    if (failure.status !== null) gate.accepted(ticket)
    return Effect.void
  }

  const afterFailure = <A>(
    t: Target,
    run: (attempt: number) => Effect.Effect<A, AttemptFailure>,
    started: number,
    deadline: Deadline | null,
    first: FirstFailure | null
  ): Effect.Effect<A, CometError> =>
    Effect.gen(function* () {
      const budgetEnd = started + settings.retryBudgetMillis
      /** The latest time a wait may end, and the limit that sets it. */
      const limits = (): [number, RetryStop] => {
        const at = deadline === null ? Number.POSITIVE_INFINITY : deadline.at()
        return at < budgetEnd ? [at, "callTimeout"] : [budgetEnd, "retryBudget"]
      }
      let attempt = first === null ? 1 : first.attempt
      let last: CometError | null = null
      let pending = first
      while (true) {
        let ticket: GateTicket
        let failure: AttemptFailure
        if (pending !== null) {
          // the attempt already made (the first, on the fast path)
          ticket = pending.ticket
          failure = pending.failure
          pending = null
        } else {
          const [notAfter, limit] = limits()
          ticket = ticketFor(t.endpoint, attempt, notAfter, limit)
          const sleep = (millis: number) => closing.sleep(millis, t.endpoint, attempt - 1)
          const admitted = yield* Effect.either(gate.admit(ticket, sleep))
          if (Either.isLeft(admitted)) {
            const refused = admitted.left
            // the client-wide wait after a 429 would pass the limit: this attempt is not sent
            return yield* Effect.fail(
              refused._tag === "RateLimited" && last !== null ? withRetryStop(last, ticket.limit) : refused
            )
          }
          deadline?.count(1)
          const result = yield* Effect.either(run(attempt))
          if (Either.isRight(result)) {
            gate.accepted(ticket)
            yield* annotate({ "comet.attempts": attempt, "http.response.status_code": 200 })
            return result.right
          }
          failure = result.left
        }
        last = failure.error
        const delay = yield* backoff(attempt)
        const wait = failure.retryAfterMillis === null ? delay : Math.max(delay, failure.retryAfterMillis)
        yield* report(ticket, failure, delay)
        yield* annotate({
          "comet.attempts": attempt,
          ...(failure.status === null ? {} : { "http.response.status_code": failure.status }),
          "comet.error": failure.error._tag
        })
        const final = finalError(failure.error, attempt, cfg.maxRetries)
        if (final !== null) return yield* Effect.fail(final)
        const now = yield* Clock.currentTimeMillis
        const [notAfterNow, limitNow] = limits()
        if (now + wait > notAfterNow) return yield* Effect.fail(withRetryStop(failure.error, limitNow))
        const cause = retryCause(failure)
        yield* Effect.logDebug("CometHttp: retrying").pipe(
          Effect.annotateLogs({ endpoint: t.endpoint, cause, attempt, waitMillis: wait })
        )
        yield* closing.sleep(wait, t.endpoint, attempt - 1)
        stats.retry(t.endpoint, cause)
        attempt++
      }
    })

  /**
   * Run attempts until one succeeds, a failure is not retryable, the retries allowed were made
   * (`maxRetries`, fewer for a connection that cannot be made), or the next wait (backoff, at
   * least any Retry-After) would pass the retry budget or the call's deadline — then fail at once
   * with the last error, saying which limit ended it. Every attempt first passes the rate gate,
   * which learns from every answer; every wait ends at once when the client closes.
   *
   * The first attempt, when the gate admits it at once, is made without the loop (one step to
   * read the fiber's clock, deadline and tracer, then the attempt): most requests end there.
   */
  /** The first attempt's ticket, admitted by the gate now — null when it must wait (the loop waits). */
  const admitFirst = (t: Target, started: number, deadline: Deadline | null): GateTicket | null => {
    const budgetEnd = started + settings.retryBudgetMillis
    const at = deadline === null ? Number.POSITIVE_INFINITY : deadline.at()
    const ticket = ticketFor(t.endpoint, 1, Math.min(at, budgetEnd), at < budgetEnd ? "callTimeout" : "retryBudget")
    if (!gate.admitNow(ticket, started)) return null
    deadline?.count(1)
    return ticket
  }

  const withRetries = <A>(t: Target, run: (attempt: number) => Effect.Effect<A, AttemptFailure>) =>
    Effect.withFiberRuntime<A, CometError>((fiber) => {
      const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
      const started = clock.unsafeCurrentTimeMillis()
      const deadline = fiber.getFiberRef(CurrentDeadline)
      const ticket = admitFirst(t, started, deadline)
      if (ticket === null) return afterFailure(t, run, started, deadline, null)
      const traced = fiber.currentTracer !== nativeTracer
      return Effect.matchEffect(run(1), {
        onSuccess: (value) => {
          gate.accepted(ticket)
          return traced
            ? Effect.as(annotate({ "comet.attempts": 1, "http.response.status_code": 200 }), value)
            : Effect.succeed(value)
        },
        onFailure: (failure) => afterFailure(t, run, started, deadline, { attempt: 1, ticket, failure })
      })
    })
  return { withRetries, admitFirst, afterFailure, accepted: (ticket) => gate.accepted(ticket) }
}
