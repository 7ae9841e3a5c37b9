import { assert, describe, it } from "@effect/vitest"
import { Either, Equal } from "effect"
import { and, format, Metadata, Metric, not, Other, or, Parameter, parse, type Query, Tag } from "../src/index.js"

const roundTrips = (q: Query): void => {
  const back = parse(format(q))
  assert.isTrue(Either.isRight(back) && Equal.equals(back.right, q), format(q))
}

describe("format", () => {
  it("writes Python that Comet's SDK runs, parenthesising comparisons in groups", () => {
    const cases: ReadonlyArray<readonly [Query, string]> = [
      [Metric("acc").gt(0.98), 'Metric("acc") > 0.98'],
      [
        and(Metric("loss").lt(0.1), Parameter("learning_rate").ge(0.3)),
        '(Metric("loss") < 0.1) & (Parameter("learning_rate") >= 0.3)'
      ],
      [Tag("My simple tag"), 'Tag("My simple tag")'],
      [
        Metadata("start_server_timestamp").lt(new Date(Date.UTC(2019, 8, 24, 5))),
        'Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5)'
      ],
      [Metadata("s").lt(new Date(Date.UTC(2019, 8, 24))), 'Metadata("s") < datetime(2019, 9, 24)'],
      [
        Metadata("s").lt(new Date(Date.UTC(2019, 8, 24, 0, 0, 1, 5))),
        'Metadata("s") < datetime(2019, 9, 24, 0, 0, 1, 5000)'
      ],
      [Metadata("duration").gt(120), 'Metadata("duration") > 120'],
      [not(Parameter("x").between(2, 3)), '~Parameter("x").between(2, 3)'],
      [Other("note").eq(null), 'Other("note") == None'],
      [Other("note").ne(null), 'Other("note") != None'],
      [Other("note").eq(""), 'Other("note") == ""'],
      [Other("note").ne(""), 'Other("note") != ""'],
      [Metadata("hasImages").eq(true), 'Metadata("hasImages") == True'],
      [Metadata("hasImages").ne(false), 'Metadata("hasImages") != False'],
      [Other("n").contains("a"), 'Other("n").contains("a")'],
      [not(Other("n").startsWith("a")), '~Other("n").startswith("a")'],
      [Other("n").endsWith("a"), 'Other("n").endswith("a")'],
      [and(not(Other("n").endsWith("a")), Tag("t")), '~Other("n").endswith("a") & Tag("t")'],
      [or(Tag("a"), and(Tag("b"), Metric("x").lt(-1))), 'Tag("a") | (Tag("b") & (Metric("x") < -1))'],
      [and(or(Tag("a"), Tag("b")), Tag("c")), '(Tag("a") | Tag("b")) & Tag("c")'],
      [not(and(Tag("a"), Tag("b"))), '~(Tag("a") & Tag("b"))'],
      [not(Tag("a")), '~Tag("a")'],
      [Metric("acc", "double").gt(1), 'Metric("acc", "double") > 1'],
      [Metric("x").eq(Number.NaN), 'Metric("x") == float("nan")'],
      [Metric("x").lt(Number.POSITIVE_INFINITY), 'Metric("x") < float("inf")'],
      [Metric("x").gt(Number.NEGATIVE_INFINITY), 'Metric("x") > float("-inf")'],
      [Metric("x").gt(1e21), 'Metric("x") > 1e+21'],
      [Metric("x").gt(5e-7), 'Metric("x") > 5e-7']
    ]
    for (const [q, text] of cases) {
      assert.strictEqual(format(q), text)
      roundTrips(q)
    }
  })

  it("escapes strings so that they read back exactly", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['say "hi"', String.raw`Tag("say \"hi\"")`],
      ["back\\slash", String.raw`Tag("back\\slash")`],
      ["it's", `Tag("it's")`],
      ["a\nb\tc\rd", String.raw`Tag("a\nb\tc\rd")`],
      ["\x00\x1f\x7f\x9f", String.raw`Tag("\x00\x1f\x7f\x9f")`],
      ["\u2028\ufeff", String.raw`Tag("\u2028\ufeff")`],
      ["\ud800x\udfff", String.raw`Tag("\ud800x\udfff")`],
      ["😀 é 日本", 'Tag("😀 é 日本")']
    ]
    for (const [name, text] of cases) {
      assert.strictEqual(format(Tag(name)), text)
      roundTrips(Tag(name))
      roundTrips(Other(name).eq(name))
    }
  })

  it("writes an invalid date in a form that parse rejects", () => {
    const q = Metadata("s").lt(new Date(Number.NaN))
    assert.strictEqual(format(q), 'Metadata("s") < datetime("invalid")')
    assert.isTrue(Either.isLeft(parse(format(q))))
  })
})
