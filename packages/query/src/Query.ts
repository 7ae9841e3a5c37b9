/**
 * Comet queries as immutable typed values: the variables (`Metric`, `Parameter`, `Other`,
 * `Metadata`, `Environment`), `Tag`, the comparisons of the Python SDK's `QueryVariable` and the
 * combinators `and`, `or`, `not` (comet-rest-v2.md §4.4–§4.5, §4.7).
 *
 * Queries compare structurally (`Equal.equals`) and are kept in a canonical form, so that
 * `parse(format(q))` gives back a query equal to `q`:
 * - `and`/`or` are n-ary and flatten nested groups of the same kind (`and(and(a, b), c)` is
 *   `and(a, b, c)`); a group of one operand is that operand;
 * - `not` of a comparison swaps its operator, as Python's `~` does (`not(x.lt(3))` is
 *   `x.ge(3)`); `not(not(q))` is `q`; `not` of a group or of a tag stays a `Not` node.
 *
 * @since 0.1.0
 */
import { ColumnType } from "@comet-ts/core"
import type * as DateTime from "effect/DateTime"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Inspectable from "effect/Inspectable"
import type * as Pipeable from "effect/Pipeable"
import { pipeArguments } from "effect/Pipeable"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { formatQuery, formatVariable } from "./internal/format.js"
import type {
  ComparisonOperator,
  ComparisonValue,
  NullTestOperator,
  TextOperator,
  VariableSource
} from "./internal/operators.js"
import { timeOfDate, wrongArgument } from "./internal/options.js"

export type * from "./internal/operators.js"

/**
 * A date a builder accepts: a JavaScript `Date` or an Effect `DateTime` (both read in UTC).
 *
 * @since 0.1.0
 */
export type DateInput = Date | DateTime.DateTime

/**
 * The column types that `between` accepts.
 *
 * @since 0.1.0
 */
export type NumericColumnType = "double" | "timenumber"

/**
 * The values a variable of column type `T` can be compared with (`undefined`: not declared).
 *
 * @since 0.1.0
 */
export type ValueFor<T extends ColumnType | undefined> = T extends "string"
  ? string
  : T extends "double"
    ? number | boolean
    : T extends "timenumber"
      ? number
      : T extends "boolean"
        ? boolean | number
        : T extends "datetime"
          ? DateInput
          : string | number | boolean | DateInput

/**
 * The values `eq`/`ne` accept: those of {@link ValueFor}, plus `null` (null test) and `""` (empty
 * test).
 *
 * @since 0.1.0
 */
export type EqualityValue<T extends ColumnType | undefined> = ValueFor<T> | null | ""

/**
 * The values `lt`/`le`/`gt`/`ge` accept (no booleans, no `null`).
 *
 * @since 0.1.0
 */
export type OrderValue<T extends ColumnType | undefined> = Exclude<ValueFor<T>, boolean>

const TypeId: unique symbol = Symbol.for("@comet-ts/query/Query")
const VariableTypeId: unique symbol = Symbol.for("@comet-ts/query/QueryVariable")

const hashes = new WeakMap<object, number>()
const cachedHash = (self: object, compute: () => number): number => {
  const found = hashes.get(self)
  if (found !== undefined) return found
  const h = compute()
  hashes.set(self, h)
  return h
}

const sameNumber = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b))

const sameValue = (a: ComparisonValue, b: ComparisonValue): boolean => {
  if (a instanceof Date) return b instanceof Date && sameNumber(a.getTime(), b.getTime())
  if (b instanceof Date) return false
  if (typeof a === "number") return typeof b === "number" && sameNumber(a, b)
  return a === b
}

const hashValue = (v: ComparisonValue): number =>
  v instanceof Date
    ? Hash.combine(Hash.string("Date"))(Hash.number(v.getTime()))
    : typeof v === "number"
      ? Hash.number(Number.isNaN(v) ? Number.NaN : v)
      : Hash.hash(v)

/** -0 and 0 format the same, so they are the same value. */
const normalizeNumber = (n: number): number => (Object.is(n, -0) ? 0 : n)

const copyValue = (v: ComparisonValue): ComparisonValue =>
  v instanceof Date ? new Date(v.getTime()) : typeof v === "number" ? normalizeNumber(v) : v

