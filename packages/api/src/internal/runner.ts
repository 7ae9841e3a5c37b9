/**
 * How the Promise facade runs its calls on the client's runtime: with the call's options (an
 * `AbortSignal`, a `callTimeoutMs`), and rejecting with the typed error itself — `TransportError`
 * "aborted" when the caller's signal fired, "closed" when the client was closed meanwhile, and a
 * `ConfigurationError` for a call made after `close()`.
 *
 * @internal
 */
import { type CometError, ConfigurationError, InvalidArgument, TransportError } from "@comet-ts/core"
import { streamWithCallTimeout, withCallTimeout } from "@comet-ts/http"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"

/**
 * Options of every facade call.
 *
 * @since 0.1.0
 */
export interface CallOptions {
  /** Cancels the call (and its HTTP requests); the Promise rejects with a TransportError "aborted". */
  readonly signal?: AbortSignal | undefined
  /**
   * The most time the whole call may take, in ms: every request it makes, their retries and any
   * wait for a rate limit included. When it passes, the call rejects with TransportError
   * "deadline" (and a wait that would pass it is not started). Default: the client's
   * `callTimeoutMs`, else none.
   */
  readonly callTimeoutMs?: number | undefined
}

const aborted = (label: string) =>
  new TransportError({ endpoint: label, reason: "aborted", detail: "its AbortSignal fired", attempts: 0 })

const closed = (label: string) =>
  new TransportError({
    endpoint: label,
    reason: "closed",
    detail: "the client was closed while the call was pending",
    attempts: 0
  })

/** The facade's runner over one client's runtime. */
export class Runner<R> {
  private isClosed = false

  constructor(
    private readonly runtime: ManagedRuntime.ManagedRuntime<R, CometError>,
    /** The client's default `callTimeoutMs`. */
    private readonly callTimeoutMs: number | undefined
  ) {}

  /** Why a call cannot start, if it cannot. */
  private refusal(options: CallOptions | undefined, label: string): CometError | null {
    if (this.isClosed)
      return new ConfigurationError({ setting: "client", reason: "this API instance was closed; create a new one." })
    if (options?.signal?.aborted === true) return aborted(label)
    const ms = options?.callTimeoutMs
    if (ms !== undefined && !(typeof ms === "number" && ms > 0 && Number.isFinite(ms))) {
      return new InvalidArgument({
        argument: "callTimeoutMs",
        value: String(ms),
        reason: "it must be a positive number of milliseconds"
      })
    }
    const fallback = this.callTimeoutMs
    if (fallback !== undefined && !(typeof fallback === "number" && fallback > 0 && Number.isFinite(fallback))) {
      return new ConfigurationError({
        setting: "callTimeoutMs",
        reason: `${String(fallback)} is not a positive number of milliseconds`
      })
    }
    return null
  }

  private timeout(options: CallOptions | undefined): Duration.Duration | null {
    const ms = options?.callTimeoutMs ?? this.callTimeoutMs
    return ms === undefined ? null : Duration.millis(ms)
  }

  /** Run `effect` as the call `label`, rejecting with the typed error. */
  run<A>(effect: Effect.Effect<A, CometError, R>, options: CallOptions | undefined, label: string): Promise<A> {
    const refusal = this.refusal(options, label)
    if (refusal !== null) return Promise.reject(refusal)
    const timeout = this.timeout(options)
    const timed = timeout === null ? effect : withCallTimeout(timeout, label, "callTimeoutMs")(effect)
    const signal = options?.signal
    return this.runtime.runPromiseExit(timed, signal === undefined ? undefined : { signal }).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      if (Cause.isInterruptedOnly(exit.cause)) throw this.isClosed ? closed(label) : aborted(label)
      throw Cause.squash(exit.cause)
    })
  }

  /** An async iterable over `stream`, run as the call `label`; each step rejects with the typed error. */
  iterate<A>(
    stream: Stream.Stream<A, CometError, R>,
    options: CallOptions | undefined,
    label: string
  ): AsyncIterable<A> {
    const signal = options?.signal
    const timeout = this.timeout(options)
    const timed = timeout === null ? stream : streamWithCallTimeout(timeout, label, "callTimeoutMs")(stream)
    const guarded =
      signal === undefined
        ? timed
        : Stream.interruptWhen(
            timed,
            Effect.async<never, CometError>((resume) => {
              const onAbort = () => resume(Effect.fail(aborted(label)))
              if (signal.aborted) onAbort()
              else signal.addEventListener("abort", onAbort, { once: true })
              return Effect.sync(() => signal.removeEventListener("abort", onAbort))
            })
          )
    const runner = this
    return {
      [Symbol.asyncIterator](): AsyncIterator<A> {
        let inner: AsyncIterator<A> | undefined
        const open = async (): Promise<AsyncIterator<A>> => {
          if (inner === undefined) {
            const refusal = runner.refusal(options, label)
            if (refusal !== null) throw refusal
            const runtime = await runner.run(Effect.runtime<R>(), undefined, label)
            inner = Stream.toAsyncIterableRuntime(guarded, runtime)[Symbol.asyncIterator]()
          }
          return inner
        }
        const settle = (e: unknown): never => {
          // a step cut short by the end of the runtime, rather than failed, is the client closing
          if (runner.isClosed && !(e instanceof Error && "_tag" in e)) throw closed(label)
          throw e
        }
        return {
          next: async () => (await open()).next().catch(settle),
          return: async (value?: unknown) => {
            if (inner?.return !== undefined) await inner.return(value)
            return { done: true, value: undefined }
          }
        }
      }
    }
  }

  /** Close the client: pending calls and streams reject with "closed", later ones at once. */
  async close(): Promise<void> {
    if (this.isClosed) return
    this.isClosed = true
    await this.runtime.dispose()
  }
}
