import { assert, describe, it } from "@effect/vitest"
import { Equal } from "effect"
import {
  and,
  dnfSize,
  format,
  Metric,
  not,
  Other,
  or,
  Parameter,
  type Query,
  Tag,
  toDnf,
  toNnf,
  usesOr
} from "../src/index.js"

const a = Metric("a").gt(1)
const b = Parameter("b").lt(2)
const c = Tag("c")
const d = Other("d").isNull()

const same = (actual: ReadonlyArray<Query> | Query, expected: ReadonlyArray<Query> | Query): void => {
  const xs = Array.isArray(actual) ? actual : [actual]
  const ys = Array.isArray(expected) ? expected : [expected]
  assert.deepStrictEqual(
    xs.map((q: Query) => format(q)),
    ys.map((q: Query) => format(q))
  )
  xs.forEach((q: Query, i: number) => {
    assert.isTrue(Equal.equals(q, ys[i]))
  })
}

describe("toNnf", () => {
  it("pushes negations to the leaves by De Morgan and operator swaps", () => {
    same(toNnf(not(and(a, b))), or(Metric("a").le(1), Parameter("b").ge(2)))
    same(toNnf(not(or(a, not(and(b, c))))), and(Metric("a").le(1), b, c))
    same(toNnf(not(or(c, d))), and(not(c), Other("d").isNotNull()))
    same(toNnf(and(a, not(or(b, c)))), and(a, Parameter("b").ge(2), not(c)))
  })

  it("leaves queries without negated groups as they are", () => {
    for (const q of [a, and(a, b), or(a, and(b, c)), not(c)]) same(toNnf(q), q)
  })
})

describe("toDnf", () => {
  it("distributes AND over OR, in order", () => {
    same(toDnf(and(or(a, b), or(c, d))), [and(a, c), and(a, d), and(b, c), and(b, d)])
    same(toDnf(or(a, and(b, or(c, d)))), [a, and(b, c), and(b, d)])
  })

  it("an AND-only query is its own single term", () => {
    same(toDnf(and(a, b, c)), [and(a, b, c)])
    same(toDnf(a), [a])
  })

  it("De Morgan for negated groups", () => {
    same(toDnf(not(and(a, or(b, c)))), [Metric("a").le(1), and(Parameter("b").ge(2), not(c))])
  })

  it("drops repeated literals, repeated terms and contradictions", () => {
    same(toDnf(and(a, or(a, b))), [a, and(a, b)])
    same(toDnf(or(and(a, b), and(b, a))), [and(a, b)])
    same(toDnf(or(and(a, not(a)), b)), [b])
    same(toDnf(and(c, or(not(c), d))), [and(c, d)])
    same(toDnf(and(a, not(a))), [])
  })

  it("dnfSize bounds the number of terms without building them", () => {
    assert.strictEqual(dnfSize(a), 1)
    assert.strictEqual(dnfSize(and(or(a, b), or(c, d), or(a, d))), 8)
    assert.strictEqual(dnfSize(not(and(or(a, b), c))), 2)
    assert.strictEqual(dnfSize(not(or(and(a, b), c))), 2)
    const pairs = Array.from({ length: 40 }, (_, i) => or(Tag(`a${i}`), Tag(`b${i}`)))
    assert.strictEqual(dnfSize(and(pairs[0] as Query, ...pairs.slice(1))), 2 ** 40)
  })

  it("usesOr tells whether the wire form needs OR", () => {
    assert.isFalse(usesOr(and(a, b, not(c))))
    assert.isFalse(usesOr(not(or(a, b))))
    assert.isTrue(usesOr(or(a, b)))
    assert.isTrue(usesOr(not(and(a, b))))
    assert.isTrue(usesOr(and(c, or(a, b))))
  })
})
