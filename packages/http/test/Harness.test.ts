/**
 * The test harness itself: a signal shared by many requests keeps no listener once they are done
 * (else Node warns MaxListenersExceededWarning and the harness leaks).
 */
import { getEventListeners } from "node:events"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { BASE, FakeServer, json } from "./support/harness.js"

describe("harness", () => {
  it.live("the fake fetch removes its abort listeners when each request completes", () =>
    Effect.gen(function* () {
      const server = new FakeServer(() => Effect.succeed(json({ ok: true })))
      const fetch = server.fetch(Effect.runPromise, [])
      const shared = new AbortController().signal
      for (let i = 0; i < 20; i++) {
        const response = yield* Effect.promise(() => fetch(`${BASE}/api/rest/v2/workspaces`, { signal: shared }))
        assert.deepStrictEqual(yield* Effect.promise(() => response.json()), { ok: true })
      }
      assert.strictEqual(server.requests.length, 20)
      assert.strictEqual(server.inFlight, 0)
      assert.strictEqual(getEventListeners(shared, "abort").length, 0)
    })
  )
})
