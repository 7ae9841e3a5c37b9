/**
 * Queries back to the Python syntax of Comet's SDK. Reads queries through the node shapes below
 * (every `Query` fits them), not through `Query.ts`, so the query classes can use this for
 * `toString()`.
 *
 * @internal
 */
import type { ColumnType } from "@comet-ts/core"
import type * as Op from "./operators.js"

/** A variable as the formatter reads it (a `QueryVariable` fits). */
export interface VariableNode {
  readonly source: Op.VariableSource
  readonly name: string
  readonly type: ColumnType | undefined
}

/** A query as the formatter reads it (every `Query` fits). */
export type QueryNode =
  | {
      readonly _tag: "Comparison"
      readonly variable: VariableNode
      readonly operator: Op.ComparisonOperator
      readonly value: Op.ComparisonValue
    }
  | {
      readonly _tag: "Between"
      readonly variable: VariableNode
      readonly negated: boolean
      readonly low: number
      readonly high: number
    }
  | {
      readonly _tag: "TextMatch"
      readonly variable: VariableNode
      readonly operator: Op.TextOperator
      readonly value: string
    }
  | { readonly _tag: "NullTest"; readonly variable: VariableNode; readonly operator: Op.NullTestOperator }
  | { readonly _tag: "Tag"; readonly name: string }
  | { readonly _tag: "And" | "Or"; readonly operands: ReadonlyArray<QueryNode> }
  | { readonly _tag: "Not"; readonly operand: QueryNode }

/** Python class name of each variable source. */
export const classOfSource: Record<Op.VariableSource, string> = {
  metrics: "Metric",
  params: "Parameter",
  log_other: "Other",
  metadata: "Metadata",
  env_details: "Environment"
}

const hex = (code: number, width: number): string => code.toString(16).padStart(width, "0")

/** A Python string literal (double quotes) that reads back as exactly `s`. */
export const formatString = (s: string): string => {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ch = s[i] as string
    if (ch === "\\") out += "\\\\"
    else if (ch === '"') out += '\\"'
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${hex(c, 2)}`
    else if (c === 0x2028 || c === 0x2029 || c === 0xfeff) out += `\\u${hex(c, 4)}`
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2)
        i++
      } else out += `\\u${hex(c, 4)}`
    } else if (c >= 0xdc00 && c <= 0xdfff) out += `\\u${hex(c, 4)}`
    else out += ch
  }
  return `${out}"`
}

/** A Python number literal; non-finite numbers as `float("nan")`, `float("inf")`, `float("-inf")`. */
export const formatNumber = (n: number): string => {
  if (Number.isNaN(n)) return 'float("nan")'
  if (n === Number.POSITIVE_INFINITY) return 'float("inf")'
  if (n === Number.NEGATIVE_INFINITY) return 'float("-inf")'
  return String(n)
}

/** `datetime(Y, M, D[, h[, m[, s[, us]]]])` in UTC; trailing zero fields are left out. */
export const formatDate = (d: Date): string => {
  const t = d.getTime()
  if (Number.isNaN(t)) return 'datetime("invalid")'
  const fields = [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds() * 1000
  ]
  while (fields.length > 3 && fields[fields.length - 1] === 0) fields.pop()
  return `datetime(${fields.join(", ")})`
}

/** A comparison value in the Python syntax. */
export const formatValue = (v: Op.ComparisonValue): string => {
  if (v instanceof Date) return formatDate(v)
  if (typeof v === "number") return formatNumber(v)
  if (typeof v === "boolean") return v ? "True" : "False"
  return formatString(v)
}

/** `Metric("acc")`, or `Metric("acc", "double")` when the type is declared. */
export const formatVariable = (v: VariableNode): string =>
  `${classOfSource[v.source]}(${formatString(v.name)}${v.type === undefined ? "" : `, ${formatString(v.type)}`})`

const comparisonSymbol = {
  equal: "==",
  not_equal: "!=",
  less: "<",
  less_or_equal: "<=",
  greater: ">",
  greater_or_equal: ">="
} as const

const textMethod = {
  contains: ["", "contains"],
  not_contains: ["~", "contains"],
  begins_with: ["", "startswith"],
  not_begins_with: ["~", "startswith"],
  ends_with: ["", "endswith"],
  not_ends_with: ["~", "endswith"]
} as const

const nullTest = {
  is_null: "== None",
  is_not_null: "!= None",
  is_empty: '== ""',
  is_not_empty: '!= ""'
} as const

/** Where a query is written: at the top, as an operand of `&`, of `|`, or of `~`. */
type Context = "top" | "and" | "or" | "not"

const needsParens = (q: QueryNode, ctx: Context): boolean => {
  if (ctx === "top") return false
  switch (q._tag) {
    // Python's comparisons bind looser than & and |: parenthesise them in groups.
    case "Comparison":
    case "NullTest":
      return true
    case "And":
      return true
    case "Or":
      return true
    default:
      return false
  }
}

const formatIn = (q: QueryNode, ctx: Context): string => {
  const text = formatBare(q)
  return needsParens(q, ctx) ? `(${text})` : text
}

const formatBare = (q: QueryNode): string => {
  switch (q._tag) {
    case "Comparison":
      return `${formatVariable(q.variable)} ${comparisonSymbol[q.operator]} ${formatValue(q.value)}`
    case "Between":
      return `${q.negated ? "~" : ""}${formatVariable(q.variable)}.between(${formatNumber(q.low)}, ${formatNumber(q.high)})`
    case "TextMatch": {
      const [prefix, method] = textMethod[q.operator]
      return `${prefix}${formatVariable(q.variable)}.${method}(${formatString(q.value)})`
    }
    case "NullTest":
      return `${formatVariable(q.variable)} ${nullTest[q.operator]}`
    case "Tag":
      return `Tag(${formatString(q.name)})`
    case "And":
      return q.operands.map((o) => formatIn(o, "and")).join(" & ")
    case "Or":
      return q.operands.map((o) => formatIn(o, "or")).join(" | ")
    case "Not":
      return `~${formatIn(q.operand, "not")}`
  }
}

/** The query in the Python syntax. */
export const formatQuery = (q: QueryNode): string => formatIn(q, "top")
