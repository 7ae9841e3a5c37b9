/**
 * fast-check generators shared by the property and fuzz tests: random queries over a fixed
 * project (so that they compile), random queries over anything (for the text round trip), and
 * random experiment records that hit every edge of the rule table (missing, null, empty, numeric
 * strings, booleans as strings, datetimes as numbers and strings, …).
 */
import type { Column, ColumnType } from "@comet-ts/core"
import * as fc from "fast-check"
import {
  and,
  Environment,
  type ExperimentRecord,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  type Query,
  type QueryVariable,
  type RecordValue,
  Tag,
  type VariableSource
} from "../src/index.js"
import { col } from "./support.js"

/**
 * fast-check parameters: a fixed seed, so that every run checks the same inputs (tests are
 * deterministic); change the seed locally to explore more.
 */
export const runs = (numRuns: number): { readonly numRuns: number; readonly seed: number } => ({
  numRuns,
  seed: 0x00c0_ffee
})

/** The project every compilable query is written against. */
export const columns: ReadonlyArray<Column> = [
  col("acc", "metrics", "double"),
  col("loss", "metrics", "double"),
  col("lr", "params", "double"),
  col("optimizer", "params", "string"),
  col("flag", "params", "boolean"),
  col("note", "log_other", "string"),
  col("count", "log_other", "double"),
  col("duration", "metadata", "timenumber"),
  col("start_server_timestamp", "metadata", "datetime"),
  col("user_name", "metadata", "string"),
  col("hasImages", "metadata", "boolean"),
  col("os", "env_details", "string"),
  col("best", "tag", "string")
]

const builders: Record<VariableSource, (name: string, type?: ColumnType) => QueryVariable> = {
  metrics: (n, t) => (t === undefined ? Metric(n) : Metric(n, t)),
  params: (n, t) => (t === undefined ? Parameter(n) : Parameter(n, t)),
  log_other: (n, t) => (t === undefined ? Other(n) : Other(n, t)),
  metadata: (n, t) => (t === undefined ? Metadata(n) : Metadata(n, t)),
  env_details: (n, t) => (t === undefined ? Environment(n) : Environment(n, t))
}

export const tagPool = ["best", "baseline", "My simple tag", "x"] as const
const stringPool = ["", "adam", "sgd", "Adam", "a", "ad", "am", "darwin", "linux", "0.5", "true", "é"] as const
const numberPool = [0, 1, -1, 0.5, 0.98, 2, 3, 10, 120, 1e-7, 2.5] as const
const datePool = [0, 1_569_301_200_000, 1_569_301_200_500, 1_600_000_000_000, 1_569_301_199_999] as const

const numberArb = fc.oneof(fc.constantFrom(...numberPool), fc.double({ noNaN: true, noDefaultInfinity: true }))
const stringArb = fc.oneof(fc.constantFrom(...stringPool), fc.string({ maxLength: 4 }))
const dateArb = fc
  .oneof(fc.constantFrom(...datePool), fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }))
  .map((ms) => new Date(ms))

const nullTest = (v: QueryVariable): fc.Arbitrary<Query> =>
  fc.constantFrom(v.isNull(), v.isNotNull(), v.isEmpty(), v.isNotEmpty())

type Ordering = "lt" | "le" | "gt" | "ge"
const orderings: ReadonlyArray<Ordering> = ["lt", "le", "gt", "ge"]

const order = (v: QueryVariable, op: Ordering, value: string | number | Date): Query =>
  (v as QueryVariable<undefined>)[op](value)

