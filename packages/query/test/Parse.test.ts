import { QueryError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either, Equal, Schema } from "effect"
import {
  and,
  Environment,
  format,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  parse,
  parseOrThrow,
  type Query,
  QueryFromString,
  Tag
} from "../src/index.js"

const ok = (text: string): Query => {
  const r = parse(text)
  if (Either.isLeft(r)) return assert.fail(`${JSON.stringify(text)}: ${r.left.message}`)
  return r.right
}

const same = (text: string, expected: Query): void => {
  const q = ok(text)
  assert.isTrue(Equal.equals(q, expected), `${text} parsed as ${format(q)}, expected ${format(expected)}`)
}

const fails = (
  text: string,
  expected: {
    reason?: QueryError["reason"]
    line?: number | null
    column?: number | null
    detail?: RegExp
    hint?: RegExp
  }
): QueryError => {
  const r = parse(text)
  if (Either.isRight(r)) return assert.fail(`${JSON.stringify(text)} parsed as ${format(r.right)}`)
  const e = r.left
  assert.instanceOf(e, QueryError)
  assert.strictEqual(e._tag, "QueryError")
  if (expected.reason !== undefined) assert.strictEqual(e.reason, expected.reason, e.message)
  if (expected.line !== undefined) assert.strictEqual(e.line, expected.line, e.message)
  if (expected.column !== undefined) assert.strictEqual(e.column, expected.column, e.message)
  if (expected.detail !== undefined) assert.match(e.detail, expected.detail)
  if (expected.hint !== undefined) assert.match(e.hint ?? "", expected.hint)
  return e
}

/** The number a comparison ends up holding. */
const num = (text: string): number => {
  const q = ok(`Metric("x") == ${text}`)
  if (q._tag !== "Comparison" || typeof q.value !== "number") return assert.fail(`${text}: ${format(q)}`)
  return q.value
}

const str = (text: string): string => {
  const q = ok(`Other("x") == ${text}`)
  if (q._tag !== "Comparison" || typeof q.value !== "string") return assert.fail(`${text}: ${format(q)}`)
  return q.value
}

