/**
 * The direct lane of a buffered request (no tracer, no deadline, no cache, nothing identical in
 * flight, no rate limit): its first attempt in plain code, retries in Effect, coalescing settled
 * by one exit handler. Hostile callers (interrupting at every point) and hostile servers (a
 * user's own transport that ignores its signal) against it; the in-flight table, the permits
 * and the stats must come out exact.
 */
import { assert, describe, it } from "@effect/vitest"
import { type Clock, Effect, Exit, Fiber, Layer, Schema, TestClock, Tracer } from "effect"
import { CometHttp, type CometHttpOptions, withCallTimeout } from "../src/CometHttp.js"
import { RequestStats } from "../src/RequestStats.js"
import { Transport, type TransportRequest, type TransportResponse, type TransportShape } from "../src/Transport.js"
import { settle } from "./support/harness.js"

const N = Schema.Struct({ n: Schema.Number })
const encoder = new TextEncoder()

/** What the scripted server does with the n-th request (1-based). */
type Script = (n: number, request: TransportRequest, signal: AbortSignal) => Promise<TransportResponse>

/** A response whose body is given in chunks; `stall` leaves the body hanging after them, deaf to cancel. */
const respond = (status: number, chunks: ReadonlyArray<string>, stall = false): TransportResponse => {
  let i = 0
  return {
    status,
    headers: { "content-type": "application/json" },
    decodedUnchecked: false,
    identityIgnored: false,
    body: {
      read: () => {
        if (i < chunks.length) return Promise.resolve(encoder.encode(chunks[i++] as string))
        return stall ? new Promise<Uint8Array | null>(() => {}) : Promise.resolve(null)
      },
      // a hostile body: cancel does nothing, a pending read never settles
      cancel: () => {}
    }
  }
}

/** A user's own transport (written against AbortSignal) that ignores its signal entirely. */
const scripted = (script: Script) => {
  const signals: Array<AbortSignal> = []
  const transport: TransportShape = {
    name: "mine",
    proxyFor: () => null,
    close: () => Promise.resolve(),
    send: (request, signal) => {
      signals.push(signal)
      return script(signals.length, request, signal)
    }
  }
  return { transport, signals }
}

/** Answer after `millis` of the fiber-free timer (a promise resolved by TestClock-driven code). */
const later = <A>(millis: number, value: () => A): Promise<A> =>
  new Promise<A>((resolve) => {
    pending.push({ at: millis, resolve: () => resolve(value()) })
  })
const pending: Array<{ at: number; resolve: () => void }> = []
/** Release every answer promised with `later` (simulates the server answering now). */
const answerAll = Effect.sync(() => {
  for (const p of pending.splice(0)) p.resolve()
})

/** A server that answers `{"n": n}` when {@link answerAll} says so. */
const delayed = () => scripted((n) => later(0, () => respond(200, [`{"n":${n}}`])))

/** Fork `self` and let it get as far as it can. */
const started = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.tap(Effect.fork(self), () => settle)

const layerWith = (transport: TransportShape, options: Partial<CometHttpOptions> = {}) =>
  CometHttp.layerTransport({ apiKey: "k", baseUrl: "https://comet.example", ...options }).pipe(
    Layer.provide(Layer.succeed(Transport, transport))
  )

const run = <A, E>(
  transport: TransportShape,
  options: Partial<CometHttpOptions>,
  body: Effect.Effect<A, E, CometHttp | RequestStats>
) => Effect.provide(body, layerWith(transport, options))

const get = (key = "k") =>
  Effect.flatMap(CometHttp, (http) => http.get("experiment/metadata", N, { params: { experimentKey: key } }))

const snapshot = Effect.flatMap(RequestStats, (s) => s.snapshot)

