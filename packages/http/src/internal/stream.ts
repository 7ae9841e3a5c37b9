/**
 * Downloads: `CometHttp.open` gives a `Download` read in plain code straight from the
 * transport's body (one chunk per `next()`, byte counting and the Content-Length check inline,
 * an idle timer touched per chunk instead of a timeout per pull), and `CometHttp.stream` is the
 * same as an Effect `Stream`, one chunk at a time. The opening (permit, token, request, first
 * bytes) is retried under the retry policy; the permit is held until the body ends.
 *
 * A body that breaks off in the middle resumes: the request is sent again with
 * `Range: bytes=N-` (with `If-Range` when the first answer named a validator); a 206 continues
 * from N, a 200 is read again from the start and its first N bytes skipped, so the consumer
 * gets every byte exactly once. Failures after a resume that got no new byte are bounded by
 * `maxRetries` and the retry budget, as any request; a resume that brought new bytes starts a
 * fresh count (a long download may break more than `maxRetries` times, each time further on).
 *
 * @internal
 */
import { type CometError, TransportError } from "@comet-ts/core"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import { type AttemptContext, type AttemptFailure, type Attempts, millisOf, TIMEOUT } from "./attempt.js"
import { type CallEnded, CurrentCallEnds, callEnded } from "./callEnd.js"
import type { RequestOptions } from "./contract.js"
import { type Identity, makeOpening, type Open } from "./downloadOpen.js"
import { finalError, type WithRetries } from "./retry.js"
import type { Target, Targets } from "./target.js"
import type { IdleTimer } from "./timers.js"

/**
 * An open download: `next()` gives the next chunk, or null at the end, and rejects with the
 * typed `CometError` when it fails; `cancel()` ends it (closing the connection and releasing
 * the permit). Never both: after null, a rejection or `cancel()`, `next()` resolves null.
 */
export interface Download {
  readonly next: () => Promise<Uint8Array | null>
  readonly cancel: () => void
  /** The body's total length when the server announced it, else null. */
  readonly length: number | null
}

