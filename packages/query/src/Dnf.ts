/**
 * Normal forms: negation normal form (negations pushed to the leaves by De Morgan and operator
 * swaps) and disjunctive normal form (an OR of AND-only terms). The DNF is the portable way to
 * run an OR query against a server that only takes AND-only predicates: run each term as one
 * query and union the experiment keys.
 *
 * @since 0.1.0
 */
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import { isLiteral, type Literal } from "./internal/leaves.js"
import { and, not, or, type Query } from "./Query.js"

/**
 * The query with every negation pushed to the leaves: `~(a & b)` → `~a | ~b`, `~(a | b)` →
 * `~a & ~b`, and a negated comparison swaps its operator. Only `~Tag(...)` stays a `Not`.
 *
 * Comet's negation is the operator swap (`~(x < 3)` is `x >= 3`, which is false, like `x < 3`,
 * when the experiment has no `x`), so this is the meaning of `not` everywhere in this package.
 *
 * @since 0.1.0
 */
export const toNnf = (query: Query): Query => push(query, false)

const push = (q: Query, negate: boolean): Query => {
  switch (q._tag) {
    case "Not":
      return push(q.operand, !negate)
    case "And": {
      const [first, ...rest] = q.operands.map((o) => push(o, negate))
      return negate ? or(first as Query, ...rest) : and(first as Query, ...rest)
    }
    case "Or": {
      const [first, ...rest] = q.operands.map((o) => push(o, negate))
      return negate ? and(first as Query, ...rest) : or(first as Query, ...rest)
    }
    default:
      return negate ? not(q) : q
  }
}

/**
 * Whether the query needs OR on the wire (its negation normal form contains an OR). AND-only
 * queries compile to exactly what Comet's Python SDK sends.
 *
 * @since 0.1.0
 */
export const usesOr = (query: Query): boolean => {
  const stack: Array<Query> = [toNnf(query)]
  while (stack.length > 0) {
    const q = stack.pop() as Query
    if (q._tag === "Or") return true
    if (q._tag === "And") stack.push(...q.operands)
  }
  return false
}

/**
 * How many AND-only terms the DNF of the query has at most (before duplicate and contradictory
 * terms are dropped): OR adds, AND multiplies. Cheap to compute, so a caller can refuse a query
 * whose DNF would explode before building it.
 *
 * @since 0.1.0
 */
export const dnfSize = (query: Query): number => size(toNnf(query))

const size = (q: Query): number => {
  switch (q._tag) {
    case "Or":
      return q.operands.reduce((n, o) => n + size(o), 0)
    case "And":
      return q.operands.reduce((n, o) => n * size(o), 1)
    default:
      return 1
  }
}

type Term = ReadonlyArray<Literal>

const terms = (q: Query): ReadonlyArray<Term> => {
  if (q._tag === "Or") return q.operands.flatMap(terms)
  if (q._tag === "And") {
    let acc: ReadonlyArray<Term> = [[]]
    for (const operand of q.operands) {
      const next: Array<Term> = []
      const right = terms(operand)
      for (const t of acc) for (const u of right) next.push([...t, ...u])
      acc = next
    }
    return acc
  }
  return isLiteral(q) ? [[q]] : []
}

/** Drop repeated literals; `undefined` when the term holds a literal and its negation. */
const simplify = (term: Term): Term | undefined => {
  const out: Array<Literal> = []
  for (const literal of term) {
    if (out.some((l) => Equal.equals(l, literal))) continue
    const negated = not(literal)
    if (out.some((l) => Equal.equals(l, negated))) return undefined
    out.push(literal)
  }
  return out
}

/**
 * The disjunctive normal form: AND-only queries whose union is the query. Repeated literals and
 * repeated terms are dropped, and so are contradictory terms (`x < 3 & x >= 3`, `Tag(t) & ~Tag(t)`),
 * which match no experiment; an unsatisfiable query gives `[]`.
 *
 * The size can grow exponentially (`(a | b) & (c | d) & …`); check {@link dnfSize} first, or use
 * `compileTerms`, which does.
 *
 * @since 0.1.0
 */
export const toDnf = (query: Query): ReadonlyArray<Query> => {
  const kept: Array<Term> = []
  const seen = new Map<number, Array<Term>>()
  for (const raw of terms(toNnf(query))) {
    const term = simplify(raw)
    if (term === undefined || term.length === 0) continue
    // Terms are sets of literals: `a & b` repeats `b & a`.
    const h = term.reduce((n, l) => (n + Hash.hash(l)) | 0, 0)
    const bucket = seen.get(h)
    if (bucket?.some((other) => sameLiterals(other, term))) continue
    if (bucket === undefined) seen.set(h, [term])
    else bucket.push(term)
    kept.push(term)
  }
  return kept.map((t) => and(t[0] as Query, ...t.slice(1)))
}

const sameLiterals = (a: Term, b: Term): boolean =>
  a.length === b.length && a.every((l) => b.some((m) => Equal.equals(l, m)))