const isDateTime = (u: unknown): u is DateTime.DateTime =>
  Predicate.hasProperty(u, Symbol.for("effect/DateTime")) && Predicate.hasProperty(u, "epochMillis")

const toDate = (v: DateInput): Date => (v instanceof Date ? new Date(v.getTime()) : new Date(v.epochMillis))

/**
 * What the builders accept as a value before normalisation.
 *
 * @since 0.1.0
 */
export type ValueInput = string | number | boolean | DateInput

const normalizeInput = (v: ValueInput): ComparisonValue =>
  v instanceof Date || isDateTime(v) ? toDate(v) : typeof v === "number" ? normalizeNumber(v) : v

/*
 * The builders from plain JavaScript: a value of a type no query can hold (`gt(null)`, `gt()`,
 * `Metric(123)`, `contains(5)`, `or("x")`) throws a `QueryError` of reason `invalid-argument`
 * naming the builder and the argument — as `parseOrThrow` throws — at the line that made it,
 * instead of a query that later fails with a `TypeError` or formats as `Metric("")`.
 */

const isValueInput = (u: unknown): u is ValueInput =>
  typeof u === "string" || typeof u === "number" || typeof u === "boolean" || u instanceof Date || isDateTime(u)

const VALUE = "a string, a number, a boolean or a Date"

const checkedValue = (where: string, value: unknown, expected: string = VALUE): ComparisonValue => {
  // a Date of another realm is a Date, as this realm's (an invalid one is refused by compile)
  const time = timeOfDate(value)
  if (time !== undefined) return new Date(time)
  if (!isValueInput(value)) throw wrongArgument(where, "the value", expected, value)
  return normalizeInput(value)
}

const checkedNumber = (where: string, argument: string, value: unknown): number => {
  if (typeof value !== "number") throw wrongArgument(where, argument, "a number", value)
  return normalizeNumber(value)
}

const checkedText = (where: string, value: unknown): string => {
  if (typeof value !== "string") throw wrongArgument(where, "the text", "a string", value)
  return value
}

const checkedQueries = (where: string, queries: ReadonlyArray<unknown>): ReadonlyArray<Query> => {
  queries.forEach((q, i) => {
    if (!isQuery(q)) throw wrongArgument(where, `query ${i + 1}`, "a Query (from parse or the Query constructors)", q)
  })
  return queries as ReadonlyArray<Query>
}

const ORDER = "a string, a number or a Date"

const VARIABLE_NAMES: Record<VariableSource, string> = {
  metrics: "Metric",
  params: "Parameter",
  log_other: "Other",
  metadata: "Metadata",
  env_details: "Environment"
}

const COLUMN_TYPES: ReadonlyArray<unknown> = ColumnType.literals

const pipeMethod = function (this: unknown, ...args: ReadonlyArray<unknown>) {
  return pipeArguments(this, args as unknown as IArguments)
} as Pipeable.Pipeable["pipe"]

abstract class QueryBase implements Equal.Equal, Pipeable.Pipeable, Inspectable.Inspectable {
  /** The node kind. */
  abstract readonly _tag: string

  get [TypeId](): typeof TypeId {
    return TypeId
  }

  /** This query AND the others (flattened). */
  and(...others: ReadonlyArray<Query>): Query {
    return and(this as unknown as Query, ...others)
  }

  /** This query OR the others (flattened). */
  or(...others: ReadonlyArray<Query>): Query {
    return or(this as unknown as Query, ...others)
  }

  /** The negation of this query (comparisons swap their operator, as Python's `~` does). */
  not(): Query {
    return not(this as unknown as Query)
  }

  [Equal.symbol](that: Equal.Equal): boolean {
    return isQuery(that) && equalQuery(this as unknown as Query, that)
  }

  [Hash.symbol](): number {
    return cachedHash(this, () => hashQuery(this as unknown as Query))
  }

  /** Effect's `pipe`: `q.pipe(not, format)`. */
  get pipe(): Pipeable.Pipeable["pipe"] {
    return pipeMethod
  }

  /** The query in the Python syntax (the same text as {@link format}). */
  toString(): string {
    return formatQuery(this as unknown as Query)
  }

