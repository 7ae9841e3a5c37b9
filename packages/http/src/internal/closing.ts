/**
 * The end of one client instance: when the scope of its layer closes (`API.close()`, a
 * `ManagedRuntime` disposed, a scoped layer released), every request it has on the wire is
 * aborted, every wait it is in (a backoff, a 429 pause) ends, and every call and stream still
 * pending fails at once with `TransportError` "closed"; a later one fails before it starts.
 * Nothing of this costs a fiber per call: an attempt registers its own Aborter while its
 * request is live (no controller or listener of the closing's own per request).
 *
 * @internal
 */
import { type CometError, TransportError } from "@comet-ts/core"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Aborter } from "./transport.js"

/** What ends the operations of one instance when it closes. */
export interface Closing {
  /**
   * Abort `controller` (with an AbortError "the client was closed") when the instance closes,
   * until the returned function is called — when its request is over: its body read, cancelled
   * or failed. Once closed, it is aborted at once.
   */
  readonly track: (controller: Aborter) => () => void
  /** Wait `millis`, or fail with "closed" as soon as the instance closes. */
  readonly sleep: (millis: number, label: string, attempts: number) => Effect.Effect<void, TransportError>
  /** An operation: refused once closed; what the closing cut short fails with "closed". */
  readonly effect: <A>(label: string, self: Effect.Effect<A, CometError>) => Effect.Effect<A, CometError>
  /** As {@link effect}, for a Stream. */
  readonly stream: <A>(label: string, self: Stream.Stream<A, CometError>) => Stream.Stream<A, CometError>
}

const closedError = (label: string, attempts: number): TransportError =>
  new TransportError({
    endpoint: label,
    reason: "closed",
    detail: "the client was closed while the call was pending",
    attempts
  })

const noop = () => {}

/** The reason requests are aborted with when the instance closes. */
const CLOSED = Object.assign(new Error("the client was closed"), { name: "AbortError" })

/** The closing of the instance whose layer owns `scope`. */
export const makeClosing = (scope: Scope.Scope): Effect.Effect<Closing> =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<void>()
    let isClosed = false
    /** The controllers of requests on the wire (until their body is read, cancelled or failed). */
    const live = new Set<Aborter>()
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        isClosed = true
        for (const c of [...live]) c.abort(CLOSED)
        live.clear()
        return Deferred.succeed(closed, undefined)
      })
    )

    const track = (controller: Aborter): (() => void) => {
      if (isClosed) {
        controller.abort(CLOSED)
        return noop
      }
      live.add(controller)
      return () => {
        live.delete(controller)
      }
    }

    /** What a failure of a pending operation becomes once the instance is closed. */
    const afterClose = (label: string, cause: Cause.Cause<CometError>): Cause.Cause<CometError> => {
      if (!isClosed) return cause
      if (Cause.isInterruptedOnly(cause)) return Cause.fail(closedError(label, 0))
      const failure = Cause.failureOption(cause)
      return Option.isSome(failure) && failure.value._tag === "TransportError"
        ? Cause.fail(closedError(label, failure.value.attempts))
        : cause
    }

    return {
      track,
      sleep: (millis, label, attempts) =>
        isClosed
          ? Effect.fail(closedError(label, attempts))
          : Effect.raceFirst(
              Effect.sleep(millis),
              Effect.zipRight(Deferred.await(closed), Effect.fail(closedError(label, attempts)))
            ),
      effect: (label, self) =>
        Effect.suspend(() =>
          isClosed
            ? Effect.fail(closedError(label, 0))
            : Effect.catchAllCause(self, (cause) => Effect.failCause(afterClose(label, cause)))
        ),
      stream: (label, self) =>
        Stream.suspend(() =>
          isClosed
            ? Stream.fail(closedError(label, 0))
            : Stream.catchAllCause(self, (cause) => Stream.failCause(afterClose(label, cause)))
        )
    }
  })
