/**
 * The retry policy: what is retried (`isRetryable` from core), the backoff (doubling, ±20%
 * jitter, capped), Retry-After (waited at least), `maxRetries` and the retry budget.
 *
 * @internal
 */
import { type CometError, isRetryable } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Random from "effect/Random"
import type { AttemptFailure } from "./attempt.js"
import { retriesFor } from "./network.js"
import type { Resolved } from "./settings.js"
import type { StatsRecorder } from "./stats.js"
import type { Target } from "./target.js"
import { annotate } from "./tracing.js"

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

/** Run attempts of one request under the retry policy. */
export type WithRetries = <A>(
  t: Target,
  run: (attempt: number) => Effect.Effect<A, AttemptFailure>
) => Effect.Effect<A, CometError>

/** The retry policy of one client instance, counting retries in its stats. */
export const makeRetries = (settings: Resolved, stats: StatsRecorder): WithRetries => {
  const cfg = settings.config

  const backoff = (retry: number): Effect.Effect<number> =>
    Effect.map(Random.next, (r) =>
      Math.round(Math.min(settings.maxDelayMillis, settings.baseDelayMillis * 2 ** (retry - 1) * (0.8 + 0.4 * r)))
    )

  /**
   * Run attempts until one succeeds, a failure is not retryable, `maxRetries` retries were
   * made, or the next wait (backoff, at least any Retry-After) would pass the retry budget —
   * then fail at once with the last error (a RateLimited carries its Retry-After).
   */
  const withRetries = <A>(t: Target, run: (attempt: number) => Effect.Effect<A, AttemptFailure>) =>
    Effect.gen(function* () {
      const started = yield* Clock.currentTimeMillis
      let attempt = 1
      while (true) {
        const result = yield* Effect.either(run(attempt))
        if (Either.isRight(result)) {
          yield* annotate({ "comet.attempts": attempt, "http.response.status_code": 200 })
          return result.right
        }
        const failure = result.left
        yield* annotate({
          "comet.attempts": attempt,
          ...(failure.status === null ? {} : { "http.response.status_code": failure.status }),
          "comet.error": failure.error._tag
        })
        if (!isRetryable(failure.error) || attempt > retriesFor(failure.error, cfg.maxRetries))
          return yield* Effect.fail(failure.error)
        const delay = yield* backoff(attempt)
        const wait = failure.retryAfterMillis === null ? delay : Math.max(delay, failure.retryAfterMillis)
        const now = yield* Clock.currentTimeMillis
        if (now - started + wait > settings.retryBudgetMillis) return yield* Effect.fail(failure.error)
        const cause = retryCause(failure)
        yield* Effect.logDebug("CometHttp: retrying").pipe(
          Effect.annotateLogs({ endpoint: t.endpoint, cause, attempt, waitMillis: wait })
        )
        yield* Effect.sleep(Duration.millis(wait))
        stats.retry(t.endpoint, cause)
        attempt++
      }
    })

  return withRetries
}
