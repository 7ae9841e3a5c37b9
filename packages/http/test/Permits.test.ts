/**
 * The FIFO permits behind CometHttp's concurrency bound: first come first served, a release
 * wakes exactly one waiter, and interruption (while waiting, or just after a permit was handed
 * over) never loses or leaks a permit.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, TestClock } from "effect"
import { Permits } from "../src/internal/permits.js"

describe("Permits", () => {
  it.effect("waiters get permits in arrival order, one per release", () =>
    Effect.gen(function* () {
      const permits = new Permits(2)
      const order: Array<number> = []
      const gates = yield* Effect.forEach(
        Array.from({ length: 8 }, (_, i) => i),
        () => Deferred.make<void>()
      )
      const fibers = yield* Effect.forEach(
        gates,
        (gate, i) =>
          Effect.fork(
            permits.withPermit(
              Effect.gen(function* () {
                order.push(i)
                yield* Deferred.await(gate)
              })
            )
          ),
        { concurrency: 1 }
      )
      yield* Effect.yieldNow()
      assert.deepStrictEqual(order, [0, 1])
      assert.strictEqual(permits.available, 0)
      assert.strictEqual(permits.queued, 6)
      // Releasing one permit admits exactly the next waiter (handed over on a microtask).
      yield* Deferred.succeed(gates[1] as Deferred.Deferred<void>, undefined)
      for (let turn = 0; turn < 10 && order.length < 3; turn++) yield* Effect.yieldNow()
      for (let turn = 0; turn < 3; turn++) yield* Effect.yieldNow()
      assert.deepStrictEqual(order, [0, 1, 2])
      assert.strictEqual(permits.queued, 5)
      for (const g of gates) yield* Deferred.succeed(g, undefined)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, [0, 1, 2, 3, 4, 5, 6, 7])
      assert.strictEqual(permits.available, 2)
      assert.strictEqual(permits.queued, 0)
    })
  )

  it.effect("an interrupted waiter leaves the queue and the others still run", () =>
    Effect.gen(function* () {
      const permits = new Permits(1)
      const hold = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(permits.withPermit(Deferred.await(hold)))
      yield* Effect.yieldNow()
      const ran: Array<string> = []
      const a = yield* Effect.fork(permits.withPermit(Effect.sync(() => ran.push("a"))))
      const b = yield* Effect.fork(permits.withPermit(Effect.sync(() => ran.push("b"))))
      yield* Effect.yieldNow()
      assert.strictEqual(permits.queued, 2)
      yield* Fiber.interrupt(a)
      assert.strictEqual(permits.queued, 1)
      yield* Deferred.succeed(hold, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(b)
      assert.deepStrictEqual(ran, ["b"])
      assert.strictEqual(permits.available, 1)
      assert.strictEqual(permits.queued, 0)
    })
  )

  it.effect("a permit handed to a fiber interrupted at that moment is passed on, never lost", () =>
    Effect.gen(function* () {
      const permits = new Permits(1)
      yield* permits.take
      const waiting = yield* Effect.fork(permits.take)
      const next = yield* Effect.fork(permits.withPermit(Effect.succeed("next ran")))
      yield* Effect.yieldNow()
      assert.strictEqual(permits.queued, 2)
      // Hand the permit to `waiting` and interrupt it before it can resume.
      yield* Effect.zipRight(permits.release, Fiber.interrupt(waiting))
      assert.strictEqual(yield* Fiber.join(next), "next ran")
      assert.strictEqual(permits.available, 1)
      assert.strictEqual(permits.queued, 0)
    })
  )

  it.effect("never more than the bound in flight under 300 concurrent callers with timed work", () =>
    Effect.gen(function* () {
      const permits = new Permits(8)
      let inFlight = 0
      let most = 0
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: 300 }, (_, i) => i),
          (i) =>
            permits.withPermit(
              Effect.gen(function* () {
                inFlight++
                most = Math.max(most, inFlight)
                yield* Effect.sleep(`${10 + (i % 7)} millis`)
                inFlight--
                return i
              })
            ),
          { concurrency: "unbounded" }
        )
      )
      for (let step = 0; step < 200 && fiber.unsafePoll() === null; step++) yield* TestClock.adjust("10 millis")
      const results = yield* Fiber.join(fiber)
      assert.strictEqual(results.length, 300)
      assert.strictEqual(results[299], 299)
      assert.strictEqual(most, 8)
      assert.strictEqual(permits.available, 8)
    })
  )
})

describe("Permits: a cascade of cancellations", () => {
  it("a permit let go while the waiters are being cancelled, in the same turn, starts none of them", async () => {
    const permits = new Permits(1)
    const started: Array<number> = []
    permits.acquire(() => started.push(0))
    const withdraw = [1, 2, 3, 4, 5].map((i) => permits.acquire(() => started.push(i)))
    // what one AbortSignal shared by six calls does: the call holding the permit is cancelled,
    // then every waiting call is withdrawn, all in one turn
    permits.releaseNow(true)
    for (const w of withdraw) w()
    await new Promise((resolve) => setTimeout(resolve, 0))
    assert.deepStrictEqual(started, [0])
    assert.strictEqual(permits.available, 1)
    assert.strictEqual(permits.queued, 0)
  })

  it("a permit let go goes to the longest waiter still waiting, one per release", async () => {
    const permits = new Permits(1)
    const started: Array<number> = []
    permits.acquire(() => started.push(0))
    const withdraw = [1, 2, 3].map((i) => permits.acquire(() => started.push(i)))
    permits.releaseNow(true)
    withdraw[0]?.()
    await new Promise((resolve) => setTimeout(resolve, 0))
    assert.deepStrictEqual(started, [0, 2])
    assert.strictEqual(permits.available, 0)
    assert.strictEqual(permits.queued, 1)
  })

  it("a permit let go by a holder that finished goes to the longest waiter at once", () => {
    const permits = new Permits(1)
    const started: Array<number> = []
    permits.acquire(() => started.push(0))
    const withdraw = [1, 2].map((i) => permits.acquire(() => started.push(i)))
    permits.releaseNow()
    assert.deepStrictEqual(started, [0, 1], "handed over in the same call, no microtask")
    withdraw[1]?.()
    assert.strictEqual(permits.available, 0)
    assert.strictEqual(permits.queued, 0)
  })
})
