/**
 * Queries → the `predicates` array of `POST project/query` (comet-rest-v2.md §4.3–§4.7).
 *
 * - AND-only queries compile to exactly what Comet's Python SDK sends: one predicate per source,
 *   in order of first appearance, its rules AND-ed in the order written (§4.6).
 * - Queries with OR compile to the nested form of the newest SDK (§4.7): a single-source OR is a
 *   predicate `{source: S, query: {condition: "OR", …}}`, a cross-source OR a predicate of source
 *   `nested`; every rule inside such a group carries its own `source`. This is the default: one
 *   request, evaluated by the server.
 * - {@link compileTerms} is the portable fallback: the DNF terms, each compiled AND-only, to run
 *   one by one and union.
 *
 * - `~Tag(t)` is a `not_equal` rule on source `tag`, as comet_ml 3.58.8 sends it. Negations are
 *   pushed to the leaves (operator swap, De Morgan), so no `negated` flag is sent: `~(A & B)` is
 *   sent as `~A | ~B` (see the package README for what comet_ml 3.58.8 sends instead).
 *
 * Every failure is a `QueryError` (unknown column, type mismatch, too deep, too many terms);
 * nothing is ever compiled to a query that silently matches nothing.
 *
 * @since 0.1.0
 */
import { Column, type Predicate, QueryError, type Rule, type RuleGroup } from "@comet-ts/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { dnfSize, toDnf, toNnf } from "./Dnf.js"
import { checkLeaf, compileType, isLiteral, type Literal, leafRule, sourceOf } from "./internal/leaves.js"
import { Limit, readOptions, wrongArgument } from "./internal/options.js"
import { isQuery, type Query } from "./Query.js"

/**
 * Options of {@link compile}.
 *
 * @since 0.1.0
 */
export interface CompileOptions {
  /** Deepest nesting of groups accepted (default 200, as `parse`). */
  readonly maxDepth?: number | undefined
}

/**
 * Options of {@link compileTerms}.
 *
 * @since 0.1.0
 */
export interface CompileTermsOptions extends CompileOptions {
  /** Most DNF terms (one request each) accepted (default 32). */
  readonly maxTerms?: number | undefined
}

const DEFAULT_MAX_DEPTH = 200
const DEFAULT_MAX_TERMS = 32

/** The runtime types of {@link CompileOptions} (its names are the names known). */
const CompileOptionTypes = Schema.Struct({ maxDepth: Limit })

/** The runtime types of {@link CompileTermsOptions}. */
const CompileTermsOptionTypes = Schema.Struct({ maxDepth: Limit, maxTerms: Limit })

const error = (reason: QueryError["reason"], detail: string, hint: string | null): QueryError =>
  new QueryError({ reason, detail, line: null, column: null, hint })

/** Depth of the query tree, without recursion. */
const depthOf = (query: Query): number => {
  let max = 0
  const stack: Array<readonly [Query, number]> = [[query, 1]]
  while (stack.length > 0) {
    const [q, d] = stack.pop() as readonly [Query, number]
    if (d > max) max = d
    if (q._tag === "And" || q._tag === "Or") for (const o of q.operands) stack.push([o, d + 1])
    else if (q._tag === "Not") stack.push([q.operand, d + 1])
  }
  return max
}

const checkDepth = (query: Query, maxDepth: number | undefined): QueryError | undefined => {
  const limit = maxDepth ?? DEFAULT_MAX_DEPTH
  const depth = depthOf(query)
  return depth > limit
    ? error("too-deep", `the query nests ${depth} levels deep; the limit is ${limit}`, "flatten the query")
    : undefined
}

/** A literal with its source and rule, or a group of them. */
type Node =
  | { readonly kind: "rule"; readonly source: string; readonly rule: Rule }
  | { readonly kind: "group"; readonly condition: "AND" | "OR"; readonly children: ReadonlyArray<Node> }

const encodeLiteral = (literal: Literal, columns: ReadonlyArray<Column>): Node | QueryError => {
  // `~Tag(t)` is the rule comet_ml 3.58.8 sends for it: operator `not_equal`, value `t`.
  if (literal._tag === "Tag" || literal._tag === "Not") {
    return { kind: "rule", source: "tag", rule: leafRule(literal, "string") }
  }
  const type = compileType(literal.variable, columns)
  if (typeof type !== "string") return type
  const bad = checkLeaf(literal, type)
  if (bad !== undefined) return bad
  return { kind: "rule", source: sourceOf(literal), rule: leafRule(literal, type) }
}

const encode = (q: Query, columns: ReadonlyArray<Column>): Node | QueryError => {
  if (isLiteral(q)) return encodeLiteral(q, columns)
  if (q._tag !== "And" && q._tag !== "Or") return error("unsupported", "a negation was left in the query", null)
  const children: Array<Node> = []
  for (const o of q.operands) {
    const n = encode(o, columns)
    if (n instanceof QueryError) return n
    children.push(n)
  }
  return { kind: "group", condition: q._tag === "And" ? "AND" : "OR", children }
}

const sourcesOf = (n: Node, into: Set<string>): Set<string> => {
  if (n.kind === "rule") into.add(n.source)
  else for (const c of n.children) sourcesOf(c, into)
  return into
}

const withSource = (n: Node & { kind: "rule" }): Rule => ({ ...n.rule, source: n.source })

const toGroup = (n: Node & { kind: "group" }): RuleGroup => ({
  condition: n.condition,
  rules: n.children.map((c) => (c.kind === "rule" ? withSource(c) : toGroup(c))),
  valid: true
})