/** A leaf that compiles against {@link columns}. */
const leafFor = (c: Column): fc.Arbitrary<Query> => {
  const source = c.source as VariableSource
  return fc.boolean().chain((declare) => {
    const v = builders[source](c.name, declare ? (c.type as ColumnType) : undefined) as QueryVariable<undefined>
    switch (c.type) {
      case "double":
        return fc.oneof(
          fc
            .tuple(fc.constantFrom<"eq" | "ne">("eq", "ne"), fc.oneof(numberArb, fc.boolean()))
            .map(([op, x]) => v[op](x)),
          fc.tuple(fc.constantFrom(...orderings), numberArb).map(([op, x]) => order(v, op, x)),
          fc.tuple(numberArb, numberArb, fc.boolean()).map(([a, b, neg]) => {
            const q = v.between(a, b)
            return neg ? not(q) : q
          }),
          nullTest(v)
        )
      case "timenumber":
        return fc.oneof(
          fc.tuple(fc.constantFrom<"eq" | "ne">("eq", "ne"), numberArb).map(([op, x]) => v[op](x)),
          fc.tuple(fc.constantFrom(...orderings), numberArb).map(([op, x]) => order(v, op, x)),
          fc.tuple(numberArb, numberArb).map(([a, b]) => v.between(a, b)),
          nullTest(v)
        )
      case "boolean":
        return fc.oneof(
          fc
            .tuple(fc.constantFrom<"eq" | "ne">("eq", "ne"), fc.oneof(fc.boolean(), fc.constantFrom(0, 1, 2)))
            .map(([op, x]) => v[op](x)),
          fc.tuple(fc.constantFrom(...orderings), fc.constantFrom(0, 1)).map(([op, x]) => order(v, op, x)),
          nullTest(v)
        )
      case "datetime":
        return fc.oneof(
          fc.tuple(fc.constantFrom<"eq" | "ne">("eq", "ne"), dateArb).map(([op, x]) => v[op](x)),
          fc.tuple(fc.constantFrom(...orderings), dateArb).map(([op, x]) => order(v, op, x)),
          nullTest(v)
        )
      default:
        return fc.oneof(
          fc.tuple(fc.constantFrom<"eq" | "ne">("eq", "ne"), stringArb).map(([op, x]) => v[op](x)),
          fc.tuple(fc.constantFrom(...orderings), stringArb).map(([op, x]) => order(v, op, x)),
          fc
            .tuple(
              fc.constantFrom<"contains" | "startsWith" | "endsWith">("contains", "startsWith", "endsWith"),
              stringArb,
              fc.boolean()
            )
            .map(([m, x, neg]) => {
              const q = v[m](x)
              return neg ? not(q) : q
            }),
          nullTest(v)
        )
    }
  })
}

const variableColumns = columns.filter((c) => c.source !== "tag")
const comparisonArb: fc.Arbitrary<Query> = fc.constantFrom(...variableColumns).chain(leafFor)
const tagArb: fc.Arbitrary<Query> = fc.constantFrom(...tagPool).map(Tag)

const nonEmpty = (qs: ReadonlyArray<Query>): readonly [Query, ...Array<Query>] =>
  qs as readonly [Query, ...Array<Query>]

/**
 * Queries that compile against {@link columns}: any mix of AND, OR and NOT, with tags only where
 * they end up un-negated (Comet cannot negate a tag).
 */
export const compilableQuery = (maxDepth = 3): fc.Arbitrary<Query> => {
  const { positive } = fc.letrec<{ positive: Query; negative: Query }>((tie) => ({
    positive: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      fc.oneof({ weight: 3, arbitrary: comparisonArb }, { weight: 1, arbitrary: tagArb }),
      fc.array(tie("positive"), { minLength: 1, maxLength: 3 }).map((qs) => and(...nonEmpty(qs))),
      fc.array(tie("positive"), { minLength: 1, maxLength: 3 }).map((qs) => or(...nonEmpty(qs))),
      tie("negative").map(not)
    ),
    negative: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      comparisonArb,
      fc.array(tie("negative"), { minLength: 1, maxLength: 3 }).map((qs) => and(...nonEmpty(qs))),
      fc.array(tie("negative"), { minLength: 1, maxLength: 3 }).map((qs) => or(...nonEmpty(qs))),
      tie("positive").map(not)
    )
  }))
  return positive
}

