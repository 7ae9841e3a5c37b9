/**
 * Python `re` patterns (str patterns, as Python 3.11's `re/_parser.py` reads them) → JavaScript
 * `RegExp` source with the `u` flag, matching the same strings. The parser follows CPython's
 * grammar and error messages; the emitter spells each construct the way JavaScript needs it:
 *
 * - `(?P<n>…)` → a capturing group, `(?P=n)` and `\N` → a backreference to the same group;
 * - global flags at the start (`(?aimsux)`): `i` → the `i` flag, `m`/`s`/`a`/`x` rewrite `^ $ .`,
 *   the classes `\d \s \w` and `\b`, and skip whitespace; scoped flags `(?s:…)`, `(?m:…)`,
 *   `(?x:…)`, `(?a:…)` are rewritten in place, `(?i:…)`/`(?-i:…)` need regexp modifiers (used when
 *   the JavaScript engine has them);
 * - `$` → "end, or before a final newline", `\Z` → end, `.` → "not `\n`" — Python's meanings;
 * - `\d \s \w \b` → Python's Unicode classes (`\p{Nd}`, `str.isspace()`, `[\p{L}\p{N}_]`);
 * - atomic groups and possessive quantifiers → `(?=(…))\k` (lookahead, capture, backreference);
 * - `{,n}` → `{0,n}`; a `{` that is not a quantifier → a literal `{`; `[]…]` → a literal `]`.
 *
 * What JavaScript cannot express is refused, naming the construct: conditional groups
 * `(?(1)…|…)`, `\N{name}` named characters, a backreference to a group that may not take part
 * in the match (Python then fails, JavaScript matches ""), case-insensitive backreferences
 * under `(?ai)`, scoped case-insensitivity without regexp modifiers. What Python refuses is
 * refused with Python's message (bad escapes, variable-width look-behind, …).
 *
 * @internal
 */

/** How letters compare: exactly, with Unicode simple case folding, or with ASCII-only folding. */
type CaseMode = "none" | "unicode" | "ascii"

interface Flags {
  readonly i: boolean
  readonly m: boolean
  readonly s: boolean
  readonly x: boolean
  readonly a: boolean
}

type Category = "d" | "D" | "s" | "S" | "w" | "W"

type SetItem =
  | { readonly t: "range"; readonly lo: number; readonly hi: number }
  | { readonly t: "cat"; readonly cat: Category }

interface Alt {
  readonly t: "alt"
  readonly branches: ReadonlyArray<ReadonlyArray<Node>>
}

type Node =
  | { readonly t: "char"; readonly cp: number; readonly ci: CaseMode }
  | {
      readonly t: "set"
      readonly negated: boolean
      readonly items: ReadonlyArray<SetItem>
      readonly ci: CaseMode
      readonly ascii: boolean
    }
  | { readonly t: "any"; readonly dotall: boolean }
  | {
      readonly t: "at"
      readonly kind: "bol" | "eol" | "start" | "end" | "boundary" | "nonboundary"
      readonly multiline: boolean
      readonly ascii: boolean
    }
  | { readonly t: "group"; readonly index: number; readonly name: string | null; readonly body: Alt }
  | { readonly t: "scope"; readonly ci: CaseMode; readonly body: Alt; readonly at: number; readonly text: string }
  | { readonly t: "atomic"; readonly body: Alt }
  | { readonly t: "look"; readonly behind: boolean; readonly negative: boolean; readonly body: Alt }
  | {
      readonly t: "repeat"
      readonly min: number
      readonly max: number
      readonly mode: "greedy" | "lazy" | "possessive"
      readonly item: Node
    }
  | { readonly t: "ref"; readonly group: number; readonly ci: CaseMode; readonly at: number }

/** A pattern Python or JavaScript cannot take, with the reason (Python's wording where Python refuses it). */
export class PatternFailure {
  constructor(
    readonly reason: string,
    /** `python`: Python refuses the pattern too; `javascript`: valid Python that JavaScript cannot express. */
    readonly kind: "python" | "javascript" = "python"
  ) {}
}

/** The result of a translation: the JavaScript source and flags (always with `u`). */
export interface Translated {
  readonly source: string
  readonly flags: string
  /** Python group number → JavaScript group number (they differ after atomic groups). */
  readonly groups: ReadonlyArray<number>
}

const MAXREPEAT = 4294967295
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c])
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39
const isOctal = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x37
const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
const isAsciiLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
const ch = (c: string) => c.codePointAt(0) as number
const identifier = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u
const jsIdentifier = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u

/** Python's `str.isspace()` characters (what `\s` matches in a str pattern). */
const UNICODE_SPACE: ReadonlyArray<readonly [number, number]> = [
  [0x09, 0x0d],
  [0x1c, 0x20],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000]
]
const ASCII_SPACE: ReadonlyArray<readonly [number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20]
]
const ASCII_DIGIT: ReadonlyArray<readonly [number, number]> = [[0x30, 0x39]]
const ASCII_WORD: ReadonlyArray<readonly [number, number]> = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a]
]

