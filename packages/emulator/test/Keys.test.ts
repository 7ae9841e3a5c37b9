import { timingSafeEqual } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerClient } from "../src/Emulator.js"
import { KeyTable } from "../src/internal/keys.js"
import { get, getJson } from "./util.js"

describe("API keys are compared in constant time", () => {
  const keys = ["alpha-key-0001", "bravo-key-0002", "charlie-key-0003"] as const

  const counting = () => {
    const calls: Array<number> = []
    const compare = (a: Buffer, b: Buffer) => {
      calls.push(a.length + b.length)
      return timingSafeEqual(a, b)
    }
    return {
      calls,
      table: new KeyTable(
        keys.map((k, i) => [k, i] as const),
        compare
      )
    }
  }

  it("finds each key and nothing else", () => {
    const { table } = counting()
    assert.strictEqual(table.size, 3)
    for (const [i, k] of keys.entries()) assert.strictEqual(table.lookup(k), i)
    for (const wrong of ["", "alpha", "alpha-key-000", "alpha-key-00011", "ALPHA-KEY-0001", " alpha-key-0001"]) {
      assert.isUndefined(table.lookup(wrong), JSON.stringify(wrong))
    }
  })

  it("every lookup compares with every key, on equal-length digests, whether it matches first, last or never", () => {
    for (const candidate of [keys[0], keys[2], "nope", "x".repeat(10_000)]) {
      const { calls, table } = counting()
      table.lookup(candidate)
      assert.deepStrictEqual(calls, [64, 64, 64], candidate.slice(0, 20))
    }
  })

  it("a later entry with the same key replaces the earlier one", () => {
    const table = new KeyTable([
      ["k", 1],
      ["k", 2]
    ])
    assert.strictEqual(table.size, 1)
    assert.strictEqual(table.lookup("k"), 2)
  })

  it.effect("the server accepts the right key and 401s a prefix, an extension and a near miss", () =>
    Effect.gen(function* () {
      const ok = yield* getJson("/api/rest/v2/workspaces", { authorization: "local-dev-key" })
      assert.deepStrictEqual(ok, { workspaceNames: ["local-dev", "team-vision"] })
      for (const wrong of ["local-dev-ke", "local-dev-key2", "local-dev-kez"]) {
        const r = yield* get("/api/rest/v2/workspaces", { authorization: wrong })
        assert.strictEqual(r.status, 401, wrong)
      }
    }).pipe(Effect.provide(layerClient()))
  )
})
