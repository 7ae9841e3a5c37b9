/**
 * The client-wide rate gate's state machine (`pacing.ts`), step by step over explicit times:
 * the pause and its jitter, when pacing engages and at what rate, how it recovers and backs off.
 */
import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { newTicket, Pacing, type Ticket } from "../src/internal/pacing.js"

describe("Pacing", () => {
  /** Admit `n` attempts at `now`. */
  const admitted = (p: Pacing, n: number, now: number): Array<Ticket> =>
    Array.from({ length: n }, () => {
      const t = newTicket()
      assert.deepStrictEqual(p.reserve(now), { _tag: "Go" })
      p.admit(t, now)
      return t
    })

  /** A burst of 8 at 0 ms: 5 accepted, 3 answered 429 with Retry-After 1 s; paced at 4.5/s from 1,005 ms. */
  const engaged = (): Pacing => {
    const p = new Pacing()
    const ts = admitted(p, 8, 0)
    for (const t of ts.slice(0, 5)) p.onAccepted(t, 5)
    for (const t of ts.slice(5)) p.onThrottled(t, 5, 1000, 0)
    return p
  }

  it("a 429 pauses every attempt for its wait plus at most 10 % jitter", () => {
    for (const r of [0, 0.5, 0.999]) {
      const p = new Pacing()
      const [t] = admitted(p, 1, 0)
      p.onThrottled(t!, 10, 1000, r)
      const paused = p.pausedFor(10)
      assert.isTrue(paused >= 1000 && paused <= 1100, `${paused}`)
      assert.strictEqual(p.reserve(500)._tag, "Paused")
    }
  })

  it("the pause is whole milliseconds: waiting what pausedFor says always ends it, at any fractional time", () => {
    // a clock that rounds a sub-millisecond sleep down (TestClock does) must not spin on the pause
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 120_000, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 200_000, noNaN: true }),
        (at, wait, random, later) => {
          const p = new Pacing()
          const [t] = admitted(p, 1, at)
          p.onThrottled(t!, at, wait, random)
          const now = at + later
          const paused = p.pausedFor(now)
          assert.isTrue(Number.isInteger(paused), `${paused}`)
          assert.strictEqual(p.pausedFor(now + paused), 0)
        }
      )
    )
  })

  it("heavy throttling paces at 90 % of what the server accepted over the Retry-After window", () => {
    const p = new Pacing()
    const ts = admitted(p, 8, 0)
    for (const t of ts.slice(0, 5)) p.onAccepted(t, 12)
    for (const t of ts.slice(5)) p.onThrottled(t, 2, 1000, 0)
    assert.strictEqual(p.rate(500), null) // decided when the pause ends
    assert.strictEqual(p.rate(1002), 4.5)
    // attempts start one slot (1 / 4.5 s) apart
    const go = admitted(p, 1, 1002)
    assert.strictEqual(go.length, 1)
    const next = p.reserve(1002)
    assert.strictEqual(next._tag, "Slot")
    assert.strictEqual(next._tag === "Slot" ? next.millis : 0, 223)
  })

  it("light throttling (a 429 among many answers) only pauses", () => {
    const p = new Pacing()
    const ts = admitted(p, 16, 0)
    for (const t of ts.slice(0, 15)) p.onAccepted(t, 5)
    p.onThrottled(ts[15]!, 5, 200, 0)
    assert.strictEqual(p.reserve(100)._tag, "Paused")
    assert.strictEqual(p.rate(300), null)
    assert.deepStrictEqual(p.reserve(300), { _tag: "Go" })
  })

  it("only the first 429 of attempts admitted together counts; the others extend the pause", () => {
    const p = new Pacing()
    const ts = admitted(p, 8, 0)
    for (const t of ts.slice(0, 5)) p.onAccepted(t, 5)
    p.onThrottled(ts[5]!, 5, 1000, 0)
    p.onThrottled(ts[6]!, 300, 1000, 0)
    assert.strictEqual(p.pausedFor(300), 1000)
    p.onThrottled(ts[7]!, 300, 1000, 0)
    assert.strictEqual(p.rate(1300), 4.5)
  })

  it("recovers: after three calm windows one more attempt per window, then 10 %, then no pacing", () => {
    const p = engaged()
    assert.strictEqual(p.rate(1005), 4.5)
    assert.strictEqual(p.rate(4004), 4.5)
    assert.strictEqual(p.rate(4005), 5.5)
    assert.strictEqual(p.rate(5005), 6.5)
    assert.strictEqual(p.rate(9005), 10.5)
    assert.closeTo(p.rate(10_005) ?? 0, 11.55, 1e-9)
    assert.closeTo(p.rate(11_005) ?? 0, 12.705, 1e-9)
    assert.strictEqual(p.rate(3_600_000), null)
  })

  it("backs off: a step up that draws a 429 returns to the pace that held", () => {
    const p = engaged()
    assert.strictEqual(p.rate(5005), 6.5)
    const [probe] = admitted(p, 1, 5005)
    p.onThrottled(probe!, 5010, 1000, 0)
    assert.strictEqual(p.rate(6010), 5.5)
  })

  it("learns a lower rate when heavy throttling comes back at the pace that held", () => {
    const p = engaged()
    // the server now allows 2 per second: at the pace (one every 223 ms) 2 are accepted, the third is a 429
    const answers = [true, true, false]
    let now = 1005
    for (const accepted of answers) {
      const r = p.reserve(now)
      if (r._tag !== "Go") {
        now += r.millis
        assert.deepStrictEqual(p.reserve(now), { _tag: "Go" })
      }
      const t = newTicket()
      p.admit(t, now)
      if (accepted) p.onAccepted(t, now)
      else p.onThrottled(t, now, 1000, 0)
    }
    assert.strictEqual(now, 1451)
    assert.strictEqual(p.reserve(2000)._tag, "Paused")
    // 4 of the last 11 answers were 429s: 90 % of the 2 accepted in the window before it
    assert.closeTo(p.rate(2451) ?? 0, 1.8, 1e-9)
  })
})
