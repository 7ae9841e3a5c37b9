/**
 * The options of `parse`, `compile`, `compileTerms` and `pythonRegex` from plain JavaScript: a
 * misspelt (`maxdepth`), unknown, inherited or symbol name, an object that is no options object
 * and a value of the wrong type (`"100"`, `NaN`, `-1`) are refused — a `QueryError` of reason
 * `invalid-argument` (an `InvalidArgument` for `pythonRegex`, whose errors are) naming the option —
 * never dropped, never used as the wrong type, never a `TypeError`.
 */
import { type Column, InvalidArgument, QueryError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { compile, compileTerms, Metric, or, parse, parseOrThrow, pythonRegex, Tag } from "../src/index.js"
import { col } from "./support.js"

const columns: ReadonlyArray<Column> = [col("acc", "metrics", "double")]
const query = or(Metric("acc").gt(0.5), Tag("a"))

const queryError = (result: Either.Either<unknown, unknown>): QueryError => {
  if (Either.isRight(result)) return assert.fail("succeeded")
  assert.instanceOf(result.left, QueryError)
  const e = result.left as QueryError
  assert.strictEqual(e.reason, "invalid-argument", e.message)
  return e
}

const entries = {
  parse: (options: unknown) => parse('Tag("a")', options as never),
  compile: (options: unknown) => compile(query, columns, options as never),
  compileTerms: (options: unknown) => compileTerms(query, columns, options as never)
} as const

describe("query options", () => {
  it("a misspelt name is a QueryError naming it and the one meant, for every entry", () => {
    for (const [name, run] of Object.entries(entries)) {
      const e = queryError(run({ maxdepth: 5 }))
      assert.include(e.message, "options.maxdepth", name)
      assert.include(e.message, `is not an option of ${name} (did you mean maxDepth?)`)
    }
    assert.include(queryError(entries.parse({ max_length: 5 })).message, "did you mean maxLength?")
    assert.include(queryError(entries.compileTerms({ maxterms: 5 })).message, "did you mean maxTerms?")
    // a name of another entry is not this one's
    assert.include(queryError(entries.compile({ maxTerms: 5 })).message, "options.maxTerms is not an option of compile")
  })

  it("a value of the wrong type is refused, not compared as text or dropped", () => {
    for (const [name, run] of Object.entries(entries)) {
      for (const bad of ["100", Number.NaN, -1, 1.5, true, {}]) {
        const e = queryError(run({ maxDepth: bad }))
        assert.include(e.message, "options.maxDepth must be a whole number ≥ 0 (or Infinity)", name)
      }
    }
    assert.include(queryError(entries.parse({ maxLength: "3" })).message, "options.maxLength must be")
    assert.include(queryError(entries.compileTerms({ maxTerms: "1" })).message, "options.maxTerms must be")
    // "3" would have been compared as text: 'Tag("a")' is 8 characters, over a limit of 3
    assert.throws(() => parseOrThrow('Tag("a")', { maxLength: "3" } as never), QueryError)
  })

  it("a Map, a symbol name, an inherited name, unreadable names and a throwing getter are QueryErrors", () => {
    for (const run of Object.values(entries)) {
      assert.include(queryError(run(new Map([["maxDepth", 1]]))).message, "not a Map")
      assert.include(queryError(run({ [Symbol("maxDepth")]: 1 })).message, "Symbol(maxDepth)")
      assert.include(queryError(run(Object.create({ maxDepth: 1 }))).message, "is inherited")
      assert.include(queryError(run("maxDepth")).message, "must be a plain object of options")
      const hiding = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("no")
          }
        }
      )
      assert.include(queryError(run(hiding)).message, "cannot be read")
      const throwing = Object.defineProperty({}, "maxDepth", {
        enumerable: true,
        get: () => {
          throw new TypeError("boom")
        }
      })
      assert.include(queryError(run(throwing)).message, "cannot be read: reading it threw")
    }
  })

  it("the declared options still work: limits, Infinity, null and undefined as not given; a getter is read once", () => {
    const tooLong = parse('Tag("abc")', { maxLength: 3, maxDepth: null } as never)
    assert.strictEqual(Either.isLeft(tooLong) ? tooLong.left.reason : "parsed", "too-long")
    for (const options of [undefined, null, {}, { maxDepth: Number.POSITIVE_INFINITY }, { maxDepth: undefined }]) {
      assert.isTrue(Either.isRight(parse('Tag("a")', options as never)))
      const compiled = compile(query, columns, options as never)
      assert.isTrue(Either.isRight(compiled), String(Either.isLeft(compiled) && compiled.left.message))
      assert.isTrue(Either.isRight(compileTerms(query, columns, options as never)))
    }
    const terms = compileTerms(query, columns, { maxTerms: 1 })
    assert.strictEqual(Either.isLeft(terms) ? terms.left.reason : "compiled", "too-long")
    const deep = compile(query, columns, { maxDepth: 1 })
    assert.strictEqual(Either.isLeft(deep) ? deep.left.reason : "compiled", "too-deep")
    let reads = 0
    const counted = {
      get maxDepth() {
        reads++
        return 10
      }
    }
    assert.isTrue(Either.isRight(compileTerms(query, columns, counted)))
    assert.strictEqual(reads, 1)
  })

  it("any other name is refused (property)", () => {
    const known = new Set(["maxLength", "maxDepth", "maxTerms", "__proto__"])
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !known.has(k)),
        (name) => {
          for (const run of Object.values(entries)) queryError(run({ [name]: 1 }))
        }
      ),
      { numRuns: 50 }
    )
  })
})

