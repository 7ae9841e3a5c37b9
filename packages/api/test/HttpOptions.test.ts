/**
 * `new API({ http })`: a wrong nested transport setting names the facade's option (`http.cache`)
 * and what it must be.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Capture, emulator, facade, SECRET } from "./support/facade.js"

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail("resolved"),
    (e: unknown) => e as { readonly _tag: string; readonly message: string }
  )

describe("http options", () => {
  it.live("a cache that is not { capacity, timeToLive } is named http.cache, with its shape", () =>
    Effect.promise(async () => {
      const emu = emulator()
      for (const [cache, got] of [
        [5, "5"],
        ["big", '"big"'],
        [[1], "an array"],
        // JSON.stringify throws on these: the error names them instead
        [10n, "a bigint"],
        [Symbol("cache"), "a symbol"]
      ] as const) {
        const api = facade(emu.fetch, new Capture(), { http: { cache: cache as never } })
        const e = await rejection(api.getWorkspaces())
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.strictEqual(
          e.message,
          `Configuration problem with http.cache: must be an object { capacity, timeToLive } (capacity: a positive integer; timeToLive: a duration such as "5 minutes"; optional maxEntryBytes), or null for none; got ${got}`
        )
      }
      const api = facade(emu.fetch, new Capture(), { http: { cache: { capacity: 0, timeToLive: "1 minute" } } })
      assert.strictEqual(
        (await rejection(api.getWorkspaces())).message,
        "Configuration problem with http.cache.capacity: must be a positive integer"
      )
      const budget = facade(emu.fetch, new Capture(), { http: { retryBudget: "soon" as never } })
      assert.strictEqual(
        (await rejection(budget.getWorkspaces())).message,
        "Configuration problem with http.retryBudget: must be a finite duration"
      )
    })
  )
})

describe("abort messages", () => {
  it.live("name the method and the signal's reason (timeout, custom, scrubbed of the key)", () =>
    Effect.promise(async () => {
      const api = facade(emulator({ latency: "200" }).fetch, new Capture())
      const timedOut = await rejection(api.getWorkspaces({ signal: AbortSignal.timeout(1) }))
      assert.strictEqual(timedOut._tag, "TransportError")
      assert.include(timedOut.message, "getWorkspaces")
      assert.include(timedOut.message, "its AbortSignal timed out (AbortSignal.timeout)")
      const controller = new AbortController()
      controller.abort(new Error(`page closed by ${SECRET}`))
      const custom = await rejection(api.getProjects("local-dev", { signal: controller.signal }))
      assert.include(custom.message, "getProjects")
      assert.include(custom.message, "Error: page closed by")
      assert.notInclude(custom.message, SECRET)
    })
  )
})
