/**
 * THE rule table: how one wire rule (operator × column type × value) is decided against one
 * experiment record. `evaluate` (typed queries) and `evaluatePredicates` (what arrives on the
 * wire, for the emulator) both end here, so they cannot disagree.
 *
 * Semantics (Comet's are UNCONFIRMED, comet-rest-v2.md §4.5; these are the decisions documented
 * in the package README):
 * - The column type (`rule.type`) decides how both sides are read: `double` numerically,
 *   `timenumber` as seconds (record milliseconds / 1000), `datetime` as UTC instants (record epoch
 *   milliseconds, rule `YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM]`), `boolean` as 1/0, `string` as
 *   strings (case-sensitive, UTF-16 order). Unknown types compare numerically when both sides are
 *   numbers, else as strings.
 * - A missing or null value, or one that cannot be read as the column type, makes every value
 *   operator false, its negated form included (SQL's three-valued logic): `x != 3` and
 *   `x.contains("a")` are both false for an experiment without `x`. Only the null and empty tests
 *   look at missing values: `is_null` is true, `is_not_null`, `is_empty`, `is_not_empty` false.
 * - `between` is inclusive; `not_between` is its complement (on readable values).
 *
 * @internal
 */
import type { RuleValue } from "@comet-ts/core"
import type { ExperimentRecord, RecordValue } from "../ExperimentRecord.js"
import { parseWireDateTime } from "./datetime.js"

type Raw = RecordValue | undefined
type Operand = number | string

const numeric = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** A number from a number, a numeric string or a boolean; `undefined` otherwise. */
const toNumber = (x: unknown): number | undefined => {
  if (typeof x === "number") return Number.isFinite(x) ? x : undefined
  if (typeof x === "boolean") return x ? 1 : 0
  if (typeof x === "string") {
    const t = x.trim()
    return numeric.test(t) ? Number(t) : undefined
  }
  return undefined
}

/** Text of a value as Comet stores it (params and others are strings). */
const toText = (x: unknown): string | undefined => {
  if (typeof x === "string") return x
  if (typeof x === "number") return String(x)
  if (typeof x === "boolean") return x ? "true" : "false"
  return undefined
}

/** 1/0 for a boolean column: booleans, numbers, "true"/"false" (any case) and numeric strings. */
const toFlag = (x: unknown): number | undefined => {
  if (typeof x === "boolean") return x ? 1 : 0
  if (typeof x === "string") {
    const t = x.trim().toLowerCase()
    if (t === "true") return 1
    if (t === "false") return 0
  }
  return toNumber(x)
}

const toInstant = (x: unknown): number | undefined => {
  if (typeof x === "number") return Number.isFinite(x) ? x : undefined
  if (typeof x === "string") return parseWireDateTime(x)
  return undefined
}

/** How the record side of a rule is read under a column type. */
const recordOperand = (type: string, raw: Raw): Operand | undefined => {
  switch (type) {
    case "double":
      return toNumber(raw)
    case "timenumber": {
      const ms = toNumber(raw)
      return ms === undefined ? undefined : ms / 1000
    }
    case "datetime":
      return toInstant(raw)
    case "boolean":
      return toFlag(raw)
    case "string":
      return toText(raw)
    default:
      return toNumber(raw) ?? toText(raw)
  }
}

/** How the rule side is read under a column type (timenumber values are already seconds). */
const ruleOperand = (type: string, value: unknown): Operand | undefined => {
  switch (type) {
    case "double":
    case "timenumber":
      return toNumber(value)
    case "datetime":
      return typeof value === "string" ? parseWireDateTime(value) : undefined
    case "boolean":
      return toFlag(value)
    case "string":
      return toText(value)
    default:
      return toNumber(value) ?? toText(value)
  }
}

/** Both sides as operands of the same kind, or `undefined` when either cannot be read. */
const operands = (type: string, raw: Raw, value: unknown): readonly [Operand, Operand] | undefined => {
  if (raw === null || raw === undefined) return undefined
  const known = type === "double" || type === "timenumber" || type === "datetime" || type === "boolean"
  if (known || type === "string") {
    const a = recordOperand(type, raw)
    const b = ruleOperand(type, value)
    return a === undefined || b === undefined ? undefined : [a, b]
  }
  const an = toNumber(raw)
  const bn = toNumber(value)
  if (an !== undefined && bn !== undefined) return [an, bn]
  const at = toText(raw)
  const bt = toText(value)
  return at === undefined || bt === undefined ? undefined : [at, bt]
}

const compare = (operator: string, a: Operand, b: Operand): boolean => {
  switch (operator) {
    case "equal":
      return a === b
    case "not_equal":
      return a !== b
    case "less":
      return a < b
    case "less_or_equal":
      return a <= b
    case "greater":
      return a > b
    case "greater_or_equal":
      return a >= b
    default:
      return false
  }
}

