/**
 * One leaf of a query → one wire rule: column lookup, the type checks that the Python SDK does
 * (and a few it does not), and the value encodings of comet-rest-v2.md §4.5. Shared by `compile`
 * and `evaluate`, so that both read a leaf the same way.
 *
 * @internal
 */
import { type Column, ColumnType, QueryError, type Rule } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import type { Leaf, Not, QueryVariable, TagQuery, TextOperator, VariableSource } from "../Query.js"
import { formatWireDateTime, MAX_YEAR, MIN_YEAR } from "./datetime.js"
import { classOfSource, formatNumber, formatString, formatVariable } from "./format.js"

/** A leaf after negations were pushed down: a comparison, a tag, or a negated tag. */
export type Literal = Leaf | (Not & { readonly operand: TagQuery })

/** Column types of the metadata columns every project has (recorded column-names, §2.7). */
export const defaultMetadataTypes: Readonly<Record<string, ColumnType>> = {
  runId: "string",
  hasNotes: "boolean",
  duration: "timenumber",
  codeSHA: "string",
  file_name: "string",
  hasHtml: "boolean",
  experimentKey: "string",
  optimizationId: "string",
  end_server_timestamp: "datetime",
  installed_packages: "string",
  file_path: "string",
  last_message_time: "datetime",
  runActive: "boolean",
  hasImages: "boolean",
  user_name: "string",
  start_server_timestamp: "datetime"
}

const queryError = (reason: QueryError["reason"], detail: string, hint: string | null): QueryError =>
  new QueryError({ reason, detail, line: null, column: null, hint })

/** The column of a variable, by name and source. */
export const findColumn = (columns: ReadonlyArray<Column>, source: string, name: string): Column | undefined =>
  columns.find((c) => c.source === source && c.name === name)

const builderOf = (source: string): string =>
  source === "tag"
    ? "Tag"
    : Object.hasOwn(classOfSource, source)
      ? classOfSource[source as VariableSource]
      : `a ${source} column`

const LIST_LIMIT = 20

/** "no metrics column named "acc"; the project's metrics columns are: loss, val_acc". */
export const unknownColumn = (variable: QueryVariable, columns: ReadonlyArray<Column>): QueryError => {
  const same = columns.filter((c) => c.source === variable.source).map((c) => c.name)
  const listed = same.slice(0, LIST_LIMIT).map(formatString).join(", ")
  const more = same.length > LIST_LIMIT ? ` and ${same.length - LIST_LIMIT} more` : ""
  const available =
    same.length === 0
      ? `the project has no ${variable.source} columns`
      : `the project's ${variable.source} columns are: ${listed}${more}`
  const elsewhere = columns.filter((c) => c.name === variable.name && c.source !== variable.source)
  let hint: string
  if (elsewhere.length > 0) {
    const c = elsewhere[0] as Column
    hint = `${formatString(variable.name)} is a ${c.source} column: use ${builderOf(c.source)}(${formatString(variable.name)})`
  } else {
    let best: string | undefined
    let bestDistance = Number.POSITIVE_INFINITY
    for (const name of same) {
      const d = name.toLowerCase() === variable.name.toLowerCase() ? 0 : Inputs.editDistance(name, variable.name, 3)
      if (d < bestDistance) {
        best = name
        bestDistance = d
      }
    }
    hint =
      best !== undefined && bestDistance <= Math.max(1, Math.min(3, Math.floor(variable.name.length / 3)))
        ? `did you mean ${builderOf(variable.source)}(${formatString(best)})?`
        : "api.getQueryVariables(workspace, projectName) lists every variable of the project with its type (queryVariables(columns) from the project's columns)"
  }
  return queryError(
    "unknown-column",
    `${formatVariable(variable)}: no ${variable.source} column named ${formatString(variable.name)}; ${available}`,
    hint
  )
}

/**
 * The column type used to compile a variable: the project's column type. Unknown columns and a
 * declared type that disagrees with the column are errors.
 */
export const compileType = (variable: QueryVariable, columns: ReadonlyArray<Column>): string | QueryError => {
  const column = findColumn(columns, variable.source, variable.name)
  if (column === undefined) return unknownColumn(variable, columns)
  if (variable.type !== undefined && variable.type !== column.type) {
    return queryError(
      "type-mismatch",
      `${formatVariable(variable)} is declared as ${variable.type}, but the project's column has type ${column.type}`,
      "build the variable from this project's columns (api.getQueryVariables(workspace, projectName)), or drop the declared type"
    )
  }
  return column.type
}

