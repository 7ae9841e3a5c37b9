/**
 * Every query example of the seed (python-panels-api.md, API.query and its notes) and of
 * comet-rest-v2.md §4.4–§4.6, verbatim with the Python variables inlined, parsed and compiled to
 * the predicates the Python SDK sends — the expected JSON written out in full.
 */
import type { Column, Predicate } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either, Equal } from "effect"
import {
  and,
  compile,
  Environment,
  format,
  Metadata,
  Metric,
  not,
  Other,
  Parameter,
  parse,
  type Query,
  Tag
} from "../src/index.js"
import { col } from "./support.js"

/** The columns the examples need, typed as Comet types them. */
const columns: ReadonlyArray<Column> = [
  col("acc", "metrics", "double"),
  col("loss", "metrics", "double"),
  col("accuracy", "metrics", "double"),
  col("learning_rate", "params", "double"),
  col("learning rate", "params", "double"),
  col("lr", "params", "double"),
  col("opt", "params", "double"),
  col("x", "params", "double"),
  col("start_server_timestamp", "metadata", "datetime"),
  col("end_server_timestamp", "metadata", "datetime"),
  col("duration", "metadata", "timenumber"),
  col("name", "metadata", "string"),
  col("hasImages", "metadata", "boolean"),
  col("note", "log_other", "string"),
  col("other name", "log_other", "string"),
  col("os", "env_details", "string")
]

const rule = (field: string, type: string, operator: string, value: unknown) => ({
  id: field,
  field,
  type,
  operator,
  value
})

const predicate = (source: string, ...rules: ReadonlyArray<ReturnType<typeof rule>>) => ({
  source,
  query: { condition: "AND", rules, valid: true }
})

const compileText = (text: string): { readonly query: Query; readonly predicates: ReadonlyArray<Predicate> } => {
  const parsed = parse(text)
  if (Either.isLeft(parsed)) return assert.fail(`${text}: ${parsed.left.message}`)
  const compiled = compile(parsed.right, columns)
  if (Either.isLeft(compiled)) return assert.fail(`${text}: ${compiled.left.message}`)
  return { query: parsed.right, predicates: compiled.right }
}