describe("pythonRegex options", () => {
  const invalid = (result: Either.Either<unknown, unknown>): InvalidArgument => {
    if (Either.isRight(result)) return assert.fail("succeeded")
    assert.instanceOf(result.left, InvalidArgument)
    return result.left as InvalidArgument
  }

  it("a misspelt name or a value of the wrong type is an InvalidArgument naming the option", () => {
    const misspelt = invalid(pythonRegex("(?i:a)b", { modifier: false } as never))
    assert.strictEqual(misspelt.argument, "options.modifier")
    assert.include(misspelt.message, "(did you mean modifiers?)")
    // "false" would have been read as true
    const text = invalid(pythonRegex("(?i:a)b", { modifiers: "false" } as never))
    assert.strictEqual(text.argument, "options.modifiers")
    assert.include(text.message, "must be true or false, not a string")
    const argument = invalid(pythonRegex("a", { argument: 3 } as never))
    assert.strictEqual(argument.argument, "options.argument")
    assert.strictEqual(invalid(pythonRegex("a", new Map() as never)).argument, "options")
  })
})

describe("query arguments from plain JavaScript", () => {
  it("a text, query or columns of the wrong type is a QueryError naming the argument, never a TypeError", () => {
    const bad: ReadonlyArray<unknown> = [123, null, undefined, {}, ["Tag('a')"], true]
    for (const text of bad) {
      const e = queryError(parse(text as never))
      assert.include(e.message, "text of parse must be a string, not ")
      assert.notInclude(e.message, "a undefined")
      assert.throws(() => parseOrThrow(text as never), QueryError)
    }
    for (const q of [null, undefined, 'Tag("a")', {}, { _tag: "Tag", name: "a" }]) {
      assert.include(queryError(compile(q as never, columns)).message, "query of compile must be a Query")
      assert.include(queryError(compileTerms(q as never, columns)).message, "query of compileTerms must be a Query")
    }
    for (const cs of [null, undefined, "acc", {}, [null], [{ name: "acc" }], [1]]) {
      assert.include(queryError(compile(query, cs as never)).message, "columns of compile must be an array of columns")
      assert.include(
        queryError(compileTerms(query, cs as never)).message,
        "columns of compileTerms must be an array of columns"
      )
    }
  })

  it("the error says the type, never the value (it may hold a secret)", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        fc.pre(typeof value !== "string")
        const e = queryError(parse(value as never))
        assert.match(e.message, /must be a string, not (null|undefined|an array|an object|an? \w+)\./)
      })
    )
    const e = queryError(compile({ apiKey: "SECRET-KEY-123" } as never, columns))
    assert.notInclude(e.message, "SECRET-KEY-123")
  })

  it("columns with extra fields (a KnownColumn, a server's newer shape) are still columns", () => {
    const extra = columns.map((c) => ({ ...c, extra: 1 }))
    assert.isTrue(Either.isRight(compile(query, extra)))
  })
})