/**
 * The column type used to evaluate a leaf locally: the column's, else the declared one, else the
 * known metadata type, else what the value suggests.
 */
export const evaluationType = (leaf: Leaf, columns: ReadonlyArray<Column> | undefined): string => {
  if (leaf._tag === "Tag") return "string"
  const v = leaf.variable
  const column = columns === undefined ? undefined : findColumn(columns, v.source, v.name)
  if (column !== undefined) return column.type
  if (v.type !== undefined) return v.type
  if (v.source === "metadata" && Object.hasOwn(defaultMetadataTypes, v.name)) {
    return defaultMetadataTypes[v.name] as ColumnType
  }
  switch (leaf._tag) {
    case "Between":
      return "double"
    case "TextMatch":
    case "NullTest":
      return "string"
    case "Comparison": {
      const value = leaf.value
      return value instanceof Date
        ? "datetime"
        : typeof value === "number"
          ? "double"
          : typeof value === "boolean"
            ? "boolean"
            : "string"
    }
  }
}

const describe = (value: string | number | boolean | Date): string =>
  value instanceof Date
    ? "a datetime"
    : typeof value === "number"
      ? `the number ${formatNumber(value)}`
      : typeof value === "boolean"
        ? `the boolean ${value ? "True" : "False"}`
        : `the string ${formatString(value)}`

const textMethod: Record<TextOperator, string> = {
  contains: "contains",
  not_contains: "contains",
  begins_with: "startswith",
  not_begins_with: "startswith",
  ends_with: "endswith",
  not_ends_with: "endswith"
}

const knownTypes: ReadonlySet<string> = new Set(ColumnType.literals)

const mismatch = (variable: QueryVariable, type: string, what: string, hint: string): QueryError =>
  queryError("type-mismatch", `${formatVariable(variable)} is a ${type} column; ${what}`, hint)

const checkNumber = (variable: QueryVariable, n: number): QueryError | undefined =>
  Number.isFinite(n)
    ? undefined
    : queryError(
        "type-mismatch",
        `${formatVariable(variable)} is compared with ${formatNumber(n)}, which Comet cannot store or compare`,
        "compare with a finite number"
      )

const orderSymbol: Readonly<Record<string, string>> = {
  less: "<",
  less_or_equal: "<=",
  greater: ">",
  greater_or_equal: ">="
}

const summaryOf: Readonly<Record<string, string>> = {
  params: "getParametersSummary",
  log_other: "getOthersSummary",
  metrics: "getMetricsSummary"
}

/**
 * `<`, `<=`, `>`, `>=` with a number on a `string` column (a run logged a value that is not a
 * number, so Comet types the column `string`). Comet compares a string column as text, and so
 * do `evaluate` and the emulator: lexicographically, `"100" < "55"`. Writing the number as a
 * string would silently change the meaning, so the error says so and names both ways out.
 */
const textOrdering = (v: QueryVariable, operator: string, value: number): QueryError => {
  const op = orderSymbol[operator] ?? operator
  const text = formatString(formatNumber(value))
  const summary = summaryOf[v.source]
  return mismatch(
    v,
    "string",
    `ordering on a string column compares text lexicographically, character by character ("100" < "55"), so it cannot be ordered against ${describe(value)} (the column is typed string because some run logged a value that is not a number)`,
    `to compare as text, write ${formatVariable(v)} ${op} ${text}, knowing that text order is not numeric order; to compare as numbers, query without this condition and keep the runs whose value reads as a number ${op} ${formatNumber(value)}${summary === undefined ? "" : ` (the values: ${summary})`}`
  )
}

/**
 * The type checks of a leaf against its column type. Python checks only `contains`/`startswith`/
 * `endswith` (string columns) and `between` (not on string columns); this also rejects values a
 * column of that type can never equal, instead of sending a query that silently matches nothing.
 */