describe("parse: literals", () => {
  it("reads Python's number literals", () => {
    assert.strictEqual(num(".98"), 0.98)
    assert.strictEqual(num("1."), 1)
    assert.strictEqual(num("1e3"), 1000)
    assert.strictEqual(num("1E-3"), 0.001)
    assert.strictEqual(num("1.5e+2"), 150)
    assert.strictEqual(num("1_000_000"), 1_000_000)
    assert.strictEqual(num("0x1F"), 31)
    assert.strictEqual(num("0o17"), 15)
    assert.strictEqual(num("0b101"), 5)
    assert.strictEqual(num("0"), 0)
    assert.strictEqual(num("000"), 0)
    assert.strictEqual(num("-3"), -3)
    assert.strictEqual(num("+3"), 3)
    assert.strictEqual(num("--3"), 3)
  })

  it("rejects malformed numbers", () => {
    fails('Metric("x") == 007', { reason: "syntax", column: 16, detail: /leading zeros/ })
    fails('Metric("x") == 1j', { reason: "unsupported", detail: /complex/ })
    fails('Metric("x") == 1_', { reason: "syntax", detail: /invalid number/ })
    fails('Metric("x") == 12abc', { reason: "syntax", detail: /invalid number/ })
  })

  it("computes constant arithmetic like Python", () => {
    assert.strictEqual(num("(2 * 60)"), 120)
    assert.strictEqual(num("2 * 60 + 1"), 121)
    assert.strictEqual(num("(1 + 2) * 3"), 9)
    assert.strictEqual(num("-2**2"), -4)
    assert.strictEqual(num("2**-1"), 0.5)
    assert.strictEqual(num("2**3**2"), 512)
    assert.strictEqual(num("7 / 2"), 3.5)
    assert.strictEqual(num("7 // 2"), 3)
    assert.strictEqual(num("-7 // 2"), -4)
    assert.strictEqual(num("-7 % 3"), 2)
    assert.strictEqual(num("7 % -3"), -2)
    assert.strictEqual(num("10 - 2 - 3"), 5)
    assert.strictEqual(num('float("nan")').toString(), "NaN")
    assert.strictEqual(num('float("inf")'), Number.POSITIVE_INFINITY)
    assert.strictEqual(num('float("-Infinity")'), Number.NEGATIVE_INFINITY)
    assert.strictEqual(num('float(" 1_0.5 ")'), 10.5)
    assert.strictEqual(num("float(3)"), 3)
    assert.strictEqual(num('int("42")'), 42)
    assert.strictEqual(num("int(-2.7)"), -2)
    assert.strictEqual(str('"ab" + "cd"'), "abcd")
    assert.strictEqual(str('"ab" "cd"'), "abcd")
  })

  it("rejects arithmetic that Python would reject or that makes no sense in a query", () => {
    fails('Metric("x") == 1 / 0', { reason: "type-mismatch", detail: /division by zero/ })
    fails('Metric("x") == 1 % 0', { reason: "type-mismatch", detail: /division by zero/ })
    fails('Metric("x") == 0 ** -1', { reason: "type-mismatch" })
    fails('Metric("x") == (-8) ** 0.5', { reason: "type-mismatch", detail: /real number/ })
    fails('Metric("x") == "a" + 1', { reason: "type-mismatch" })
    fails('Metric("x") == True + 1', { reason: "type-mismatch" })
    fails('Metric("x") + 1 > 2', { reason: "unsupported", detail: /arithmetic on constants/ })
    fails('Metric("x") == -Metric("y")', { reason: "unsupported" })
    fails('Metric("x") == float("abc")', { reason: "type-mismatch" })
    fails('Metric("x") == int("1.5")', { reason: "type-mismatch" })
    fails('Metric("x") == 2 @ 3', { reason: "unsupported" })
    fails('Metric("x") == b"a" "b"', { reason: "syntax", detail: /mix bytes/ })
  })

  it("reads strings: quotes, escapes, raw, bytes, triple quotes", () => {
    assert.strictEqual(str("'single'"), "single")
    assert.strictEqual(str('"double"'), "double")
    assert.strictEqual(str(String.raw`"a\nb\tc\\d\"e\'f"`), "a\nb\tc\\d\"e'f")
    assert.strictEqual(str(String.raw`"\x41\u00e9\U0001F600\101\0"`), "Aé\u{1F600}A\0")
    assert.strictEqual(str(String.raw`"\a\b\f\v\r"`), "\x07\b\f\v\r")
    assert.strictEqual(str(String.raw`"\d\w"`), "\\d\\w")
    assert.strictEqual(str(String.raw`r"\n\d"`), "\\n\\d")
    assert.strictEqual(str(String.raw`R'\''`), "\\'")
    assert.strictEqual(str('u"x"'), "x")
    assert.strictEqual(str('b"abc"'), "abc")
    assert.strictEqual(str(String.raw`b"\xc3\xa9"`), "é")
    assert.strictEqual(str(String.raw`rb"\x"`), "\\x")
    assert.strictEqual(str('"""a\n"b"\n"""'), 'a\n"b"\n')
    assert.strictEqual(str("'''it's'''"), "it's")
    assert.strictEqual(str('"a\\\nb"'), "ab")
    assert.strictEqual(str(String.raw`"\ud83d\ude00"`), "\u{1F600}")
    assert.strictEqual(str(String.raw`"\udc00"`), "\udc00")
    assert.strictEqual(str('"日本語 ✓ 😀"'), "日本語 ✓ 😀")
  })

  it("rejects broken strings with their position", () => {
    fails('Other("x") == "abc', { reason: "syntax", line: 1, column: 15, detail: /unterminated string/ })
    fails('Other("x") == "a\nb"', { reason: "syntax", line: 1, column: 15, detail: /unterminated/ })
    fails('Other("x") == """abc', { reason: "syntax", detail: /triple-quoted/ })
    fails(String.raw`Other("x") == "\x4"`, { reason: "syntax", detail: /truncated/ })
    fails(String.raw`Other("x") == "\U00110000"`, { reason: "syntax", detail: /illegal Unicode/ })
    fails(String.raw`Other("x") == "\N{DASH}"`, { reason: "unsupported" })
    fails('Other("x") == f"{a}"', { reason: "unsupported", detail: /f-strings/ })
    fails(String.raw`Other("x") == b"\xff"`, { reason: "type-mismatch", detail: /UTF-8/ })
    fails('Other("x") == b"é"', { reason: "syntax", detail: /ASCII/ })
    fails("Other(\u201cx\u201d) == 1", { reason: "syntax", column: 7, hint: /straight quotes/ })
  })

  it("reads True, False, None and the special values of == and !=", () => {
    same('Metadata("hasImages") == True', Metadata("hasImages").eq(true))
    same('Metadata("hasImages") != False', Metadata("hasImages").ne(false))
    same('Other("n") == None', Other("n").isNull())
    same('Other("n") != None', Other("n").isNotNull())
    same('Other("n") == ""', Other("n").isEmpty())
    same("Other(\"n\") != ''", Other("n").isNotEmpty())
    same('Other("n") == "" ""', Other("n").isEmpty())
  })

  it("reads datetime(...) in UTC, with keywords and the module prefix", () => {
    const at = (ms: number) => Metadata("start_server_timestamp").lt(new Date(ms))
    same('Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5)', at(Date.UTC(2019, 8, 24, 5)))
    same('Metadata("start_server_timestamp") < datetime(2019, 9, 24, hour=5)', at(Date.UTC(2019, 8, 24, 5)))
    same(
      'Metadata("start_server_timestamp") < datetime.datetime(year=2019, month=9, day=24, tzinfo=None)',
      at(Date.UTC(2019, 8, 24))
    )
    same(
      'Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5, 6, 7, 8000)',
      at(Date.UTC(2019, 8, 24, 5, 6, 7, 8))
    )
    same('Metadata("start_server_timestamp") < datetime(1, 1, 1)', at(-62_135_596_800_000))
    same('Metadata("start_server_timestamp") < datetime(2000, 2, 29)', at(Date.UTC(2000, 1, 29)))
  })

  it("reads timezone-aware datetimes (comet_ml sends them with their offset) as the same instant", () => {
    const at = (ms: number) => Metadata("start_server_timestamp").lt(new Date(ms))
    const jan1 = at(Date.UTC(2024, 0, 1))
    for (const tz of [
      "timezone.utc",
      "datetime.timezone.utc",
      "UTC",
      "datetime.UTC",
      "pytz.utc",
      "pytz.UTC",
      'ZoneInfo("UTC")',
      'ZoneInfo("Etc/UTC")',
      "timezone(timedelta(0))",
      'timezone(timedelta(hours=0), "Z")'
    ]) {
      same(`Metadata("start_server_timestamp") < datetime(2024, 1, 1, tzinfo=${tz})`, jan1)
    }
    same('Metadata("start_server_timestamp") < datetime(2024, 1, 1, 0, 0, 0, 0, timezone.utc)', jan1)
    // 02:00 at UTC+2 is midnight UTC; 19:00 the day before at UTC-5 too.
    same(
      'Metadata("start_server_timestamp") < datetime.datetime(2024, 1, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))',
      jan1
    )
    same('Metadata("start_server_timestamp") < datetime(2023, 12, 31, 19, tzinfo=timezone(-timedelta(hours=5)))', jan1)
    same(
      'Metadata("start_server_timestamp") < datetime(2024, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))',
      jan1
    )
    same(
      'Metadata("start_server_timestamp") < datetime(2024, 1, 1, tzinfo=timezone(timedelta(minutes=-90)))',
      at(Date.UTC(2024, 0, 1, 1, 30))
    )
  })

  it("rejects invalid datetimes", () => {
    fails('Metadata("s") < datetime(2019, 2, 29)', { reason: "type-mismatch", detail: /day 29/ })
    fails('Metadata("s") < datetime(2019, 13, 1)', { reason: "type-mismatch", detail: /month/ })
    fails('Metadata("s") < datetime(0, 1, 1)', { reason: "type-mismatch", detail: /year/ })
    fails('Metadata("s") < datetime(2019, 9)', { reason: "syntax", detail: /missing the argument 'day'/ })
    fails('Metadata("s") < datetime(2019, 9, 1.5)', { reason: "type-mismatch", detail: /integer/ })
    fails('Metadata("s") < datetime(2019, 9, 1, 0, 0, 0, 1500)', { reason: "unsupported", hint: /1000/ })
    fails('Metadata("s") < datetime(2019, 9, 1, tzinfo="UTC")', { reason: "type-mismatch", hint: /timezone\.utc/ })
    fails('Metadata("s") < datetime(2019, 9, 1, tzinfo=timezone(timedelta(hours=24)))', {
      reason: "type-mismatch",
      detail: /strictly between/
    })
    fails('Metadata("s") < datetime(2019, 9, 1, tzinfo=timezone(5))', { reason: "type-mismatch", detail: /timedelta/ })
    fails('Metadata("s") < datetime(2019, 9, 1, tzinfo=ZoneInfo("Europe/Paris"))', {
      reason: "unsupported",
      detail: /daylight-saving/,
      hint: /timezone\(timedelta/
    })
    fails('Metadata("s") < datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))', {
      reason: "type-mismatch",
      detail: /outside years/
    })
    fails('Metadata("s") < timezone.utc', { reason: "type-mismatch", hint: /tzinfo/ })
    fails('Metadata("s") < datetime(2019, 9, 1, hours=5)', { reason: "syntax", detail: /no argument named 'hours'/ })
    fails('Metadata("s") < datetime(2019, 9, 1, day=2)', { reason: "syntax", detail: /multiple values/ })
    fails('Metadata("s") < datetime(2019, 9, 1, 0, 0, 0, 0, None, 1)', { reason: "syntax", detail: /at most 8/ })
  })

  it("reads a declared column type, as Python's qtype", () => {
    same('Metric("acc", "double") > 1', Metric("acc", "double").gt(1))
    same('Metric("acc", qtype="double") > 1', Metric("acc", "double").gt(1))
    same('Metric(name="acc") > 1', Metric("acc").gt(1))
    same('Metric("acc", None) > 1', Metric("acc").gt(1))
    fails('Metric("acc", "float") > 1', { reason: "type-mismatch", hint: /double/ })
    fails("Metric(1) > 1", { reason: "type-mismatch", detail: /string/ })
    fails("Metric() > 1", { reason: "syntax", detail: /missing/ })
    fails('Metric(qtype="double", "acc") > 1', { reason: "syntax", detail: /positional argument follows/ })
  })
})

describe("parse: structure", () => {
  const a = Metric("a").gt(1)
  const b = Parameter("b").lt(2)
  const c = Tag("c")

  it("gives comparisons precedence over & and |, and & over |", () => {
    same('Metric("a") > 1 & Parameter("b") < 2', and(a, b))
    same('Metric("a") > 1 | Parameter("b") < 2 & Tag("c")', or(a, and(b, c)))
    same('Metric("a") > 1 & Parameter("b") < 2 | Tag("c")', or(and(a, b), c))
    same('(Metric("a") > 1 | Parameter("b") < 2) & Tag("c")', and(or(a, b), c))
    same('((Metric("a") > 1) & (Parameter("b") < 2)) & Tag("c")', and(a, b, c))
  })

  it("applies ~ to any expression", () => {
    same('~Tag("c")', not(c))
    same('~~Tag("c")', c)
    same('~(Metric("a") > 1)', Metric("a").le(1))
    same('~Metric("a") > 1', Metric("a").le(1))
    same('~(Metric("a") > 1 & Tag("c"))', not(and(a, c)))
    same('~Parameter("x").between(2, 3)', not(Parameter("x").between(2, 3)))
    same('~Other("n").contains("x") & Tag("c")', and(not(Other("n").contains("x")), c))
    same('~~~(Tag("c") | Tag("d"))', not(or(c, Tag("d"))))
  })

  it("reflects comparisons with the constant on the left, as Python does", () => {
    same('0.9 < Metric("acc")', Metric("acc").gt(0.9))
    same('0.9 >= Metric("acc")', Metric("acc").le(0.9))
    same('None == Other("n")', Other("n").isNull())
    same('"" != Other("n")', Other("n").isNotEmpty())
    same('"darwin" == Environment("os")', Environment("os").eq("darwin"))
  })

  it("reads the methods", () => {
    same('Parameter("x").between(2, 3)', Parameter("x").between(2, 3))
    same('Parameter("x").between(low=-1, high=2 * 3)', Parameter("x").between(-1, 6))
    same('Other("n").contains("ab")', Other("n").contains("ab"))
    same('Other("n").startswith("ab")', Other("n").startsWith("ab"))
    same('Other("n").endswith("ab")', Other("n").endsWith("ab"))
  })

  it("reads comments, newlines and line continuations", () => {
    same('# my query\n(Metric("a") > 1)  # a\n  & Parameter("b") < 2\n', and(a, b))
    same('Metric("a") \\\n > 1', a)
    same('\ufeff Metric("a")\u00a0> 1\t', a)
  })
})

describe("parse: errors say where and what to do", () => {
  it("rejects Python's logical keywords with a hint", () => {
    fails('Metric("acc") > 1 and Tag("x")', { reason: "syntax", line: 1, column: 19, hint: /use &/ })
    fails('Metric("acc") > 1 or Tag("x")', { column: 19, hint: /use \|/ })
    fails('not Tag("x")', { column: 1, hint: /use ~/ })
    fails('Other("x") is None', { column: 12, hint: /use ==/ })
    fails('Other("x") is not None', { column: 12, hint: /use ==/ })
    fails('"a" in Other("x")', { column: 5, hint: /contains/ })
    fails('Metric("acc") > 1 && Tag("x")', { column: 19, hint: /single &/ })
    fails('Metric("acc") > 1 || Tag("x")', { column: 19, hint: /single \|/ })
    fails('!Tag("x")', { column: 1, hint: /~/ })
    fails('Metric("acc") = 1', { column: 15, hint: /==/ })
    fails('Metric("acc") === 1', { column: 15, hint: /==/ })
    fails('Metric("acc") > true', { column: 17, hint: /True/ })
    fails('Other("x") == null', { hint: /None/ })
  })

  it("rejects variables that are not compared, and queries that are", () => {
    fails('Metric("acc")', { reason: "syntax", column: 1, detail: /alone is not a query/ })
    fails('Metric("acc") & Tag("x")', { column: 1, detail: /alone is not a query/ })
    fails('Tag("x") & 3', { column: 12, detail: /not a query/ })
    fails('Tag("x") == 1', { column: 10, detail: /cannot compare a query/, hint: /parentheses/ })
    fails('(Metric("a") > 1) == True', { detail: /cannot compare a query/ })
    fails('Metric("a") < Metric("b")', { reason: "unsupported", detail: /two variables/ })
    fails("1 < 2", { reason: "syntax", detail: /query variable/ })
    fails('0 < Metric("a") < 1', { reason: "unsupported", column: 17, hint: /between/ })
    fails('Metric("a") < None', { reason: "type-mismatch", hint: /== None/ })
    fails('Metric("a") > True', { reason: "type-mismatch", hint: /== True/ })
    fails('~3 < Metric("a")', { reason: "unsupported", hint: /-/ })
    fails('~Metric("a")', { detail: /alone is not a query/ })
    fails("3", { detail: /not a query/ })
    fails('"abc"', { detail: /not a query/ })
    fails("Metric == 1", { detail: /call Metric/ })
    fails('Metric("a").contains == 1', { detail: /call/ })
  })

  it("rejects unknown names and methods with suggestions", () => {
    fails("loss < .1", { column: 1, detail: /unknown name 'loss'/, hint: /inline Python variables/ })
    fails('metric("a") > 1', { hint: /did you mean Metric/ })
    fails('Metric("a").startsWith("x")', { column: 13, hint: /startswith/ })
    fails('Metric("a").like("x")', { hint: /between\(\), contains\(\)/ })
    fails('Metric("a").between("1", 2)', { reason: "type-mismatch", column: 21 })
    fails('Metric("a").between(1)', { reason: "syntax", detail: /missing the argument 'high'/ })
    fails('Other("a").contains(3)', { reason: "type-mismatch", column: 21 })
    fails('Other("a").contains(rhs="x", x=1)', { reason: "syntax", detail: /no argument named 'x'/ })
    fails('Tag("x").name', { detail: /no attribute/ })
    fails('Tag("x")("y")', { detail: /not callable/ })
    fails('Metric("a")[0] > 1', { hint: /subscripts/ })
    fails("Tag(1)", { reason: "type-mismatch" })
  })

  it("reports unbalanced parentheses and early ends", () => {
    fails('(Metric("a") > 1', { column: 1, detail: /never closed/ })
    fails('Tag("x"', { column: 4, detail: /never closed/ })
    fails('Metric("a") > 1)', { column: 16, hint: /unmatched/ })
    fails('Metric("a") >', { column: 14, detail: /ended/ })
    fails("()", { detail: /empty parentheses/ })
    fails("", { detail: /empty/ })
    fails("   # only a comment", { detail: /empty/ })
    fails('Tag("a") Tag("b")', { column: 10, hint: /combine queries/ })
    fails('Tag("a"), Tag("b")', { hint: /tuples/ })
    fails('(Tag("a"), Tag("b"))', { hint: /tuples/ })
  })

  it("reports lines and columns across lines", () => {
    fails('(Metric("a") > 1)\n  & Parameter("b") < 2\n  and Tag("c")', { line: 3, column: 3, hint: /use &/ })
    fails('Tag("a") &\n\n    Other("x") is None', { line: 3, column: 16 })
  })

  it("its errors are QueryErrors with a readable message", () => {
    const e = fails('Metric("acc") > 1 and Tag("x")', {})
    assert.include(e.message, "line 1, column 19")
    assert.include(e.message, "Hint:")
  })
})

describe("parse: limits", () => {
  it("bounds the input length", () => {
    const long = `Tag("${"x".repeat(70_000)}")`
    fails(long, { reason: "too-long", line: null, column: null })
    assert.isTrue(Either.isRight(parse(long, { maxLength: 100_000 })))
  })

  it("bounds the nesting depth", () => {
    const nested = (n: number) => `${"(".repeat(n)}Tag("x")${")".repeat(n)}`
    assert.isTrue(Either.isRight(parse(nested(150))))
    fails(nested(250), { reason: "too-deep", line: 1 })
    assert.isTrue(Either.isLeft(parse(nested(50), { maxDepth: 20 })))
    fails(`${"~".repeat(1000)}Tag("x")`, { reason: "too-deep" })
    fails(`Metric("x") > ${"-".repeat(1000)}1`, { reason: "too-deep" })
    fails(`Metric("x") > ${"float(".repeat(300)}1${")".repeat(300)}`, { reason: "too-deep" })
  })

  it("reads long flat chains without recursion", () => {
    const chain = Array.from({ length: 2000 }, (_, i) => `Tag("t${i}")`).join(" & ")
    const q = parse(chain)
    assert.isTrue(Either.isRight(q))
    if (Either.isRight(q) && q.right._tag === "And") assert.strictEqual(q.right.operands.length, 2000)
  })
})

describe("parseOrThrow", () => {
  it("returns the query parse returns", () => {
    const text = '(Metric("loss") < .1) | Tag("best")'
    assert.isTrue(Equal.equals(parseOrThrow(text), ok(text)))
  })

  it("throws the typed QueryError itself, with line, column and hint", () => {
    let thrown: unknown
    try {
      parseOrThrow('Metric("loss") < 0.1\nand Tag("best")')
    } catch (e) {
      thrown = e
    }
    assert.instanceOf(thrown, QueryError)
    const e = thrown as QueryError
    assert.strictEqual(e._tag, "QueryError")
    assert.strictEqual(e.reason, "syntax")
    assert.strictEqual(e.line, 2)
    assert.include(e.hint ?? "", "&")
  })

  it("passes the limits on", () => {
    let thrown: unknown
    try {
      parseOrThrow('Tag("x")', { maxLength: 3 })
    } catch (e) {
      thrown = e
    }
    assert.instanceOf(thrown, QueryError)
    assert.strictEqual((thrown as QueryError).reason, "too-long")
  })
})

describe("QueryFromString", () => {
  it("decodes the text form and encodes back", () => {
    const q = Schema.decodeUnknownSync(QueryFromString)('Metric("a") > 1 & Tag("b")')
    assert.isTrue(Equal.equals(q, and(Metric("a").gt(1), Tag("b"))))
    assert.strictEqual(Schema.encodeSync(QueryFromString)(q), '(Metric("a") > 1) & Tag("b")')
    const bad = Schema.decodeUnknownEither(QueryFromString)("Metric(")
    assert.isTrue(Either.isLeft(bad))
    if (Either.isLeft(bad)) assert.include(bad.left.message, "never closed")
  })
})
