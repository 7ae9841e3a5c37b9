/**
 * Permits against a model, over random sequences of acquire / withdraw / release (finished or
 * cancelled) / microtask turns / fibers interrupted while waiting or just granted: no permit is
 * ever lost or granted twice (free + held == total), waiters are served in arrival order, and
 * once the scheduled hand-over has run nobody waits while a permit is free.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, FastCheck as fc } from "effect"
import { Permits } from "../src/internal/permits.js"

type Op =
  | { readonly _tag: "acquire" }
  | { readonly _tag: "withdraw"; readonly pick: number }
  | { readonly _tag: "release"; readonly pick: number; readonly cancelled: boolean }
  | { readonly _tag: "turn" }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ _tag: "acquire" } as const) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("withdraw" as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ _tag: fc.constant("release" as const), pick: fc.nat(), cancelled: fc.boolean() })
  },
  { weight: 2, arbitrary: fc.constant({ _tag: "turn" } as const) }
)

/** Let every queued microtask run (the hand-over of a cancelled holder's permit is one). */
const settle = async () => {
  for (let i = 0; i < 3; i++) await Promise.resolve()
}

describe("Permits (model)", () => {
  it("plain-code holders: never lost, never granted twice, FIFO, no idle permit once settled", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 80 }), async (total, ops) => {
        const permits = new Permits(total)
        const held = new Set<number>()
        const granted: Array<number> = []
        const waiting = new Map<number, () => void>()
        let next = 0
        const check = () => {
          assert.strictEqual(permits.available + held.size, total, "free + held == total")
          assert.isAtLeast(permits.available, 0)
          assert.strictEqual(permits.queued, waiting.size, "the queue is the callers still waiting")
        }
        for (const o of ops) {
          if (o._tag === "acquire") {
            const id = next++
            let withdraw: (() => void) | undefined
            withdraw = permits.acquire(() => {
              assert.isFalse(held.has(id), "granted twice")
              held.add(id)
              granted.push(id)
              waiting.delete(id)
            })
            if (!held.has(id)) waiting.set(id, withdraw)
            withdraw = undefined
          } else if (o._tag === "withdraw") {
            const ids = [...waiting.keys()]
            const id = ids[o.pick % Math.max(ids.length, 1)]
            if (id !== undefined) {
              waiting.get(id)?.()
              waiting.delete(id)
            }
          } else if (o._tag === "release") {
            const ids = [...held]
            const id = ids[o.pick % Math.max(ids.length, 1)]
            if (id !== undefined) {
              held.delete(id)
              permits.releaseNow(o.cancelled)
            }
          } else {
            await settle()
            if (permits.queued > 0) assert.strictEqual(permits.available, 0, "a waiter while a permit is free")
          }
          check()
        }
        await settle()
        check()
        if (permits.queued > 0) assert.strictEqual(permits.available, 0, "a waiter while a permit is free")
        for (let i = 1; i < granted.length; i++)
          assert.isAbove(granted[i] as number, granted[i - 1] as number, "served in arrival order")
        for (const id of [...held]) {
          held.delete(id)
          permits.releaseNow(false)
        }
        await settle()
        assert.strictEqual(permits.available + held.size, total)
      }),
      { numRuns: 500 }
    )
  })

  it("fibers interrupted at random points give every permit back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ steps: fc.nat({ max: 3 }), interruptAfter: fc.option(fc.nat({ max: 4 })) }), {
          minLength: 1,
          maxLength: 12
        }),
        async (total, jobs) => {
          const permits = new Permits(total)
          let inside = 0
          let most = 0
          const program = Effect.gen(function* () {
            const fibers = yield* Effect.forEach(jobs, (job) =>
              Effect.fork(
                permits.withPermit(
                  Effect.gen(function* () {
                    inside++
                    most = Math.max(most, inside)
                    yield* Effect.addFinalizer(() => Effect.void).pipe(Effect.scoped)
                    for (let i = 0; i < job.steps; i++) yield* Effect.yieldNow()
                    inside--
                  }).pipe(Effect.onInterrupt(() => Effect.sync(() => inside--)))
                )
              )
            )
            yield* Effect.forEach(
              jobs.map((job, i) => [job, fibers[i] as Fiber.RuntimeFiber<void>] as const),
              ([job, fiber]) =>
                job.interruptAfter === null
                  ? Effect.void
                  : Effect.fork(
                      Effect.zipRight(
                        Effect.forEach(Array.from({ length: job.interruptAfter }), () => Effect.yieldNow()),
                        Fiber.interrupt(fiber)
                      )
                    ),
              { discard: true }
            )
            return yield* Effect.forEach(fibers, Fiber.await)
          })
          const exits = await Effect.runPromise(program)
          await settle()
          assert.isAtMost(most, total, "more holders than permits")
          assert.strictEqual(permits.available, total, "every permit is back")
          assert.strictEqual(permits.queued, 0)
          assert.strictEqual(inside, 0)
          for (const exit of exits) assert.isTrue(Exit.isSuccess(exit) || Exit.isInterrupted(exit))
        }
      ),
      { numRuns: 200 }
    )
  })
})
