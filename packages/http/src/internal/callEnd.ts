/**
 * Whether the call a fiber runs was ended from outside with an error — its deadline passed
 * (`callTimeout`, the facade's `callTimeoutMs`), its AbortSignal fired — rather than stopped by
 * its own caller (a stream read no further, a race lost, an Effect interrupted): a request of it
 * interrupted then failed, for the caller gets an error, and RequestStats counts it in `failures`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** What tells, when a request of the call is interrupted, that the call was ended with an error. */
export type CallEnded = () => boolean

/** The tests of the calls (nested: a deadline in a call with a signal) the fiber runs in. */
export const CurrentCallEnds: FiberRef.FiberRef<ReadonlyArray<CallEnded>> = FiberRef.unsafeMake<
  ReadonlyArray<CallEnded>
>([])

/** True when one of the calls (`ends`, read from a fiber) was ended with an error. */
export const callEnded = (ends: ReadonlyArray<CallEnded>): boolean => {
  for (const ended of ends) if (ended()) return true
  return false
}

/** Run `self` as a call that `ended` says was ended with an error from outside (once it was). */
export const endedWhen =
  (ended: CallEnded) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locallyWith(self, CurrentCallEnds, (outer) => [...outer, ended])

/** {@link endedWhen} for the rest of the scope (a Stream's). */
export const endedWhenScoped = (ended: CallEnded): Effect.Effect<void, never, Scope.Scope> =>
  Effect.locallyScopedWith(CurrentCallEnds, (outer) => [...outer, ended])

/** As {@link endedWhen}, for a Stream. */
export const streamEndedWhen =
  (ended: CallEnded) =>
  <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
    Stream.unwrapScoped(Effect.as(endedWhenScoped(ended), self))
