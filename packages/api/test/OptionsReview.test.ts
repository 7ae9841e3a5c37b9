/**
 * What a review of the facade's options found: `{ signal: null }` (null is "not given" for every
 * option) passed the check and then threw a TypeError out of the call, synchronously; a Proxy
 * listing a name it then denies having passed as empty options (an aborted signal dropped); an
 * API key used as a long name or symbol description was cut before it was masked; and
 * `Chart.stream` threw a getter's exception instead of failing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { Chart, CometApi } from "../src/index.js"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const rejection = (p: () => Promise<unknown>) =>
  Promise.resolve()
    .then(p)
    .then(
      () => assert.fail("resolved"),
      (e: unknown) => e as { readonly _tag: string; readonly message: string }
    )

/** No 8 consecutive characters of the key appear in `text`. */
const noPartOfKey = (text: string) => {
  for (let i = 0; i + 8 <= SECRET.length; i++) assert.notInclude(text, SECRET.slice(i, i + 8), text)
}

describe("facade options review", () => {
  it.live("null and undefined options are not given: the call runs (no TypeError)", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const api = facade(emu.fetch, new Capture())
      const experiment = await api.getExperimentByKey(exp.experimentKey)
      for (const options of [
        { signal: null, callTimeoutMs: null },
        { signal: undefined },
        { signal: null, fetchFull: null }
      ]) {
        const metrics = await api.getExperimentMetrics(exp.experimentKey, undefined, options as never)
        assert.isAbove(metrics.length, 0)
        assert.isArray(await api.getWorkspaces(options as never))
        assert.isNotNull(await api.getMetricsForChart([exp.experimentKey], ["loss"], [], options as never))
        const name = await experiment!.getName(options as never)
        assert.isTrue(name === null || typeof name === "string")
      }
      await api.close()
    })
  )

  it.live("a Proxy listing a name it then denies having is refused as unreadable; nothing is sent", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const exp = emu.dataset.workspaces[0]!.projects[0]!.experiments[0]!
      const capture = new Capture()
      const api = facade(emu.fetch, capture)
      capture.requests.length = 0
      const lying = new Proxy({} as Record<string, unknown>, {
        ownKeys: () => ["signal"],
        getOwnPropertyDescriptor: () => undefined,
        get: (_t, p) => (p === "signal" ? AbortSignal.abort() : undefined)
      })
      const e = await rejection(() => api.getExperimentMetrics(exp.experimentKey, undefined, lying as never))
      assert.strictEqual(e._tag, "InvalidArgument")
      assert.include(e.message, "Invalid options")
      assert.include(e.message, "cannot be read")
      assert.deepStrictEqual(capture.requests, [])
      await api.close()
    })
  )

  it.live("the API key in a long option name or symbol description is masked, not cut", () =>
    Effect.promise(async () => {
      const emu = emulator({ seed: 1 })
      const api = facade(emu.fetch, new Capture())
      for (const options of [
        { ["x".repeat(30) + SECRET]: 1 },
        { [Symbol(`k=${SECRET}`)]: 1 },
        { [Symbol(`${"y".repeat(20)}${SECRET}`)]: 1 }
      ]) {
        const e = await rejection(() => api.getWorkspaces(options as never))
        assert.strictEqual(e._tag, "InvalidArgument")
        assert.include(e.message, "is not an option of any call")
        noPartOfKey(e.message)
        noPartOfKey(JSON.stringify(e))
      }
      await api.close()
    })
  )

  it.effect("Chart.stream: a getter that throws is the InvalidArgument naming it, never thrown", () =>
    Effect.gen(function* () {
      const options = Object.defineProperty({}, "chunkSize", {
        enumerable: true,
        get: () => {
          throw new Error("boom")
        }
      })
      const exit = yield* Effect.exit(
        Effect.suspend(() => Stream.runDrain(Chart.stream(["k"], ["loss"], [], options))).pipe(
          Effect.provideService(CometApi, undefined as never)
        )
      )
      if (Exit.isSuccess(exit)) return assert.fail("ran")
      const e = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(e?._tag, "InvalidArgument", String(exit.cause))
      assert.include(e?.message, "options.chunkSize")
      assert.include(e?.message, "cannot be read: reading it threw")
    })
  )
})
