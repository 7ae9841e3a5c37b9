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

describe("what a hostile body shows in a message", () => {
  const KEY = "Vb7nM2xQ9kL4pR8tW1yZ"
  const noPiece = (text: string) => {
    for (let i = 0; i + 8 <= KEY.length; i++) assert.notInclude(text.toLowerCase(), KEY.slice(i, i + 8).toLowerCase())
  }

  it.effect("an echoed key after white space: no piece of it in the detail (V8's quote of the body is dropped)", () =>
    Effect.gen(function* () {
      for (const body of [`   ${KEY}   `, `${" ".repeat(200)}${KEY}`, `${KEY}`, `{"a":${KEY}}`]) {
        const e = yield* Effect.flip(decodeJsonText(Values, "workspaces")(body, KEY))
        noPiece(e.detail)
        noPiece(e.excerpt)
        noPiece(e.message)
        assert.match(e.detail, /^not JSON \((SyntaxError: )?Unexpected token 'V'\)$/)
      }
    })
  )

  it.effect("control characters (NUL, ESC, NEL) are never in a message as raw bytes", () =>
    Effect.gen(function* () {
      for (const body of ["\0\0", "\u001b[2J\u001b[31mred", "x\u0085y", "\u007f"]) {
        const e = yield* Effect.flip(decodeJsonText(Values, "workspaces")(body))
        assert.notMatch(e.message, /\p{Cc}/u, JSON.stringify(e.message))
        assert.include(e.message, "\ufffd")
      }
    })
  )

  it("a body of a byte order mark (dropped by the UTF-8 decoder) is white space of its size, not empty", () => {
    assert.strictEqual(blankBody("", 3), "only white space: 3 bytes (byte order marks)")
    assert.strictEqual(blankBody("  ", 5), "only white space: 5 bytes (byte order marks, spaces)")
    assert.strictEqual(excerpt("", undefined, 3), "(only white space: 3 bytes (byte order marks))")
    assert.strictEqual(blankBody("", 0), "empty")
    assert.strictEqual(blankBody(""), "empty")
  })
})
