/**
 * The end of one client instance: when the scope of its layer closes (`API.close()`, a
 * `ManagedRuntime` disposed, a scoped layer released), every call and stream still pending
 * fails at once with `TransportError` "closed", and every later one fails before it starts.
 *
 * @internal
 */
import { type CometError, TransportError } from "@comet-ts/core"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** Wrap the operations of one instance so that they end when it closes. */
export interface Closing {
  /**
   * An operation that ends when the instance closes. A `shared` one waits on a request run in
   * the instance's sharing scope, which the closing interrupts (its callers then fail, not
   * interrupted); any other races the closing (a fiber more per call).
   */
  readonly effect: <A>(
    label: string,
    self: Effect.Effect<A, CometError>,
    shared: boolean
  ) => Effect.Effect<A, CometError>
  readonly stream: <A>(label: string, self: Stream.Stream<A, CometError>) => Stream.Stream<A, CometError>
}

const closedError = (label: string): TransportError =>
  new TransportError({
    endpoint: label,
    reason: "closed",
    detail: "the client was closed while the call was pending",
    attempts: 0
  })

/**
 * The closing of the instance whose layer owns `scope`. Add it after anything whose finalizers
 * must run after the pending calls have failed (finalizers run last-added first), such as the
 * sharing scope.
 */
export const makeClosing = (scope: Scope.Scope): Effect.Effect<Closing> =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<void>()
    let isClosed = false
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        isClosed = true
        return Deferred.succeed(closed, undefined)
      })
    )
    const whenClosed = (label: string) => Effect.zipRight(Deferred.await(closed), Effect.fail(closedError(label)))
    return {
      effect: (label, self, shared) =>
        Effect.suspend(() => {
          if (isClosed) return Effect.fail(closedError(label))
          if (!shared) return Effect.raceFirst(self, whenClosed(label))
          // the shared request was interrupted by the closing: its waiters fail with its cause
          return Effect.catchAllCause(self, (cause) =>
            isClosed && Cause.isInterruptedOnly(cause) ? Effect.fail(closedError(label)) : Effect.failCause(cause)
          )
        }),
      stream: (label, self) =>
        Stream.suspend(() =>
          isClosed ? Stream.fail(closedError(label)) : Stream.interruptWhen(self, whenClosed(label))
        )
    }
  })
