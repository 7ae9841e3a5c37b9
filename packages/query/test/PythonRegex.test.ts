import { readFileSync } from "node:fs"
import { InvalidArgument } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { type PythonRegex, pythonRegex } from "../src/index.js"
import { translate } from "../src/internal/pyre.js"

const ok = (pattern: string): PythonRegex => {
  const r = pythonRegex(pattern)
  if (Either.isLeft(r)) return assert.fail(`${JSON.stringify(pattern)}: ${r.left.message}`)
  return r.right
}

const refused = (pattern: string, reason: RegExp): InvalidArgument => {
  const r = pythonRegex(pattern)
  if (Either.isRight(r)) return assert.fail(`${JSON.stringify(pattern)} was accepted as /${r.right.source}/`)
  assert.instanceOf(r.left, InvalidArgument)
  assert.strictEqual(r.left.argument, "pattern")
  assert.strictEqual(r.left.value, pattern)
  assert.match(r.left.reason, reason)
  return r.left
}

describe("pythonRegex: the issue's patterns", () => {
  it("(?P<start>kee) is a named group, matched like re.match (at the start)", () => {
    const re = ok("(?P<start>kee)")
    assert.isTrue(re.match("keen"))
    assert.isFalse(re.match("xkeen"), "re.match anchors at the start")
    assert.isTrue(re.search("xkeen"))
    assert.isFalse(re.fullmatch("keen"))
    assert.isTrue(re.fullmatch("kee"))
    assert.strictEqual(re.source, "(?<start>kee)")
  })

  it("(?i)KEEN is a global inline flag", () => {
    const re = ok("(?i)KEEN")
    assert.strictEqual(re.flags, "iu")
    assert.isTrue(re.match("keen"))
    assert.isTrue(re.match("Keenly"))
    assert.isFalse(re.match("kee"))
  })

  it("(?P=n) refers to the named group", () => {
    const re = ok("(?P<n>ab)-(?P=n)")
    assert.isTrue(re.match("ab-ab"))
    assert.isFalse(re.match("ab-ba"))
  })

  it("inline flags anywhere but the start are Python's error", () => {
    refused("a(?i)b", /global flags not at the start of the expression at position 1/)
  })
})

describe("pythonRegex: Python's meanings, not JavaScript's", () => {
  it("$ also matches before a final newline; \\Z only at the end", () => {
    assert.isTrue(ok("a$").match("a\n"))
    assert.isFalse(ok("a\\Z").match("a\n"))
    assert.isFalse(ok("a$").match("a\nb"))
    assert.isTrue(ok("(?m)a$").match("a\nb"))
  })

  it(". is anything but \\n (also \\r and U+2028, unlike JavaScript); (?s) adds \\n", () => {
    assert.isTrue(ok("a.b").match("a\rb"))
    assert.isTrue(ok("a.b").match("a\u2028b"))
    assert.isFalse(ok("a.b").match("a\nb"))
    assert.isTrue(ok("(?s)a.b").match("a\nb"))
    assert.isTrue(ok("a.b").match("a😀b"), "a code point, not a UTF-16 unit")
  })

  it("\\d, \\w and \\b are Unicode-aware; (?a) makes them ASCII", () => {
    assert.isTrue(ok("\\d+$").match("١٢٣"))
    assert.isFalse(ok("(?a)\\d").match("١"))
    assert.isTrue(ok("\\w+$").match("é_1"))
    assert.isFalse(ok("(?a)\\w").match("é"))
    assert.isTrue(ok("\\bé").search("x é"))
    assert.isFalse(ok("\\bé").search("xé"))
  })

  it("\\s is str.isspace(): \\x1c–\\x1f and \\x85 yes, U+FEFF no", () => {
    const s = ok("\\s")
    assert.isTrue(s.match("\x1c"))
    assert.isTrue(s.match("\x85"))
    assert.isFalse(s.match("\ufeff"))
    assert.isTrue(ok("\\S").match("\ufeff"))
  })

  it("a { that is not a quantifier is a literal; {,n} is {0,n}", () => {
    assert.isTrue(ok("x{").match("x{"))
    assert.isTrue(ok("x{a}").match("x{a}"))
    assert.isTrue(ok("x{,2}y").match("xxy"))
    assert.isTrue(ok("x{,2}y").match("y"))
    assert.isFalse(ok("x{,2}y").match("xxxy"))
  })

  it("] first in a set is a literal; octal and \\U escapes", () => {
    assert.isTrue(ok("[]a]").match("]"))
    assert.isTrue(ok("[^]a]").match("b"))
    assert.isFalse(ok("[^]a]").match("]"))
    assert.isTrue(ok("\\101").match("A"))
    assert.isTrue(ok("\\U0001F600").match("😀"))
  })

  it("verbose mode skips whitespace and comments outside sets", () => {
    const re = ok("(?x) k e e  # the start\n n")
    assert.isTrue(re.match("keen"))
    assert.isTrue(ok("(?x)a[ ]b").match("a b"))
    assert.isTrue(ok("(?x)a\\ b").match("a b"))
  })

  it("atomic groups and possessive quantifiers do not give back", () => {
    assert.isFalse(ok("(?>a+)a").match("aaa"))
    assert.isFalse(ok("a++a").match("aaa"))
    assert.isTrue(ok("a+a").match("aaa"))
  })

  it("(?ai) folds only ASCII letters", () => {
    assert.isTrue(ok("(?ai)k").match("K"))
    assert.isFalse(ok("(?ai)k").match("\u212a"), "KELVIN SIGN folds to k only under Unicode rules")
    assert.isTrue(ok("(?i)k").match("\u212a"))
  })

  it("\\B never matches in an empty text", () => {
    assert.isFalse(ok("\\B").match(""))
    assert.isTrue(ok("\\B").match(" "))
  })

  it("scoped (?s:…), (?m:…), (?x:…) apply to their group only", () => {
    assert.isTrue(ok("(?s:a.)b").match("a\nb"))
    assert.isFalse(ok("(?s:a).b").match("a\nb"))
    assert.isTrue(ok("(?x:a b)c").match("abc"))
    assert.isFalse(ok("(?x:a b)c d").match("abcd"))
    assert.isTrue(ok("(?x:a b)c d").match("abc d"))
  })
})