describe("direct lane: a user's transport that ignores its signal", () => {
  it.effect("a body stalled mid-way, deaf to cancel, is ended by the attempt timeout; the retry answers", () => {
    const { transport, signals } = scripted((n) =>
      Promise.resolve(n === 1 ? respond(200, ['{"n":'], true) : respond(200, ['{"n":2}']))
    )
    return run(
      transport,
      { timeout: "2 seconds", maxRetries: 2 },
      Effect.gen(function* () {
        const fiber = yield* started(get())
        assert.strictEqual(signals.length, 1)
        yield* TestClock.adjust("2 seconds")
        yield* settle
        assert.isTrue(signals[0]?.aborted)
        yield* TestClock.adjust("30 seconds")
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(fiber), { n: 2 })
        assert.strictEqual(signals.length, 2)
        const s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.retries, s.failures, s.inFlight], [1, 2, 1, 0, 0])
      })
    )
  })

  it.effect("a stalled body is ended by interruption; the permit comes back (maxConcurrency 1)", () => {
    const { transport, signals } = scripted((n) =>
      Promise.resolve(n === 1 ? respond(200, ['{"n":'], true) : respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { maxConcurrency: 1 },
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(get("a"))
        yield* settle
        const exit = yield* Fiber.interrupt(fiber)
        assert.isTrue(Exit.isInterrupted(exit))
        assert.isTrue(signals[0]?.aborted)
        assert.deepStrictEqual(yield* get("a"), { n: 2 })
        const s = yield* snapshot
        assert.strictEqual(s.inFlight, 0)
      })
    )
  })
})

describe("direct lane: coalescing", () => {
  it.effect("a joiner during the leader's backoff after a 500 gets the retried value; the table is empty after", () => {
    const { transport, signals } = scripted((n) =>
      Promise.resolve(n === 1 ? respond(500, ['{"msg":"boom"}']) : respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { maxRetries: 3, retryBaseDelay: "1 second" },
      Effect.gen(function* () {
        const leader = yield* started(get())
        assert.strictEqual(signals.length, 1)
        // the first attempt failed: the leader waits out its backoff; an identical call joins
        const joiner = yield* started(get())
        assert.strictEqual(signals.length, 1)
        yield* TestClock.adjust("5 seconds")
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(leader), { n: 2 })
        assert.deepStrictEqual(yield* Fiber.join(joiner), { n: 2 })
        assert.strictEqual(signals.length, 2)
        let s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.retries, s.coalesced, s.failures], [2, 2, 1, 1, 0])
        // nothing left in flight: a later identical call makes a new request
        assert.deepStrictEqual(yield* get(), { n: 3 })
        s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.coalesced], [3, 3, 1])
      })
    )
  })

  it.effect("a leader that fails for good fails its joiners; each is a failure; the next call is new", () => {
    const { transport, signals } = scripted((n) =>
      n <= 1 ? later(0, () => respond(404, ['{"msg":"gone"}'])) : Promise.resolve(respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      {},
      Effect.gen(function* () {
        const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(Effect.flip(get())))
        yield* settle
        assert.strictEqual(signals.length, 1)
        yield* answerAll
        yield* settle
        const errors = yield* Effect.forEach(fibers, Fiber.join)
        assert.deepStrictEqual(
          errors.map((e) => e._tag),
          ["NotFound", "NotFound", "NotFound"]
        )
        let s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.coalesced, s.failures], [3, 1, 2, 3])
        assert.deepStrictEqual(yield* get(), { n: 2 })
        s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.failures], [4, 2, 3])
      })
    )
  })

  it.effect("a leader interrupted mid-request with a joiner left: the joiner gets the value of a new request", () => {
    const { transport, signals } = delayed()
    return run(
      transport,
      {},
      Effect.gen(function* () {
        const leader = yield* started(get())
        const joiner = yield* started(get())
        assert.strictEqual(signals.length, 1)
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(leader)))
        assert.isTrue(signals[0]?.aborted)
        yield* settle
        assert.strictEqual(signals.length, 2)
        yield* answerAll
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(joiner), { n: 2 })
        assert.deepStrictEqual(
          yield* Effect.fork(get()).pipe(
            Effect.tap(() => settle),
            Effect.tap(() => answerAll),
            Effect.flatMap(Fiber.join)
          ),
          { n: 3 }
        )
        const s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.coalesced, s.inFlight], [3, 1, 0])
      })
    )
  })

  it.effect("a leader interrupted during its backoff with a joiner left, then the joiner too: nothing stuck", () => {
    const { transport, signals } = scripted((n) =>
      n === 1 ? Promise.resolve(respond(503, ["{}"])) : later(0, () => respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { maxRetries: 3, retryBaseDelay: "1 second" },
      Effect.gen(function* () {
        const leader = yield* started(get())
        const joiner = yield* started(get())
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(leader)))
        yield* settle
        // sent again for the joiner
        assert.strictEqual(signals.length, 2)
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(joiner)))
        yield* settle
        assert.isTrue(signals[1]?.aborted)
        const third = yield* started(get())
        assert.strictEqual(signals.length, 3)
        yield* answerAll
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(third), { n: 3 })
        assert.strictEqual((yield* snapshot).inFlight, 0)
      })
    )
  })

  it.effect("a leader interrupted with no joiner leaves nothing in the table", () => {
    const { transport, signals } = delayed()
    return run(
      transport,
      {},
      Effect.gen(function* () {
        const leader = yield* started(get())
        yield* Fiber.interrupt(leader)
        const next = yield* started(get())
        assert.strictEqual(signals.length, 2)
        yield* answerAll
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(next), { n: 2 })
        const s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.coalesced], [2, 0])
      })
    )
  })
})

