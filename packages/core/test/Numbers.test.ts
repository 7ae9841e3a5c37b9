import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { decodeWire } from "../src/Decode.js"
import * as Core from "../src/index.js"

const same = (actual: number | undefined, expected: number) =>
  actual !== undefined && (Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected)

describe("parseNumber reads numbers as Python's float() does", () => {
  it("decimal, exponent, signs, white space and underscores", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["0.95", 0.95],
      ["-3", -3],
      ["+2.5", 2.5],
      ["1.", 1],
      [".5", 0.5],
      ["1e-3", 0.001],
      ["6.02E23", 6.02e23],
      ["  42\n", 42],
      ["1_000.000_1", 1000.0001],
      ["0005", 5]
    ]
    for (const [text, value] of cases) assert.strictEqual(Core.parseNumber(text), value, text)
  })

  it("nan and infinities in the spellings Python and Java write", () => {
    for (const t of ["nan", "NaN", "NAN", "+nan", "-nan"]) assert.isTrue(Number.isNaN(Core.parseNumber(t)), t)
    for (const t of ["inf", "Infinity", "+INF", "infinity"]) assert.strictEqual(Core.parseNumber(t), Infinity, t)
    for (const t of ["-inf", "-Infinity"]) assert.strictEqual(Core.parseNumber(t), -Infinity, t)
  })

  it("everything else is not a number", () => {
    for (const t of [
      "",
      "  ",
      "adam",
      "0x10",
      "0b1",
      "1e",
      "e5",
      "1__0",
      "_1",
      "1_",
      "true",
      "1,5",
      "--1",
      "nanx",
      "∞"
    ]) {
      assert.isUndefined(Core.parseNumber(t), JSON.stringify(t))
    }
  })

  it("reads back every double JavaScript writes", () => {
    fc.assert(fc.property(fc.double(), (x) => same(Core.parseNumber(String(x)), x)))
  })

  it("reads back every double in exponent form", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) =>
        same(Core.parseNumber(x.toExponential()), x)
      )
    )
  })

  it("never throws and answers a number or undefined for any text", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = Core.parseNumber(s)
        return n === undefined || typeof n === "number"
      })
    )
  })

  it("is what NumericArray uses for string elements", () => {
    const exit = Effect.runSyncExit(decodeWire(Core.NumericArray, "t")(["1_0", "nan", "-inf", 2, null]))
    assert.isTrue(Exit.isSuccess(exit))
    if (Exit.isSuccess(exit)) {
      const [a, b, c, d, e] = exit.value
      assert.strictEqual(a, 10)
      assert.isTrue(Number.isNaN(b ?? 0))
      assert.strictEqual(c, -Infinity)
      assert.strictEqual(d, 2)
      assert.isNull(e)
    }
    assert.isTrue(Exit.isFailure(Effect.runSyncExit(decodeWire(Core.NumericArray, "t")(["0x10"]))))
  })
})
