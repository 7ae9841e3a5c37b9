import type { Predicate, Rule, RuleGroup } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import {
  and,
  Environment,
  type ExperimentRecord,
  evaluate,
  evaluatePredicates,
  evaluateRule,
  evaluator,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  type Query,
  type RecordValue,
  Tag
} from "../src/index.js"
import { col } from "./support.js"

const record = (parts: Partial<ExperimentRecord> = {}): ExperimentRecord => ({
  metrics: {},
  params: {},
  others: {},
  metadata: {},
  env: {},
  tags: [],
  ...parts
})

/** Evaluate a query and its negation against one value of `Parameter("p")` typed `type`. */
const both = (q: Query, type: string, value: RecordValue | undefined): readonly [boolean, boolean] => {
  const r = record({ params: value === undefined ? {} : { p: value } })
  const cols = [col("p", "params", type)]
  return [evaluate(q, r, cols), evaluate(not(q), r, cols)]
}

const p = Parameter("p")

describe("evaluate: the rule table (comet-rest-v2.md §4.5 and the README's decisions)", () => {
  it("double columns compare numerically, reading numeric strings and booleans", () => {
    assert.deepStrictEqual(both(p.gt(0.3), "double", 0.5), [true, false])
    assert.deepStrictEqual(both(p.gt(0.3), "double", "0.5"), [true, false])
    assert.deepStrictEqual(both(p.gt(3), "double", "10"), [true, false]) // not "10" < "3" as strings
    assert.deepStrictEqual(both(p.eq(1), "double", " 1e0 "), [true, false])
    assert.deepStrictEqual(both(p.eq(true), "double", 1), [true, false])
    assert.deepStrictEqual(both(p.eq(1), "double", true), [true, false])
    assert.deepStrictEqual(both(p.between(2, 3), "double", 3), [true, false])
    assert.deepStrictEqual(both(p.between(2, 3), "double", 3.5), [false, true])
    assert.deepStrictEqual(both(p.between(3, 2), "double", 2.5), [false, true])
  })

  it("string columns order lexicographically, numeric-looking values included (as compile's error says)", () => {
    assert.deepStrictEqual(both(p.gt("55"), "string", "100"), [false, true]) // "100" < "55" as text
    assert.deepStrictEqual(both(p.gt("55"), "string", "9"), [true, false])
    assert.deepStrictEqual(both(p.lt("55"), "string", "auto"), [false, true])
    assert.deepStrictEqual(both(p.ge("55"), "string", "55.0"), [true, false]) // longer text, same prefix
    assert.deepStrictEqual(both(p.eq("55"), "string", "55.0"), [false, true]) // equal text only
    // The wire form decides the same way, also when the rule's value is a number.
    const rec = record({ params: { p: "100" } })
    assert.isFalse(
      evaluatePredicates([{ source: "params", query: group("AND", rule("p", "string", "greater", 55)) }], rec)
    )
    assert.isTrue(
      evaluatePredicates([{ source: "params", query: group("AND", rule("p", "double", "greater", 55)) }], rec)
    )
  })

  it("a value that is missing, null or unreadable fails a comparison and its negation (SQL's NULL)", () => {
    for (const value of [undefined, null, "abc", "", Number.NaN]) {
      assert.deepStrictEqual(both(p.gt(0.3), "double", value), [false, false], String(value))
      assert.deepStrictEqual(both(p.eq(0.3), "double", value), [false, false], String(value))
      assert.deepStrictEqual(both(p.between(0, 1), "double", value), [false, false], String(value))
    }
    assert.deepStrictEqual(both(p.contains("a"), "string", undefined), [false, false])
    assert.deepStrictEqual(both(p.eq("a"), "string", null), [false, false])
  })

  it("null and empty are different tests", () => {
    assert.deepStrictEqual(both(p.isNull(), "string", undefined), [true, false])
    assert.deepStrictEqual(both(p.isNull(), "string", null), [true, false])
    assert.deepStrictEqual(both(p.isNull(), "string", ""), [false, true])
    assert.deepStrictEqual(both(p.isEmpty(), "string", ""), [true, false])
    assert.deepStrictEqual(both(p.isEmpty(), "string", null), [false, false])
    assert.deepStrictEqual(both(p.isEmpty(), "string", "x"), [false, true])
    assert.deepStrictEqual(both(p.isEmpty(), "double", 0), [false, true])
  })

  it("string columns compare as strings, case-sensitively", () => {
    assert.deepStrictEqual(both(p.eq("adam"), "string", "adam"), [true, false])
    assert.deepStrictEqual(both(p.eq("adam"), "string", "Adam"), [false, true])
    assert.deepStrictEqual(both(p.lt("b"), "string", "abc"), [true, false])
    assert.deepStrictEqual(both(p.gt("3"), "string", "10"), [false, true]) // as strings
    assert.deepStrictEqual(both(p.eq("0.5"), "string", 0.5), [true, false])
    assert.deepStrictEqual(both(p.eq("true"), "string", true), [true, false])
    assert.deepStrictEqual(both(p.contains("da"), "string", "adam"), [true, false])
    assert.deepStrictEqual(both(p.contains("DA"), "string", "adam"), [false, true])
    assert.deepStrictEqual(both(p.startsWith("ad"), "string", "adam"), [true, false])
    assert.deepStrictEqual(both(p.endsWith("am"), "string", "adam"), [true, false])
    assert.deepStrictEqual(both(p.contains(""), "string", "adam"), [true, false])
  })

  it('boolean columns compare with 1/0, reading booleans, numbers and "true"/"false"', () => {
    for (const yes of [true, 1, "true", "True", "TRUE", "1"]) {
      assert.deepStrictEqual(both(p.eq(true), "boolean", yes), [true, false], String(yes))
    }
    for (const no of [false, 0, "false", "False", "0"]) {
      assert.deepStrictEqual(both(p.eq(true), "boolean", no), [false, true], String(no))
    }
    assert.deepStrictEqual(both(p.eq(true), "boolean", "yes"), [false, false])
  })

  it("timenumber columns compare seconds with the record's milliseconds", () => {
    const d = Metadata("duration")
    const r = (ms: number) => record({ metadata: { duration: ms } })
    assert.isFalse(evaluate(d.gt(120), r(120_000)))
    assert.isTrue(evaluate(d.ge(120), r(120_000)))
    assert.isTrue(evaluate(d.gt(120), r(120_001)))
    assert.isTrue(evaluate(d.between(1.5, 2), r(2_000)))
    assert.isTrue(evaluate(d.eq(0.5), r(500)))
  })

  it("datetime columns compare instants in UTC", () => {
    const s = Metadata("start_server_timestamp")
    const at = (v: RecordValue) => record({ metadata: { start_server_timestamp: v } })
    const cutoff = new Date(Date.UTC(2019, 8, 24, 5))
    const ms = cutoff.getTime()
    assert.isTrue(evaluate(s.lt(cutoff), at(ms - 1)))
    assert.isFalse(evaluate(s.lt(cutoff), at(ms)))
    assert.isTrue(evaluate(s.eq(cutoff), at(ms)))
    assert.isTrue(evaluate(s.eq(cutoff), at("2019-09-24T05:00:00Z")))
    assert.isTrue(evaluate(s.eq(cutoff), at("2019-09-24 07:00:00+02:00")))
    assert.isTrue(evaluate(s.eq(cutoff), at("2019-09-24 05:00:00")))
    assert.isTrue(evaluate(s.lt(new Date(ms + 250)), at(ms + 249)))
    assert.isFalse(evaluate(s.lt(new Date(ms + 250)), at(ms + 250)))
    assert.isFalse(evaluate(s.lt(cutoff), at("yesterday")))
    assert.isFalse(evaluate(s.ge(cutoff), at("yesterday")))
  })

  it("tags: Tag(name) asks whether the experiment has it; ~Tag whether it has not", () => {
    const r = record({ tags: ["best", "My simple tag"] })
    assert.isTrue(evaluate(Tag("best"), r))
    assert.isTrue(evaluate(Tag("My simple tag"), r))
    assert.isFalse(evaluate(Tag("My"), r))
    assert.isFalse(evaluate(not(Tag("best")), r))
    assert.isTrue(evaluate(not(Tag("other")), r))
    assert.isTrue(evaluate(not(and(Tag("best"), Tag("other"))), r))
  })

  it("AND, OR and NOT over groups", () => {
    const r = record({ metrics: { acc: 0.95, loss: 0.2 }, params: { lr: "0.3" }, tags: ["best"] })
    assert.isTrue(evaluate(and(Metric("acc").gt(0.9), Parameter("lr").ge(0.3), Tag("best")), r))
    assert.isFalse(evaluate(and(Metric("acc").gt(0.9), Metric("loss").lt(0.1)), r))
    assert.isTrue(evaluate(or(Metric("loss").lt(0.1), Tag("best")), r))
    assert.isTrue(evaluate(not(and(Metric("acc").gt(0.9), Metric("loss").lt(0.1))), r))
    assert.isFalse(evaluate(not(or(Metric("loss").lt(0.1), Tag("best"))), r))
  })

  it("without columns, types come from the declared type, known metadata, then the value", () => {
    const r = record({
      metrics: { acc: "10" },
      params: { opt: "10" },
      metadata: { duration: 180_000, hasImages: "true" },
      env: { os: "darwin" }
    })
    assert.isTrue(evaluate(Metric("acc").gt(9), r)) // double: from the number
    assert.isFalse(evaluate(Parameter("opt").gt("9"), r)) // string: from the string
    assert.isTrue(evaluate(Parameter("opt", "double").gt(9), r))
    assert.isTrue(evaluate(Metadata("duration").gt(120), r)) // timenumber: known metadata
    assert.isTrue(evaluate(Metadata("hasImages").eq(true), r))
    assert.isTrue(evaluate(Environment("os").eq("darwin"), r))
    // columns win over everything else
    assert.isFalse(evaluate(Metric("acc").gt(9), r, [col("acc", "metrics", "string")]))
  })

  it("looks up own fields only", () => {
    const r = record()
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      assert.isTrue(evaluate(Other(name).isNull(), r), name)
      assert.isFalse(evaluate(Other(name).isNotNull(), r), name)
    }
  })

  it("evaluator reuses one compiled test for many records", () => {
    const test = evaluator(or(Metric("acc").gt(0.9), Tag("best")))
    const records = [record({ metrics: { acc: 0.95 } }), record({ tags: ["best"] }), record({ metrics: { acc: 0.5 } })]
    assert.deepStrictEqual(records.map(test), [true, true, false])
  })
})

