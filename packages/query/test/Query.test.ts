import * as vm from "node:vm"
import { QueryError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Equal, Hash, Schema } from "effect"
import {
  and,
  Environment,
  format,
  isQuery,
  isQueryVariable,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  parseOrThrow,
  Query,
  Tag
} from "../src/index.js"

describe("builders", () => {
  it("build the leaves of Python's QueryVariable", () => {
    const v = Metric("acc")
    assert.strictEqual(v.source, "metrics")
    assert.strictEqual(v.name, "acc")
    assert.strictEqual(v.type, undefined)
    assert.strictEqual(Parameter("x").source, "params")
    assert.strictEqual(Other("x").source, "log_other")
    assert.strictEqual(Metadata("x").source, "metadata")
    assert.strictEqual(Environment("x").source, "env_details")
    const ops = [v.eq(1), v.ne(1), v.lt(1), v.le(1), v.gt(1), v.ge(1)].map((q) =>
      q._tag === "Comparison" ? q.operator : ""
    )
    assert.deepStrictEqual(ops, ["equal", "not_equal", "less", "less_or_equal", "greater", "greater_or_equal"])
    assert.strictEqual(v.eq(null)._tag, "NullTest")
    assert.isTrue(Equal.equals(v.eq(null), v.isNull()))
    assert.isTrue(Equal.equals(v.ne(null), v.isNotNull()))
    assert.isTrue(Equal.equals(Other("n").eq(""), Other("n").isEmpty()))
    assert.isTrue(Equal.equals(Other("n").ne(""), Other("n").isNotEmpty()))
    const between = Parameter("x").between(2, 3)
    assert.strictEqual(between._tag, "Between")
    assert.deepStrictEqual([between.low, between.high, between.negated], [2, 3, false])
    assert.strictEqual(Other("n").contains("a").operator, "contains")
    assert.strictEqual(Other("n").startsWith("a").operator, "begins_with")
    assert.strictEqual(Other("n").endsWith("a").operator, "ends_with")
    assert.strictEqual(Tag("t")._tag, "Tag")
  })

  it("keep booleans, dates and numbers as given, normalising -0 and DateTime", () => {
    const t = Metric("x").eq(true)
    assert.strictEqual(t._tag === "Comparison" && t.value, true)
    const z = Metric("x").eq(-0)
    assert.isTrue(z._tag === "Comparison" && Object.is(z.value, 0))
    const d = Metadata("s").lt(DateTime.unsafeMake("2019-09-24T05:00:00Z"))
    assert.isTrue(Equal.equals(d, Metadata("s").lt(new Date(Date.UTC(2019, 8, 24, 5)))))
  })

  it("and/or flatten and drop single-operand groups; not swaps operators", () => {
    const a = Metric("a").gt(1)
    const b = Metric("b").gt(1)
    const c = Tag("c")
    assert.strictEqual(and(a), a)
    assert.strictEqual(or(a), a)
    const abc = and(and(a, b), c)
    assert.strictEqual(abc._tag, "And")
    assert.strictEqual(abc._tag === "And" && abc.operands.length, 3)
    assert.isTrue(Equal.equals(abc, and(a, and(b, c))))
    assert.isTrue(Equal.equals(or(or(a, b), c), or(a, b, c)))
    assert.isFalse(Equal.equals(and(a, b), and(b, a)))
    assert.isTrue(Equal.equals(not(Metric("a").gt(1)), Metric("a").le(1)))
    assert.isTrue(Equal.equals(not(Metric("a").lt(1)), Metric("a").ge(1)))
    assert.isTrue(Equal.equals(not(Metric("a").eq(1)), Metric("a").ne(1)))
    assert.isTrue(Equal.equals(not(Metric("a").isNull()), Metric("a").isNotNull()))
    assert.isTrue(Equal.equals(not(Other("a").isEmpty()), Other("a").isNotEmpty()))
    assert.isTrue(not(Parameter("x").between(1, 2))._tag === "Between")
    assert.isTrue(Equal.equals(not(not(Other("a").contains("x"))), Other("a").contains("x")))
    assert.strictEqual(not(c)._tag, "Not")
    assert.strictEqual(not(not(c)), c)
    assert.strictEqual(not(and(a, b))._tag, "Not")
  })

  it("have fluent forms", () => {
    const a = Metric("a").gt(1)
    const b = Tag("b")
    assert.isTrue(Equal.equals(a.and(b, Tag("c")), and(a, b, Tag("c"))))
    assert.isTrue(Equal.equals(a.or(b), or(a, b)))
    assert.isTrue(Equal.equals(a.and(b).not(), not(and(a, b))))
    assert.strictEqual(a.pipe(not, format), 'Metric("a") <= 1')
  })
})

