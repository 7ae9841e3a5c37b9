/**
 * The client-side rate limit of one instance: at most `limit` attempt starts per `interval`
 * (core's `rateLimit` setting), counted by token bucket or fixed window. Every attempt, streamed
 * or buffered, waits for one token before it is sent.
 *
 * @internal
 */
import type { ResolvedConfig } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import * as RateLimiter from "effect/RateLimiter"
import type * as Scope from "effect/Scope"

/** Wait for one token: a no-op when no rate limit is configured. The refill fiber lives in the Scope. */
export const makeRateGate = (
  config: ResolvedConfig,
  algorithm: "token-bucket" | "fixed-window"
): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const limiter =
      config.rateLimit === null
        ? null
        : yield* RateLimiter.make({
            limit: config.rateLimit.limit,
            interval: config.rateLimit.interval,
            algorithm
          })
    return limiter === null ? Effect.void : limiter(Effect.void)
  })
