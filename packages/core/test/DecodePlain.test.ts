/**
 * What the compiled decoder builds is an ordinary object, whatever a hostile server sends: plain
 * prototype, JSON / structuredClone / spread round-trip, unknown keys kept in the order the
 * interpreter keeps them (integer-like first), `__proto__` sent as an own JSON key kept as an own
 * key (never a change of prototype), symbols kept.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { decodeWire, wireParseOptions } from "../src/Decode.js"
import { fastDecoder, isMiss } from "../src/internal/fastDecode.js"

const Item = Schema.Struct({ name: Schema.String, n: Schema.Number })
const Renamed = Schema.Struct({
  name: Schema.String,
  value: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("v"))
})
const Wrapped = Schema.Struct({ items: Schema.Array(Item) })

const fast = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown): unknown => {
  const f = fastDecoder(schema.ast, wireParseOptions)
  assert.isNotNull(f, "the schema compiles")
  const out = f?.(value)
  assert.isFalse(isMiss(out), "the compiled decoder accepts it")
  return out
}

const decoded = <A, I>(schema: Schema.Schema<A, I, never>, value: unknown): Effect.Effect<A, unknown> =>
  decodeWire(schema, "test")(value)

const isPlain = (o: unknown): void => {
  assert.strictEqual(Object.getPrototypeOf(o), Object.prototype)
  assert.strictEqual((o as { constructor: unknown }).constructor, Object)
  assert.deepStrictEqual(JSON.parse(JSON.stringify(o)), JSON.parse(JSON.stringify({ ...(o as object) })))
  assert.deepStrictEqual(structuredClone(o), { ...(o as object) })
}

describe("decoded objects are plain", () => {
  for (const [name, schema, input] of [
    ["a struct", Item, { name: "a", n: 1 }],
    ["a struct with a renamed key", Renamed, { name: "a", v: 2 }]
  ] as const) {
    it.effect(`${name}: prototype, constructor, JSON, structuredClone, spread`, () =>
      Effect.gen(function* () {
        const out = yield* decoded(schema as Schema.Schema<unknown, unknown, never>, input)
        isPlain(out)
        isPlain(fast(schema as Schema.Schema<unknown, unknown, never>, input))
      })
    )
  }

  it.effect("nested structs in an array are plain too, and equal to the input", () =>
    Effect.gen(function* () {
      const input = JSON.parse('{"items":[{"name":"a","n":1},{"name":"b","n":2,"extra":true}]}')
      const out = yield* decoded(Wrapped, input)
      isPlain(out)
      for (const item of out.items) isPlain(item)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(out)), input)
    })
  )
})

describe("unknown keys from a hostile server", () => {
  it.effect("kept in the interpreter's order: integer-like keys first, then the rest as sent", () =>
    Effect.gen(function* () {
      const text = '{"zeta":1,"name":"a","10":"ten","n":1,"2":"two","-1":"neg","01":"lead","alpha":2}'
      const input = JSON.parse(text)
      const out = yield* decoded(Item, input)
      assert.deepStrictEqual(
        Reflect.ownKeys(out),
        Reflect.ownKeys(Schema.decodeUnknownSync(Item, wireParseOptions)(input))
      )
      assert.deepStrictEqual(Object.keys(out), ["2", "10", "zeta", "-1", "01", "alpha", "name", "n"])
      assert.deepStrictEqual({ ...out }, input)
    })
  )

  for (const [label, schema, text] of [
    ["a struct", Item, '{"__proto__":{"polluted":true},"name":"a","n":1}'],
    ["a struct with a renamed key", Renamed, '{"__proto__":{"polluted":true},"name":"a","v":1}'],
    ["a non-object __proto__", Item, '{"__proto__":1,"name":"a","n":1}']
  ] as const) {
    it.effect(`__proto__ sent as an own key (${label}) stays an own key; the prototype is unchanged`, () =>
      Effect.gen(function* () {
        const input = JSON.parse(text)
        assert.isTrue(Object.hasOwn(input, "__proto__"))
        for (const out of [
          yield* decoded(schema as Schema.Schema<unknown, unknown, never>, input),
          fast(schema as Schema.Schema<unknown, unknown, never>, input)
        ]) {
          assert.strictEqual(Object.getPrototypeOf(out), Object.prototype)
          assert.isUndefined((out as { polluted?: unknown }).polluted)
          assert.isTrue(Object.hasOwn(out as object, "__proto__"))
          assert.deepStrictEqual(
            Object.getOwnPropertyDescriptor(out, "__proto__")?.value,
            Object.getOwnPropertyDescriptor(input, "__proto__")?.value
          )
          assert.strictEqual(JSON.stringify(out), JSON.stringify(input).replace(/"v":/, '"value":'))
        }
      })
    )
  }

  it.effect("__proto__ in a record (index signature) stays an own key; the prototype is unchanged", () =>
    Effect.gen(function* () {
      const Counts = Schema.Record({ key: Schema.String, value: Schema.Number })
      const input = JSON.parse('{"a":1,"__proto__":2,"b":3}')
      for (const out of [yield* decoded(Counts, input), fast(Counts, input) as object]) {
        assert.strictEqual(Object.getPrototypeOf(out), Object.prototype)
        assert.deepStrictEqual(Object.keys(out), ["a", "__proto__", "b"])
        assert.strictEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, 2)
      }
    })
  )

  it.effect("symbol keys are kept, after the string keys", () =>
    Effect.gen(function* () {
      const s = Symbol("mine")
      const input = { name: "a", n: 1, extra: "x", [s]: 42 }
      const out = yield* decoded(Item, input)
      assert.strictEqual((out as Record<symbol, unknown>)[s], 42)
      assert.deepStrictEqual(Reflect.ownKeys(out), ["extra", "name", "n", s])
    })
  )
})
