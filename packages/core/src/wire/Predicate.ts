/**
 * Query predicates and the `project/query` request and response (comet-rest-v2.md §4.2–§4.7).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ExperimentKey } from "../Ids.js"
import { flag, withDefault } from "./Common.js"

/**
 * The operators of Comet's query rules (jQuery QueryBuilder's vocabulary).
 *
 * @since 0.1.0
 */
export const Operator = Schema.Literal(
  "equal",
  "not_equal",
  "less",
  "less_or_equal",
  "greater",
  "greater_or_equal",
  "between",
  "not_between",
  "contains",
  "not_contains",
  "begins_with",
  "not_begins_with",
  "ends_with",
  "not_ends_with",
  "is_null",
  "is_not_null",
  "is_empty",
  "is_not_empty",
  "in",
  "not_in"
)
/** @since 0.1.0 */
export type Operator = typeof Operator.Type

/**
 * A rule value: a number or string, `null` for the null/empty tests, a two-string array for
 * `between`, or a list for `in`.
 *
 * @since 0.1.0
 */
export const RuleValue = Schema.Union(
  Schema.Number,
  Schema.String,
  Schema.Boolean,
  Schema.Null,
  Schema.Array(Schema.Union(Schema.String, Schema.Number))
)
/** @since 0.1.0 */
export type RuleValue = typeof RuleValue.Type

/**
 * A leaf rule: `{ id, field, type, operator, value }`; `source` appears on rules inside OR
 * groups (§4.7).
 *
 * @since 0.1.0
 */
export const Rule = Schema.Struct({
  id: Schema.String,
  field: Schema.String,
  type: Schema.String,
  operator: Operator,
  value: RuleValue,
  source: Schema.optional(Schema.String)
}).annotations({ identifier: "Rule" })
/** @since 0.1.0 */
export type Rule = typeof Rule.Type

/**
 * A group: `{ condition: "AND" | "OR", rules: [rule | group, ...], valid }`.
 *
 * @since 0.1.0
 */
export interface RuleGroup {
  readonly condition: "AND" | "OR"
  readonly rules: ReadonlyArray<Rule | RuleGroup>
  readonly valid: boolean
}

/** @since 0.1.0 */
export interface RuleGroupEncoded {
  readonly condition: "AND" | "OR"
  readonly rules: ReadonlyArray<typeof Rule.Encoded | RuleGroupEncoded>
  readonly valid?: boolean | undefined
}

/**
 * The Schema of {@link RuleGroup} (recursive).
 *
 * @since 0.1.0
 */
export const RuleGroup: Schema.Schema<RuleGroup, RuleGroupEncoded> = Schema.Struct({
  condition: Schema.Literal("AND", "OR"),
  rules: Schema.Array(
    Schema.Union(
      Rule,
      Schema.suspend((): Schema.Schema<RuleGroup, RuleGroupEncoded> => RuleGroup)
    )
  ),
  valid: withDefault(Schema.Boolean, () => true)
}).annotations({ identifier: "RuleGroup" })

/**
 * Whether a node of a group is itself a group (it has `condition`) rather than a rule.
 *
 * @since 0.1.0
 */
export const isRuleGroup = (node: Rule | RuleGroup): node is RuleGroup => "condition" in node

/**
 * One predicate: the rules of one `source`, AND-ed (or a `nested` OR group). The top-level
 * array of predicates is AND-ed. `negated` is informational only (its operators are already
 * flipped).
 *
 * @since 0.1.0
 */
export const Predicate = Schema.Struct({
  source: Schema.String,
  query: RuleGroup,
  negated: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "Predicate" })
/** @since 0.1.0 */
export type Predicate = typeof Predicate.Type

/**
 * The body of `POST project/query`. Comet's SDK sends `workspaceName` + `projectName`; old
 * SDKs sent `projectId`.
 *
 * @since 0.1.0
 */
export const ProjectQueryRequest = /* @__PURE__ */ Schema.Struct({
  workspaceName: Schema.optional(Schema.String),
  projectName: Schema.optional(Schema.String),
  projectId: Schema.optional(Schema.String),
  predicates: Schema.Array(Predicate),
  archived: flag
}).annotations({ identifier: "ProjectQueryRequest" })
/** @since 0.1.0 */
export type ProjectQueryRequest = typeof ProjectQueryRequest.Type

/**
 * The response of `POST project/query` → `{ experimentKeys: [...] }`.
 *
 * @since 0.1.0
 */
export const ProjectQueryResponse = Schema.Struct({ experimentKeys: Schema.Array(ExperimentKey) }).annotations({
  identifier: "ProjectQueryResponse"
})
/** @since 0.1.0 */
export type ProjectQueryResponse = typeof ProjectQueryResponse.Type