/** Any text, including quotes, backslashes, control characters, lone surrogates and astral characters. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }).map((cs) => String.fromCharCode(...cs)),
  fc.constantFrom('"', "'", "\\", "\n", '\\"', "\u2028", "\ud800", "\u{1f600}", "'''", '"""', "\x00", "\x7f")
)

const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-7, 0.1)
)
const validDate = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }).map((ms) => new Date(ms))
const anyType = fc.option(fc.constantFrom<ColumnType>("string", "boolean", "double", "datetime", "timenumber"), {
  nil: undefined
})
const anyVariable: fc.Arbitrary<QueryVariable<undefined>> = fc
  .tuple(
    fc.constantFrom<VariableSource>("metrics", "params", "log_other", "metadata", "env_details"),
    anyString,
    anyType
  )
  .map(([source, name, type]) => builders[source](name, type) as QueryVariable<undefined>)

const anyLeaf: fc.Arbitrary<Query> = fc.oneof(
  fc
    .tuple(
      anyVariable,
      fc.constantFrom<"eq" | "ne" | Ordering>("eq", "ne", "lt", "le", "gt", "ge"),
      fc.oneof(anyString, anyNumber, validDate)
    )
    .map(([v, op, x]) => (op === "eq" || op === "ne" ? v[op](x) : order(v, op, x))),
  fc
    .tuple(anyVariable, fc.constantFrom<"eq" | "ne">("eq", "ne"), fc.constantFrom(true, false, null, ""))
    .map(([v, op, x]) => v[op](x)),
  fc.tuple(anyVariable, anyNumber, anyNumber).map(([v, a, b]) => v.between(a, b)),
  fc
    .tuple(
      anyVariable,
      fc.constantFrom<"contains" | "startsWith" | "endsWith">("contains", "startsWith", "endsWith"),
      anyString
    )
    .map(([v, m, x]) => v[m](x)),
  anyString.map(Tag)
)

/** Any query at all (any names, values, nesting), for the text round trip. */
export const anyQuery = (maxDepth = 4): fc.Arbitrary<Query> =>
  fc.letrec<{ q: Query }>((tie) => ({
    q: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      anyLeaf,
      fc.array(tie("q"), { minLength: 1, maxLength: 4 }).map((qs) => and(...nonEmpty(qs))),
      fc.array(tie("q"), { minLength: 1, maxLength: 4 }).map((qs) => or(...nonEmpty(qs))),
      tie("q").map(not)
    )
  })).q

/** A value of a record field: everything a server might hold, including the awkward cases. */
const recordValue: fc.Arbitrary<RecordValue | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(""),
  fc.constantFrom(...numberPool),
  fc.constantFrom(...numberPool).map(String),
  fc.constantFrom(...stringPool),
  fc.boolean(),
  fc.constantFrom("true", "false", "True", "1", "0"),
  fc.constantFrom(...datePool),
  fc.constantFrom(...datePool).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom(120_000, 119_999, 2_000, 3_000, 500),
  fc.double({ noNaN: true })
)

const fields = (names: ReadonlyArray<string>): fc.Arbitrary<Record<string, RecordValue>> =>
  fc.tuple(...names.map(() => recordValue)).map((values) => {
    const out: Record<string, RecordValue> = {}
    values.forEach((v, i) => {
      if (v !== undefined) out[names[i] as string] = v
    })
    return out
  })

const namesOf = (source: string): ReadonlyArray<string> => columns.filter((c) => c.source === source).map((c) => c.name)

/** A random experiment record over the columns of {@link columns}. */
export const record: fc.Arbitrary<ExperimentRecord> = fc.record({
  metrics: fields(namesOf("metrics")),
  params: fields(namesOf("params")),
  others: fields(namesOf("log_other")),
  metadata: fields(namesOf("metadata")),
  env: fields(namesOf("env_details")),
  tags: fc.subarray([...tagPool])
})