/** [example text, the same query built with the TypeScript API, expected predicates] */
const examples: ReadonlyArray<readonly [string, Query, unknown]> = [
  // API.query examples
  ['Metric("acc") > .98', Metric("acc").gt(0.98), [predicate("metrics", rule("acc", "double", "greater", 0.98))]],
  [
    '((Metric("loss") < .1) & (Parameter("learning_rate") >= 0.3))',
    and(Metric("loss").lt(0.1), Parameter("learning_rate").ge(0.3)),
    [
      predicate("metrics", rule("loss", "double", "less", 0.1)),
      predicate("params", rule("learning_rate", "double", "greater_or_equal", 0.3))
    ]
  ],
  [
    'Tag("My simple tag")',
    Tag("My simple tag"),
    [predicate("tag", rule("My simple tag", "string", "equal", "My simple tag"))]
  ],
  [
    'Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5)',
    Metadata("start_server_timestamp").lt(new Date(Date.UTC(2019, 8, 24, 5))),
    [predicate("metadata", rule("start_server_timestamp", "datetime", "less", "2019-09-24 05:00:00"))]
  ],
  [
    'Metadata("duration") > (2 * 60)',
    Metadata("duration").gt(120),
    [predicate("metadata", rule("duration", "timenumber", "greater", 120))]
  ],
  // the notes
  [
    '~Parameter("x").between(2,3)',
    not(Parameter("x").between(2, 3)),
    [predicate("params", rule("x", "double", "not_between", ["2", "3"]))]
  ],
  [
    '(Metadata("hasImages") == True)',
    Metadata("hasImages").eq(true),
    [predicate("metadata", rule("hasImages", "boolean", "equal", 1))]
  ],
  [
    '(Metadata("hasImages") == False)',
    Metadata("hasImages").eq(false),
    [predicate("metadata", rule("hasImages", "boolean", "equal", 0))]
  ],
  [
    '(Other("note") == None)',
    Other("note").eq(null),
    [predicate("log_other", rule("note", "string", "is_null", null))]
  ],
  [
    '(Other("note") != None)',
    Other("note").ne(null),
    [predicate("log_other", rule("note", "string", "is_not_null", null))]
  ],
  [
    '~(Other("note") == None)',
    Other("note").isNotNull(),
    [predicate("log_other", rule("note", "string", "is_not_null", null))]
  ],
  ['(Other("note") == "")', Other("note").eq(""), [predicate("log_other", rule("note", "string", "is_empty", null))]],
  [
    '(Other("note") != "")',
    Other("note").ne(""),
    [predicate("log_other", rule("note", "string", "is_not_empty", null))]
  ],
  [
    '~(Other("note") == "")',
    Other("note").isNotEmpty(),
    [predicate("log_other", rule("note", "string", "is_not_empty", null))]
  ],
  [
    'Metadata("end_server_timestamp") >= datetime(2019, 9, 24, 5, 30, 15)',
    Metadata("end_server_timestamp").ge(new Date(Date.UTC(2019, 8, 24, 5, 30, 15))),
    [predicate("metadata", rule("end_server_timestamp", "datetime", "greater_or_equal", "2019-09-24 05:30:15"))]
  ],
  // comet-rest-v2.md §4.4–§4.6 and the SDK docstrings
  [
    '(Metric("loss") < 0.1) & (Parameter("lr") >= 0.3) & (Metric("acc") > 0.9)',
    and(Metric("loss").lt(0.1), Parameter("lr").ge(0.3), Metric("acc").gt(0.9)),
    [
      predicate("metrics", rule("loss", "double", "less", 0.1), rule("acc", "double", "greater", 0.9)),
      predicate("params", rule("lr", "double", "greater_or_equal", 0.3))
    ]
  ],
  ['Tag("best")', Tag("best"), [predicate("tag", rule("best", "string", "equal", "best"))]],
  [
    "~Parameter('opt').between(2,3)",
    not(Parameter("opt").between(2, 3)),
    [predicate("params", rule("opt", "double", "not_between", ["2", "3"]))]
  ],
  [
    'Environment("os") == "darwin"',
    Environment("os").eq("darwin"),
    [predicate("env_details", rule("os", "string", "equal", "darwin"))]
  ],
  [
    'Metric("accuracy") > 0.9',
    Metric("accuracy").gt(0.9),
    [predicate("metrics", rule("accuracy", "double", "greater", 0.9))]
  ],
  [
    'Parameter("learning rate") >= 1.2',
    Parameter("learning rate").ge(1.2),
    [predicate("params", rule("learning rate", "double", "greater_or_equal", 1.2))]
  ],
  [
    'Metadata("name") == "value"',
    Metadata("name").eq("value"),
    [predicate("metadata", rule("name", "string", "equal", "value"))]
  ],
  [
    'Other("other name") == "value"',
    Other("other name").eq("value"),
    [predicate("log_other", rule("other name", "string", "equal", "value"))]
  ],
  [
    'Metric("acc") > .98 & Tag("best")',
    and(Metric("acc").gt(0.98), Tag("best")),
    [
      predicate("metrics", rule("acc", "double", "greater", 0.98)),
      predicate("tag", rule("best", "string", "equal", "best"))
    ]
  ]
]

describe("the seed's query examples", () => {
  for (const [text, built, expected] of examples) {
    it(`${text}`, () => {
      const { query, predicates } = compileText(text)
      assert.isTrue(Equal.equals(query, built), `parsed ${format(query)}, built ${format(built)}`)
      assert.deepStrictEqual(JSON.parse(JSON.stringify(predicates)), expected)
      // exact bytes, key order included, as Python's json.dumps would give them (modulo spaces)
      assert.strictEqual(JSON.stringify(predicates), JSON.stringify(expected))
    })
  }

  it("the seed's examples with Python variables, inlined", () => {
    // loss = Metric("loss"); lr = Parameter("learning_rate"); query = ((loss < .1) & (lr >= 0.3))
    const { predicates } = compileText('((Metric("loss") < .1) & (Parameter("learning_rate") >= 0.3))')
    assert.strictEqual(predicates.length, 2)
    // api.query("workspace", "project", Metric("acc") > .98): the query argument
    assert.strictEqual(compileText('Metric("acc") > .98').predicates.length, 1)
  })

  it("Tag needs no column", () => {
    const compiled = compile(Tag("not a column"), [])
    assert.deepStrictEqual(Either.getOrThrow(compiled), [
      predicate("tag", rule("not a column", "string", "equal", "not a column"))
    ] as unknown as ReadonlyArray<Predicate>)
  })

  it("datetimes keep non-zero milliseconds as microseconds, like isoformat", () => {
    const q = Metadata("start_server_timestamp").lt(new Date(Date.UTC(2019, 8, 24, 5, 0, 0, 250)))
    const [p] = Either.getOrThrow(compile(q, columns))
    assert.deepStrictEqual(
      p?.query.rules[0] as unknown,
      rule("start_server_timestamp", "datetime", "less", "2019-09-24 05:00:00.250000")
    )
  })
})
