import { type Column, type Predicate, QueryError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import {
  and,
  compile,
  compileTerms,
  Environment,
  format,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  parse,
  type Query,
  Tag
} from "../src/index.js"
import { col, recordedColumns } from "./support.js"

const columns: ReadonlyArray<Column> = [
  col("acc", "metrics", "double"),
  col("loss", "metrics", "double"),
  col("accuracy", "metrics", "double"),
  col("lr", "params", "double"),
  col("optimizer", "params", "string"),
  col("batch", "params", "string"),
  col("note", "log_other", "string"),
  col("duration", "metadata", "timenumber"),
  col("start_server_timestamp", "metadata", "datetime"),
  col("hasImages", "metadata", "boolean"),
  col("os", "env_details", "string"),
  col("weird", "params", "integer")
]

const ok = (q: Query, cols: ReadonlyArray<Column> = columns): unknown => {
  const r = compile(q, cols)
  if (Either.isLeft(r)) return assert.fail(`${format(q)}: ${r.left.message}`)
  return JSON.parse(JSON.stringify(r.right))
}

const err = (q: Query, cols: ReadonlyArray<Column> = columns): QueryError => {
  const r = compile(q, cols)
  if (Either.isRight(r)) return assert.fail(`${format(q)} compiled: ${JSON.stringify(r.right)}`)
  assert.instanceOf(r.left, QueryError)
  return r.left
}

const rule = (field: string, type: string, operator: string, value: unknown, source?: string) => ({
  id: field,
  field,
  type,
  operator,
  value,
  ...(source === undefined ? {} : { source })
})

const group = (condition: "AND" | "OR", ...rules: ReadonlyArray<unknown>) => ({ condition, rules, valid: true })

describe("compile: AND-only queries (the Python SDK's predicates)", () => {
  it("merges rules of one source into one predicate, in order of first appearance (§4.6)", () => {
    assert.deepStrictEqual(
      ok(and(Tag("a"), Metric("loss").lt(0.1), Parameter("lr").ge(0.3), Metric("acc").gt(0.9), Tag("b"))),
      [
        { source: "tag", query: group("AND", rule("a", "string", "equal", "a"), rule("b", "string", "equal", "b")) },
        {
          source: "metrics",
          query: group("AND", rule("loss", "double", "less", 0.1), rule("acc", "double", "greater", 0.9))
        },
        { source: "params", query: group("AND", rule("lr", "double", "greater_or_equal", 0.3)) }
      ]
    )
  })

  it("encodes values as §4.5 says", () => {
    assert.deepStrictEqual(ok(Metadata("hasImages").ne(true)), [
      { source: "metadata", query: group("AND", rule("hasImages", "boolean", "not_equal", 1)) }
    ])
    assert.deepStrictEqual(ok(Metric("acc").eq(false)), [
      { source: "metrics", query: group("AND", rule("acc", "double", "equal", 0)) }
    ])
    assert.deepStrictEqual(ok(Parameter("lr").between(0.1, 0.5)), [
      { source: "params", query: group("AND", rule("lr", "double", "between", ["0.1", "0.5"])) }
    ])
    assert.deepStrictEqual(ok(Other("note").startsWith("ab").not()), [
      { source: "log_other", query: group("AND", rule("note", "string", "not_begins_with", "ab")) }
    ])
    assert.deepStrictEqual(ok(Other("note").endsWith("z")), [
      { source: "log_other", query: group("AND", rule("note", "string", "ends_with", "z")) }
    ])
    assert.deepStrictEqual(ok(Metadata("start_server_timestamp").ge(new Date("2020-01-02T03:04:05.006Z"))), [
      {
        source: "metadata",
        query: group(
          "AND",
          rule("start_server_timestamp", "datetime", "greater_or_equal", "2020-01-02 03:04:05.006000")
        )
      }
    ])
    assert.deepStrictEqual(ok(Metadata("start_server_timestamp").lt(new Date("0099-01-01T00:00:00Z"))), [
      {
        source: "metadata",
        query: group("AND", rule("start_server_timestamp", "datetime", "less", "0099-01-01 00:00:00"))
      }
    ])
    assert.deepStrictEqual(ok(Metadata("duration").le(90.5)), [
      { source: "metadata", query: group("AND", rule("duration", "timenumber", "less_or_equal", 90.5)) }
    ])
  })

  it("negates by swapping operators, pushing ~ through groups", () => {
    assert.deepStrictEqual(ok(not(and(Metric("acc").lt(0.5), Metric("loss").isNull()).not())), [
      {
        source: "metrics",
        query: group("AND", rule("acc", "double", "less", 0.5), rule("loss", "double", "is_null", null))
      }
    ])
    assert.deepStrictEqual(ok(not(or(Metric("acc").lt(0.5), Other("note").eq("")))), [
      { source: "metrics", query: group("AND", rule("acc", "double", "greater_or_equal", 0.5)) },
      { source: "log_other", query: group("AND", rule("note", "string", "is_not_empty", null)) }
    ])
  })

  it("types rules from the recorded column list of a real project", () => {
    const recorded = recordedColumns()
    const q = Either.getOrThrow(
      parse(
        'Metadata("duration") > (2 * 60) & Metadata("hasImages") == True & Other("Name") == "run-1" & Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5)'
      )
    )
    assert.deepStrictEqual(ok(q, recorded), [
      {
        source: "metadata",
        query: group(
          "AND",
          rule("duration", "timenumber", "greater", 120),
          rule("hasImages", "boolean", "equal", 1),
          rule("start_server_timestamp", "datetime", "less", "2019-09-24 05:00:00")
        )
      },
      { source: "log_other", query: group("AND", rule("Name", "string", "equal", "run-1")) }
    ])
  })
})

describe("compile: OR and negated groups (§4.7 nested form)", () => {
  it("an OR within one source is one predicate with an OR group; rules carry their source", () => {
    assert.deepStrictEqual(ok(or(Metric("acc").gt(0.9), Metric("loss").lt(0.1))), [
      {
        source: "metrics",
        query: group(
          "OR",
          rule("acc", "double", "greater", 0.9, "metrics"),
          rule("loss", "double", "less", 0.1, "metrics")
        )
      }
    ])
    assert.deepStrictEqual(ok(or(Tag("a"), Tag("b"))), [
      {
        source: "tag",
        query: group("OR", rule("a", "string", "equal", "a", "tag"), rule("b", "string", "equal", "b", "tag"))
      }
    ])
  })

  it("an OR across sources is a `nested` predicate", () => {
    assert.deepStrictEqual(ok(or(Metric("acc").gt(0.9), and(Parameter("lr").lt(0.1), Tag("best")))), [
      {
        source: "nested",
        query: group(
          "OR",
          rule("acc", "double", "greater", 0.9, "metrics"),
          group("AND", rule("lr", "double", "less", 0.1, "params"), rule("best", "string", "equal", "best", "tag"))
        )
      }
    ])
  })

  it("De Morgan turns a negated AND into an OR", () => {
    assert.deepStrictEqual(ok(not(and(Metric("acc").gt(0.9), Parameter("lr").lt(0.1)))), [
      {
        source: "nested",
        query: group(
          "OR",
          rule("acc", "double", "less_or_equal", 0.9, "metrics"),
          rule("lr", "double", "greater_or_equal", 0.1, "params")
        )
      }
    ])
  })

  it("AND with an OR of the same source keeps the structure in that source's predicate", () => {
    assert.deepStrictEqual(
      ok(and(Metric("acc").gt(0.5), Parameter("lr").lt(1), or(Metric("acc").lt(0.9), Metric("loss").lt(0.1)))),
      [
        {
          source: "metrics",
          query: group(
            "AND",
            rule("acc", "double", "greater", 0.5, "metrics"),
            group("OR", rule("acc", "double", "less", 0.9, "metrics"), rule("loss", "double", "less", 0.1, "metrics"))
          )
        },
        { source: "params", query: group("AND", rule("lr", "double", "less", 1)) }
      ]
    )
  })

  it("several cross-source ORs are AND-ed inside one `nested` predicate", () => {
    const q = and(or(Metric("acc").gt(0.9), Tag("a")), Other("note").isNull(), or(Parameter("lr").lt(1), Tag("b")))
    assert.deepStrictEqual(ok(q), [
      {
        source: "nested",
        query: group(
          "AND",
          group("OR", rule("acc", "double", "greater", 0.9, "metrics"), rule("a", "string", "equal", "a", "tag")),
          group("OR", rule("lr", "double", "less", 1, "params"), rule("b", "string", "equal", "b", "tag"))
        )
      },
      { source: "log_other", query: group("AND", rule("note", "string", "is_null", null)) }
    ])
  })
})

describe("compile: errors are QueryErrors, never an empty result", () => {
  it("names an unknown column and the columns available", () => {
    const e = err(Metric("acu").gt(0.9))
    assert.strictEqual(e.reason, "unknown-column")
    assert.include(e.detail, 'Metric("acu")')
    assert.include(e.detail, '"acc", "loss", "accuracy"')
    assert.strictEqual(e.hint, 'did you mean Metric("acc")?')
    assert.strictEqual(e.line, null)
  })

  it("points at a column of the same name in another source", () => {
    const e = err(Metric("lr").gt(0.1))
    assert.strictEqual(e.reason, "unknown-column")
    assert.strictEqual(e.hint, '"lr" is a params column: use Parameter("lr")')
  })

  it("says when a source has no columns, and shortens long lists", () => {
    assert.include(err(Metric("x").gt(1), []).detail, "the project has no metrics columns")
    const many = Array.from({ length: 30 }, (_, i) => col(`m${i}`, "metrics", "double"))
    const e = err(Metric("zzzzzz").gt(1), many)
    assert.include(e.detail, '"m19" and 10 more')
    assert.notInclude(e.detail, '"m20"')
    assert.include(e.hint ?? "", "api.getQueryVariables(workspace, projectName)")
  })

  it("rejects operators and values that do not fit the column type", () => {
    const cases: ReadonlyArray<readonly [Query, RegExp, RegExp]> = [
      [Metric("acc").contains("9"), /contains\(\) needs a string column/, /between/],
      [Metric("acc").startsWith("9"), /startswith\(\) needs a string column/, /./],
      [Metadata("hasImages").endsWith("x"), /endswith\(\) needs a string column/, /==/],
      [Parameter("optimizer").between(1, 2), /between\(\) needs a numeric/, /==/],
      [Metadata("start_server_timestamp").between(1, 2), /between\(\) needs a numeric/, /datetime/],
      [Metric("acc").gt("0.5"), /cannot be compared with the string "0.5"/, /number 0.5 \(without quotes\)/],
      [Metric("acc").eq("high"), /cannot be compared/, /compare with a number/],
      [Parameter("batch").eq(32), /the number 32 can never equal/, /== "32" \(equal text only: "32" is not "32.0"\)/],
      [Parameter("batch").ne(32), /the number 32 can never equal/, /!= "32"/],
      [Parameter("batch").eq(true), /the boolean True/, /"True"/],
      [Metadata("duration").gt(new Date(0)), /a datetime/, /seconds/],
      [Metadata("start_server_timestamp").lt("2019-09-24"), /the string/, /Date/],
      [Metadata("start_server_timestamp").lt(5), /the number 5/, /Date/],
      [Metadata("hasImages").eq("yes"), /the string "yes"/, /True or False/],
      [Metric("acc").gt(Number.NaN), /float\("nan"\)/, /finite/],
      [Parameter("lr").between(0, Number.POSITIVE_INFINITY), /float\("inf"\)/, /finite/],
      [Metadata("start_server_timestamp").lt(new Date(Number.NaN)), /invalid Date/, /valid Date/],
      [Metadata("start_server_timestamp").lt(new Date("+010000-01-01T00:00:00Z")), /outside years/, /9999/],
      [
        Metric("acc", "string").eq("x"),
        /declared as string, but the project's column has type double/,
        /api\.getQueryVariables\(workspace, projectName\)/
      ]
    ]
    for (const [q, detail, hint] of cases) {
      const e = err(q)
      assert.strictEqual(e.reason, "type-mismatch", format(q))
      assert.match(e.detail, detail, format(q))
      assert.match(e.hint ?? "", hint, format(q))
    }
  })

  it("checks every leaf, inside ORs and negations too", () => {
    assert.strictEqual(err(or(Tag("a"), not(Metric("nope").gt(1)))).reason, "unknown-column")
    assert.strictEqual(err(not(and(Metric("loss").gt(1), Metric("acc").contains("x")))).reason, "type-mismatch")
  })

  it("sends ~Tag(t) as comet_ml 3.58.8 does: a not_equal rule on source tag", () => {
    assert.deepStrictEqual(ok(not(Tag("a"))), [
      { source: "tag", query: group("AND", rule("a", "string", "not_equal", "a")) }
    ])
    assert.deepStrictEqual(ok(parse('~Tag("a")').pipe(Either.getOrThrow)), ok(not(Tag("a"))))
    // AND-merged with other tag rules, in the order written.
    assert.deepStrictEqual(ok(and(Metric("acc").gt(1), Tag("t").not(), Tag("u"))), [
      { source: "metrics", query: group("AND", rule("acc", "double", "greater", 1)) },
      { source: "tag", query: group("AND", rule("t", "string", "not_equal", "t"), rule("u", "string", "equal", "u")) }
    ])
    // Inside De Morgan: ~(Tag(a) | acc > 1) is ~Tag(a) & acc <= 1.
    assert.deepStrictEqual(ok(not(or(Tag("a"), Metric("acc").gt(1)))), [
      { source: "tag", query: group("AND", rule("a", "string", "not_equal", "a")) },
      { source: "metrics", query: group("AND", rule("acc", "double", "less_or_equal", 1)) }
    ])
  })

  it("sends ~(A & B) as ~A | ~B (comet_ml 3.58.8 sends ~A and ~B as two AND-ed predicates)", () => {
    assert.deepStrictEqual(ok(not(and(Metric("acc").gt(1), Parameter("lr").lt(2)))), [
      {
        source: "nested",
        query: group(
          "OR",
          rule("acc", "double", "less_or_equal", 1, "metrics"),
          rule("lr", "double", "greater_or_equal", 2, "params")
        )
      }
    ])
    assert.deepStrictEqual(ok(not(and(Tag("a"), Tag("b")))), [
      {
        source: "tag",
        query: group("OR", rule("a", "string", "not_equal", "a", "tag"), rule("b", "string", "not_equal", "b", "tag"))
      }
    ])
  })

  it("ordering a string column against a number: says it is lexicographic, per operator, without advice that changes the meaning", () => {
    const ops = [
      [Parameter("pct").gt(55), ">"],
      [Parameter("pct").ge(55), ">="],
      [Parameter("pct").lt(55), "<"],
      [Parameter("pct").le(55), "<="]
    ] as const
    const cols = [...columns, col("pct", "params", "string")]
    for (const [q, op] of ops) {
      const e = err(q, cols)
      assert.strictEqual(e.reason, "type-mismatch")
      assert.include(e.detail, "compares text lexicographically")
      assert.include(e.detail, '"100" < "55"')
      assert.notInclude(e.detail, "can never equal")
      assert.include(
        e.hint ?? "",
        `to compare as text, write Parameter("pct") ${op} "55", knowing that text order is not numeric order`
      )
      assert.include(
        e.hint ?? "",
        `keep the runs whose value reads as a number ${op} 55 (the values: getParametersSummary)`
      )
    }
    // Other sources name their own summary (or none).
    assert.include(err(Other("note").gt(1)).hint ?? "", "getOthersSummary")
    assert.notInclude(err(Environment("os").gt(1)).hint ?? "", "(the values")
    // A string value is an explicit text comparison: compiled as written.
    assert.deepStrictEqual(ok(Parameter("pct").gt("55"), cols), [
      { source: "params", query: group("AND", rule("pct", "string", "greater", "55")) }
    ])
  })

  it("passes unknown column types through, with only Python's checks", () => {
    assert.deepStrictEqual(ok(Parameter("weird").eq("7")), [
      { source: "params", query: group("AND", rule("weird", "integer", "equal", "7")) }
    ])
    assert.deepStrictEqual(ok(Parameter("weird").between(1, 2)), [
      { source: "params", query: group("AND", rule("weird", "integer", "between", ["1", "2"])) }
    ])
    assert.strictEqual(err(Parameter("weird").contains("7")).reason, "type-mismatch")
  })

  it("bounds the depth", () => {
    let q: Query = Tag("x")
    for (let i = 0; i < 300; i++) q = i % 2 === 0 ? and(q, Tag(`a${i}`)) : or(q, Tag(`o${i}`))
    assert.strictEqual(err(q).reason, "too-deep")
    assert.isTrue(Either.isRight(compile(q, columns, { maxDepth: 400 })))
  })
})

describe("compileTerms: the DNF fallback", () => {
  const terms = (q: Query, options?: { readonly maxTerms?: number }): ReadonlyArray<ReadonlyArray<Predicate>> => {
    const r = compileTerms(q, columns, options)
    if (Either.isLeft(r)) return assert.fail(r.left.message)
    return r.right
  }

  it("an AND-only query is one term, identical to compile", () => {
    const q = and(Metric("acc").gt(0.9), Tag("best"))
    assert.deepStrictEqual(terms(q), [Either.getOrThrow(compile(q, columns))])
  })

  it("an OR gives one AND-only term per disjunct", () => {
    const q = and(or(Metric("acc").gt(0.9), Tag("a")), or(Parameter("lr").lt(1), Parameter("lr").gt(2)))
    const out = terms(q)
    assert.strictEqual(out.length, 4)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(out[1])), [
      { source: "metrics", query: group("AND", rule("acc", "double", "greater", 0.9)) },
      { source: "params", query: group("AND", rule("lr", "double", "greater", 2)) }
    ])
    for (const t of out) for (const p of t) assert.strictEqual(p.query.condition, "AND")
  })

  it("De Morgan for negated groups", () => {
    const out = terms(not(and(Metric("acc").gt(0.9), Other("note").isNull())))
    assert.deepStrictEqual(JSON.parse(JSON.stringify(out)), [
      [{ source: "metrics", query: group("AND", rule("acc", "double", "less_or_equal", 0.9)) }],
      [{ source: "log_other", query: group("AND", rule("note", "string", "is_not_null", null)) }]
    ])
  })

  it("drops contradictory terms, but still reports their unknown columns", () => {
    assert.deepStrictEqual(terms(and(Metric("acc").lt(3), Metric("acc").ge(3))), [])
    const r = compileTerms(and(Metric("nope").lt(3), Metric("nope").ge(3)), columns)
    assert.isTrue(Either.isLeft(r) && r.left.reason === "unknown-column")
  })

  it("refuses a DNF larger than maxTerms before building it", () => {
    const pairs = Array.from({ length: 20 }, (_, i) => or(Tag(`a${i}`), Tag(`b${i}`)))
    const q = and(pairs[0] as Query, ...pairs.slice(1))
    const r = compileTerms(q, columns)
    assert.isTrue(Either.isLeft(r))
    if (Either.isLeft(r)) {
      assert.strictEqual(r.left.reason, "too-long")
      assert.include(r.left.detail, "1048576 AND-only terms")
      assert.include(r.left.detail, "limit is 32")
    }
    assert.strictEqual(terms(and(pairs[0] as Query, pairs[1] as Query), { maxTerms: 4 }).length, 4)
  })
})
