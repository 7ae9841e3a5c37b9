/**
 * The end of one client instance: when the scope of its layer closes (`API.close()`, a
 * `ManagedRuntime` disposed, a scoped layer released), every request it has on the wire is
 * aborted, every wait it is in (a backoff, a 429 pause) ends, and every call and stream still
 * pending fails at once with `TransportError` "closed"; a later one fails before it starts.
 * Nothing of this costs a fiber per call: requests are tracked where they are sent.
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
import type { WireBody, WireTransport } from "./transport.js"

/** What ends the operations of one instance when it closes. */
export interface Closing {
  /** `transport`, with every request (and its body) aborted when the instance closes. */
  readonly transport: (transport: WireTransport) => WireTransport
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

/** The reason requests are aborted with when the instance closes. */
const CLOSED = Object.assign(new Error("the client was closed"), { name: "AbortError" })

/** The closing of the instance whose layer owns `scope`. */
export const makeClosing = (scope: Scope.Scope): Effect.Effect<Closing> =>
  Effect.gen(function* () {
    const closed = yield* Deferred.make<void>()
    let isClosed = false
    /** Requests on the wire (until their body is read, cancelled or failed). */
    const live = new Set<AbortController>()
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        isClosed = true
        for (const c of [...live]) c.abort(CLOSED)
        live.clear()
        return Deferred.succeed(closed, undefined)
      })
    )

    const transport = (inner: WireTransport): WireTransport => ({
      ...inner,
      send: (request, signal) => {
        if (isClosed) return Promise.reject(CLOSED)
        const c = new AbortController()
        const onAbort = () => c.abort(signal.reason)
        if (signal.aborted) onAbort()
        else signal.addEventListener("abort", onAbort, { once: true })
        live.add(c)
        const done = () => {
          live.delete(c)
          signal.removeEventListener("abort", onAbort)
        }
        return inner.send(request, c.signal).then(
          (response) => {
            // the reader gets the transport's own promises (no step added); the end is observed aside
            const body: WireBody = {
              read: () => {
                const chunk = response.body.read()
                chunk.then((c) => {
                  if (c === null) done()
                }, done)
                return chunk
              },
              cancel: () => {
                done()
                response.body.cancel()
              }
            }
            return { ...response, body }
          },
          (e: unknown) => {
            done()
            throw e
          }
        )
      }
    })

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
      transport,
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
