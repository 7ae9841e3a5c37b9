/**
 * `CometHttp.stream`: large downloads as a byte Stream, never buffered whole. The opening
 * attempt (permit, token, request, first bytes) is retried; the permit and the open body are
 * held until the stream ends; a body cut short or stalled fails the stream with a
 * `TransportError` ("truncated", "timeout").
 *
 * @internal
 */
import { type CometError, TransportError } from "@comet-ts/core"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { type AttemptContext, AttemptFailure, type Attempts } from "./attempt.js"
import { declaredLength, describe, lengthIsCheckable } from "./body.js"
import type { CometHttpShape, RequestOptions } from "./contract.js"
import type { WithRetries } from "./retry.js"
import type { Target, Targets } from "./target.js"

/** Build `stream` over one instance's attempts and retry policy. */
export const makeStream = (
  ctx: AttemptContext,
  targets: Targets,
  attempts: Attempts,
  withRetries: WithRetries
): CometHttpShape["stream"] => {
  const { settings, scrub, permits, takeToken, stats } = ctx
  const cfg = settings.config
  const { target } = targets
  const { execute, checkStatus, timeoutFailure, attemptSpan } = attempts

  interface Opened {
    readonly first: Chunk.Chunk<Uint8Array>
    readonly rest: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<CometError>> | null
    readonly attempt: number
  }

  /**
   * One attempt of a streamed download, run in a child of the stream's scope: a permit and a
   * token are taken, the request sent and the first bytes awaited (the time-to-first-byte
   * timeout). On success the child scope — and with it the permit and the open body — lives
   * until the stream ends; on failure it is closed at once.
   */
  const openAttempt = (
    t: Target,
    attempt: number,
    timeout: Duration.Duration,
    outer: Scope.Scope
  ): Effect.Effect<Opened, AttemptFailure> =>
    Effect.gen(function* () {
      const child = yield* Scope.fork(outer, ExecutionStrategy.sequential)
      const run = Effect.gen(function* () {
        yield* Effect.uninterruptibleMask((restore) =>
          restore(permits.take).pipe(Effect.zipRight(Scope.addFinalizer(child, permits.release)))
        )
        yield* takeToken
        const start = yield* Clock.currentTimeMillis
        yield* Effect.acquireRelease(
          Effect.sync(() => stats.attemptStart(t.endpoint)),
          () =>
            Effect.flatMap(Clock.currentTimeMillis, (end) =>
              Effect.sync(() => stats.attemptEnd(t.endpoint, end - start))
            )
        )
        return yield* Effect.gen(function* () {
          const response = yield* execute(t, attempt)
          yield* checkStatus(t, response, attempt)
          const declared = lengthIsCheckable(response.headers) ? declaredLength(response.headers) : null
          let received = 0
          const truncated = (detail: string) =>
            new TransportError({
              endpoint: t.endpoint,
              reason: "truncated",
              detail: scrub(detail),
              attempts: attempt
            })
          const body: Stream.Stream<Uint8Array, CometError> = response.stream.pipe(
            Stream.catchAll((e) =>
              e.reason === "EmptyBody"
                ? Stream.empty
                : Stream.fail(
                    truncated(
                      `the body broke off after ${received} bytes${declared === null ? "" : ` of ${declared}`} (${describe(e.cause)})`
                    )
                  )
            ),
            Stream.tap((chunk) =>
              Effect.sync(() => {
                received += chunk.length
                stats.received(t.endpoint, chunk.length)
              })
            ),
            Stream.concat(
              Stream.execute(
                Effect.suspend(() =>
                  declared !== null && received < declared
                    ? Effect.fail(
                        truncated(
                          `the body ended after ${received} of the ${declared} bytes announced by Content-Length`
                        )
                      )
                    : Effect.void
                )
              )
            )
          )
          const pull = yield* Stream.toPull(body)
          const first = yield* Effect.either(pull)
          if (Either.isRight(first)) return { first: first.right, rest: pull, attempt }
          return yield* Option.match(first.left, {
            onNone: () => Effect.succeed<Opened>({ first: Chunk.empty(), rest: null, attempt }),
            onSome: (e) => Effect.fail(new AttemptFailure(e, 200, null))
          })
        }).pipe(
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => timeoutFailure(t, attempt, timeout, "no first byte")
          }),
          attemptSpan(t, attempt)
        )
      })
      return yield* run.pipe(
        Scope.extend(child),
        Effect.onError((cause) => Scope.close(child, Exit.failCause(cause)))
      )
    })

  const stream = (endpoint: string, options?: RequestOptions): Stream.Stream<Uint8Array, CometError> =>
    Either.match(target("GET", endpoint, options?.params, undefined, "*/*", "bytes"), {
      onLeft: (e) => Stream.fail(e),
      onRight: (t) => {
        const timeout = options?.timeout === undefined ? cfg.downloadTimeout : Duration.decode(options.timeout)
        const opened = Effect.gen(function* () {
          stats.request(t.endpoint, cfg.baseUrl)
          const outer = yield* Effect.scope
          const { first, rest, attempt } = yield* withRetries(t, (attempt) => openAttempt(t, attempt, timeout, outer))
          const tail =
            rest === null
              ? Stream.empty
              : Stream.repeatEffectChunkOption(
                  rest.pipe(
                    Effect.timeoutFail({
                      duration: timeout,
                      onTimeout: () =>
                        Option.some<CometError>(
                          new TransportError({
                            endpoint: t.endpoint,
                            reason: "timeout",
                            detail: `no data for ${Duration.format(timeout)} in the middle of the body`,
                            attempts: attempt
                          })
                        )
                    })
                  )
                )
          return Stream.concat(Stream.fromChunk(first), tail)
        })
        return Stream.unwrapScoped(opened).pipe(
          Stream.tapError(() => Effect.sync(() => stats.failure(t.endpoint))),
          Stream.withSpan("CometHttp.stream", {
            kind: "client",
            captureStackTrace: false,
            attributes: { "comet.endpoint": t.endpoint, "http.request.method": "GET" }
          })
        )
      }
    })

  return stream
}
