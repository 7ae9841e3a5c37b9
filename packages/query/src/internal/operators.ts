/**
 * The operator and value types of queries, re-exported by `Query.ts`; apart from it so that
 * `internal/format.ts` (which the query classes use for `toString()`) can use them too.
 *
 * @internal
 */

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
