/**
 * How the Promise facade runs its calls, streams and downloads on the client's runtime: with the
 * call's options (an
 * `AbortSignal`, a `callTimeoutMs`), and rejecting with the typed error itself — `TransportError`
 * "aborted" when the caller's signal fired, "closed" when the client was closed meanwhile, and a
 * `ConfigurationError` for a call made after `close()`.
 *
 * @internal
 */
import { type CometError, ConfigurationError, type InvalidArgument, TransportError } from "@comet-ts/core"
import { type Download, streamWithCallEnd, streamWithCallTimeout, withCallEnd, withCallTimeout } from "@comet-ts/http"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import { onAbort } from "./abort.js"
import { checkCallOptions } from "./arguments.js"

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

/** A call's options as the runner uses them. */
interface Admitted {
  readonly signal: AbortSignal | undefined
  readonly timeout: Duration.Duration | null
}

/** Why the caller's signal fired, in words: a timeout says so; another reason's message is included. */
const signalReason = (signal: AbortSignal | undefined): string => {
  const reason: unknown = signal?.reason
  if (reason === undefined) return "its AbortSignal fired"
  if (reason instanceof Error && reason.name === "TimeoutError")
    return "its AbortSignal timed out (AbortSignal.timeout)"
  if (reason instanceof Error && reason.name === "AbortError") return "its AbortSignal fired (AbortController.abort())"
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)
  return `its AbortSignal fired with the reason ${JSON.stringify(text.slice(0, 200))}`
}

const aborted = (label: string, signal?: AbortSignal) =>
  new TransportError({ endpoint: label, reason: "aborted", detail: signalReason(signal), attempts: 0 })

const deadlineError = (label: string, timeout: Duration.Duration) =>
  new TransportError({
    endpoint: label,
    reason: "deadline",
    detail: `callTimeoutMs is ${Duration.format(timeout)} and the download was still running`,
    attempts: 0
  })

const closed = (label: string) =>
  new TransportError({
    endpoint: label,
    reason: "closed",
    detail: "the client was closed while the call was pending",
    attempts: 0
  })

/** The facade's runner over one client's runtime. */
export class Runner<R> {
  #isClosed = false
  /** The runtime, once a call has built it (later calls fork on it directly). */
  #built: Runtime.Runtime<R> | null = null

  readonly #runtime: ManagedRuntime.ManagedRuntime<R, CometError>
  /** The client's default `callTimeoutMs` (checked with the client's options). */
  readonly #callTimeoutMs: number | undefined

  /** The client's explicit API key, masked in the errors of a call's options (before the runtime holds it). */
  readonly #apiKey: string | undefined