/** Build `open` and `stream` over one instance's attempts and retry policy. */
export const makeDownloads = (ctx: AttemptContext, targets: Targets, attempts: Attempts, withRetries: WithRetries) => {
  const { settings, stats, timers } = ctx
  /** The downloads open now, ended with an error when the client closes. */
  const live = new Set<{ readonly close: () => void }>()

  /** End every open download with a failure saying the client was closed. */
  const closeAll = () => {
    for (const d of [...live]) d.close()
  }
  const cfg = settings.config
  const { timeoutFailure, describeError } = attempts

  const { openAttempt, truncated, corrupt } = makeOpening(ctx, attempts)

  /**
   * Open a download: the first response is retried under the retry policy; the Download then
   * reads it and resumes it when it breaks.
   */
  const open = (endpoint: string, options?: RequestOptions): Effect.Effect<Download, CometError> =>
    Effect.suspend(() =>
      Either.match(targets.target("GET", endpoint, options?.params, undefined, "*/*", "bytes"), {
        onLeft: (e) => Effect.fail(e),
        onRight: (t) => openTarget(t, options)
      })
    )

  const openTarget = (t: Target, options: RequestOptions | undefined): Effect.Effect<Download, CometError> =>
    Effect.gen(function* () {
      const timeout = options?.timeout === undefined ? cfg.downloadTimeout : Duration.decode(options.timeout)
      const millis = millisOf(timeout)
      stats.request(t.endpoint, cfg.baseUrl)
      const runtime = yield* Effect.runtime<never>()
      // the calls it is part of: a download they end with an error (deadline, AbortSignal) failed
      const ends = yield* FiberRef.get(CurrentCallEnds)
      const first = yield* withRetries(t, (attempt) =>
        openAttempt(t, attempt, millis, 0, null, { useRange: false })
      ).pipe(
        Effect.tapError(() => Effect.sync(() => stats.failure(t.endpoint))),
        Effect.onInterrupt(() => Effect.sync(() => callEnded(ends) && stats.failure(t.endpoint)))
      )
      return downloadOf(t, first, millis, runtime, ends)
    })

  const downloadOf = (
    t: Target,
    initial: Open,
    millis: number,
    runtime: Runtime.Runtime<never>,
    ends: ReadonlyArray<CallEnded>
  ): Download => {
    const etag = initial.response.headers.etag
    const lastModified = initial.response.headers["last-modified"]
    const identity: Identity = {
      validator: etag !== undefined && !etag.startsWith("W/") ? etag : (lastModified ?? null),
      total: initial.total,
      etag: etag ?? null,
      lastModified: lastModified ?? null
    }
    let current: Open | null = initial
    let pending: Uint8Array | null = initial.first
    let endedAtOpen = initial.first === null
    let delivered = 0
    let finished = false
    const ranges = { useRange: !initial.response.decodedUnchecked }
    let idle: IdleTimer | null = null
    let resuming: Fiber.RuntimeFiber<Open, CometError> | null = null
    let cancelled = false
    /** Set when the client closed under the download: every read after fails with it. */
    let closedWith: CometError | null = null

    const closeCurrent = () => {
      idle?.cancel()
      idle = null
      const c = current
      current = null
      if (c !== null) {
        c.response.body.cancel()
        c.release()
      }
    }

    const fail = (error: CometError): never => {
      finished = true
      closeCurrent()
      stats.failure(t.endpoint)
      throw error
    }

    const armIdle = (c: Open) => {
      idle = timers.idle(millis, () => c.controller.abort(TIMEOUT))
    }

    /**
     * Open again past what was delivered, under a fresh retry count (new bytes arrived since) —
     * unless the break may not be retried at all (`maxRetries: 0`, a failure that is not retryable).
     */
    const resume = (cause: AttemptFailure): Promise<void> => {
      closeCurrent()
      // a break that may not be retried at all (maxRetries 0, or not a retryable failure) is the error
      const final = finalError(cause.error, 1, cfg.maxRetries)
      if (final !== null) return Promise.reject(final)
      const reason = cause.error._tag === "TransportError" ? cause.error.reason : cause.error._tag
      stats.retry(t.endpoint, reason)
      return new Promise<void>((resolve, reject) => {
        const fiber = Runtime.runFork(runtime)(
          withRetries(t, (attempt) => openAttempt(t, attempt, millis, delivered, identity, ranges))
        )
        resuming = fiber
        fiber.addObserver((exit) => {
          resuming = null
          if (Exit.isSuccess(exit)) {
            const open = exit.value
            if (cancelled) {
              open.response.body.cancel()
              open.release()
              return resolve()
            }
            current = open
            pending = open.first
            endedAtOpen = open.first === null
            return resolve()
          }
          if (Cause.isInterruptedOnly(exit.cause)) return resolve()
          const failure = Cause.failureOption(exit.cause)
          reject(Option.isSome(failure) ? failure.value : Cause.squash(exit.cause))
        })
      })
    }

    const next = async (): Promise<Uint8Array | null> => {
      while (!finished) {
        if (pending !== null) {
          const chunk = pending
          pending = null
          delivered += chunk.length
          return chunk
        }
        const c = current
        if (c === null || endedAtOpen) {
          finished = true
          closeCurrent()
          return null
        }
        if (idle === null) armIdle(c)
        const timer = idle as IdleTimer | null
        let chunk: Uint8Array | null
        try {
          if (timer !== null) {
            timer.active = true
            timer.touch()
          }
          chunk = await c.response.body.read()
        } catch (e) {
          // the client closed under this read: its error, never a quiet end of a short download
          if (closedWith !== null) throw closedWith
          if (cancelled) return null
          const failure =
            c.controller.signal.reason === TIMEOUT
              ? timeoutFailure(t, c.attempt, `no data in the middle of the body (after ${delivered} bytes)`, millis)
              : (corrupt(t, e, c.response.headers) ??
                truncated(
                  t,
                  c.attempt,
                  `the body broke off after ${delivered} bytes${c.total === null ? "" : ` of ${c.total}`} (${describeError(e)})`
                ))
          try {
            await resume(failure)
          } catch (error) {
            return fail(error as CometError)
          }
          continue
        } finally {
          if (timer !== null) {
            timer.active = false
            timer.touch()
          }
        }
        if (closedWith !== null) throw closedWith
        if (cancelled) return null
        if (chunk === null) {
          const have = c.start + c.read
          if (c.total !== null && have < c.total) {
            try {
              await resume(
                truncated(
                  t,
                  c.attempt,
                  `the body ended after ${have} of the ${c.total} bytes announced by Content-Length`
                )
              )
            } catch (error) {
              return fail(error as CometError)
            }
            continue
          }
          finished = true
          closeCurrent()
          return null
        }
        c.read += chunk.length
        stats.received(t.endpoint, chunk.length)
        delivered += chunk.length
        return chunk
      }
      if (closedWith !== null) throw closedWith
      return null
    }

    const cancel = () => {
      if (cancelled) return
      // ended before its end by a call's deadline or AbortSignal: the caller gets an error
      if (!finished && callEnded(ends)) stats.failure(t.endpoint)
      cancelled = true
      finished = true
      live.delete(entry)
      const f = resuming
      resuming = null
      if (f !== null) Runtime.runFork(runtime)(Effect.asVoid(f.interruptAsFork(f.id())))
      closeCurrent()
    }
    const entry = {
      close: () => {
        closedWith = new TransportError({
          endpoint: t.endpoint,
          reason: "closed",
          detail: "the client was closed while the download was open",
          attempts: current?.attempt ?? 1
        })
        cancel()
      }
    }
    live.add(entry)
    return {
      next: () => (closedWith !== null ? Promise.reject(closedWith) : cancelled ? Promise.resolve(null) : next()),
      cancel,
      length: identity.total
    }
  }

  /** The download as an Effect Stream: one chunk per element; cancelled when the stream ends early. */
  const stream = (endpoint: string, options?: RequestOptions): Stream.Stream<Uint8Array, CometError> =>
    Stream.unwrapScoped(
      Effect.map(
        // opening stays interruptible (it may wait for a slow server); once open, the download
        // is cancelled when the stream's scope closes
        Effect.uninterruptibleMask((restore) =>
          Effect.tap(restore(open(endpoint, options)), (d) => Effect.addFinalizer(() => Effect.sync(d.cancel)))
        ),
        (d) =>
          Stream.repeatEffectOption(
            Effect.async<Uint8Array, Option.Option<CometError>>((resume) => {
              d.next().then(
                (chunk) => resume(chunk === null ? Effect.fail(Option.none()) : Effect.succeed(chunk)),
                (e: unknown) => resume(Effect.fail(Option.some(e as CometError)))
              )
            })
          )
      )
    )

  return { open, stream, closeAll }
}
