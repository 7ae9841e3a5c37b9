/**
 * The concurrency bound of one CometHttp instance: a FIFO semaphore that hands a released
 * permit to the longest waiter still waiting (at once when the holder finished, on the next
 * microtask when it was cancelled: see `releaseUnsafe`).
 *
 * Effect 3's `Semaphore` wakes every waiter on each release (each re-checks the count and all
 * but one go back to waiting), so N calls queued behind a bound of C cost O(N²) fiber wake-ups:
 * with 500 queued calls the client spent most of its time in the scheduler and the garbage
 * collector (bench/README.md, fan-out). Here a release resumes exactly one waiter, in arrival
 * order, so the cost is O(1) per permit and waiting calls are served first come, first served.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

interface Waiter {
  readonly resume: (effect: Effect.Effect<void>) => void
  granted: boolean
}

/** What withdraws a caller granted at once: nothing. */
const withdrawNothing = (): void => {}

/** A FIFO semaphore with direct hand-off. */
export class Permits {
  #free: number
  readonly #waiting = new Set<Waiter>()
  /** A hand-over to the waiters is scheduled (see {@link releaseUnsafe}). */
  #handing = false

  constructor(permits: number) {
    this.#free = permits
  }

  /** Permits not held right now (for tests). */
  get available(): number {
    return this.#free
  }

  /** Callers waiting for a permit (for tests). */
  get queued(): number {
    return this.#waiting.size
  }

  /**
   * Wait for a permit, first come first served. If the waiting fiber is interrupted after a
   * permit was handed to it, the permit is passed on, so none is ever lost.
   */
  readonly take: Effect.Effect<void> = Effect.async<void>((resume) => {
    const waiter: Waiter = { resume, granted: false }
    if (this.#free > 0 && this.#waiting.size === 0) {
      this.#free--
      waiter.granted = true
      resume(Effect.void)
    } else {
      this.#waiting.add(waiter)
    }
    return Effect.sync(() => {
      if (waiter.granted) this.#releaseUnsafe(true)
      else this.#waiting.delete(waiter)
    })
  })

  /** Give a permit back: to the longest waiter if there is one. */
  readonly release: Effect.Effect<void> = Effect.sync(() => this.#releaseUnsafe())

  /**
   * Wait for a permit from plain code: `granted` is called (maybe at once) when this caller holds
   * one. The returned function withdraws a waiting caller; once granted, give the permit back
   * with {@link releaseNow}.
   */
  acquire(granted: () => void): () => void {
    if (this.#free > 0 && this.#waiting.size === 0) {
      this.#free--
      granted()
      return withdrawNothing
    }
    const waiter: Waiter = { resume: () => granted(), granted: false }
    this.#waiting.add(waiter)
    return () => {
      if (!waiter.granted) this.#waiting.delete(waiter)
    }
  }

  /** Give a permit back after the holder was interrupted: see {@link releaseUnsafe}. */
  readonly releaseCancelled: Effect.Effect<void> = Effect.sync(() => this.#releaseUnsafe(true))

  /**
   * {@link release}, from plain code (a download ending outside any fiber); `cancelled` when the
   * holder was cancelled (see {@link releaseUnsafe}).
   */
  releaseNow(cancelled = false): void {
    this.#releaseUnsafe(cancelled)
  }

  /**
   * A permit let go by a finished holder goes to the longest waiter at once. One let go by a
   * cancelled holder goes on the next microtask: such a release often comes from a call being
   * cancelled along with many others (one AbortSignal shared by every call of a page, a fan-out
   * interrupted), whose cancellations are all pending then, and run before the microtask. Handed
   * over at once, the permit would start the next waiter's request (plain code, no fiber step)
   * before its own cancellation ran: every permit let go in the cascade would send one request
   * only to abort it.
   */
  #releaseUnsafe(cancelled = false): void {
    this.#free++
    if (this.#waiting.size === 0) return
    if (!cancelled) {
      this.#grant()
      return
    }
    if (this.#handing) return
    this.#handing = true
    queueMicrotask(this.#handOver)
  }

  /** The scheduled hand-over (see {@link releaseUnsafe}). */
  readonly #handOver = (): void => {
    this.#handing = false
    this.#grant()
  }

  /** Give the free permits to the longest waiters (those still waiting). */
  #grant(): void {
    if (this.#free <= 0) return
    // always the first one left: those before it were granted (here, or by a grant that a
    // resumed waiter's code made meanwhile) or withdrawn, and a Set's iteration skips them
    for (const waiter of this.#waiting) {
      this.#waiting.delete(waiter)
      this.#free--
      waiter.granted = true
      waiter.resume(Effect.void)
      if (this.#free <= 0) return
    }
  }

  /** Run `self` holding one permit; the permit is released however `self` ends. */
  withPermit<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(this.take),
        Effect.onExit(restore(self), (exit) =>
          Exit.isFailure(exit) && Exit.isInterrupted(exit) ? this.releaseCancelled : this.release
        )
      )
    )
  }
}
