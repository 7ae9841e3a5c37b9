/**
 * The deadline of a call: the most time a whole call may take, retries, waits and every request
 * it makes included (`callTimeoutMs` of a facade call, `callTimeout` of a CometHttp request).
 * When it passes the call fails with `TransportError` "deadline"; before that, the retry loop
 * and the rate gate fail at once rather than start a wait that would pass it.
 *
 * @internal
 */
import { TransportError } from "@comet-ts/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Stream from "effect/Stream"
import { endedWhen, endedWhenScoped } from "./callEnd.js"

/** What the requests of a call see of its deadline. */
export interface Deadline {
  /** When it passes, in ms (Clock time); read at each decision. */
  readonly at: () => number
  /** Count an attempt sent (or, with -1, one not sent after all) for the call. */
  readonly count: (delta: number) => void
}

/** The deadline of one call, and what its error says. */
interface CallDeadline extends Deadline {
  readonly timeout: Duration.Duration
  /** The setting that set it (`callTimeoutMs`, `callTimeout`). */
  readonly setting: string
  readonly attempts: () => number
  /** Set when the deadline passed (before the call is interrupted). */
  passed: boolean
}

/** The deadline of the call running in this fiber, if it has one. */
export const CurrentDeadline: FiberRef.FiberRef<Deadline | null> = FiberRef.unsafeMake<Deadline | null>(null)

/**
 * The deadline of a request shared by several calls (coalesced): the latest of theirs — none as
 * soon as one has none — and its attempts count for each.
 */
export interface SharedDeadline {
  readonly deadline: Deadline | null
  /** A call with `deadline` (null: none) now waits for the request too. */
  readonly join: (deadline: Deadline | null) => void
}

const NO_DEADLINE: SharedDeadline = { deadline: null, join: () => {} }

/** The shared deadline of a request its first caller (with `first`) starts. */
export const shareDeadline = (first: Deadline | null): SharedDeadline => {
  if (first === null) return NO_DEADLINE
  const callers: Array<Deadline> = [first]
  let unbounded = false
  return {
    deadline: {
      at: () => (unbounded ? Number.POSITIVE_INFINITY : Math.max(...callers.map((c) => c.at()))),
      count: (delta) => {
        for (const c of callers) c.count(delta)
      }
    },
    join: (deadline) => {
      if (deadline === null) unbounded = true
      else callers.push(deadline)
    }
  }
}

const expired = (label: string, d: CallDeadline): TransportError =>
  new TransportError({
    endpoint: label,
    reason: "deadline",
    detail: `${d.setting} is ${Duration.format(d.timeout)} and the call was still running`,
    attempts: d.attempts()
  })

/** The deadline `timeout` from now, unless an earlier one already holds (then null). */
const open = (timeout: Duration.DurationInput, setting: string): Effect.Effect<CallDeadline | null> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.map(FiberRef.get(CurrentDeadline), (outer) => {
      const d = Duration.decode(timeout)
      const at = now + Duration.toMillis(d)
      if (outer !== null && outer.at() <= at) return null
      let attempts = 0
      return {
        at: () => at,
        count: (delta: number) => {
          attempts += delta
          outer?.count(delta)
        },
        attempts: () => attempts,
        timeout: d,
        setting,
        passed: false
      }
    })
  )

/**
 * The deadline's timer: after `d.timeout` it marks the deadline passed — before the call is
 * interrupted, so each request cut short by it counts as a failure (callEnd.ts) — then fails.
 */
const expiry = (label: string, d: CallDeadline): Effect.Effect<never, TransportError> =>
  Effect.zipRight(
    Effect.sleep(d.timeout),
    Effect.suspend(() => {
      d.passed = true
      return Effect.fail(expired(label, d))
    })
  )

/** Run `self` within `timeout` (set by `setting`); `label` names the call in the error. */
export const withCallTimeout =
  (timeout: Duration.DurationInput, label: string, setting: string) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | TransportError, R> =>
    Effect.flatMap(open(timeout, setting), (d) =>
      d === null
        ? self
        : // the first to end wins: the call, or the timer (marked passed before the call is interrupted)
          Effect.raceFirst(Effect.locally(endedWhen(() => d.passed)(self), CurrentDeadline, d), expiry(label, d))
    )

/** As {@link withCallTimeout}, for a Stream: the whole stream must end within `timeout`. */
export const streamWithCallTimeout =
  (timeout: Duration.DurationInput, label: string, setting: string) =>
  <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E | TransportError, R> =>
    Stream.unwrapScoped(
      Effect.flatMap(open(timeout, setting), (d) =>
        d === null
          ? Effect.succeed(self)
          : Effect.as(
              Effect.zipRight(
                Effect.locallyScoped(CurrentDeadline, d),
                endedWhenScoped(() => d.passed)
              ),
              Stream.interruptWhen(self, expiry(label, d))
            )
      )
    )