const rule = (field: string, type: string, operator: Rule["operator"], value: Rule["value"], source?: string): Rule =>
  source === undefined
    ? { id: field, field, type, operator, value }
    : { id: field, field, type, operator, value, source }

const group = (condition: "AND" | "OR", ...rules: ReadonlyArray<Rule | RuleGroup>): RuleGroup => ({
  condition,
  rules,
  valid: true
})

describe("evaluatePredicates: what the emulator runs on the wire form", () => {
  const r = record({
    metrics: { acc: 0.95, loss: 0.2 },
    params: { lr: "0.01", opt: "adam" },
    metadata: { duration: 60_000 },
    tags: ["best"]
  })

  it("ANDs the predicates; an empty array matches everything", () => {
    assert.isTrue(evaluatePredicates([], r))
    const preds: ReadonlyArray<Predicate> = [
      { source: "metrics", query: group("AND", rule("acc", "double", "greater", 0.9)) },
      { source: "params", query: group("AND", rule("lr", "double", "less", 0.1)) }
    ]
    assert.isTrue(evaluatePredicates(preds, r))
    assert.isFalse(
      evaluatePredicates([...preds, { source: "tag", query: group("AND", rule("x", "string", "equal", "x")) }], r)
    )
  })

  it("evaluates nested groups; a rule's own source wins over its predicate's", () => {
    const nested: Predicate = {
      source: "nested",
      query: group(
        "OR",
        rule("acc", "double", "less", 0.5, "metrics"),
        group("AND", rule("opt", "string", "equal", "adam", "params"), rule("best", "string", "equal", "best", "tag"))
      )
    }
    assert.isTrue(evaluatePredicates([nested], r))
    // a rule without a source inside `nested` has no such value
    const sourceless: Predicate = { source: "nested", query: group("AND", rule("acc", "double", "is_null", null)) }
    assert.isTrue(evaluatePredicates([sourceless], r))
    // the enclosing predicate's source applies to rules without their own
    const inherited: Predicate = { source: "metrics", query: group("OR", rule("acc", "double", "greater", 0.9)) }
    assert.isTrue(evaluatePredicates([inherited], r))
  })

  it("ignores `negated`: the operator is authoritative", () => {
    const p: Predicate = {
      source: "metrics",
      negated: true,
      query: group("AND", rule("acc", "double", "less_or_equal", 0.9))
    }
    assert.isFalse(evaluatePredicates([p], r))
    const q: Predicate = {
      source: "metrics",
      negated: true,
      query: group("AND", rule("acc", "double", "greater", 0.9))
    }
    assert.isTrue(evaluatePredicates([q], r))
  })

  it("empty groups: AND is true, OR is false", () => {
    assert.isTrue(evaluatePredicates([{ source: "metrics", query: group("AND") }], r))
    assert.isFalse(evaluatePredicates([{ source: "metrics", query: group("OR") }], r))
  })

  it("takes types from rule.type; unknown types compare numbers as numbers, else strings", () => {
    assert.isTrue(evaluateRule(rule("lr", "double", "less", "0.1"), r, "params"))
    assert.isFalse(evaluateRule(rule("lr", "string", "less", "0.009"), r, "params")) // "0.01" > "0.009" as strings…
    assert.isTrue(evaluateRule(rule("lr", "string", "greater", "0.009"), r, "params"))
    assert.isTrue(evaluateRule(rule("lr", "integer", "less", 0.1), r, "params"))
    assert.isTrue(evaluateRule(rule("opt", "integer", "equal", "adam"), r, "params"))
    assert.isTrue(evaluateRule(rule("duration", "timenumber", "equal", 60), r, "metadata"))
    assert.isTrue(evaluateRule(rule("duration", "timenumber", "between", ["59", "61"]), r, "metadata"))
    assert.isFalse(evaluateRule(rule("duration", "timenumber", "between", ["59"]), r, "metadata"))
  })

  it("supports QueryBuilder's in / not_in and answers false for unknown operators and sources", () => {
    assert.isTrue(evaluateRule(rule("opt", "string", "in", ["sgd", "adam"]), r, "params"))
    assert.isFalse(evaluateRule(rule("opt", "string", "not_in", ["sgd", "adam"]), r, "params"))
    assert.isTrue(evaluateRule(rule("opt", "string", "not_in", ["sgd"]), r, "params"))
    assert.isFalse(evaluateRule(rule("missing", "string", "not_in", ["sgd"]), r, "params"))
    assert.isTrue(evaluateRule(rule("best", "string", "in", ["x", "best"]), r, "tag"))
    assert.isTrue(evaluateRule(rule("best", "string", "not_equal", "other"), r, "tag"))
    assert.isTrue(evaluateRule(rule("b", "string", "begins_with", "be"), r, "tag"))
    assert.isTrue(evaluateRule(rule("b", "string", "not_contains", "zz"), r, "tag"))
    assert.isFalse(evaluateRule(rule("acc", "double", "greater", 0.9), r, "nowhere"))
    assert.isFalse(
      evaluateRule({ ...rule("acc", "double", "equal", 0.95), operator: "bogus" as Rule["operator"] }, r, "metrics")
    )
  })

  it("evaluates arbitrarily deep groups without recursion", () => {
    let g: RuleGroup = group("AND", rule("acc", "double", "greater", 0.9, "metrics"))
    for (let i = 0; i < 100_000; i++) g = group(i % 2 === 0 ? "OR" : "AND", g)
    assert.isTrue(evaluatePredicates([{ source: "nested", query: g }], r))
    let h: RuleGroup = group("AND", rule("acc", "double", "less", 0.9, "metrics"))
    for (let i = 0; i < 100_000; i++) h = group("OR", rule("x", "double", "equal", 1, "metrics"), h)
    assert.isFalse(evaluatePredicates([{ source: "nested", query: h }], r))
  })
})