describe("direct lane: timeouts and deadlines around a shared request", () => {
  it.effect("the leader's attempt times out with a joiner waiting: the retry's value reaches both", () => {
    const { transport, signals } = scripted((n) =>
      n === 1 ? new Promise<TransportResponse>(() => {}) : Promise.resolve(respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { timeout: "2 seconds", maxRetries: 2, retryBaseDelay: "1 second" },
      Effect.gen(function* () {
        const leader = yield* started(get())
        const joiner = yield* started(get())
        yield* TestClock.adjust("10 seconds")
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(leader), { n: 2 })
        assert.deepStrictEqual(yield* Fiber.join(joiner), { n: 2 })
        assert.strictEqual(signals.length, 2)
        const s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.coalesced, s.retriesByCause.timeout], [2, 2, 1, 1])
      })
    )
  })

  it.effect("every attempt times out: leader and joiner fail with 'timeout'; the next call is a new request", () => {
    const { transport, signals } = scripted((n) =>
      n <= 2 ? new Promise<TransportResponse>(() => {}) : Promise.resolve(respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { timeout: "2 seconds", maxRetries: 1, retryBaseDelay: "1 second" },
      Effect.gen(function* () {
        const leader = yield* Effect.fork(Effect.flip(get()))
        yield* settle
        const joiner = yield* Effect.fork(Effect.flip(get()))
        yield* settle
        yield* TestClock.adjust("20 seconds")
        yield* settle
        const errors = [yield* Fiber.join(leader), yield* Fiber.join(joiner)]
        assert.deepStrictEqual(
          errors.map((e) => [e._tag, (e as { reason?: string }).reason]),
          [
            ["TransportError", "timeout"],
            ["TransportError", "timeout"]
          ]
        )
        assert.isTrue(signals.slice(0, 2).every((x) => x.aborted))
        assert.deepStrictEqual(yield* get(), { n: 3 })
        const s = yield* snapshot
        assert.deepStrictEqual([s.requests, s.attempts, s.coalesced, s.failures, s.inFlight], [3, 3, 1, 2, 0])
      })
    )
  })

  it.effect("a joiner with its own call deadline ends at it; the leader (none) still gets its value", () => {
    const { transport } = delayed()
    return run(
      transport,
      { timeout: "1 minute" },
      Effect.gen(function* () {
        const leader = yield* started(get())
        const joiner = yield* Effect.fork(Effect.flip(withCallTimeout("1 second")(get())))
        yield* settle
        yield* TestClock.adjust("2 seconds")
        yield* settle
        const e = yield* Fiber.join(joiner)
        assert.deepStrictEqual([e._tag, (e as { reason?: string }).reason], ["TransportError", "deadline"])
        yield* answerAll
        yield* settle
        assert.deepStrictEqual(yield* Fiber.join(leader), { n: 1 })
        assert.strictEqual((yield* snapshot).inFlight, 0)
      })
    )
  })
})

