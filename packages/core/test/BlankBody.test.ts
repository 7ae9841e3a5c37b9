/**
 * A body of only white space is described as what it is (white space, its size in bytes, which
 * characters) wherever a body is described — `Decode.decodeJsonText`'s detail, every excerpt —
 * never as an empty body; an empty body still reads as empty, and any other text is shown.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import { blankBody, decodeJsonText, excerpt } from "../src/Decode.js"

const Values = Schema.Struct({ values: Schema.Array(Schema.Number) })
const WHITE = [" ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u3000", "\ufeff"]

describe("a body of only white space", () => {
  it.effect("decodeJsonText names white space and its size, not an empty body", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(decodeJsonText(Values, "experiment/metrics/summary")("   \n"))
      assert.strictEqual(e.detail, "the body is only white space: 4 bytes (spaces, line feeds), JSON was expected")
      assert.strictEqual(e.excerpt, "(only white space: 4 bytes (spaces, line feeds))")
      assert.notInclude(e.message, "empty")
      const empty = yield* Effect.flip(decodeJsonText(Values, "experiment/metrics/summary")(""))
      assert.strictEqual(empty.detail, "the body is empty, JSON was expected")
      assert.strictEqual(empty.excerpt, "(empty body)")
    })
  )

  it("an excerpt of white space says so, with its UTF-8 size (other characters by code point)", () => {
    assert.strictEqual(excerpt(" ".repeat(1024 * 1024)), "(only white space: 1048576 bytes (spaces))")
    assert.strictEqual(excerpt("\u3000"), "(only white space: 3 bytes (U+3000))")
    assert.strictEqual(excerpt("\t", undefined, 5), "(only white space: 5 bytes (tabs))")
    assert.strictEqual(excerpt(""), "(empty body)")
    assert.strictEqual(excerpt("  x "), "x")
  })

  it("any white-space-only text is described as white space with its exact UTF-8 size, never as empty", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...WHITE), { minLength: 1, maxLength: 200 }), (chars) => {
        const text = chars.join("")
        const size = Buffer.byteLength(text)
        const blank = blankBody(text)
        assert.isNotNull(blank)
        assert.include(blank ?? "", `only white space: ${size} byte`)
        assert.strictEqual(excerpt(text), `(${blank})`)
      })
    )
  })
})