const textTest = (operator: string, text: string, part: string): boolean => {
  switch (operator) {
    case "contains":
      return text.includes(part)
    case "not_contains":
      return !text.includes(part)
    case "begins_with":
      return text.startsWith(part)
    case "not_begins_with":
      return !text.startsWith(part)
    case "ends_with":
      return text.endsWith(part)
    case "not_ends_with":
      return !text.endsWith(part)
    default:
      return false
  }
}

const isMissing = (raw: Raw): raw is null | undefined => raw === null || raw === undefined

/**
 * Decide one rule against the record's value of its field (`undefined`: the experiment has no
 * such value).
 */
export const applyRule = (operator: string, type: string, value: RuleValue | undefined, raw: Raw): boolean => {
  switch (operator) {
    case "is_null":
      return isMissing(raw)
    case "is_not_null":
      return !isMissing(raw)
    case "is_empty":
      return raw === ""
    case "is_not_empty":
      return !isMissing(raw) && raw !== ""
    case "equal":
    case "not_equal":
    case "less":
    case "less_or_equal":
    case "greater":
    case "greater_or_equal": {
      const pair = operands(type, raw, value)
      return pair !== undefined && compare(operator, pair[0], pair[1])
    }
    case "between":
    case "not_between": {
      if (!Array.isArray(value) || value.length !== 2) return false
      const low = operands(type, raw, value[0])
      const high = operands(type, raw, value[1])
      if (low === undefined || high === undefined) return false
      const inside = low[1] <= low[0] && low[0] <= high[1]
      return operator === "between" ? inside : !inside
    }
    case "contains":
    case "not_contains":
    case "begins_with":
    case "not_begins_with":
    case "ends_with":
    case "not_ends_with": {
      const text = toText(raw)
      const part = toText(value)
      return text !== undefined && part !== undefined && textTest(operator, text, part)
    }
    case "in":
    case "not_in": {
      if (!Array.isArray(value)) return false
      if (isMissing(raw)) return false
      let found = false
      for (const item of value) {
        const pair = operands(type, raw, item)
        if (pair !== undefined && pair[0] === pair[1]) found = true
      }
      return operator === "in" ? found : !found
    }
    default:
      return false
  }
}

/**
 * Decide a rule of source `tag`: the field names a tag, the value is the tag compared with.
 * Positive operators hold when some tag of the experiment satisfies them, negated ones when none
 * does (`not_equal` = "does not have the tag"). Null tests ask whether the experiment has the tag
 * named by `field`.
 */
export const applyTagRule = (
  operator: string,
  value: RuleValue | undefined,
  field: string,
  tags: ReadonlyArray<string>
): boolean => {
  switch (operator) {
    case "equal":
    case "not_equal": {
      const text = toText(value)
      const has = text !== undefined && tags.includes(text)
      return operator === "equal" ? has : text !== undefined && !has
    }
    case "contains":
    case "begins_with":
    case "ends_with": {
      const part = toText(value)
      return part !== undefined && tags.some((t) => textTest(operator, t, part))
    }
    case "not_contains":
    case "not_begins_with":
    case "not_ends_with": {
      const part = toText(value)
      const positive = operator.slice(4)
      return part !== undefined && !tags.some((t) => textTest(positive, t, part))
    }
    case "in":
    case "not_in": {
      if (!Array.isArray(value)) return false
      const wanted = value.map(toText)
      const found = tags.some((t) => wanted.includes(t))
      return operator === "in" ? found : !found
    }
    case "is_null":
      return !tags.includes(field)
    case "is_not_null":
    case "is_not_empty":
      return tags.includes(field)
    default:
      return false
  }
}

const own = (values: Readonly<Record<string, RecordValue>>, field: string): Raw =>
  Object.hasOwn(values, field) ? values[field] : undefined

/** The record's value of `field` in `source` (`undefined` when absent or the source is unknown). */
export const lookup = (record: ExperimentRecord, source: string, field: string): Raw => {
  switch (source) {
    case "metrics":
      return own(record.metrics, field)
    case "params":
      return own(record.params, field)
    case "log_other":
      return own(record.others, field)
    case "metadata":
      return own(record.metadata, field)
    case "env_details":
      return own(record.env, field)
    default:
      return undefined
  }
}

/** A rule's shape as far as evaluation needs it. */
export interface RuleLike {
  readonly field: string
  readonly type: string
  readonly operator: string
  readonly value?: RuleValue | undefined
}

/** Decide one rule of `source` against a record. */
export const evaluateRuleIn = (rule: RuleLike, source: string, record: ExperimentRecord): boolean =>
  source === "tag"
    ? applyTagRule(rule.operator, rule.value, rule.field, record.tags)
    : applyRule(rule.operator, rule.type, rule.value, lookup(record, source, rule.field))
