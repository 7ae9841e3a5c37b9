/**
 * Fuzzing the parser: whatever the text, `parse` returns a Query or a QueryError (with a sane
 * position), never throws, never overflows the stack.
 */
import { QueryError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { format, isQuery, type ParseOptions, parse } from "../src/index.js"
import { anyQuery, runs } from "./arbitraries.js"

const RUNS = 1000
const reasons = new Set(["syntax", "unknown-column", "type-mismatch", "too-long", "too-deep", "unsupported"])

/** Parse and check the outcome's shape; returns the outcome's kind. */
const check = (text: string, options?: ParseOptions): "query" | QueryError["reason"] => {
  let result: ReturnType<typeof parse>
  try {
    result = parse(text, options)
  } catch (e) {
    return assert.fail(`parse threw ${String(e)} for ${JSON.stringify(text.slice(0, 200))}`)
  }
  if (Either.isRight(result)) {
    assert.isTrue(isQuery(result.right))
    return "query"
  }
  const e = result.left
  assert.instanceOf(e, QueryError)
  assert.isTrue(reasons.has(e.reason), e.reason)
  assert.isString(e.detail)
  assert.isAbove(e.detail.length, 0)
  if (e.line !== null) {
    const lines = text.split("\n").length
    assert.isAtLeast(e.line, 1)
    assert.isAtMost(e.line, lines)
    assert.isNotNull(e.column)
    assert.isAtLeast(e.column ?? 0, 1)
    assert.isAtMost(e.column ?? 0, text.length + 1)
  }
  assert.isString(e.message)
  return e.reason
}

const pieces = [
  "Metric",
  "Parameter",
  "Other",
  "Metadata",
  "Environment",
  "Tag",
  "datetime",
  "float",
  "int",
  "between",
  "contains",
  "startswith",
  "endswith",
  "True",
  "False",
  "None",
  "and",
  "or",
  "not",
  "is",
  "in",
  "qtype",
  "x",
  '"acc"',
  "'a'",
  '"',
  "'",
  '"""',
  "r'",
  "b'",
  "\\",
  "\\x",
  "\\u",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  "=",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "&",
  "|",
  "~",
  "&&",
  "!",
  "+",
  "-",
  "*",
  "/",
  "//",
  "%",
  "**",
  "@",
  "0",
  "1",
  ".5",
  "1e",
  "0x",
  "1_0",
  "2019",
  " ",
  "\n",
  "\t",
  "#",
  "\u00a0",
  "\u201c",
  "é",
  "😀",
  "__proto__",
  'Metric("a") > 1',
  'Tag("t")',
  " & ",
  " | ",
  "(2 * 60)",
  'Other("n").contains(',
  "constructor",
  "toString"
]

describe("parse under fuzzing", () => {
  it("token soup never throws", () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        seen.add(check(parts.join("")))
      }),
      runs(RUNS)
    )
    // the fuzzer reaches several kinds of outcome
    assert.isAtLeast(seen.size, 3, [...seen].join())
  })

  it("arbitrary text never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ maxLength: 80 })), (text) => {
        check(text)
      }),
      runs(RUNS)
    )
  })

  it("mutated valid queries never throw", () => {
    const mutation = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 4 }),
      insert: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 }))
    })
    fc.assert(
      fc.property(anyQuery(2), fc.array(mutation, { minLength: 1, maxLength: 3 }), (q, mutations) => {
        let text = format(q)
        for (const m of mutations) {
          const at = m.at % (text.length + 1)
          text = text.slice(0, at) + m.insert + text.slice(at + m.remove)
        }
        check(text)
      }),
      runs(RUNS)
    )
  })

  it("very deep nesting is a too-deep error, not a stack overflow", () => {
    const big = { maxLength: 10_000_000 }
    const depth = 5_000
    const cases = [
      `${"(".repeat(depth)}Tag("x")${")".repeat(depth)}`,
      `${"~".repeat(depth)}Tag("x")`,
      `${"~(".repeat(depth)}Tag("x")${")".repeat(depth)}`,
      `Metric("x") > ${"-".repeat(depth)}1`,
      `Metric("x") > ${"2 ** ".repeat(depth)}1`,
      `Metric("x") > ${"float(".repeat(depth)}1${")".repeat(depth)}`,
      `${"(".repeat(depth)}`,
      `Tag(${"(".repeat(depth)}"x"`
    ]
    for (const text of cases) assert.strictEqual(check(text, big), "too-deep", text.slice(0, 30))
    // even with the depth limit lifted, the stack is never exhausted by a throw escaping parse
    for (const text of cases) {
      const outcome = check(text, { ...big, maxDepth: Number.POSITIVE_INFINITY })
      assert.include(["too-deep", "syntax"], outcome, text.slice(0, 30))
    }
  })

  it("very long input is refused before any work", () => {
    assert.strictEqual(check("x".repeat(1_000_000)), "too-long")
    assert.strictEqual(check(`Tag("${"a".repeat(65_600)}")`), "too-long")
    // long but within the limit: a long chain and a long string parse
    assert.strictEqual(check(Array.from({ length: 1500 }, (_, i) => `Tag("t${i}")`).join(" | ")), "query")
    assert.strictEqual(check(`Tag("${"a".repeat(60_000)}")`), "query")
    assert.strictEqual(check(`Other("n") == "${"\\n".repeat(20_000)}"`), "query")
  })
})
