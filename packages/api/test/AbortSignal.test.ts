/**
 * One AbortSignal shared by many facade calls (a dashboard cancelling a whole page): the signal
 * carries one listener however many calls use it, Node prints no MaxListenersExceededWarning,
 * aborting still cancels every call and stream, and a signal whose calls have ended carries no
 * listener at all.
 */
import { getEventListeners } from "node:events"
import { isCometError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Capture, emulator, facade } from "./support/facade.js"

const CALLS = 60

/** Warnings Node emits while `body` runs (and one turn after). */
const warningsDuring = async (body: () => Promise<void>): Promise<ReadonlyArray<string>> => {
  const seen: Array<string> = []
  const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`)
  process.on("warning", onWarning)
  try {
    await body()
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off("warning", onWarning)
  }
  return seen
}

const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length

const abortedError = (r: PromiseSettledResult<unknown>) =>
  r.status === "rejected" &&
  isCometError(r.reason) &&
  r.reason._tag === "TransportError" &&
  r.reason.reason === "aborted"

describe("one AbortSignal shared by many calls", () => {
  it(`${CALLS} calls in flight: one listener on the signal, no warning, every call aborted`, async () => {
    // The emulator's latency keeps every call in flight until the signal fires.
    const api = facade(emulator({ latency: 60_000 }).fetch, new Capture())
    const controller = new AbortController()
    let during = -1
    let results: ReadonlyArray<PromiseSettledResult<unknown>> = []
    const warnings = await warningsDuring(async () => {
      const calls = Array.from({ length: CALLS }, (_, i) =>
        i % 2 === 0
          ? api.getWorkspaces({ signal: controller.signal })
          : api.getProjects("local-dev", { signal: controller.signal })
      )
      during = listeners(controller.signal)
      controller.abort()
      results = await Promise.allSettled(calls)
    })
    await api.close()
    assert.strictEqual(during, 1)
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(results.length, CALLS)
    assert.strictEqual(results.filter(abortedError).length, CALLS)
  })

  it("calls that end on their own leave no listener on a signal that never fired", async () => {
    const api = facade(emulator().fetch, new Capture())
    const controller = new AbortController()
    const warnings = await warningsDuring(async () => {
      const done = await Promise.all(
        Array.from({ length: CALLS }, () => api.getWorkspaces({ signal: controller.signal }))
      )
      assert.strictEqual(done.length, CALLS)
      // Sequential calls reuse the signal too.
      for (let i = 0; i < 15; i++) await api.getWorkspaces({ signal: controller.signal })
    })
    await api.close()
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(listeners(controller.signal), 0)
  })

  it("streams and calls share a signal: one listener, all cancelled, none left", async () => {
    const server = emulator({ latency: 60_000 })
    const api = facade(server.fetch, new Capture())
    const experiment = server.dataset.workspaces[0]!.projects[0]!.experiments[0]!
    const asset = experiment.assets[0]!
    const controller = new AbortController()
    const drain = async () => {
      let bytes = 0
      for await (const chunk of api.streamExperimentAsset(experiment.experimentKey, asset.assetId, {
        signal: controller.signal
      }))
        bytes += chunk.length
      return bytes
    }
    let results: ReadonlyArray<PromiseSettledResult<unknown>> = []
    let during = -1
    const warnings = await warningsDuring(async () => {
      const work = [
        ...Array.from({ length: 15 }, drain),
        ...Array.from({ length: 15 }, () => api.getWorkspaces({ signal: controller.signal }))
      ]
      // Streams open on the client's runtime first; let them reach the signal.
      await new Promise((resolve) => setTimeout(resolve, 200))
      during = listeners(controller.signal)
      controller.abort()
      results = await Promise.allSettled(work)
    })
    await api.close()
    assert.strictEqual(during, 1)
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(results.filter(abortedError).length, 30)
    assert.strictEqual(listeners(controller.signal), 0)
  })

  it("an already aborted signal rejects at once, adding no listener", async () => {
    const api = facade(emulator().fetch, new Capture())
    const controller = new AbortController()
    controller.abort()
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => api.getWorkspaces({ signal: controller.signal }))
    )
    await api.close()
    assert.strictEqual(results.filter(abortedError).length, 20)
    assert.strictEqual(listeners(controller.signal), 0)
  })
})
