/**
 * The shape of a query as data: the operator and value types, and the nodes the formatter
 * reads. `Query.ts` builds its classes to fit these, and re-exports the types; the formatter
 * needs only this module, so the classes can use the formatter for `toString()`.
 *
 * @internal
 */
import type { ColumnType } from "@comet-ts/core"

/**
 * The column sources a variable can read (every `ColumnSource` except `tag`).
 *
 * @since 0.1.0
 */
export type VariableSource = "metrics" | "params" | "log_other" | "metadata" | "env_details"

/**
 * The ordering and equality operators, with their wire names.
 *
 * @since 0.1.0
 */
export type ComparisonOperator = "equal" | "not_equal" | "less" | "less_or_equal" | "greater" | "greater_or_equal"

/**
 * The string-matching operators (`contains`, `startswith`, `endswith` and their negations).
 *
 * @since 0.1.0
 */
export type TextOperator =
  | "contains"
  | "not_contains"
  | "begins_with"
  | "not_begins_with"
  | "ends_with"
  | "not_ends_with"

/**
 * The null and empty tests (`== None`, `!= None`, `== ""`, `!= ""`).
 *
 * @since 0.1.0
 */
export type NullTestOperator = "is_null" | "is_not_null" | "is_empty" | "is_not_empty"

/**
 * A value a comparison holds: a string, a number (seconds for `timenumber` columns), a boolean
 * (sent as `1`/`0`) or a `Date` (compared in UTC).
 *
 * @since 0.1.0
 */
export type ComparisonValue = string | number | boolean | Date

/** A variable as the formatter reads it (a `QueryVariable` fits). */
export interface VariableNode {
  readonly source: VariableSource
  readonly name: string
  readonly type: ColumnType | undefined
}

/** A query as the formatter reads it (every `Query` fits). */
export type QueryNode =
  | {
      readonly _tag: "Comparison"
      readonly variable: VariableNode
      readonly operator: ComparisonOperator
      readonly value: ComparisonValue
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
      readonly operator: TextOperator
      readonly value: string
    }
  | { readonly _tag: "NullTest"; readonly variable: VariableNode; readonly operator: NullTestOperator }
  | { readonly _tag: "Tag"; readonly name: string }
  | { readonly _tag: "And" | "Or"; readonly operands: ReadonlyArray<QueryNode> }
  | { readonly _tag: "Not"; readonly operand: QueryNode }
