/**
 * `new API({ http })`: a wrong nested transport setting names the facade's option (`http.cache`)
 * and what it must be.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Capture, emulator, facade } from "./support/facade.js"

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
        [[1], "an array"]
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
