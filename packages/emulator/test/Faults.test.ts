import { InvalidArgument } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import * as Faults from "../src/Faults.js"

const parse = (s: string) => {
  const r = Faults.parseFaults(s)
  if (Either.isLeft(r)) return assert.fail(`did not parse ${s}: ${r.left.message}`)
  return r.right
}

describe("fault spec", () => {
  it("parses kinds, probabilities, scopes and settings", () => {
    const c = parse(
      "429:0.2, 503:0.1,reset:0.05,truncate:0.05@experiment/*,slow:0.1@/api/rest/v2/experiments,retry-after=3,slow-ms=40,latency=20~10@experiment/metadata"
    )
    assert.deepStrictEqual(c.rules, [
      { kind: "429", probability: 0.2, scope: null },
      { kind: "503", probability: 0.1, scope: null },
      { kind: "reset", probability: 0.05, scope: null },
      { kind: "truncate", probability: 0.05, scope: "experiment/*" },
      { kind: "slow", probability: 0.1, scope: "experiments" }
    ])
    assert.strictEqual(c.retryAfterSeconds, 3)
    assert.isTrue(c.retryAfterOn503)
    assert.strictEqual(c.slowChunkMs, 40)
    assert.deepStrictEqual(c.latency, [{ fixedMs: 20, jitterMs: 10, scope: "experiment/metadata" }])
    assert.deepStrictEqual(parse(""), Faults.none)
  })

  it("rejects what it cannot use, naming the item", () => {
    for (const bad of [
      "teapot:0.1",
      "503",
      "503:1.5",
      "503:-1",
      "503:0.6,429:0.6",
      "retry-after=soon",
      "colour=blue",
      "latency=fast"
    ]) {
      const r = Faults.parseFaults(bad)
      assert.isTrue(Either.isLeft(r), bad)
      if (Either.isLeft(r)) {
        assert.instanceOf(r.left, InvalidArgument)
        assert.strictEqual(r.left.argument, "faults")
      }
    }
  })

  it("format and parse are inverse", () => {
    const kind = fc.constantFrom(...Faults.FAULT_KINDS)
    const rule = fc.record({
      kind,
      probability: fc.integer({ min: 0, max: 100 }).map((n) => n / 1000),
      scope: fc.option(fc.constantFrom("experiment/metadata", "experiment/*", "workspaces"), { nil: null })
    })
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 6 }), fc.integer({ min: 0, max: 30 }), (rules, ra) => {
        const config = { ...Faults.none, rules, retryAfterSeconds: ra, retryAfterOn503: true }
        assert.deepStrictEqual(parse(Faults.format(config)), config)
      })
    )
  })

  it("scopes: exact, wildcard, and unscoped rules spare the version probe", () => {
    assert.isTrue(Faults.inScope("experiment/*", "experiment/metadata"))
    assert.isFalse(Faults.inScope("experiment/*", "experiments"))
    assert.isTrue(Faults.inScope("experiments", "experiments"))
    assert.isTrue(Faults.inScope(null, "workspaces"))
    assert.isFalse(Faults.inScope(null, "clientlib/isAlive/ver"))
    assert.isTrue(Faults.inScope("clientlib/*", "clientlib/isAlive/ver"))
  })
})

describe("fault decisions", () => {
  const c = parse("503:0.5")
  const sequence = (seed: number, endpoint: string, n = 200) =>
    Array.from({ length: n }, (_, i) => Faults.decide(c, seed, endpoint, i))

  it("are a pure function of (seed, endpoint, index)", () => {
    assert.deepStrictEqual(sequence(1, "workspaces"), sequence(1, "workspaces"))
    assert.notDeepEqual(sequence(1, "workspaces"), sequence(2, "workspaces"))
    assert.notDeepEqual(sequence(1, "workspaces"), sequence(1, "experiments"))
  })

  it("follow the probabilities", () => {
    const n = 20_000
    const mixed = parse("429:0.2,503:0.1,reset:0.05")
    const counts: Record<string, number> = {}
    for (let i = 0; i < n; i++) {
      const k = Faults.decide(mixed, 42, "experiment/metadata", i) ?? "none"
      counts[k] = (counts[k] ?? 0) + 1
    }
    const near = (k: string, p: number) =>
      assert.isTrue(Math.abs((counts[k] ?? 0) / n - p) < 0.015, `${k}: ${counts[k]} of ${n}, expected ≈ ${p}`)
    near("429", 0.2)
    near("503", 0.1)
    near("reset", 0.05)
    near("none", 0.65)
  })

  it("scoped rules only touch their endpoints", () => {
    const scoped = parse("503:1@experiment/metadata")
    assert.strictEqual(Faults.decide(scoped, 1, "experiment/metadata", 0), "503")
    assert.strictEqual(Faults.decide(scoped, 1, "workspaces", 0), null)
  })

  it("latency is fixed plus a bounded, deterministic jitter", () => {
    const l = parse("latency=50~20")
    const values = Array.from({ length: 500 }, (_, i) => Faults.latencyFor(l, 3, "workspaces", i))
    for (const v of values) assert.isTrue(v >= 50 && v <= 70, String(v))
    assert.isTrue(new Set(values).size > 10)
    assert.deepStrictEqual(
      values,
      Array.from({ length: 500 }, (_, i) => Faults.latencyFor(l, 3, "workspaces", i))
    )
  })
})