const complement = (ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  let next = 0
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1])
    next = Math.max(next, hi + 1)
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff])
  return out
}

/** Does this JavaScript engine have regexp modifiers (`(?i:…)`, ES2025)? */
const MODIFIER_PROBE = "(?i:a)"
export const engineHasModifiers: boolean = (() => {
  try {
    // Built from a string: a regexp literal with modifiers is a syntax error where they are missing.
    return new RegExp(MODIFIER_PROBE, "u").test("A")
  } catch {
    return false
  }
})()

class Parser {
  #pos = 0
  #groups = 0
  readonly #names = new Map<string, number>()
  readonly #open = new Set<number>()
  readonly #widths: Array<readonly [number, number] | undefined> = [undefined]
  #lookbehindGroups: number | null = null
  #globalUnicode = false
  globals: Flags = { i: false, m: false, s: false, x: false, a: false }

  readonly #cps: ReadonlyArray<number>

  constructor(cps: ReadonlyArray<number>) {
    this.#cps = cps
  }

  #fail(reason: string, at = this.#pos, kind: "python" | "javascript" = "python"): never {
    throw new PatternFailure(`${reason} at position ${at}`, kind)
  }

  get #next(): number | undefined {
    return this.#cps[this.#pos]
  }

  #take(): number | undefined {
    const c = this.#cps[this.#pos]
    if (c !== undefined) this.#pos++
    return c
  }

  #eat(c: string): boolean {
    if (this.#cps[this.#pos] === ch(c)) {
      this.#pos++
      return true
    }
    return false
  }

  #text(from: number, to = this.#pos): string {
    return String.fromCodePoint(...this.#cps.slice(from, to))
  }

  groupCount(): number {
    return this.#groups
  }

  parsePattern(): Alt {
    const alt = this.#parseAlt(this.globals, 0)
    if (this.#next !== undefined) this.#fail("unbalanced parenthesis")
    return alt
  }

  #parseAlt(flags: Flags, nested: number): Alt {
    const branches: Array<Array<Node>> = []
    let f = flags
    while (true) {
      const first = nested === 0 && branches.length === 0
      const seq = this.#parseSeq(f, nested, first)
      branches.push(seq.nodes)
      f = seq.flags
      if (!this.#eat("|")) break
    }
    return { t: "alt", branches }
  }

  #caseMode(f: Flags): CaseMode {
    return f.i ? (f.a ? "ascii" : "unicode") : "none"
  }

  #parseSeq(initial: Flags, nested: number, first: boolean): { nodes: Array<Node>; flags: Flags } {
    const nodes: Array<Node> = []
    let flags = initial
    while (true) {
      const c = this.#next
      if (c === undefined || c === ch("|") || c === ch(")")) break
      const start = this.#pos
      this.#pos++
      if (flags.x) {
        if (WHITESPACE.has(c)) continue
        if (c === ch("#")) {
          while (this.#next !== undefined && this.#take() !== 0x0a) {}
          continue
        }
      }
      if (c === ch("\\")) {
        nodes.push(this.#escape(flags, start))
      } else if (c === ch("[")) {
        nodes.push(this.#parseSet(flags, start))
      } else if (c === ch("*") || c === ch("+") || c === ch("?") || c === ch("{")) {
        let min: number
        let max: number
        if (c === ch("?")) [min, max] = [0, 1]
        else if (c === ch("*")) [min, max] = [0, MAXREPEAT]
        else if (c === ch("+")) [min, max] = [1, MAXREPEAT]
        else {
          if (this.#next === ch("}")) {
            nodes.push({ t: "char", cp: c, ci: this.#caseMode(flags) })
            continue
          }
          const here = this.#pos
          let lo = ""
          let hi = ""
          while (isDigit(this.#next)) lo += String.fromCodePoint(this.#take() as number)
          if (this.#eat(",")) {
            while (isDigit(this.#next)) hi += String.fromCodePoint(this.#take() as number)
          } else hi = lo
          if (!this.#eat("}")) {
            nodes.push({ t: "char", cp: c, ci: this.#caseMode(flags) })
            this.#pos = here
            continue
          }
          min = 0
          max = MAXREPEAT
          if (lo !== "") {
            min = Number(lo)
            if (min >= MAXREPEAT) this.#fail("the repetition number is too large", start)
          }
          if (hi !== "") {
            max = Number(hi)
            if (max >= MAXREPEAT) this.#fail("the repetition number is too large", start)
            if (max < min) this.#fail("min repeat greater than max repeat", start + 1)
          }
        }
        const last = nodes[nodes.length - 1]
        if (last === undefined || last.t === "at") this.#fail("nothing to repeat", start)
        if (last.t === "repeat") this.#fail("multiple repeat", start)
        const mode = this.#eat("?") ? "lazy" : this.#eat("+") ? "possessive" : "greedy"
        const node: Node = { t: "repeat", min, max, mode, item: last }
        if (mode === "possessive") this.#checkCommitted(node, start)
        nodes[nodes.length - 1] = node
      } else if (c === ch(".")) {
        nodes.push({ t: "any", dotall: flags.s })
      } else if (c === ch("^")) {
        nodes.push({ t: "at", kind: "bol", multiline: flags.m, ascii: flags.a })
      } else if (c === ch("$")) {
        nodes.push({ t: "at", kind: "eol", multiline: flags.m, ascii: flags.a })
      } else if (c === ch("(")) {
        const parsed = this.#parseGroup(flags, nested, first && nodes.length === 0, start)
        if (parsed === "comment") continue
        if ("globals" in parsed) {
          flags = parsed.globals
          continue
        }
        nodes.push(parsed)
      } else {
        nodes.push({ t: "char", cp: c, ci: this.#caseMode(flags) })
      }
    }
    return { nodes, flags }
  }

  #parseGroup(
    flags: Flags,
    nested: number,
    first: boolean,
    start: number
  ): Node | "comment" | { readonly globals: Flags } {
    let capture = true
    let name: string | null = null
    let scoped: Flags | null = null
    let atomic = false
    if (this.#eat("?")) {
      const c = this.#take()
      if (c === undefined) this.#fail("unexpected end of pattern")
      if (c === ch("P")) {
        if (this.#eat("<")) {
          name = this.#groupName(">")
        } else if (this.#eat("=")) {
          const ref = this.#groupName(")")
          const gid = this.#names.get(ref)
          if (gid === undefined) this.#fail(`unknown group name '${ref}'`, this.#pos - ref.length - 1)
          return this.#reference(gid, flags, start)
        } else {
          const d = this.#take()
          if (d === undefined) this.#fail("unexpected end of pattern")
          this.#fail(`unknown extension ?P${String.fromCodePoint(d)}`, this.#pos - 3)
        }
      } else if (c === ch(":")) {
        capture = false
      } else if (c === ch("#")) {
        while (true) {
          if (this.#next === undefined) this.#fail("missing ), unterminated comment", start)
          if (this.#take() === ch(")")) break
        }
        return "comment"
      } else if (c === ch("=") || c === ch("!") || c === ch("<")) {
        let negative = c === ch("!")
        let behind = false
        if (c === ch("<")) {
          const d = this.#take()
          if (d === undefined) this.#fail("unexpected end of pattern")
          if (d !== ch("=") && d !== ch("!"))
            this.#fail(`unknown extension ?<${String.fromCodePoint(d)}`, this.#pos - 3)
          negative = d === ch("!")
          behind = true
        }
        const outer = this.#lookbehindGroups
        if (behind && outer === null) this.#lookbehindGroups = this.#groups
        const body = this.#parseAlt(flags, nested + 1)
        if (behind && outer === null) this.#lookbehindGroups = null
        if (!this.#eat(")")) this.#fail("missing ), unterminated subpattern", start)
        if (behind) {
          const [lo, hi] = this.#width(body)
          if (lo !== hi) this.#fail("look-behind requires fixed-width pattern", start)
        }
        return { t: "look", behind, negative, body }
      } else if (c === ch("(")) {
        this.#fail(
          "a conditional group (?(group)yes|no) has no JavaScript equivalent; match the two cases with two patterns",
          start,
          "javascript"
        )
      } else if (c === ch(">")) {
        capture = false
        atomic = true
      } else if ("aiLmsuxt-".includes(String.fromCodePoint(c))) {
        const parsed = this.#parseFlags(flags, c, start)
        if (parsed === null) {
          if (!first) this.#fail("global flags not at the start of the expression", start)
          return { globals: this.globals }
        }
        scoped = parsed
        capture = false
      } else {
        this.#fail(`unknown extension ?${String.fromCodePoint(c)}`, this.#pos - 2)
      }
    }
    let index = 0
    if (capture) {
      index = ++this.#groups
      if (name !== null) {
        const was = this.#names.get(name)
        if (was !== undefined) {
          this.#fail(`redefinition of group name '${name}' as group ${index}; was group ${was}`, start + 4)
        }
        this.#names.set(name, index)
      }
      this.#open.add(index)
    }
    const inner = scoped ?? flags
    const body = this.#parseAlt(inner, nested + 1)
    if (!this.#eat(")")) this.#fail("missing ), unterminated subpattern", start)
    if (capture) {
      this.#open.delete(index)
      this.#widths[index] = this.#width(body)
      return { t: "group", index, name, body }
    }
    if (atomic) {
      for (const branch of body.branches) for (const n of branch) this.#checkCommitted(n, start)
      return { t: "atomic", body }
    }
    if (scoped !== null) {
      return { t: "scope", ci: this.#caseMode(scoped), body, at: start, text: this.#text(start, this.#pos) }
    }
    return { t: "scope", ci: this.#caseMode(flags), body, at: start, text: "" }
  }

  /** Python's `_parse_flags`: `null` for global flags `(?…)`, else the flags inside `(?…:…)`. */
  #parseFlags(flags: Flags, firstChar: number, start: number): Flags | null {
    const add = new Set<string>()
    const del = new Set<string>()
    let c: number | undefined = firstChar
    const flagChars = "aiLmsuxt"
    if (c !== ch("-")) {
      while (true) {
        const f = String.fromCodePoint(c)
        if (f === "L") this.#fail("bad inline flags: cannot use 'L' flag with a str pattern")
        add.add(f)
        if ((add.has("a") && add.has("u")) || (add.has("a") && add.has("L")) || (add.has("u") && add.has("L"))) {
          this.#fail("bad inline flags: flags 'a', 'u' and 'L' are incompatible")
        }
        c = this.#take()
        if (c === undefined) this.#fail("missing -, : or )")
        if (c === ch(")") || c === ch("-") || c === ch(":")) break
        if (!flagChars.includes(String.fromCodePoint(c))) {
          this.#fail(/\p{L}/u.test(String.fromCodePoint(c)) ? "unknown flag" : "missing -, : or )", this.#pos - 1)
        }
      }
    }
    if (c === ch(")")) {
      if (add.has("t")) {
        this.#fail("the TEMPLATE flag (?t) is deprecated and has no JavaScript equivalent", start, "javascript")
      }
      const g = this.globals
      this.globals = {
        i: g.i || add.has("i"),
        m: g.m || add.has("m"),
        s: g.s || add.has("s"),
        x: g.x || add.has("x"),
        a: g.a || add.has("a")
      }
      if (add.has("u")) this.#globalUnicode = true
      if (this.globals.a && this.#globalUnicode) this.#fail("ASCII and UNICODE flags are incompatible", start)
      return null
    }
    if (add.has("t")) this.#fail("bad inline flags: cannot turn on global flag", this.#pos - 1)
    if (c === ch("-")) {
      c = this.#take()
      if (c === undefined) this.#fail("missing flag")
      if (!flagChars.includes(String.fromCodePoint(c))) {
        this.#fail(/\p{L}/u.test(String.fromCodePoint(c)) ? "unknown flag" : "missing flag", this.#pos - 1)
      }
      while (true) {
        const f = String.fromCodePoint(c)
        if (f === "a" || f === "u" || f === "L") this.#fail("bad inline flags: cannot turn off flags 'a', 'u' and 'L'")
        del.add(f)
        c = this.#take()
        if (c === undefined) this.#fail("missing :")
        if (c === ch(":")) break
        if (!flagChars.includes(String.fromCodePoint(c))) {
          this.#fail(/\p{L}/u.test(String.fromCodePoint(c)) ? "unknown flag" : "missing :", this.#pos - 1)
        }
      }
    }
    if (del.has("t")) this.#fail("bad inline flags: cannot turn off global flag", this.#pos - 1)
    for (const f of add) if (del.has(f)) this.#fail("bad inline flags: flag turned on and off", this.#pos - 1)
    const pick = (f: "i" | "m" | "s" | "x" | "a") => (add.has(f) ? true : del.has(f) ? false : flags[f])
    return { i: pick("i"), m: pick("m"), s: pick("s"), x: pick("x"), a: add.has("u") ? false : pick("a") }
  }

  #groupName(terminator: string): string {
    const from = this.#pos
    while (true) {
      const c = this.#take()
      if (c === undefined) {
        if (this.#pos === from) this.#fail("missing group name")
        this.#fail(`missing ${terminator}, unterminated name`, from)
      }
      if (c === ch(terminator)) {
        if (this.#pos - 1 === from) this.#fail("missing group name", from)
        break
      }
    }
    const name = this.#text(from, this.#pos - 1)
    if (!identifier.test(name)) this.#fail(`bad character in group name '${name}'`, from)
    return name
  }

  #reference(group: number, flags: Flags, at: number): Node {
    if (this.#open.has(group)) this.#fail("cannot refer to an open group", at)
    if (this.#lookbehindGroups !== null && group >= this.#lookbehindGroups + 1) {
      this.#fail("cannot refer to group defined in the same lookbehind subpattern", this.#pos)
    }
    return { t: "ref", group, ci: this.#caseMode(flags), at }
  }

  #hex(count: number, start: number, letter: string): number {
    let s = ""
    while (s.length < count && isHex(this.#next)) s += String.fromCodePoint(this.#take() as number)
    if (s.length !== count) this.#fail(`incomplete escape \\${letter}${s}`, start)
    return Number.parseInt(s, 16)
  }

  /** An escape outside a set (Python's `_escape`). */
  #escape(flags: Flags, start: number): Node {
    const c = this.#take()
    if (c === undefined) this.#fail("bad escape (end of pattern)", start)
    const e = String.fromCodePoint(c)
    const ci = this.#caseMode(flags)
    const char = (cp: number): Node => ({ t: "char", cp, ci })
    switch (e) {
      case "A":
        return { t: "at", kind: "start", multiline: false, ascii: flags.a }
      case "Z":
      case "z":
        return { t: "at", kind: "end", multiline: false, ascii: flags.a }
      case "b":
        return { t: "at", kind: "boundary", multiline: false, ascii: flags.a }
      case "B":
        return { t: "at", kind: "nonboundary", multiline: false, ascii: flags.a }
      case "d":
      case "D":
      case "s":
      case "S":
      case "w":
      case "W":
        return { t: "set", negated: false, items: [{ t: "cat", cat: e }], ci, ascii: flags.a }
    }
    const simple = this.#simpleEscape(e, start)
    if (simple !== undefined) return char(simple)
    if (e === "0") {
      let s = "0"
      while (s.length < 3 && isOctal(this.#next)) s += String.fromCodePoint(this.#take() as number)
      return char(Number.parseInt(s, 8))
    }
    if (isDigit(c)) {
      let s = e
      if (isDigit(this.#next)) {
        s += String.fromCodePoint(this.#take() as number)
        if (isOctal(ch(s[0] as string)) && isOctal(ch(s[1] as string)) && isOctal(this.#next)) {
          s += String.fromCodePoint(this.#take() as number)
          const v = Number.parseInt(s, 8)
          if (v > 0o377) this.#fail(`octal escape value \\${s} outside of range 0-0o377`, start)
          return char(v)
        }
      }
      const group = Number(s)
      if (group <= this.#groups) return this.#reference(group, flags, start)
      return this.#fail(`invalid group reference ${group}`, start + 1)
    }
    if (isAsciiLetter(c)) this.#fail(`bad escape \\${e}`, start)
    return char(c)
  }

  /** `\a \f \n \r \t \v \\`, `\x`, `\u`, `\U`, `\N{…}`; `undefined` for the others. */
  #simpleEscape(e: string, start: number): number | undefined {
    switch (e) {
      case "a":
        return 0x07
      case "f":
        return 0x0c
      case "n":
        return 0x0a
      case "r":
        return 0x0d
      case "t":
        return 0x09
      case "v":
        return 0x0b
      case "\\":
        return 0x5c
      case "x":
        return this.#hex(2, start, "x")
      case "u":
        return this.#hex(4, start, "u")
      case "U": {
        const v = this.#hex(8, start, "U")
        if (v > 0x10ffff) this.#fail(`bad escape \\U${v.toString(16).padStart(8, "0")}`, start)
        return v
      }
      case "N":
        return this.#fail(
          "a named character \\N{…} needs Python's Unicode name table: write the character itself or \\uXXXX",
          start,
          "javascript"
        )
      default:
        return undefined
    }
  }

  /** An escape inside a set (Python's `_class_escape`): a code point or a category. */
  #classEscape(start: number): number | Category {
    const c = this.#take()
    if (c === undefined) this.#fail("unterminated character set", start)
    const e = String.fromCodePoint(c)
    if (e === "b") return 0x08
    if ("dDsSwW".includes(e)) return e as Category
    const simple = this.#simpleEscape(e, start)
    if (simple !== undefined) return simple
    if (isOctal(c)) {
      let s = e
      while (s.length < 3 && isOctal(this.#next)) s += String.fromCodePoint(this.#take() as number)
      const v = Number.parseInt(s, 8)
      if (v > 0o377) this.#fail(`octal escape value \\${s} outside of range 0-0o377`, start)
      return v
    }
    if (isDigit(c) || isAsciiLetter(c)) this.#fail(`bad escape \\${e}`, start)
    return c
  }

  #parseSet(flags: Flags, here: number): Node {
    const items: Array<SetItem> = []
    const negated = this.#eat("^")
    while (true) {
      const at = this.#pos
      const c = this.#take()
      if (c === undefined) this.#fail("unterminated character set", here)
      if (c === ch("]") && items.length > 0) break
      // Python: a "]" first in the set is a literal (items is still empty).
      const code1 = c === ch("\\") ? this.#classEscape(at) : c
      if (this.#eat("-")) {
        const at2 = this.#pos
        const that = this.#take()
        if (that === undefined) this.#fail("unterminated character set", here)
        if (that === ch("]")) {
          items.push(typeof code1 === "number" ? { t: "range", lo: code1, hi: code1 } : { t: "cat", cat: code1 })
          items.push({ t: "range", lo: 0x2d, hi: 0x2d })
          break
        }
        const code2 = that === ch("\\") ? this.#classEscape(at2) : that
        if (typeof code1 !== "number" || typeof code2 !== "number" || code2 < code1) {
          this.#fail(`bad character range ${this.#text(at, at2 - 1)}-${this.#text(at2)}`, at)
        }
        items.push({ t: "range", lo: code1, hi: code2 })
      } else {
        items.push(typeof code1 === "number" ? { t: "range", lo: code1, hi: code1 } : { t: "cat", cat: code1 })
      }
    }
    return { t: "set", negated, items, ci: this.#caseMode(flags), ascii: flags.a }
  }

  /**
   * An atomic group or a possessive quantifier keeps the first match its body finds. Python and
   * JavaScript find the same first match except where a repetition's item can match an empty
   * string (JavaScript rejects an empty iteration, Python's engine does not), so those are refused.
   */
  #checkCommitted(n: Node, at: number): void {
    const visit = (m: Node): void => {
      switch (m.t) {
        case "repeat":
          if (this.#nodeWidth(m.item)[0] === 0) {
            this.#fail(
              "an atomic group or possessive quantifier over a repetition of something that can match an empty string keeps a different first match in Python and in JavaScript",
              at,
              "javascript"
            )
          }
          visit(m.item)
          break
        case "group":
        case "scope":
        case "atomic":
        case "look":
          for (const b of m.body.branches) for (const x of b) visit(x)
          break
        default:
          break
      }
    }
    visit(n)
  }

  /** Python's `getwidth`: the fewest and most code points a node can match. */
  #width(alt: Alt): readonly [number, number] {
    let lo = Number.POSITIVE_INFINITY
    let hi = 0
    for (const branch of alt.branches) {
      let blo = 0
      let bhi = 0
      for (const n of branch) {
        const [a, b] = this.#nodeWidth(n)
        blo += a
        bhi += b
      }
      lo = Math.min(lo, blo)
      hi = Math.max(hi, bhi)
    }
    return [lo === Number.POSITIVE_INFINITY ? 0 : lo, hi]
  }

  #nodeWidth(n: Node): readonly [number, number] {
    switch (n.t) {
      case "char":
      case "set":
      case "any":
        return [1, 1]
      case "at":
      case "look":
        return [0, 0]
      case "group":
      case "scope":
      case "atomic":
        return this.#width(n.body)
      case "repeat": {
        const [a, b] = this.#nodeWidth(n.item)
        const max = n.max === MAXREPEAT ? Number.POSITIVE_INFINITY : n.max
        return [a * n.min, b === 0 ? 0 : b * max]
      }
      case "ref":
        return this.#widths[n.group] ?? [0, Number.POSITIVE_INFINITY]
    }
  }
}

// ---- emitting JavaScript ------------------------------------------------------------------

const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"].map(ch))
const CLASS_SYNTAX = new Set([..."\\]^-["].map(ch))

const hexEscape = (cp: number) => `\\u{${cp.toString(16)}}`

const printable = (cp: number) =>
  cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0xa0) && cp !== 0x2028 && cp !== 0x2029

const literal = (cp: number, inClass: boolean): string => {
  if ((inClass ? CLASS_SYNTAX : SYNTAX).has(cp)) return `\\${String.fromCodePoint(cp)}`
  if (cp === 0x20) return " "
  if (!printable(cp) || (cp >= 0xd800 && cp <= 0xdfff)) return hexEscape(cp)
  return String.fromCodePoint(cp)
}

const rangeText = (lo: number, hi: number) =>
  lo === hi ? literal(lo, true) : `${literal(lo, true)}-${literal(hi, true)}`

/** ASCII case counterparts of a range (for `(?ai)`, where only ASCII letters fold). */
const asciiFolds = (lo: number, hi: number): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  const a = Math.max(lo, 0x61)
  const b = Math.min(hi, 0x7a)
  if (a <= b) out.push([a - 32, b - 32])
  const c = Math.max(lo, 0x41)
  const d = Math.min(hi, 0x5a)
  if (c <= d) out.push([c + 32, d + 32])
  return out
}

const WORD_UNICODE = "\\p{L}\\p{N}_"

/** Whether case-insensitivity can change what a pattern part matches (it has characters, sets or references). */
const caseMatters = (a: Alt): boolean =>
  a.branches.some((b) =>
    b.some((n): boolean => {
      switch (n.t) {
        case "char":
        case "set":
        case "ref":
          return true
        case "group":
        case "scope":
        case "atomic":
        case "look":
          return caseMatters(n.body)
        case "repeat":
          return caseMatters({ t: "alt", branches: [[n.item]] })
        default:
          return false
      }
    })
  )

class Emitter {
  #jsGroups = 0
  readonly groupMap: Array<number> = [0]

  readonly #modifiers: boolean
  readonly #pythonGroups: number

  constructor(modifiers: boolean, pythonGroups: number) {
    this.#modifiers = modifiers
    this.#pythonGroups = pythonGroups
  }

  #fail(reason: string, at: number): never {
    throw new PatternFailure(`${reason} at position ${at}`, "javascript")
  }

  alt(a: Alt, ctxI: boolean): string {
    return a.branches.map((b) => b.map((n) => this.#node(n, ctxI)).join("")).join("|")
  }

  /** The text of a class member list, or `null` when a member is a complement JavaScript cannot nest. */
  #members(items: ReadonlyArray<SetItem>, ascii: boolean, fold: boolean): { inner: string; outer: Array<string> } {
    let inner = ""
    const outer: Array<string> = []
    const ranges = (rs: ReadonlyArray<readonly [number, number]>) => {
      for (const [lo, hi] of rs) {
        inner += rangeText(lo, hi)
        if (fold) for (const [a, b] of asciiFolds(lo, hi)) inner += rangeText(a, b)
      }
    }
    for (const it of items) {
      if (it.t === "range") {
        ranges([[it.lo, it.hi]])
        continue
      }
      switch (it.cat) {
        case "d":
          if (ascii) ranges(ASCII_DIGIT)
          else inner += "\\p{Nd}"
          break
        case "D":
          if (ascii) ranges(complement(ASCII_DIGIT))
          else inner += "\\P{Nd}"
          break
        case "s":
          ranges(ascii ? ASCII_SPACE : UNICODE_SPACE)
          break
        case "S":
          ranges(complement(ascii ? ASCII_SPACE : UNICODE_SPACE))
          break
        case "w":
          if (ascii) ranges(ASCII_WORD)
          else inner += WORD_UNICODE
          break
        case "W":
          if (ascii) ranges(complement(ASCII_WORD))
          else outer.push(`[^${WORD_UNICODE}]`)
          break
      }
    }
    return { inner, outer }
  }

  #set(n: Node & { t: "set" }): string {
    const fold = n.ci === "ascii"
    const { inner, outer } = this.#members(n.items, n.ascii, fold)
    if (outer.length === 0) return n.negated ? `[^${inner}]` : `[${inner}]`
    const parts = inner === "" ? outer : [`[${inner}]`, ...outer]
    const any = parts.length === 1 ? (parts[0] as string) : `(?:${parts.join("|")})`
    return n.negated ? `(?:(?!${any})[\\s\\S])` : any
  }

  #wordClass(ascii: boolean) {
    return ascii ? "[0-9A-Z_a-z]" : `[${WORD_UNICODE}]`
  }

  #node(n: Node, ctxI: boolean): string {
    switch (n.t) {
      case "char":
        if (n.ci === "ascii" && isAsciiLetter(n.cp)) {
          const lower = n.cp | 0x20
          return `[${String.fromCodePoint(lower - 32)}${String.fromCodePoint(lower)}]`
        }
        return literal(n.cp, false)
      case "set":
        return this.#set(n)
      case "any":
        return n.dotall ? "[\\s\\S]" : "[^\\n]"
      case "at": {
        switch (n.kind) {
          case "start":
            return "^"
          case "end":
            return "$"
          case "bol":
            return n.multiline ? "(?:^|(?<=\\n))" : "^"
          case "eol":
            return n.multiline ? "(?=\\n|$)" : "(?=\\n?$)"
          case "boundary": {
            const w = this.#wordClass(n.ascii)
            return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`
          }
          case "nonboundary": {
            // Python: never in an empty text.
            const w = this.#wordClass(n.ascii)
            return `(?!(?<![\\s\\S])(?![\\s\\S]))(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`
          }
        }
        return ""
      }
      case "group": {
        const js = ++this.#jsGroups
        this.groupMap[n.index] = js
        const label = n.name !== null && jsIdentifier.test(n.name) ? `?<${n.name}>` : ""
        return `(${label}${this.alt(n.body, ctxI)})`
      }
      case "scope": {
        const wantI = n.ci === "unicode"
        if (wantI === ctxI || !caseMatters(n.body)) return `(?:${this.alt(n.body, ctxI)})`
        if (!this.#modifiers) {
          this.#fail(
            n.ci === "ascii"
              ? `the scoped flag group ${n.text.slice(0, 12)}… folds only ASCII letters inside a case-insensitive pattern, which needs JavaScript regexp modifiers (ES2025; not in this runtime); write (?ai) at the start to fold only ASCII letters everywhere`
              : `the scoped flag group ${n.text.slice(0, 12)}… turns case-insensitive matching ${wantI ? "on" : "off"} for part of the pattern, which needs JavaScript regexp modifiers (ES2025; not in this runtime); put (?i) at the start of the pattern to make all of it case-insensitive`,
            n.at
          )
        }
        return `(?${wantI ? "i" : "-i"}:${this.alt(n.body, wantI)})`
      }
      case "atomic": {
        const js = ++this.#jsGroups
        const body = this.alt(n.body, ctxI)
        return `(?:(?=(${body}))\\${js})`
      }
      case "look":
        return `(?${n.behind ? "<" : ""}${n.negative ? "!" : "="}${this.alt(n.body, ctxI)})`
      case "repeat": {
        const quant =
          n.max === MAXREPEAT
            ? n.min === 0
              ? "*"
              : n.min === 1
                ? "+"
                : `{${n.min},}`
            : n.min === 0 && n.max === 1
              ? "?"
              : n.min === n.max
                ? `{${n.min}}`
                : `{${n.min},${n.max}}`
        if (n.mode === "possessive") {
          const js = ++this.#jsGroups
          const item = this.#atom(n.item, ctxI)
          return `(?:(?=(${item}${quant}))\\${js})`
        }
        return `${this.#atom(n.item, ctxI)}${quant}${n.mode === "lazy" ? "?" : ""}`
      }
      case "ref": {
        if (n.ci === "ascii") {
          this.#fail(
            "a backreference under ASCII-only case-insensitive matching ((?a) with (?i)) has no JavaScript equivalent",
            n.at
          )
        }
        if (n.group > this.#pythonGroups) this.#fail(`invalid group reference ${n.group}`, n.at)
        const js = this.groupMap[n.group]
        if (js === undefined) this.#fail(`invalid group reference ${n.group}`, n.at)
        return `(?:\\${js})`
      }
    }
  }

  /** A node that a quantifier can follow in `u` mode. */
  #atom(n: Node, ctxI: boolean): string {
    const text = this.#node(n, ctxI)
    switch (n.t) {
      case "char":
      case "any":
      case "group":
      case "ref":
        return text
      case "set":
        return text
      default:
        return `(?:${text})`
    }
  }
}

/**
 * Whether a backreference always finds its group matched: Python fails a match when the group
 * did not take part, JavaScript matches an empty string, so only references to groups that
 * surely took part when the reference runs translate exactly. A group is sure to have taken part
 * unless something between it and what it shares with the reference is optional: a repeat that
 * may run zero times, a branch of an alternation, a negative look-around.
 */
const checkReferences = (root: Alt): void => {
  type Path = ReadonlyArray<object>
  const groupPaths = new Map<number, Path>()
  const optional = new Set<object>()
  const refs: Array<{ readonly node: Node & { t: "ref" }; readonly path: Path }> = []
  const walkAlt = (a: Alt, path: Path) => {
    if (a.branches.length > 1) optional.add(a)
    for (const b of a.branches) for (const n of b) walk(n, [...path, a])
  }
  const walk = (n: Node, path: Path) => {
    const here = [...path, n]
    switch (n.t) {
      case "group":
        groupPaths.set(n.index, here)
        walkAlt(n.body, here)
        break
      case "scope":
      case "atomic":
        walkAlt(n.body, here)
        break
      case "look":
        if (n.negative) optional.add(n)
        walkAlt(n.body, here)
        break
      case "repeat":
        if (n.min === 0) optional.add(n)
        walk(n.item, here)
        break
      case "ref":
        refs.push({ node: n, path: here })
        break
      default:
        break
    }
  }
  walkAlt(root, [])
  const branchOf = (a: Alt, path: Path): number => {
    const child = path[path.indexOf(a) + 1]
    return a.branches.findIndex((b) => b.includes(child as Node))
  }
  for (const { node, path } of refs) {
    const gpath = groupPaths.get(node.group)
    if (gpath === undefined) continue
    const shared = new Set(path)
    for (const anc of gpath) {
      const isAlt = (anc as { t?: string }).t === "alt"
      const bad = shared.has(anc)
        ? isAlt && optional.has(anc) && branchOf(anc as Alt, gpath) !== branchOf(anc as Alt, path)
        : optional.has(anc)
      if (bad) {
        throw new PatternFailure(
          `the backreference to group ${node.group} may run when the group did not take part in the match (Python then fails the match, JavaScript matches an empty string) at position ${node.at}; make the group required, or match the cases with separate patterns`,
          "javascript"
        )
      }
    }
  }
}

/** Translate a Python `re` str pattern to JavaScript (`u` flag). Throws {@link PatternFailure}. */
export const translate = (pattern: string, options?: { readonly modifiers?: boolean }): Translated => {
  const cps = Array.from(pattern, (c) => c.codePointAt(0) as number)
  const parser = new Parser(cps)
  const root = parser.parsePattern()
  checkReferences(root)
  const g = parser.globals
  const jsI = g.i && !g.a
  const emitter = new Emitter(options?.modifiers ?? engineHasModifiers, parser.groupCount())
  const source = emitter.alt(root, jsI)
  return { source, flags: jsI ? "iu" : "u", groups: emitter.groupMap }
}
