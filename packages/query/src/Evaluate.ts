/**
 * Local evaluation: a query (or the wire predicates that arrive at a server) against one
 * experiment record. Both paths go through one rule table (`internal/rules.ts`), and a query's
 * leaves are turned into rules by the same code as `compile`, so `evaluate(q, r, columns)` equals
 * `evaluatePredicates(compile(q, columns), r)` whenever `compile` succeeds.
 *
 * @since 0.1.0
 */
import { type Column, isRuleGroup, type Predicate, type Rule, type RuleGroup } from "@comet-ts/core"
import { toNnf } from "./Dnf.js"
import type { ExperimentRecord } from "./ExperimentRecord.js"
import { evaluationType, isLiteral, type Literal, leafRule, sourceOf } from "./internal/leaves.js"
import { evaluateRuleIn } from "./internal/rules.js"
import type { Query } from "./Query.js"

type Test = (record: ExperimentRecord) => boolean

const literalTest = (literal: Literal, columns: ReadonlyArray<Column> | undefined): Test => {
  const type = literal._tag === "Not" ? "string" : evaluationType(literal, columns)
  const rule = leafRule(literal, type)
  const source = sourceOf(literal)
  return (record) => evaluateRuleIn(rule, source, record)
}

const build = (q: Query, columns: ReadonlyArray<Column> | undefined): Test => {
  if (isLiteral(q)) return literalTest(q, columns)
  if (q._tag === "And") {
    const tests = q.operands.map((o) => build(o, columns))
    return (record) => tests.every((t) => t(record))
  }
  if (q._tag === "Or") {
    const tests = q.operands.map((o) => build(o, columns))
    return (record) => tests.some((t) => t(record))
  }
  // toNnf leaves no other Not; a negated group is read through De Morgan.
  return build(toNnf(q), columns)
}

/**
 * A reusable test for many records: the query's leaves are typed and encoded once. Column types
 * come from `columns` when given, else from the variable's declared type, else from the known
 * metadata columns (`duration` is a timenumber, `start_server_timestamp` a datetime, …), else from
 * the value compared with. Unknown columns are not an error here: their values are missing.
 *
 * @since 0.1.0
 */
export const evaluator = (query: Query, columns?: ReadonlyArray<Column>): Test => build(toNnf(query), columns)

/**
 * Whether an experiment record matches a query, with the semantics of Comet's query API
 * (comet-rest-v2.md §4.5 and the decisions in the package README): numbers or strings by column
 * type, `timenumber` in seconds, datetimes in UTC, null vs empty, negation as operator swap.
 *
 * @since 0.1.0
 */
export const evaluate = (query: Query, record: ExperimentRecord, columns?: ReadonlyArray<Column>): boolean =>
  evaluator(query, columns)(record)

/**
 * Decide one wire rule against a record. Its source is `rule.source` if present, else `source`
 * (the enclosing predicate's); the type is `rule.type`.
 *
 * @since 0.1.0
 */
export const evaluateRule = (rule: Rule, record: ExperimentRecord, source?: string): boolean =>
  evaluateRuleIn(rule, rule.source ?? source ?? "", record)

interface Frame {
  readonly group: RuleGroup
  index: number
}

/** A group, without recursion (wire input can nest arbitrarily deep). */
const evaluateGroup = (root: RuleGroup, source: string, record: ExperimentRecord): boolean => {
  const stack: Array<Frame> = [{ group: root, index: 0 }]
  let last: boolean | undefined
  let result = true
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame
    const isOr = frame.group.condition === "OR"
    if (last !== undefined) {
      if (last === isOr) {
        // short circuit: true in an OR, false in an AND
        stack.pop()
        result = last
        continue
      }
      frame.index++
      last = undefined
    }
    if (frame.index >= frame.group.rules.length) {
      stack.pop()
      last = !isOr
      result = last
      continue
    }
    const node = frame.group.rules[frame.index] as Rule | RuleGroup
    if (isRuleGroup(node)) stack.push({ group: node, index: 0 })
    else last = evaluateRuleIn(node, node.source ?? source, record)
  }
  return result
}

/**
 * Whether a record matches the `predicates` of a `project/query` request, as a server would
 * decide it: the array is AND-ed; each predicate's group is evaluated recursively (AND/OR); a
 * rule's source is its own `source` if present, else its predicate's; types come from
 * `rule.type`; `negated` is ignored (the operator is authoritative, §4.7). This is what the
 * emulator runs.
 *
 * @since 0.1.0
 */
export const evaluatePredicates = (predicates: ReadonlyArray<Predicate>, record: ExperimentRecord): boolean =>
  predicates.every((p) => evaluateGroup(p.query, p.source, record))
