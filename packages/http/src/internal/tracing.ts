/**
 * Spans only when they go somewhere: with Effect's default tracer installed, a span is work
 * (an object, a context copy per request) that nobody reads, so CometHttp's spans are made only
 * when another tracer (OpenTelemetry, a test's capture) is in the context.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"

/** Effect's default tracer, as every fiber has it unless a program installs another. */
export const nativeTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

const span = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  name: string,
  attributes: () => Record<string, unknown>,
  atExit: ((exit: Exit.Exit<A, E>) => Record<string, unknown>) | undefined
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) =>
    tracer === nativeTracer
      ? self
      : Effect.withSpan(
          atExit === undefined ? self : Effect.onExit(self, (exit) => Effect.annotateCurrentSpan(atExit(exit))),
          name,
          { kind: "client", captureStackTrace: false, attributes: attributes() }
        )
  )

/** Wrap an effect in a client span named `name`, when a tracer other than the default is installed. */
export const traced =
  (name: string, attributes: () => Record<string, unknown>) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    span(self, name, attributes, undefined)

/** {@link traced}, adding attributes from how the effect ended. */
export const tracedWithExit =
  <A, E>(
    name: string,
    attributes: () => Record<string, unknown>,
    atExit: (exit: Exit.Exit<A, E>) => Record<string, unknown>
  ) =>
  <R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    span(self, name, attributes, atExit)

/**
 * `Effect.annotateCurrentSpan`, for free when there is no span: Effect's version looks the span
 * up and, when there is none, fails internally with an exception (a stack trace) per call.
 */
export const annotate = (values: Record<string, unknown>): Effect.Effect<void> =>
  Effect.tracerWith((tracer) => (tracer === nativeTracer ? Effect.void : Effect.annotateCurrentSpan(values)))
