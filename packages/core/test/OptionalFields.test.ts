/**
 * `WireCommon.withDefault` and `Inputs.optionalOrNull` stand in for `Schema.optionalWith(…, {
 * default })` and `Schema.optionalWith(…, { nullable: true })` (so the browser bundle does not
 * carry optionalWith's other variants): the same property signature — decoding, encoding,
 * the constructor's default, the fast decoder's answer, and the AST as Effect prints it — on
 * generated inputs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { Inputs, WireCommon } from "../src/index.js"
import { fastDecoder, isMiss } from "../src/internal/fastDecode.js"

const inputs = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string(),
  fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.string()), { maxLength: 3 })
)

/** A struct input: the key absent, or present with any value (undefined and null included). */
const structInputs = fc.oneof(
  fc.constant<Record<string, unknown>>({}),
  inputs.map((a): Record<string, unknown> => ({ a })),
  inputs.map((a): Record<string, unknown> => ({ a, extra: 1 }))
)

const show = (e: Either.Either<unknown, unknown>) =>
  Either.isRight(e) ? { ok: e.right } : { error: String((e.left as Error).message) }

/** The two structs decode, encode, construct and compile alike on every generated input. */
const same = (
  ours: Schema.Schema.AnyNoContext,
  theirs: Schema.Schema.AnyNoContext,
  encodable: ReadonlyArray<Record<string, unknown>>
) => {
  assert.strictEqual(String(ours), String(theirs))
  assert.strictEqual(String(Schema.encodedSchema(ours)), String(Schema.encodedSchema(theirs)))
  assert.strictEqual(String(Schema.typeSchema(ours)), String(Schema.typeSchema(theirs)))
  const oursFast = fastDecoder(ours.ast, { onExcessProperty: "preserve" })
  const theirsFast = fastDecoder(theirs.ast, { onExcessProperty: "preserve" })
  if (oursFast === null || theirsFast === null) return assert.fail("the fast decoder declined a struct")
  fc.assert(
    fc.property(structInputs, (input) => {
      const a = show(Schema.decodeUnknownEither(ours)(input))
      assert.deepStrictEqual(a, show(Schema.decodeUnknownEither(theirs)(input)))
      const fa = oursFast(input)
      const fb = theirsFast(input)
      assert.strictEqual(isMiss(fa), isMiss(fb))
      if (!isMiss(fa)) assert.deepStrictEqual(fa, fb)
    }),
    { numRuns: 300 }
  )
  for (const value of encodable) {
    assert.deepStrictEqual(
      show(Schema.encodeUnknownEither(ours)(value)),
      show(Schema.encodeUnknownEither(theirs)(value))
    )
  }
}

describe("withDefault is optionalWith({ default })", () => {
  it("for a boolean flag", () => {
    const ours = Schema.Struct({ a: WireCommon.withDefault(Schema.Boolean, () => true) })
    const theirs = Schema.Struct({ a: Schema.optionalWith(Schema.Boolean, { default: () => true }) })
    same(ours, theirs, [{ a: true }, { a: false }, { a: "x" }])
    assert.deepStrictEqual(ours.make({}), theirs.make({}))
    assert.deepStrictEqual(ours.make({}), { a: true })
    assert.deepStrictEqual(ours.make({ a: false }), theirs.make({ a: false }))
  })

  it("for nullable, flag and list, as the wire Schemas use them", () => {
    same(
      Schema.Struct({ a: WireCommon.nullable(Schema.String) }),
      Schema.Struct({ a: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }) }),
      [{ a: null }, { a: "x" }, { a: 3 }]
    )
    same(
      Schema.Struct({ a: WireCommon.flag }),
      Schema.Struct({ a: Schema.optionalWith(Schema.Boolean, { default: () => false }) }),
      [{ a: true }]
    )
    const ours = Schema.Struct({ a: WireCommon.list(Schema.Number) })
    const theirs = Schema.Struct({ a: Schema.optionalWith(Schema.Array(Schema.Number), { default: () => [] }) })
    same(ours, theirs, [{ a: [] }, { a: [1, 2] }, { a: ["x"] }])
    assert.deepStrictEqual(ours.make({}), theirs.make({}))
  })

  it("the check can fail: a different default decodes differently", () => {
    const ours = Schema.Struct({ a: WireCommon.withDefault(Schema.Boolean, () => true) })
    const theirs = Schema.Struct({ a: Schema.optionalWith(Schema.Boolean, { default: () => false }) })
    assert.notDeepEqual(Schema.decodeUnknownSync(ours)({}), Schema.decodeUnknownSync(theirs)({}))
  })
})

describe("optionalOrNull is optionalWith({ nullable: true })", () => {
  it("for strings, numbers and unions", () => {
    same(
      Schema.Struct({ a: Inputs.optionalOrNull(Schema.String) }),
      Schema.Struct({ a: Schema.optionalWith(Schema.String, { nullable: true }) }),
      [{}, { a: "x" }, { a: undefined }, { a: 3 }]
    )
    same(
      Schema.Struct({ a: Inputs.optionalOrNull(Schema.Union(Schema.Number, Schema.Literal(false))) }),
      Schema.Struct({ a: Schema.optionalWith(Schema.Union(Schema.Number, Schema.Literal(false)), { nullable: true }) }),
      [{}, { a: 1 }, { a: false }, { a: true }]
    )
  })

  it("null is read as absent, and the check can fail: plain optional keeps it", () => {
    const ours = Schema.Struct({ a: Inputs.optionalOrNull(Schema.NullOr(Schema.String)) })
    assert.deepStrictEqual(Schema.decodeUnknownSync(ours)({ a: null }), {})
    const plain = Schema.Struct({ a: Schema.optional(Schema.NullOr(Schema.String)) })
    assert.deepStrictEqual(Schema.decodeUnknownSync(plain)({ a: null }), { a: null })
  })
})