describe("builders from plain JavaScript", () => {
  // Each call with a value no query can hold; the fragments the QueryError's message must name.
  const bad: ReadonlyArray<readonly [string, () => unknown, ReadonlyArray<string>]> = [
    ["gt(null)", () => Metric("loss").gt(null as never), ['Metric("loss").gt', "not null"]],
    ["gt()", () => (Metric("loss").gt as (v?: unknown) => unknown)(), ['Metric("loss").gt', "not undefined"]],
    ["lt({})", () => Metric("loss").lt({} as never), ['Metric("loss").lt', "not an object"]],
    ["ge([1])", () => Metric("loss").ge([1] as never), ['Metric("loss").ge', "not an array"]],
    ["eq(undefined)", () => Parameter("x").eq(undefined as never), ['Parameter("x").eq', "null: a null test"]],
    ["ne(Symbol)", () => Parameter("x").ne(Symbol("s") as never), ['Parameter("x").ne', "not a symbol"]],
    ["between('a', 1)", () => Metric("loss").between("a" as never, 1), ["low of", "between", "a number"]],
    ["between(0)", () => (Metric("loss").between as (a: number) => unknown)(0), ["high of", "not undefined"]],
    ["contains(5)", () => Parameter("o").contains(5 as never), ['Parameter("o").contains', "a string"]],
    ["startsWith(null)", () => Parameter("o").startsWith(null as never), ["startsWith", "not null"]],
    ["endsWith({})", () => Parameter("o").endsWith({} as never), ["endsWith", "not an object"]],
    ["Metric(123)", () => Metric(123 as never), ["column name of Metric", "not a number"]],
    ["Parameter()", () => (Parameter as (n?: string) => unknown)(), ["column name of Parameter", "undefined"]],
    ["Metric('x', 'float')", () => Metric("x", "float" as never), ["column type of Metric", "double"]],
    ["Tag(5)", () => Tag(5 as never), ["tag name of Tag", "not a number"]],
    ["or('x')", () => Tag("a").or("x" as never), ["query 2 of or", "not a string"]],
    ["and(undefined)", () => and(Tag("a"), undefined as never), ["query 2 of and", "not undefined"]],
    ["not(null)", () => not(null as never), ["query 1 of not", "not null"]],
    [
      "eq({ [Symbol.toStringTag]: 'Date' })",
      () => Parameter("x").eq({ [Symbol.toStringTag]: "Date" } as never),
      ['Parameter("x").eq', "not an object"]
    ]
  ]
  for (const [name, make, fragments] of bad)
    it(`${name} throws a QueryError naming the builder and the argument, never a TypeError later`, () => {
      let thrown: unknown
      try {
        make()
      } catch (e) {
        thrown = e
      }
      assert.instanceOf(thrown, QueryError, name)
      const error = thrown as QueryError
      assert.strictEqual(error.reason, "invalid-argument")
      for (const f of fragments) assert.include(error.message, f)
    })

  it("still build what they built: null and empty tests, booleans, dates, names with quotes and unicode", () => {
    assert.strictEqual(format(Parameter("x").eq(null)), 'Parameter("x") == None')
    const odd = Metric('a"b\nç').gt(0)
    assert.isTrue(Equal.equals(parseOrThrow(format(odd)), odd), format(odd))
    assert.strictEqual(Metric("m").eq(true)._tag, "Comparison")
    assert.strictEqual(Metadata("start_server_timestamp").gt(new Date(0))._tag, "Comparison")
    assert.strictEqual(Tag("").name, "")
  })

  it("take a Date of another realm (an iframe's, a vm context's) as a Date: the same query as this realm's", () => {
    const foreign = vm.runInNewContext("new Date(Date.UTC(2024, 0, 2))") as Date
    assert.isFalse(foreign instanceof Date)
    const local = new Date(Date.UTC(2024, 0, 2))
    for (const op of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
      const q = Metadata("start_server_timestamp")[op](foreign)
      assert.isTrue(Equal.equals(q, Metadata("start_server_timestamp")[op](local)), format(q))
      assert.strictEqual(format(q), format(Metadata("start_server_timestamp")[op](local)))
    }
  })
})

