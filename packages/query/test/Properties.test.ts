import { Predicate } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either, Equal, Hash, Schema } from "effect"
import * as fc from "fast-check"
import {
  compile,
  compileTerms,
  dnfSize,
  evaluate,
  evaluatePredicates,
  evaluator,
  format,
  not,
  parse,
  type Query,
  toDnf,
  toNnf
} from "../src/index.js"
import { anyQuery, columns, compilableQuery, record, runs } from "./arbitraries.js"

const RUNS = 1000
const decodePredicates = Schema.decodeUnknownSync(Schema.Array(Predicate))

const compiled = (q: Query) => {
  const result = compile(q, columns)
  if (Either.isLeft(result)) return assert.fail(`did not compile: ${format(q)}: ${result.left.message}`)
  return result.right
}

describe("properties (fast-check)", () => {
  it("parse(format(q)) equals q, with the same hash", () => {
    fc.assert(
      fc.property(anyQuery(), (q) => {
        const text = format(q)
        const back = parse(text)
        if (Either.isLeft(back)) return assert.fail(`${text}\n→ ${back.left.message}`)
        assert.isTrue(Equal.equals(back.right, q), `${text}\n≠ ${format(back.right)}`)
        assert.strictEqual(Hash.hash(back.right), Hash.hash(q))
        assert.strictEqual(format(back.right), text)
      }),
      runs(RUNS)
    )
  })

  it("every compilable query compiles to predicates that decode with core's wire Schema", () => {
    fc.assert(
      fc.property(compilableQuery(), (q) => {
        const predicates = compiled(q)
        assert.deepStrictEqual(decodePredicates(JSON.parse(JSON.stringify(predicates))), predicates)
        // at most one predicate per source (§4.3)
        const sources = predicates.map((p) => p.source)
        assert.strictEqual(new Set(sources).size, sources.length)
      }),
      runs(RUNS)
    )
  })

  it("evaluate(q, r) agrees with evaluatePredicates(compile(q), r)", () => {
    const seen = { matched: 0, unmatched: 0, nested: 0, orInSource: 0 }
    fc.assert(
      fc.property(compilableQuery(), fc.array(record, { minLength: 1, maxLength: 4 }), (q, records) => {
        const predicates = JSON.parse(JSON.stringify(compiled(q)))
        if (predicates.some((p: { source: string }) => p.source === "nested")) seen.nested++
        if (
          predicates.some(
            (p: { source: string; query: { condition: string } }) => p.source !== "nested" && p.query.condition === "OR"
          )
        )
          seen.orInSource++
        const test = evaluator(q, columns)
        for (const r of records) {
          const result = test(r)
          assert.strictEqual(result, evaluatePredicates(predicates, r), `${format(q)}\n${JSON.stringify(r)}`)
          assert.strictEqual(evaluate(q, r, columns), result)
          if (result) seen.matched++
          else seen.unmatched++
        }
      }),
      runs(RUNS)
    )
    // the property is not vacuous: both outcomes and both OR forms occur
    assert.isAbove(seen.matched, 200)
    assert.isAbove(seen.unmatched, 200)
    assert.isAbove(seen.nested, 50)
    assert.isAbove(seen.orInSource, 5)
  })

  it("evaluate(q, r) agrees with the union of its DNF terms, evaluated and compiled", () => {
    fc.assert(
      fc.property(compilableQuery(), fc.array(record, { minLength: 1, maxLength: 4 }), (q, records) => {
        fc.pre(dnfSize(q) <= 64)
        const terms = toDnf(q)
        const termPredicates = compileTerms(q, columns, { maxTerms: 64 })
        if (Either.isLeft(termPredicates)) return assert.fail(termPredicates.left.message)
        assert.strictEqual(termPredicates.right.length, terms.length)
        for (const r of records) {
          const expected = evaluate(q, r, columns)
          assert.strictEqual(
            terms.some((t) => evaluate(t, r, columns)),
            expected,
            `${format(q)}\nterms: ${terms.map(format).join("  ||  ")}`
          )
          assert.strictEqual(
            termPredicates.right.some((ps) => evaluatePredicates(ps, r)),
            expected
          )
        }
      }),
      runs(RUNS)
    )
  })

  it("DNF terms are AND-only and compile without OR", () => {
    fc.assert(
      fc.property(compilableQuery(), (q) => {
        fc.pre(dnfSize(q) <= 64)
        for (const t of toDnf(q)) {
          assert.notStrictEqual(t._tag, "Or")
          if (t._tag === "And") for (const o of t.operands) assert.notInclude(["And", "Or"], o._tag)
          for (const p of compiled(t)) assert.strictEqual(p.query.condition, "AND")
        }
      }),
      runs(RUNS)
    )
  })

  it("not(not(q)) equals q and the NNF evaluates like the query", () => {
    fc.assert(
      fc.property(compilableQuery(), record, (q, r) => {
        assert.isTrue(Equal.equals(not(not(q)), q))
        assert.strictEqual(evaluate(toNnf(q), r, columns), evaluate(q, r, columns))
      }),
      runs(RUNS)
    )
  })
})