interface Bucket {
  readonly entries: Array<Node>
  grouped: boolean
}

const predicatesOf = (root: Node): ReadonlyArray<Predicate> => {
  const conjuncts = root.kind === "group" && root.condition === "AND" ? root.children : [root]
  const buckets = new Map<string, Bucket>()
  for (const c of conjuncts) {
    let key: string
    if (c.kind === "rule") key = c.source
    else {
      const sources = sourcesOf(c, new Set())
      key = sources.size === 1 ? ([...sources][0] as string) : "nested"
    }
    let bucket = buckets.get(key)
    if (bucket === undefined) {
      bucket = { entries: [], grouped: false }
      buckets.set(key, bucket)
    }
    bucket.entries.push(c)
    if (c.kind === "group") bucket.grouped = true
  }
  const predicates: Array<Predicate> = []
  for (const [source, bucket] of buckets) {
    if (!bucket.grouped) {
      const rules = bucket.entries.map((e) => (e as Node & { kind: "rule" }).rule)
      predicates.push({ source, query: { condition: "AND", rules, valid: true } })
      continue
    }
    const rules = bucket.entries.map((e) => (e.kind === "rule" ? withSource(e) : toGroup(e)))
    const only = rules.length === 1 ? bucket.entries[0] : undefined
    const query: RuleGroup =
      only !== undefined && only.kind === "group" ? toGroup(only) : { condition: "AND", rules, valid: true }
    predicates.push({ source, query })
  }
  return predicates
}

/**
 * Compile a query to the `predicates` of `POST project/query`, typing each rule from the
 * project's columns (`GET project/column-names`). AND-only queries give exactly the Python SDK's
 * predicates; OR gives the nested form of §4.7 (see the module docs). Tags need no column.
 *
 * Fails with a `QueryError` for an unknown column (naming the columns available), a value or
 * method that does not fit the column type, a query nested deeper than `maxDepth`, or options
 * that are not its own (`invalid-argument`: `{ maxdepth }`, `{ maxDepth: "100" }`).
 *
 * @since 0.1.0
 */
export const compile = (
  query: Query,
  columns: ReadonlyArray<Column>,
  options?: CompileOptions
): Either.Either<ReadonlyArray<Predicate>, QueryError> => {
  const wrong = checkInputs("compile", query, columns)
  if (wrong !== null) return Either.left(wrong)
  return Either.flatMap(readOptions(options, CompileOptionTypes, "compile"), (checked) =>
    compileChecked(query, columns, checked)
  )
}

const isColumns = Schema.is(Schema.Array(Column))

/** From plain JavaScript: a query that is no `Query`, or columns that are no array of columns. */
const checkInputs = (where: string, query: unknown, columns: unknown): QueryError | null =>
  !isQuery(query)
    ? wrongArgument(where, "query", "a Query (from parse or the Query constructors)", query)
    : !isColumns(columns)
      ? wrongArgument(where, "columns", "an array of columns ({ name, id, type, source })", columns)
      : null

/** {@link compile} with checked options. */
const compileChecked = (
  query: Query,
  columns: ReadonlyArray<Column>,
  options: CompileOptions
): Either.Either<ReadonlyArray<Predicate>, QueryError> => {
  const tooDeep = checkDepth(query, options.maxDepth)
  if (tooDeep !== undefined) return Either.left(tooDeep)
  const root = encode(toNnf(query), columns)
  return root instanceof QueryError ? Either.left(root) : Either.right(predicatesOf(root))
}

/**
 * The portable form of an OR query: its DNF terms (see `toDnf`), each compiled AND-only — exactly
 * what the Python SDK would send for that term. Run each as one `project/query` and union the
 * experiment keys. An AND-only query gives one term; an unsatisfiable one gives none.
 *
 * Fails like {@link compile} (options too: `maxTerms` and `maxDepth` are its names), and with
 * reason `too-long` when the DNF would have more than `maxTerms` terms (default 32): each term
 * costs one request.
 *
 * @since 0.1.0
 */
export const compileTerms = (
  query: Query,
  columns: ReadonlyArray<Column>,
  options?: CompileTermsOptions
): Either.Either<ReadonlyArray<ReadonlyArray<Predicate>>, QueryError> => {
  const wrong = checkInputs("compileTerms", query, columns)
  if (wrong !== null) return Either.left(wrong)
  const read = readOptions(options, CompileTermsOptionTypes, "compileTerms")
  if (Either.isLeft(read)) return Either.left(read.left)
  const checked = read.right
  // Check every leaf first: a term dropped as contradictory must not hide an unknown column.
  const whole = compileChecked(query, columns, checked)
  if (Either.isLeft(whole)) return Either.left(whole.left)
  const limit = checked.maxTerms ?? DEFAULT_MAX_TERMS
  const size = dnfSize(query)
  if (size > limit) {
    return Either.left(
      error(
        "too-long",
        `the query expands to ${size} AND-only terms (one request each); the limit is ${limit}`,
        'send it in Comet\'s nested OR form, one request (orStrategy "nested", the default of query(); compile() here), simplify the query, or raise the maxTerms option of compileTerms'
      )
    )
  }
  const out: Array<ReadonlyArray<Predicate>> = []
  for (const term of toDnf(query)) {
    const compiled = compileChecked(term, columns, checked)
    if (Either.isLeft(compiled)) return Either.left(compiled.left)
    out.push(compiled.right)
  }
  return Either.right(out)
}
