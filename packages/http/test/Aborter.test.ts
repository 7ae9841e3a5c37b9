/**
 * The light abort of an attempt (`Aborter`) and the boundary to transports written against
 * `AbortSignal`: a user's own `Transport` always gets a real AbortSignal, which fires when the
 * attempt is aborted (interrupted, timed out, closed).
 */
import { assert, describe, it } from "@effect/vitest"
import { type Duration, Effect, Exit, Fiber, Layer, Schema, TestClock } from "effect"
import { CometHttp } from "../src/CometHttp.js"
import { Aborter, fromShape, toAbortSignal } from "../src/internal/transport.js"
import { Transport, type TransportRequest, type TransportResponse, type TransportShape } from "../src/Transport.js"

const Ok = Schema.Struct({ ok: Schema.Boolean })

describe("Aborter", () => {
  it("calls each listener once, in order, on the first abort only; the reason is kept", () => {
    const a = new Aborter()
    const calls: Array<string> = []
    a.addEventListener("abort", () => calls.push("one"))
    a.addEventListener("abort", () => calls.push("two"))
    assert.isFalse(a.aborted)
    a.abort("why")
    a.abort("again")
    assert.deepStrictEqual(calls, ["one", "two"])
    assert.isTrue(a.aborted)
    assert.strictEqual(a.reason, "why")
    assert.strictEqual(a.signal, a)
  })

  it("a removed listener is not called; one added after the abort is not called either", () => {
    const a = new Aborter()
    const calls: Array<string> = []
    const gone = () => calls.push("gone")
    a.addEventListener("abort", gone)
    a.addEventListener("abort", () => calls.push("kept"))
    a.removeEventListener("abort", gone)
    a.abort(1)
    a.addEventListener("abort", () => calls.push("late"))
    assert.deepStrictEqual(calls, ["kept"])
  })

  it("toAbortSignal: an AbortSignal as is; an Aborter's signal fires with its reason, also when aborted before", () => {
    const real = new AbortController().signal
    assert.strictEqual(toAbortSignal(real), real)
    const a = new Aborter()
    const signal = toAbortSignal(a)
    assert.instanceOf(signal, AbortSignal)
    assert.isFalse(signal.aborted)
    a.abort("timeout")
    assert.isTrue(signal.aborted)
    assert.strictEqual(signal.reason, "timeout")
    const b = new Aborter()
    b.abort("early")
    assert.strictEqual(toAbortSignal(b).reason, "early")
  })
})

/** A user's transport that never answers and records the signals it gets. */
const hanging = () => {
  const signals: Array<AbortSignal> = []
  const transport: TransportShape = {
    name: "mine",
    proxyFor: () => null,
    close: () => Promise.resolve(),
    send: (_request: TransportRequest, signal: AbortSignal) => {
      signals.push(signal)
      return new Promise<TransportResponse>(() => {})
    }
  }
  return { transport, signals }
}

/** CometHttp over a user's own transport. */
const over = (transport: TransportShape, options: { readonly timeout?: Duration.DurationInput }) =>
  CometHttp.layerTransport({ apiKey: "k", baseUrl: "https://comet.example", ...options }).pipe(
    Layer.provide(Layer.succeed(Transport, transport))
  )

describe("a user's own Transport", () => {
  it("is wrapped once per request with a real AbortSignal; ours are used as they are", () => {
    const { transport } = hanging()
    const wire = fromShape(transport)
    assert.isFalse(Object.is(wire, transport))
    assert.strictEqual(wire.name, "mine")
  })

  it.effect("gets a real AbortSignal per attempt, aborted when the call is interrupted", () => {
    const { transport, signals } = hanging()
    return Effect.gen(function* () {
      const http = yield* CometHttp
      const fiber = yield* Effect.fork(http.get("experiments", Ok))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(signals.length, 1)
      const signal = signals[0] as AbortSignal
      assert.instanceOf(signal, AbortSignal)
      assert.isFalse(signal.aborted)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(signal.aborted)
    }).pipe(Effect.provide(over(transport, {})))
  })

  it.effect("gets its signal aborted by the attempt's timeout, then a second attempt", () => {
    const { transport, signals } = hanging()
    return Effect.gen(function* () {
      const http = yield* CometHttp
      const fiber = yield* Effect.fork(http.get("experiments", Ok))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(signals.length, 1)
      yield* TestClock.adjust("2 seconds")
      assert.isTrue(signals[0]?.aborted)
      yield* TestClock.adjust("10 seconds")
      assert.isAtLeast(signals.length, 2)
      assert.isFalse(signals[signals.length - 1]?.aborted)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(signals.every((s) => s.aborted))
    }).pipe(Effect.provide(over(transport, { timeout: "2 seconds" })))
  })
})