  constructor(
    runtime: ManagedRuntime.ManagedRuntime<R, CometError>,
    callTimeoutMs: number | undefined,
    apiKey?: string
  ) {
    this.#runtime = runtime
    this.#callTimeoutMs = callTimeoutMs
    this.#apiKey = apiKey
    this.#withoutOptions = Either.right({
      signal: undefined,
      timeout: callTimeoutMs === undefined ? null : Duration.millis(callTimeoutMs)
    })
  }

  /** What a call with no options is admitted with (the same for every such call). */
  readonly #withoutOptions: Either.Either<Admitted, CometError>

  /** A call's options checked (a snapshot: see `checkCallOptions`), the client's key masked in the error. */
  check(options: unknown, label?: string): Either.Either<CallOptions | undefined, InvalidArgument> {
    return checkCallOptions(options, this.#apiKey, label)
  }

  /** The call's checked options (with the deadline that applies), or why it cannot start. */
  #admit(options: CallOptions | undefined, label: string): Either.Either<Admitted, CometError> {
    if (this.#isClosed) {
      return Either.left(
        new ConfigurationError({ setting: "client", reason: "this API instance was closed; create a new one." })
      )
    }
    if (options === undefined) return this.#withoutOptions
    return Either.flatMap(this.check(options, label), (checked): Either.Either<Admitted, CometError> => {
      if (checked?.signal?.aborted === true) return Either.left(aborted(label, checked.signal))
      const ms = checked?.callTimeoutMs ?? this.#callTimeoutMs
      return Either.right({ signal: checked?.signal, timeout: ms === undefined ? null : Duration.millis(ms) })
    })
  }

  /** Run `effect` as the call `label`, rejecting with the typed error. */
  run<A>(effect: Effect.Effect<A, CometError, R>, options: CallOptions | undefined, label: string): Promise<A> {
    const admitted = this.#admit(options, label)
    if (Either.isLeft(admitted)) return Promise.reject(admitted.left)
    const { signal, timeout } = admitted.right
    const timed = timeout === null ? effect : withCallTimeout(timeout, label, "callTimeoutMs")(effect)
    const failure = (cause: Cause.Cause<CometError>): unknown =>
      Cause.isInterruptedOnly(cause) ? (this.#isClosed ? closed(label) : aborted(label, signal)) : Cause.squash(cause)
    const settle = (exit: Exit.Exit<A, CometError>): A => {
      if (Exit.isSuccess(exit)) return exit.value
      throw failure(exit.cause)
    }
    if (signal === undefined) {
      const runtime = this.#built
      if (runtime === null) {
        return this.#runtime.runPromiseExit(timed).then((exit) => {
          // built now: later calls fork on it directly
          if (this.#built === null && !this.#isClosed) {
            this.#runtime.runtime().then(
              (r) => {
                this.#built = r
              },
              () => {}
            )
          }
          return settle(exit)
        })
      }
      // one fiber on the built runtime, settling one promise of our own
      return new Promise<A>((resolve, reject) => {
        Runtime.runFork(runtime, timed).addObserver((exit) => {
          if (Exit.isSuccess(exit)) resolve(exit.value)
          else reject(failure(exit.cause))
        })
      })
    }
    // the caller's signal gets one listener however many calls share it (abort.ts); a request
    // it cuts short is a failure in the stats (the caller gets TransportError "aborted")
    const call = new AbortController()
    const off = onAbort(signal, () => call.abort())
    const marked = withCallEnd(() => signal.aborted)(timed)
    return this.#runtime.runPromiseExit(marked, { signal: call.signal }).then(settle).finally(off)
  }

  /** An async iterable over `stream`, run as the call `label`; each step rejects with the typed error. */
  iterate<A>(
    stream: Stream.Stream<A, CometError, R>,
    options: CallOptions | undefined,
    label: string
  ): AsyncIterable<A> {
    const runner = this
    return {
      [Symbol.asyncIterator](): AsyncIterator<A> {
        let inner: AsyncIterator<A> | undefined
        const open = async (): Promise<AsyncIterator<A>> => {
          if (inner === undefined) {
            const admitted = runner.#admit(options, label)
            if (Either.isLeft(admitted)) throw admitted.left
            const { signal, timeout } = admitted.right
            const timed = timeout === null ? stream : streamWithCallTimeout(timeout, label, "callTimeoutMs")(stream)
            const guarded =
              signal === undefined
                ? timed
                : Stream.interruptWhen(
                    streamWithCallEnd(() => signal.aborted)(timed),
                    Effect.async<never, CometError>((resume) => {
                      const off = onAbort(signal, () => resume(Effect.fail(aborted(label, signal))))
                      return Effect.sync(off)
                    })
                  )
            const runtime = await runner.run(Effect.runtime<R>(), undefined, label)
            inner = Stream.toAsyncIterableRuntime(guarded, runtime)[Symbol.asyncIterator]()
          }
          return inner
        }
        const settle = (e: unknown): never => {
          // a step cut short by the end of the runtime, rather than failed, is the client closing
          if (runner.#isClosed && !(e instanceof Error && "_tag" in e)) throw closed(label)
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

  /**
   * An async iterable over a download opened by `open` (CometHttp's `open`): each `next()` reads
   * the transport's body directly (no Effect step per chunk). The signal, the call's deadline and
   * `return()` (a `break`) cancel it; a failure rejects with the typed error.
   */
  download(
    open: Effect.Effect<Download, CometError, R>,
    options: CallOptions | undefined,
    label: string
  ): AsyncIterable<Uint8Array> {
    const runner = this
    return {
      [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
        let opened: Promise<Download> | undefined
        let current: Download | undefined
        let ended: CometError | null = null
        const cleanups: Array<() => void> = []
        const finish = () => {
          for (const f of cleanups.splice(0)) f()
          current?.cancel()
        }
        /** End the download with `error` (the signal fired, the deadline passed). */
        const end = (error: CometError) => {
          ended ??= error
          finish()
        }
        const get = (): Promise<Download> => {
          if (opened !== undefined) return opened
          const admitted = runner.#admit(options, label)
          if (Either.isLeft(admitted)) {
            opened = Promise.reject(admitted.left)
            return opened
          }
          const { signal, timeout } = admitted.right
          if (signal !== undefined) cleanups.push(onAbort(signal, () => end(aborted(label, signal))))
          if (timeout !== null) {
            // the whole download, not only its opening, must end within the deadline
            const timer = setTimeout(() => end(deadlineError(label, timeout)), Duration.toMillis(timeout))
            cleanups.push(() => clearTimeout(timer))
          }
          // a download the signal or the deadline ends is a failure in the stats (`end` marks it first)
          opened = runner.run(withCallEnd(() => ended !== null)(open), options, label).then((d) => {
            current = d
            if (ended !== null) d.cancel()
            return d
          })
          return opened
        }
        const read = (d: Download): Promise<IteratorResult<Uint8Array>> => {
          if (ended !== null) return Promise.reject(ended)
          return d.next().then(
            (chunk) => {
              if (ended !== null) throw ended
              if (chunk === null) {
                finish()
                return { done: true, value: undefined }
              }
              return { done: false, value: chunk }
            },
            (e: unknown) => {
              finish()
              throw ended ?? e
            }
          )
        }
        return {
          next: () => (current === undefined ? get().then(read) : read(current)),
          return: async () => {
            finish()
            return { done: true, value: undefined }
          }
        }
      }
    }
  }

  /** Close the client: pending calls and streams reject with "closed", later ones at once. */
  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#built = null
    await this.#runtime.dispose()
  }
}
