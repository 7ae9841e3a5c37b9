/**
 * The client-wide rate gate's state machine (`pacing.ts`), step by step over explicit times:
 * the pause and its jitter, when pacing engages and at what rate, how it recovers and backs off.
 */
import { assert, describe, it } from "@effect/vitest"
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
    const p = new Pacing()
    const ts = admitted(p, 8, 0)
    for (const t of ts.slice(0, 5)) p.onAccepted(t, 5)
    for (const t of ts.slice(5)) p.onThrottled(t, 5, 1000, 0)
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
    const p = new Pacing()
    const ts = admitted(p, 8, 0)
    for (const t of ts.slice(0, 5)) p.onAccepted(t, 5)
    for (const t of ts.slice(5)) p.onThrottled(t, 5, 1000, 0)
    assert.strictEqual(p.rate(5005), 6.5)
    const [probe] = admitted(p, 1, 5005)
    p.onThrottled(probe!, 5010, 1000, 0)
    assert.strictEqual(p.rate(6010), 5.5)
  })

  it("learns a lower rate when heavy throttling comes back at the pace that held", () => {
    const p = new Pacing()
    const burst = admitted(p, 8, 0)
    for (const t of burst.slice(0, 5)) p.onAccepted(t, 5)
    for (const t of burst.slice(5)) p.onThrottled(t, 5, 1000, 0)
    // the server now allows 2 per second: 2 accepted, then 429s
    let now = 1005
    const answered: Array<Ticket> = []
    for (let i = 0; i < 8; i++) {
      const r = p.reserve(now)
      if (r._tag !== "Go") now += r.millis
      const t = newTicket()
      p.reserve(now)
      p.admit(t, now)
      answered.push(t)
    }
    p.onAccepted(answered[0]!, now)
    p.onAccepted(answered[1]!, now)
    for (const t of answered.slice(2)) p.onThrottled(t, now, 1000, 0)
    assert.isTrue((p.rate(now + 1001) ?? 0) < 4.5)
  })
})
