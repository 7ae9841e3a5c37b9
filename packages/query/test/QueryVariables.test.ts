import { assert, describe, it } from "@effect/vitest"
import { Either, Equal } from "effect"
import {
  compile,
  Environment,
  evaluate,
  format,
  Metadata,
  Metric,
  Other,
  Parameter,
  queryVariables,
  Tag
} from "../src/index.js"
import { col, recordedColumns } from "./support.js"

describe("queryVariables (Python's get_query_variables)", () => {
  it("maps each column to its typed variable, skipping unknown sources", () => {
    const vars = queryVariables([
      col("user_name", "metadata", "string"),
      col("loss", "metrics", "double"),
      col("lr", "params", "double"),
      col("note", "log_other", "string"),
      col("os", "env_details", "string"),
      col("my_tag", "tag", "string"),
      col("mystery", "somewhere", "string"),
      col("count", "params", "integer")
    ])
    const expected = [
      Metadata("user_name", "string"),
      Metric("loss", "double"),
      Parameter("lr", "double"),
      Other("note", "string"),
      Environment("os", "string"),
      Tag("my_tag"),
      Parameter("count")
    ]
    assert.strictEqual(vars.length, expected.length)
    vars.forEach((v, i) => {
      assert.isTrue(Equal.equals(v, expected[i]), `${String(v)} ≠ ${String(expected[i])}`)
    })
    assert.deepStrictEqual(vars.map(String), [
      'Metadata("user_name", "string")',
      'Metric("loss", "double")',
      'Parameter("lr", "double")',
      'Other("note", "string")',
      'Environment("os", "string")',
      'Tag("my_tag")',
      'Parameter("count")'
    ])
  })

  it("gives the variables of a real project, usable in queries", () => {
    const columns = recordedColumns()
    const vars = queryVariables(columns)
    assert.strictEqual(vars.length, 18)
    const duration = vars.find((v) => v._tag === "QueryVariable" && v.name === "duration")
    assert.isDefined(duration)
    if (duration === undefined || duration._tag !== "QueryVariable") return
    assert.strictEqual(duration.type, "timenumber")
    assert.strictEqual(duration.source, "metadata")
    assert.isFalse(duration.hasType("double"))
    if (!duration.hasType("timenumber")) return assert.fail("duration is a timenumber")
    const q = duration.gt(120)
    assert.strictEqual(format(duration.between(60, 120)), 'Metadata("duration", "timenumber").between(60, 120)')
    assert.strictEqual(format(q), 'Metadata("duration", "timenumber") > 120')
    assert.isTrue(Either.isRight(compile(q, columns)))
    // the declared type drives local evaluation even without the column list
    assert.isTrue(
      evaluate(q, { metrics: {}, params: {}, others: {}, metadata: { duration: 121_000 }, env: {}, tags: [] })
    )
  })
})