  toJSON(): unknown {
    return { _id: "Query", _tag: this._tag, query: this.toString() }
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * A query variable: a named column of one source, optionally with its declared column type (as
 * {@link queryVariables} returns them). Not a query by itself: compare it (`eq`, `gt`, …).
 *
 * @since 0.1.0
 */
export class QueryVariable<T extends ColumnType | undefined = ColumnType | undefined>
  implements Equal.Equal, Inspectable.Inspectable
{
  /** Discriminator. */
  readonly _tag = "QueryVariable" as const
  /** Where the column lives (`predicate.source`). */
  readonly source: VariableSource
  /** The column name (`rule.id` and `rule.field`). */
  readonly name: string
  /** The declared column type, if any (Python's `qtype`). */
  readonly type: T

  /** @internal Use the builders (`Metric`, `Parameter`, …). */
  constructor(source: VariableSource, name: string, type: T) {
    this.source = source
    this.name = name
    this.type = type
    Object.freeze(this)
  }

  get [VariableTypeId](): typeof VariableTypeId {
    return VariableTypeId
  }

  /**
   * Narrow a variable whose type is only known at run time (as from `queryVariables`):
   * `if (v.hasType("double")) v.between(0, 1)`.
   */
  hasType<U extends ColumnType>(type: U): this is QueryVariable<U> {
    return (this.type as ColumnType | undefined) === type
  }

  /** `v == value`: `null` tests for null, `""` for empty, booleans are sent as 1/0. */
  eq(value: EqualityValue<T>): Comparison | NullTest {
    if (value === null) return new NullTest(this, "is_null")
    if (value === "") return new NullTest(this, "is_empty")
    return new Comparison(this, "equal", checkedValue(`${this}.eq`, value, `${VALUE} (null: a null test)`))
  }

  /** `v != value`: `null` tests for not-null, `""` for not-empty. */
  ne(value: EqualityValue<T>): Comparison | NullTest {
    if (value === null) return new NullTest(this, "is_not_null")
    if (value === "") return new NullTest(this, "is_not_empty")
    return new Comparison(this, "not_equal", checkedValue(`${this}.ne`, value, `${VALUE} (null: a null test)`))
  }

  /** `v < value`. */
  lt(value: OrderValue<T>): Comparison {
    return new Comparison(this, "less", checkedValue(`${this}.lt`, value, ORDER))
  }

  /** `v <= value`. */
  le(value: OrderValue<T>): Comparison {
    return new Comparison(this, "less_or_equal", checkedValue(`${this}.le`, value, ORDER))
  }

  /** `v > value`. */
  gt(value: OrderValue<T>): Comparison {
    return new Comparison(this, "greater", checkedValue(`${this}.gt`, value, ORDER))
  }

  /** `v >= value`. */
  ge(value: OrderValue<T>): Comparison {
    return new Comparison(this, "greater_or_equal", checkedValue(`${this}.ge`, value, ORDER))
  }

  /** `low <= v <= high` (numbers only; `double` and `timenumber` columns). */
  between(this: QueryVariable<NumericColumnType | undefined>, low: number, high: number): Between {
    return new Between(
      this,
      false,
      checkedNumber(`${this}.between`, "low", low),
      checkedNumber(`${this}.between`, "high", high)
    )
  }

  /** The value contains `text` (string columns). */
  contains(this: QueryVariable<"string" | undefined>, text: string): TextMatch {
    return new TextMatch(this, "contains", checkedText(`${this}.contains`, text))
  }

  /** The value starts with `text` (string columns; Python's `startswith`). */
  startsWith(this: QueryVariable<"string" | undefined>, text: string): TextMatch {
    return new TextMatch(this, "begins_with", checkedText(`${this}.startsWith`, text))
  }

  /** The value ends with `text` (string columns; Python's `endswith`). */
  endsWith(this: QueryVariable<"string" | undefined>, text: string): TextMatch {
    return new TextMatch(this, "ends_with", checkedText(`${this}.endsWith`, text))
  }

  /** `v == None`. */
  isNull(): NullTest {
    return new NullTest(this, "is_null")
  }

  /** `v != None`. */
  isNotNull(): NullTest {
    return new NullTest(this, "is_not_null")
  }

  /** `v == ""`. */
  isEmpty(): NullTest {
    return new NullTest(this, "is_empty")
  }

  /** `v != ""`. */
  isNotEmpty(): NullTest {
    return new NullTest(this, "is_not_empty")
  }

  [Equal.symbol](that: Equal.Equal): boolean {
    return isQueryVariable(that) && sameVariable(this, that)
  }

  [Hash.symbol](): number {
    return cachedHash(this, () => hashVariable(this))
  }

  /** The variable in the Python syntax, e.g. `Metric("acc")`. */
  toString(): string {
    return formatVariable(this)
  }

  toJSON(): unknown {
    return { _id: "QueryVariable", source: this.source, name: this.name, type: this.type ?? null }
  }

  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * `variable <op> value` for the six ordering/equality operators.
 *
 * @since 0.1.0
 */
export class Comparison extends QueryBase {
  readonly _tag = "Comparison" as const
  readonly variable: QueryVariable
  readonly operator: ComparisonOperator
  readonly #value: ComparisonValue

  /** @internal Use the variable's methods. */
  constructor(variable: QueryVariable, operator: ComparisonOperator, value: ComparisonValue) {
    super()
    this.variable = variable
    this.operator = operator
    this.#value = copyValue(value)
    Object.freeze(this)
  }

  /** The value compared with (a fresh copy when it is a `Date`). */
  get value(): ComparisonValue {
    return copyValue(this.#value)
  }
}

/**
 * `variable.between(low, high)`, or its negation (`~v.between(low, high)` → `not_between`).
 *
 * @since 0.1.0
 */
export class Between extends QueryBase {
  readonly _tag = "Between" as const
  readonly variable: QueryVariable
  readonly negated: boolean
  readonly low: number
  readonly high: number

  /** @internal Use `variable.between(low, high)`. */
  constructor(variable: QueryVariable, negated: boolean, low: number, high: number) {
    super()
    this.variable = variable
    this.negated = negated
    this.low = low
    this.high = high
    Object.freeze(this)
  }
}

/**
 * `variable.contains(text)`, `startswith`, `endswith`, or their negations.
 *
 * @since 0.1.0
 */
export class TextMatch extends QueryBase {
  readonly _tag = "TextMatch" as const
  readonly variable: QueryVariable
  readonly operator: TextOperator
  readonly value: string

  /** @internal Use the variable's methods. */
  constructor(variable: QueryVariable, operator: TextOperator, value: string) {
    super()
    this.variable = variable
    this.operator = operator
    this.value = value
    Object.freeze(this)
  }
}

/**
 * The null and empty tests: `v == None`, `v != None`, `v == ""`, `v != ""`.
 *
 * @since 0.1.0
 */
export class NullTest extends QueryBase {
  readonly _tag = "NullTest" as const
  readonly variable: QueryVariable
  readonly operator: NullTestOperator

  /** @internal Use `variable.eq(null)` and friends. */
  constructor(variable: QueryVariable, operator: NullTestOperator) {
    super()
    this.variable = variable
    this.operator = operator
    Object.freeze(this)
  }
}

/**
 * `Tag(name)`: the experiment has the tag. Sent without a column lookup (its type is `string`).
 *
 * @since 0.1.0
 */
export class TagQuery extends QueryBase {
  readonly _tag = "Tag" as const
  readonly name: string

  /** @internal Use `Tag(name)`. */
  constructor(name: string) {
    super()
    this.name = name
    Object.freeze(this)
  }
}

/**
 * All operands hold (two or more, none of them an `And`).
 *
 * @since 0.1.0
 */
export class And extends QueryBase {
  readonly _tag = "And" as const
  readonly operands: ReadonlyArray<Query>

  /** @internal Use `and(...)`. */
  constructor(operands: ReadonlyArray<Query>) {
    super()
    this.operands = Object.freeze(operands.slice())
    Object.freeze(this)
  }
}

/**
 * At least one operand holds (two or more, none of them an `Or`).
 *
 * @since 0.1.0
 */
export class Or extends QueryBase {
  readonly _tag = "Or" as const
  readonly operands: ReadonlyArray<Query>

  /** @internal Use `or(...)`. */
  constructor(operands: ReadonlyArray<Query>) {
    super()
    this.operands = Object.freeze(operands.slice())
    Object.freeze(this)
  }
}

/**
 * The negation of a group or of a tag (negated comparisons swap their operator instead).
 *
 * @since 0.1.0
 */
export class Not extends QueryBase {
  readonly _tag = "Not" as const
  readonly operand: And | Or | TagQuery

  /** @internal Use `not(q)`. */
  constructor(operand: And | Or | TagQuery) {
    super()
    this.operand = operand
    Object.freeze(this)
  }
}

/**
 * The comparisons: a variable and an operator (and a value), or a tag.
 *
 * @since 0.1.0
 */
export type Leaf = Comparison | Between | TextMatch | NullTest | TagQuery

/**
 * A query: a leaf, a group, or a negated group or tag.
 *
 * @since 0.1.0
 */
export type Query = Leaf | And | Or | Not

/**
 * Whether a value is a {@link Query}.
 *
 * @since 0.1.0
 */
export const isQuery = (u: unknown): u is Query => Predicate.hasProperty(u, TypeId)

/**
 * Whether a value is a {@link QueryVariable}.
 *
 * @since 0.1.0
 */
export const isQueryVariable = (u: unknown): u is QueryVariable => Predicate.hasProperty(u, VariableTypeId)

/**
 * The Schema of {@link Query} values (a declaration checked with {@link isQuery}; use
 * `QueryFromString` to read and write the text form).
 *
 * @since 0.1.0
 */
export const Query: Schema.Schema<Query> = Schema.declare(isQuery, {
  identifier: "Query",
  description: "a Comet query (@comet-ts/query)",
  pretty: () => (q: Query) => formatQuery(q)
})

const sameVariable = (a: QueryVariable, b: QueryVariable): boolean =>
  a.source === b.source && a.name === b.name && a.type === b.type

const hashVariable = (v: QueryVariable): number =>
  Hash.array([Hash.string(v.source), Hash.string(v.name), Hash.string(v.type ?? "")])

const comparedValue = (c: Comparison): ComparisonValue => c.value

const equalQuery = (a: Query, b: Query): boolean => {
  if (a === b) return true
  switch (a._tag) {
    case "Comparison":
      return (
        b._tag === "Comparison" &&
        a.operator === b.operator &&
        sameVariable(a.variable, b.variable) &&
        sameValue(comparedValue(a), comparedValue(b))
      )
    case "Between":
      return (
        b._tag === "Between" &&
        a.negated === b.negated &&
        sameVariable(a.variable, b.variable) &&
        sameNumber(a.low, b.low) &&
        sameNumber(a.high, b.high)
      )
    case "TextMatch":
      return (
        b._tag === "TextMatch" &&
        a.operator === b.operator &&
        a.value === b.value &&
        sameVariable(a.variable, b.variable)
      )
    case "NullTest":
      return b._tag === "NullTest" && a.operator === b.operator && sameVariable(a.variable, b.variable)
    case "Tag":
      return b._tag === "Tag" && a.name === b.name
    case "And":
    case "Or":
      return (
        b._tag === a._tag &&
        a.operands.length === b.operands.length &&
        a.operands.every((o, i) => equalQuery(o, b.operands[i] as Query))
      )
    case "Not":
      return b._tag === "Not" && equalQuery(a.operand, b.operand)
  }
}

const hashQuery = (q: Query): number => {
  const tag = Hash.string(q._tag)
  switch (q._tag) {
    case "Comparison":
      return Hash.array([tag, hashVariable(q.variable), Hash.string(q.operator), hashValue(comparedValue(q))])
    case "Between":
      return Hash.array([tag, hashVariable(q.variable), Hash.hash(q.negated), Hash.number(q.low), Hash.number(q.high)])
    case "TextMatch":
      return Hash.array([tag, hashVariable(q.variable), Hash.string(q.operator), Hash.string(q.value)])
    case "NullTest":
      return Hash.array([tag, hashVariable(q.variable), Hash.string(q.operator)])
    case "Tag":
      return Hash.array([tag, Hash.string(q.name)])
    case "And":
    case "Or":
      return Hash.array([tag, ...q.operands.map((o) => Hash.hash(o))])
    case "Not":
      return Hash.array([tag, Hash.hash(q.operand)])
  }
}

function variable(source: VariableSource) {
  function make(name: string): QueryVariable<undefined>
  function make<T extends ColumnType>(name: string, type: T): QueryVariable<T>
  function make(name: string, type?: ColumnType): QueryVariable {
    const where = VARIABLE_NAMES[source]
    if (typeof name !== "string") throw wrongArgument(where, "the column name", "a string", name)
    if (type !== undefined && !COLUMN_TYPES.includes(type))
      throw wrongArgument(where, "the column type", `undefined or one of ${COLUMN_TYPES.join(", ")}`, type)
    return new QueryVariable(source, name, type)
  }
  return make
}

/**
 * A metric's current (last logged) value: `Metric("acc").gt(0.98)` (source `metrics`).
 *
 * @since 0.1.0
 */
export const Metric = variable("metrics")

/**
 * A parameter: `Parameter("learning_rate").ge(0.3)` (source `params`).
 *
 * @since 0.1.0
 */
export const Parameter = variable("params")

/**
 * A logged "other" value: `Other("note").eq(null)` (source `log_other`).
 *
 * @since 0.1.0
 */
export const Other = variable("log_other")

/**
 * A metadata column: `Metadata("duration").gt(120)` (seconds), `Metadata("start_server_timestamp")`
 * (dates, UTC), `Metadata("user_name")`, … (source `metadata`).
 *
 * @since 0.1.0
 */
export const Metadata = variable("metadata")

/**
 * An environment detail: `Environment("os").eq("darwin")` (source `env_details`).
 *
 * @since 0.1.0
 */
export const Environment = variable("env_details")

/**
 * `Tag(name)`: the experiment has this tag. Already a query, as in Python.
 *
 * @since 0.1.0
 */
export const Tag = (name: string): TagQuery => {
  if (typeof name !== "string") throw wrongArgument("Tag", "the tag name", "a string", name)
  return new TagQuery(name)
}

/**
 * All of the queries hold. Nested `and`s are flattened; `and(q)` is `q`.
 *
 * @since 0.1.0
 */
export const and = (first: Query, ...rest: ReadonlyArray<Query>): Query =>
  group("And", checkedQueries("and", [first, ...rest]))

/**
 * At least one of the queries holds. Nested `or`s are flattened; `or(q)` is `q`.
 *
 * @since 0.1.0
 */
export const or = (first: Query, ...rest: ReadonlyArray<Query>): Query =>
  group("Or", checkedQueries("or", [first, ...rest]))

const group = (tag: "And" | "Or", queries: ReadonlyArray<Query>): Query => {
  const operands: Array<Query> = []
  for (const q of queries) {
    if (q._tag === tag) operands.push(...q.operands)
    else operands.push(q)
  }
  if (operands.length === 1) return operands[0] as Query
  return tag === "And" ? new And(operands) : new Or(operands)
}

const swapComparison: Record<ComparisonOperator, ComparisonOperator> = {
  equal: "not_equal",
  not_equal: "equal",
  less: "greater_or_equal",
  greater_or_equal: "less",
  greater: "less_or_equal",
  less_or_equal: "greater"
}

const swapText: Record<TextOperator, TextOperator> = {
  contains: "not_contains",
  not_contains: "contains",
  begins_with: "not_begins_with",
  not_begins_with: "begins_with",
  ends_with: "not_ends_with",
  not_ends_with: "ends_with"
}

const swapNullTest: Record<NullTestOperator, NullTestOperator> = {
  is_null: "is_not_null",
  is_not_null: "is_null",
  is_empty: "is_not_empty",
  is_not_empty: "is_empty"
}

/**
 * The negation of a query, as Python's `~`: a comparison swaps its operator (`less` ↔
 * `greater_or_equal`, `between` ↔ `not_between`, `is_null` ↔ `is_not_null`, …); `not(not(q))` is
 * `q`; a group or a tag becomes a `Not` node (see `toNnf` for De Morgan).
 *
 * @since 0.1.0
 */
export const not = (query: Query): Query => {
  checkedQueries("not", [query])
  switch (query._tag) {
    case "Comparison":
      return new Comparison(query.variable, swapComparison[query.operator], query.value)
    case "Between":
      return new Between(query.variable, !query.negated, query.low, query.high)
    case "TextMatch":
      return new TextMatch(query.variable, swapText[query.operator], query.value)
    case "NullTest":
      return new NullTest(query.variable, swapNullTest[query.operator])
    case "Not":
      return query.operand
    case "Tag":
    case "And":
    case "Or":
      return new Not(query)
  }
}