describe("direct lane: a client paused by a 429", () => {
  it.effect(
    "calls made during the pause wait for it (one interrupted meanwhile); all others answer; nothing stuck",
    () => {
      const { transport, signals } = scripted((n) =>
        Promise.resolve(
          n === 1
            ? { ...respond(429, ["{}"]), headers: { "content-type": "application/json", "retry-after": "5" } }
            : respond(200, [`{"n":${n}}`])
        )
      )
      return run(
        transport,
        { maxRetries: 3, retryBaseDelay: "100 millis" },
        Effect.gen(function* () {
          const first = yield* Effect.fork(get("a"))
          yield* settle
          assert.strictEqual(signals.length, 1)
          // paused: these do not go out yet
          const second = yield* Effect.fork(get("b"))
          const gone = yield* Effect.fork(get("c"))
          const joiner = yield* Effect.fork(get("a"))
          yield* settle
          assert.strictEqual(signals.length, 1)
          assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(gone)))
          yield* TestClock.adjust("6 seconds")
          yield* settle
          const values = [yield* Fiber.join(first), yield* Fiber.join(second), yield* Fiber.join(joiner)]
          assert.deepStrictEqual(values[0], values[2])
          // the retry of "a" and the first attempt of "b", after the pause: requests 2 and 3
          assert.deepStrictEqual([values[0]?.n, values[1]?.n].sort(), [2, 3])
          assert.strictEqual(signals.length, 3)
          // the interrupted one left nothing behind: it goes out now
          assert.strictEqual((yield* get("c")).n, 4)
          const s = yield* snapshot
          assert.deepStrictEqual([s.requests, s.attempts, s.coalesced, s.inFlight], [5, 4, 1, 0])
        })
      )
    }
  )
})

describe("direct lane: interruption and permits (maxConcurrency 1)", () => {
  it.effect("interrupted while waiting for the permit, mid-request and in backoff: every permit comes back", () => {
    const { transport, signals } = scripted((n, request) =>
      request.url.includes("backoff") && n <= 3
        ? Promise.resolve(respond(503, ["{}"]))
        : later(0, () => respond(200, [`{"n":${n}}`]))
    )
    return run(
      transport,
      { maxConcurrency: 1, maxRetries: 5, retryBaseDelay: "1 second" },
      Effect.gen(function* () {
        const slow = yield* Effect.fork(get("slow"))
        yield* settle
        assert.strictEqual(signals.length, 1)
        const waiting = yield* Effect.fork(get("waiting"))
        yield* settle
        assert.strictEqual(signals.length, 1)
        // interrupted while waiting for the permit
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(waiting)))
        // interrupted mid-request
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(slow)))
        assert.isTrue(signals[0]?.aborted)
        yield* settle
        assert.strictEqual(signals.length, 1)
        // interrupted in the backoff after a 503
        const backoff = yield* Effect.fork(get("backoff"))
        yield* settle
        assert.strictEqual(signals.length, 2)
        assert.isTrue(Exit.isInterrupted(yield* Fiber.interrupt(backoff)))
        // interrupted before it started at all
        const never = yield* Effect.fork(get("never"))
        yield* Fiber.interrupt(never)
        const last = yield* Effect.fork(get("last"))
        yield* settle
        yield* answerAll
        yield* settle
        const value = yield* Fiber.join(last)
        assert.strictEqual(value.n, signals.length)
        const s = yield* snapshot
        assert.strictEqual(s.inFlight, 0)
      })
    )
  })
})

describe("direct lane: the fiber's clock and tracer", () => {
  it.effect("calls with and without a tracer installed, and under a custom Clock, all answer", () => {
    const { transport } = scripted((n) => Promise.resolve(respond(200, [`{"n":${n}}`])))
    const spans: Array<string> = []
    return Effect.gen(function* () {
      const base = yield* Effect.tracer
      const tracer = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          spans.push(name)
          return base.span(name, parent, context, links, startTime, kind, options)
        },
        context: (f, fiber) => base.context(f, fiber)
      })
      const clock = yield* Effect.clock
      const skewed: Clock.Clock = {
        ...clock,
        unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis() + 1e12,
        currentTimeMillis: Effect.map(clock.currentTimeMillis, (t) => t + 1e12)
      }
      const plain = yield* get("a")
      const traced = yield* Effect.withTracer(get("b"), tracer)
      const skewedValue = yield* Effect.withClock(get("c"), skewed)
      const together = yield* Effect.all([get("d"), Effect.withTracer(get("e"), tracer), get("f")], {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual(
        [plain, traced, skewedValue, ...together].map((v) => v.n).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6]
      )
      assert.isTrue(spans.includes("CometHttp.get"))
      assert.strictEqual(spans.filter((s) => s === "CometHttp.get").length, 2)
      const s = yield* snapshot
      assert.deepStrictEqual([s.requests, s.attempts, s.failures], [6, 6, 0])
    }).pipe(Effect.provide(layerWith(transport)))
  })
})