describe("pythonRegex: refusals", () => {
  it("Python's own errors, with Python's message and position", () => {
    refused("\\q", /^not a valid Python regular expression: bad escape \\q at position 0$/)
    refused("[z-a]", /bad character range z-a at position 1/)
    refused("(?P<1a>x)", /bad character in group name '1a' at position 4/)
    refused("(?P=nope)", /unknown group name 'nope' at position 4/)
    refused("*a", /nothing to repeat at position 0/)
    refused("a**", /multiple repeat at position 2/)
    refused("(", /missing \), unterminated subpattern at position 0/)
    refused(")", /unbalanced parenthesis at position 0/)
    refused("(?<=a|bc)d", /look-behind requires fixed-width pattern/)
    refused("(?L)a", /cannot use 'L' flag with a str pattern/)
    refused("a{3,2}", /min repeat greater than max repeat at position 2/)
    refused("\\x4", /incomplete escape \\x4 at position 0/)
    refused("(?P<a>x)(?P<a>y)", /redefinition of group name 'a' as group 2; was group 1/)
  })

  it("constructs JavaScript cannot express, named", () => {
    refused(
      "(a)(?(1)b|c)",
      /^valid in Python, but JavaScript cannot express it: a conditional group \(\?\(group\)yes\|no\)/
    )
    refused("\\N{EM DASH}", /named character \\N\{…\}/)
    refused("(a)?\\1", /backreference to group 1 may run when the group did not take part/)
    refused("(a)|b\\1", /backreference to group 1/)
    refused("(?ai)(a)\\1", /backreference under ASCII-only case-insensitive matching/)
    refused("(?>(?:a*?)?)", /atomic group or possessive quantifier over a repetition/)
  })

  it("scoped case-insensitivity needs regexp modifiers, used when the engine has them", () => {
    const withModifiers = translate("(?i:a)b", { modifiers: true })
    assert.strictEqual(withModifiers.source, "(?i:a)b")
    assert.strictEqual(withModifiers.flags, "u")
    assert.strictEqual(translate("(?i)(?-i:a)b", { modifiers: true }).source, "(?-i:a)b")
    const r = pythonRegex("(?i:a)b", { modifiers: false })
    assert.isTrue(Either.isLeft(r))
    if (Either.isLeft(r)) assert.match(r.left.reason, /scoped flag group \(\?i:a\)… turns case-insensitive matching on/)
    // A scope without letters needs no modifiers.
    assert.isTrue(Either.isRight(pythonRegex("(?i)(?-i:\\A)a", { modifiers: false })))
  })

  it("names the argument it was given", () => {
    const r = pythonRegex("(", { argument: "experimentPattern" })
    assert.isTrue(Either.isLeft(r) && r.left.argument === "experimentPattern")
  })

  it("never throws on arbitrary input (a value or an InvalidArgument)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (p) => {
        const r = pythonRegex(p)
        if (Either.isLeft(r)) return r.left instanceof InvalidArgument
        return typeof r.right.match("abc") === "boolean"
      }),
      { numRuns: 3000 }
    )
  })
})

interface Fixture {
  readonly python: string
  readonly texts: ReadonlyArray<string>
  readonly cases: ReadonlyArray<{
    readonly pattern: string
    readonly error?: string
    readonly match?: string
    readonly search?: string
    readonly fullmatch?: string
  }>
}

describe("pythonRegex against Python 3.11's re (fixtures/python-re.json, made by python-re.py)", () => {
  const fixture: Fixture = JSON.parse(readFileSync(new URL("./fixtures/python-re.json", import.meta.url), "utf8"))

  it("agrees with re.match, re.search and re.fullmatch on every pattern it accepts", () => {
    let compared = 0
    const differences: Array<string> = []
    for (const c of fixture.cases) {
      if (c.error !== undefined) continue
      const r = pythonRegex(c.pattern)
      if (Either.isLeft(r)) {
        // Only constructs JavaScript cannot express may be refused, never valid ones silently.
        assert.match(r.left.reason, /^valid in Python, but JavaScript cannot express it/, c.pattern)
        continue
      }
      compared++
      for (const kind of ["match", "search", "fullmatch"] as const) {
        fixture.texts.forEach((text, i) => {
          const expected = c[kind]?.[i] === "1"
          if (r.right[kind](text) !== expected)
            differences.push(`${kind}(${JSON.stringify(c.pattern)}, ${JSON.stringify(text)}) should be ${expected}`)
        })
      }
    }
    assert.deepStrictEqual(differences, [])
    assert.isAbove(compared, 400, "most fixture patterns are compared")
  })

  it("refuses every pattern Python refuses (except \\z, which Python 3.14 accepts)", () => {
    const accepted = fixture.cases
      .filter((c) => c.error !== undefined && c.pattern !== "\\z")
      .filter((c) => Either.isRight(pythonRegex(c.pattern)))
      .map((c) => c.pattern)
    assert.deepStrictEqual(accepted, [])
  })
})