export const checkLeaf = (leaf: Literal, type: string): QueryError | undefined => {
  switch (leaf._tag) {
    case "Tag":
    case "Not":
    case "NullTest":
      return undefined
    case "TextMatch": {
      if (type === "string") return undefined
      const method = textMethod[leaf.operator]
      return mismatch(
        leaf.variable,
        type,
        `${method}() needs a string column`,
        type === "double" || type === "timenumber"
          ? "compare numbers with <, <=, >, >= or between()"
          : "compare with == or !="
      )
    }
    case "Between": {
      const bad = checkNumber(leaf.variable, leaf.low) ?? checkNumber(leaf.variable, leaf.high)
      if (bad !== undefined) return bad
      if (type === "double" || type === "timenumber" || !knownTypes.has(type)) return undefined
      return mismatch(
        leaf.variable,
        type,
        "between() needs a numeric (double or timenumber) column",
        type === "datetime"
          ? "compare datetimes with (v >= datetime(...)) & (v <= datetime(...))"
          : "use == or != for this column"
      )
    }
    case "Comparison": {
      const value = leaf.value
      const v = leaf.variable
      if (typeof value === "number") {
        const bad = checkNumber(v, value)
        if (bad !== undefined) return bad
      }
      if (value instanceof Date) {
        const t = value.getTime()
        if (Number.isNaN(t) || formatWireDateTime(value) === undefined) {
          return queryError(
            "type-mismatch",
            `${formatVariable(v)} is compared with ${Number.isNaN(t) ? "an invalid Date" : `a Date outside years ${MIN_YEAR}–${MAX_YEAR}`}`,
            "use a valid Date between years 1 and 9999 (UTC)"
          )
        }
      }
      const ordering = leaf.operator !== "equal" && leaf.operator !== "not_equal"
      switch (type) {
        case "string":
          if (typeof value === "string") return undefined
          if (ordering && typeof value === "number") return textOrdering(v, leaf.operator, value)
          return mismatch(
            v,
            type,
            ordering
              ? `${describe(value)} cannot be ordered against its text values`
              : `${describe(value)} can never equal its text values`,
            typeof value === "number"
              ? `to compare with the text, write ${formatVariable(v)} ${leaf.operator === "equal" ? "==" : "!="} ${formatString(formatNumber(value))} (equal text only: ${formatString(formatNumber(value))} is not ${formatString(`${formatNumber(value)}.0`)})`
              : typeof value === "boolean"
                ? `compare with a string, e.g. ${formatString(value ? "True" : "False")}`
                : "compare with a string"
          )
        case "double":
          if (typeof value === "number" || (typeof value === "boolean" && !ordering)) return undefined
          return mismatch(
            v,
            type,
            `it cannot be compared with ${describe(value)}`,
            typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)
              ? `compare with the number ${value.trim()} (without quotes)`
              : "compare with a number"
          )
        case "timenumber":
          if (typeof value === "number") return undefined
          return mismatch(
            v,
            type,
            `it cannot be compared with ${describe(value)}`,
            'timenumber columns are compared in seconds, e.g. Metadata("duration") > 120'
          )
        case "boolean":
          if (typeof value === "boolean" || typeof value === "number") return undefined
          return mismatch(v, type, `it cannot be compared with ${describe(value)}`, "compare with True or False")
        case "datetime":
          if (value instanceof Date) return undefined
          return mismatch(
            v,
            type,
            `it cannot be compared with ${describe(value)}`,
            "compare with a Date (datetime(Y, M, D, h, m, s) in the text syntax), read as UTC"
          )
        default:
          return undefined
      }
    }
  }
}

const encodeValue = (value: string | number | boolean | Date): string | number | null => {
  if (value instanceof Date) return formatWireDateTime(value) ?? null
  if (typeof value === "boolean") return value ? 1 : 0
  return value
}

/** The wire rule of a literal under a column type (no `source` key). */
export const leafRule = (leaf: Literal, type: string): Rule => {
  switch (leaf._tag) {
    case "Tag":
      return { id: leaf.name, field: leaf.name, type: "string", operator: "equal", value: leaf.name }
    case "Not":
      return {
        id: leaf.operand.name,
        field: leaf.operand.name,
        type: "string",
        operator: "not_equal",
        value: leaf.operand.name
      }
    case "Comparison":
      return rule(leaf.variable, type, leaf.operator, encodeValue(leaf.value))
    case "Between":
      return rule(leaf.variable, type, leaf.negated ? "not_between" : "between", [String(leaf.low), String(leaf.high)])
    case "TextMatch":
      return rule(leaf.variable, type, leaf.operator, leaf.value)
    case "NullTest":
      return rule(leaf.variable, type, leaf.operator, null)
  }
}

const rule = (variable: QueryVariable, type: string, operator: Rule["operator"], value: Rule["value"]): Rule => ({
  id: variable.name,
  field: variable.name,
  type,
  operator,
  value
})

/** The source of a literal's predicate. */
export const sourceOf = (leaf: Literal): string =>
  leaf._tag === "Tag" || leaf._tag === "Not" ? "tag" : leaf.variable.source

/** Whether a node is a literal (a leaf or a negated tag). */
export const isLiteral = (q: { readonly _tag: string }): q is Literal =>
  q._tag !== "And" && q._tag !== "Or" && (q._tag !== "Not" || (q as Not).operand._tag === "Tag")
