/**
 * The emulator's options are read once: a getter that throws is the InvalidArgument naming it
 * (it escaped as a defect), and a getter runs once.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { make } from "../src/Emulator.js"

describe("emulator options review", () => {
  it.effect("a getter that throws is the InvalidArgument naming it; a getter is read once", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        make(
          Object.defineProperty({}, "seed", {
            enumerable: true,
            get: () => {
              throw new Error("boom")
            }
          })
        )
      )
      if (Exit.isSuccess(exit)) return assert.fail("made")
      const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(e?._tag, "InvalidArgument", String(exit.cause))
      assert.strictEqual(e?.argument, "options.seed")
      assert.include(e?.message, "cannot be read: reading it threw")
      let reads = 0
      const emu = yield* make({
        get seed() {
          reads++
          return 3
        }
      })
      assert.isAbove(emu.dataset.workspaces.length, 0)
      assert.strictEqual(reads, 1)
    })
  )
})