describe("queries as values", () => {
  it("compare structurally with consistent hashes", () => {
    const make = () => and(Metric("a").gt(1), or(Tag("t"), Metadata("s").lt(new Date(5))), not(Tag("u")))
    assert.isTrue(Equal.equals(make(), make()))
    assert.strictEqual(Hash.hash(make()), Hash.hash(make()))
    assert.isFalse(
      Equal.equals(make(), and(Metric("a").gt(2), or(Tag("t"), Metadata("s").lt(new Date(5))), not(Tag("u"))))
    )
    assert.isFalse(Equal.equals(Metric("a").gt(1), Parameter("a").gt(1)))
    assert.isFalse(Equal.equals(Metric("a").gt(1), Metric("a", "double").gt(1)))
    assert.isFalse(Equal.equals(Metric("a").eq(1), Metric("a").eq(true)))
    assert.isFalse(Equal.equals(Metric("a").eq(1), Metric("a").eq("1")))
    assert.isTrue(Equal.equals(Metric("a").eq(Number.NaN), Metric("a").eq(Number.NaN)))
    assert.isTrue(Equal.equals(Metric("x"), Metric("x")))
    assert.isFalse(Equal.equals(Metric("x"), Other("x")))
  })

  it("are immutable, and copy the dates they are given", () => {
    const when = new Date(1000)
    const q = Metadata("s").lt(when)
    when.setTime(2000)
    assert.isTrue(q._tag === "Comparison" && (q.value as Date).getTime() === 1000)
    if (q._tag === "Comparison") (q.value as Date).setTime(3000)
    assert.isTrue(q._tag === "Comparison" && (q.value as Date).getTime() === 1000)
    const g = and(q, Tag("t"))
    assert.isTrue(Object.isFrozen(q))
    assert.isTrue(Object.isFrozen(g))
    assert.isTrue(g._tag === "And" && Object.isFrozen(g.operands))
    assert.isTrue(Object.isFrozen(Metric("x")))
  })

  it("are recognised by isQuery, isQueryVariable and the Query schema", () => {
    assert.isTrue(isQuery(Tag("x")))
    assert.isTrue(isQuery(and(Tag("x"), Tag("y"))))
    assert.isFalse(isQuery(Metric("x")))
    assert.isFalse(isQuery({ _tag: "Tag", name: "x" }))
    assert.isTrue(isQueryVariable(Metric("x")))
    assert.isFalse(isQueryVariable(Tag("x")))
    assert.isTrue(Schema.is(Query)(Metric("a").gt(1)))
    assert.isFalse(Schema.is(Query)("Metric('a') > 1"))
  })

  it("print as their Python text", () => {
    const q = and(Metric("a").gt(1), Tag("t"))
    assert.strictEqual(String(q), '(Metric("a") > 1) & Tag("t")')
    assert.strictEqual(`${Metric("acc", "double")}`, 'Metric("acc", "double")')
    assert.deepStrictEqual(JSON.parse(JSON.stringify(q)), {
      _id: "Query",
      _tag: "And",
      query: '(Metric("a") > 1) & Tag("t")'
    })
  })

  it("type-check values and methods against a declared column type", () => {
    const typed = Metric("acc", "double")
    assert.strictEqual(typed.gt(0.5)._tag, "Comparison")
    // @ts-expect-error: contains() needs a string column
    typed.contains("x")
    // @ts-expect-error: a double column compares with numbers
    typed.gt("0.5")
    // @ts-expect-error: between() needs a numeric column
    Other("note", "string").between(1, 2)
    // @ts-expect-error: ordering comparisons take no booleans
    Metric("acc").lt(true)
    // @ts-expect-error: a datetime column compares with dates
    Metadata("start_server_timestamp", "datetime").lt(5)
    assert.strictEqual(Metadata("start_server_timestamp", "datetime").lt(new Date(0))._tag, "Comparison")
  })
})
