/**
 * A recursive-descent parser for the Python query syntax, evaluating constants as it goes (no
 * `eval`). Grammar, loosest first:
 *
 *   or     := and ("|" and)*
 *   and    := not ("&" not)*
 *   not    := "~" not | compare
 *   compare:= arith (("==" | "!=" | "<" | "<=" | ">" | ">=") arith)?
 *   arith  := term (("+" | "-") term)*
 *   term   := unary (("*" | "/" | "//" | "%") unary)*
 *   unary  := ("-" | "+") unary | power
 *   power  := primary ("**" unary)?
 *   primary:= atom ("." NAME | "(" args ")")*
 *   atom   := NUMBER | STRING+ | NAME | "(" or ")"
 *
 * Unlike Python, comparisons bind tighter than `&` and `|` (so `Metric("a") > 1 & Tag("b")` means
 * what it says) and `~` applies to a whole comparison (`~Metric("a") > 1` is `~(Metric("a") > 1)`).
 * Every recursive step counts towards the depth limit, so no input can overflow the stack.
 *
 * @internal
 */
import { ColumnType } from "@comet-ts/core"
import {
  and,
  Environment,
  Metadata,
  Metric,
  not,
  Other,
  or,
  Parameter,
  type Query,
  type QueryVariable,
  Tag
} from "../Query.js"
import { daysInMonth, MAX_YEAR, MIN_YEAR, utcMillis } from "./datetime.js"
import { formatVariable } from "./format.js"
import { ParseFailure, type Token, tokenize } from "./lexer.js"

type Value = string | number | boolean | null | Date

type FunctionName =
  | "Metric"
  | "Parameter"
  | "Other"
  | "Metadata"
  | "Environment"
  | "Tag"
  | "datetime"
  | "float"
  | "int"
  | "timezone"
  | "timedelta"
  | "ZoneInfo"

type Item =
  | { readonly kind: "query"; readonly query: Query; readonly at: number }
  | { readonly kind: "variable"; readonly variable: QueryVariable; readonly at: number }
  | { readonly kind: "value"; readonly value: Value; readonly at: number }
  | { readonly kind: "function"; readonly name: FunctionName; readonly at: number }
  | { readonly kind: "method"; readonly variable: QueryVariable; readonly name: string; readonly at: number }
  /** A fixed-offset `tzinfo` (`timezone.utc`, `timezone(timedelta(hours=2))`), east of UTC. */
  | { readonly kind: "tz"; readonly offsetMicros: number; readonly at: number }
  /** A `timedelta`, in microseconds. */
  | { readonly kind: "timedelta"; readonly micros: number; readonly at: number }
  /** The `pytz` module (only its `utc`/`UTC` attribute is known). */
  | { readonly kind: "module"; readonly name: "pytz"; readonly at: number }

const variableBuilders = {
  Metric,
  Parameter,
  Other,
  Metadata,
  Environment
} as const

const functionNames: ReadonlySet<string> = new Set([
  "Metric",
  "Parameter",
  "Other",
  "Metadata",
  "Environment",
  "Tag",
  "datetime",
  "float",
  "int",
  "timezone",
  "timedelta",
  "ZoneInfo"
])

const columnTypes: ReadonlySet<string> = new Set(ColumnType.literals)

const keywordHints: Readonly<Record<string, string>> = {
  and: 'Python\'s "and" does not combine queries: use & (e.g. (Metric("loss") < 0.1) & Tag("best"))',
  or: 'Python\'s "or" does not combine queries: use | (e.g. Tag("a") | Tag("b"))',
  not: 'Python\'s "not" does not negate queries: use ~ (e.g. ~(Metric("loss") < 0.1))',
  is: 'use == instead of "is" (e.g. Other("note") == None)',
  in: 'use .contains(...) instead of "in" (e.g. Other("note").contains("text"))'
}

const literalHints: Readonly<Record<string, string>> = {
  true: "Python spells it True",
  false: "Python spells it False",
  null: "Python spells it None",
  none: "Python spells it None",
  undefined: "use None for a missing value",
  nil: "use None for a missing value"
}

const operatorHints: Readonly<Record<string, string>> = {
  "&&": "use a single & for AND",
  "||": "use a single | for OR",
  "!": "use ~ to negate a query, and != for not-equal",
  "===": "use == to compare",
  "!==": "use != to compare",
  "=": "use == to compare",
  "<>": "use != to compare",
  "[": "subscripts and lists are not supported",
  "{": "sets and dicts are not supported",
  ";": "write a single expression",
  ":=": "assignments are not supported: inline the value",
  ",": "tuples are not supported"
}

/** A table entry, never one inherited from `Object.prototype` (names like `__proto__` are user input). */
const entry = <V>(table: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined

const methods = ["between", "contains", "startswith", "endswith"] as const

const methodAliases: Readonly<Record<string, string>> = {
  startsWith: "startswith",
  starts_with: "startswith",
  beginswith: "startswith",
  endsWith: "endswith",
  ends_with: "endswith",
  includes: "contains",
  contain: "contains"
}

const comparisonOps: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">="])

const reflected: Readonly<Record<string, string>> = {
  "==": "==",
  "!=": "!=",
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<="
}

const describeItem = (item: Item): string => {
  switch (item.kind) {
    case "query":
      return "a query"
    case "variable":
      return formatVariable(item.variable)
    case "function":
      return item.name
    case "method":
      return `${formatVariable(item.variable)}.${item.name}`
    case "tz":
      return "a timezone"
    case "timedelta":
      return "a timedelta"
    case "module":
      return `the module ${item.name}`
    case "value": {
      const v = item.value
      if (v === null) return "None"
      if (v instanceof Date) return "a datetime"
      if (typeof v === "boolean") return v ? "True" : "False"
      return typeof v === "number" ? "a number" : "a string"
    }
  }
}

/** The parser state over one text. */
export class Parser {
  readonly #tokens: ReadonlyArray<Token>
  #index = 0
  #depth = 0
  readonly #maxDepth: number

  constructor(text: string, maxDepth: number) {
    this.#maxDepth = maxDepth
    this.#tokens = tokenize(text)
  }

  /** Parse the whole text as one query. */
  parseQuery(): Query {
    const first = this.#peek()
    if (first.kind === "eof") {
      throw new ParseFailure("syntax", first.start, "the query is empty", 'write a query, e.g. Metric("acc") > 0.9')
    }
    const item = this.#parseOr()
    const next = this.#peek()
    if (next.kind !== "eof") throw this.#unexpected(next, "the end of the query")
    return this.#asQuery(item, "the query")
  }

  #peek(): Token {
    return this.#tokens[this.#index] as Token
  }

  #next(): Token {
    const t = this.#tokens[this.#index] as Token
    if (t.kind !== "eof") this.#index++
    return t
  }

  /** The next token, known to be an operator (after `isOp`). */
  #takeOp(): { readonly value: string; readonly start: number } {
    const t = this.#next()
    return t.kind === "op" ? t : { value: "", start: t.start }
  }

  #isOp(value: string): boolean {
    const t = this.#peek()
    return t.kind === "op" && t.value === value
  }

  #nest<A>(at: number, f: () => A): A {
    this.#depth++
    if (this.#depth > this.#maxDepth) {
      throw new ParseFailure(
        "too-deep",
        at,
        `the query nests more than ${this.#maxDepth} levels deep`,
        "remove redundant parentheses or negations"
      )
    }
    try {
      return f()
    } finally {
      this.#depth--
    }
  }

  #unexpected(t: Token, expected: string): ParseFailure {
    if (t.kind === "eof") {
      return new ParseFailure("syntax", t.start, `the query ended where ${expected} was expected`, null)
    }
    const atEnd = expected === "the end of the query" ? "combine queries with & (AND) or | (OR)" : null
    if (t.kind === "name") {
      const hint = entry(keywordHints, t.value) ?? entry(literalHints, t.value.toLowerCase()) ?? atEnd
      return new ParseFailure("syntax", t.start, `unexpected name '${t.value}' where ${expected} was expected`, hint)
    }
    if (t.kind === "op") {
      return new ParseFailure(
        "syntax",
        t.start,
        `unexpected '${t.value}' where ${expected} was expected`,
        entry(operatorHints, t.value) ?? (t.value === ")" ? "remove the unmatched ')'" : atEnd)
      )
    }
    const what = t.kind === "number" ? "number" : "string"
    return new ParseFailure("syntax", t.start, `unexpected ${what} where ${expected} was expected`, atEnd)
  }

  #asQuery(item: Item, role: string): Query {
    switch (item.kind) {
      case "query":
        return item.query
      case "variable":
        throw new ParseFailure(
          "syntax",
          item.at,
          `${formatVariable(item.variable)} alone is not a query (${role} must be one): compare it with a value`,
          `e.g. ${formatVariable(item.variable)} == "value", ${formatVariable(item.variable)} != None, or ${formatVariable(item.variable)}.contains("text")`
        )
      case "method":
        throw new ParseFailure("syntax", item.at, `call the method: ${describeItem(item)}(...)`, null)
      default:
        throw new ParseFailure(
          "syntax",
          item.at,
          `${describeItem(item)} is not a query (${role} must be one)`,
          'a query compares a variable, e.g. Metric("acc") > 0.9, or is a Tag("name")'
        )
    }
  }

  #parseOr(): Item {
    return this.#nest(this.#peek().start, () => this.#parseJoined("|", () => this.#parseAnd(), or))
  }

  #parseAnd(): Item {
    return this.#parseJoined("&", () => this.#parseNot(), and)
  }

  /** `operand (op operand)*`: a lone operand as it is, two or more joined into one query by `join`. */
  #parseJoined(op: "|" | "&", operand: () => Item, join: (first: Query, ...rest: ReadonlyArray<Query>) => Query): Item {
    const first = operand()
    if (!this.#isOp(op)) return first
    const role = `an operand of ${op}`
    const operands = [this.#asQuery(first, role)]
    while (this.#isOp(op)) {
      this.#next()
      operands.push(this.#asQuery(operand(), role))
    }
    return { kind: "query", query: join(...(operands as [Query, ...Array<Query>])), at: first.at }
  }

  #parseNot(): Item {
    if (!this.#isOp("~")) return this.#parseComparison(false)
    const op = this.#next()
    return this.#nest(op.start, () => {
      const operand = this.#isOp("~") ? this.#parseNot() : this.#parseComparison(true)
      return { kind: "query", query: not(this.#asQuery(operand, "the operand of ~")), at: op.start }
    })
  }

  /** `negated`: right after a `~`, where Python would read `~3` as the bitwise complement. */
  #parseComparison(negated: boolean): Item {
    const left = this.#parseArith()
    if (negated && left.kind === "value") {
      throw new ParseFailure(
        "unsupported",
        left.at,
        "~ negates a query, not a value (in Python, ~3 is the bitwise complement -4)",
        'put the comparison in parentheses, ~(3 < Metric("a")), or use - for a negative number'
      )
    }
    const t = this.#peek()
    if (t.kind === "name" && (t.value === "is" || t.value === "in" || t.value === "not")) {
      throw this.#unexpected(t, "a comparison operator")
    }
    if (t.kind === "op" && (t.value === "=" || t.value === "===" || t.value === "!==" || t.value === "<>")) {
      throw this.#unexpected(t, "a comparison operator")
    }
    if (t.kind !== "op" || !comparisonOps.has(t.value)) return left
    this.#next()
    const right = this.#parseArith()
    const after = this.#peek()
    if (after.kind === "op" && comparisonOps.has(after.value)) {
      throw new ParseFailure(
        "unsupported",
        after.start,
        "chained comparisons are not supported",
        "write (a < x) & (x < b), or x.between(a, b)"
      )
    }
    return { kind: "query", query: this.#compare(left, t.value, right, t.start), at: left.at }
  }

  #compare(left: Item, op: string, right: Item, at: number): Query {
    for (const side of [left, right]) {
      if (side.kind === "query") {
        throw new ParseFailure(
          "syntax",
          at,
          `'${op}' cannot compare a query`,
          'put parentheses around each comparison, e.g. (Metric("a") > 1) & (Metric("b") < 2)'
        )
      }
      if (side.kind === "function" || side.kind === "method") {
        throw new ParseFailure("syntax", side.at, `call ${describeItem(side)}(...) before comparing it`, null)
      }
      if (side.kind === "tz" || side.kind === "timedelta" || side.kind === "module") {
        throw new ParseFailure(
          "type-mismatch",
          side.at,
          `${describeItem(side)} cannot be compared with a variable`,
          "pass a timezone as tzinfo of a datetime, e.g. datetime(2024, 1, 1, tzinfo=timezone.utc)"
        )
      }
    }
    if (left.kind === "variable" && right.kind === "variable") {
      throw new ParseFailure(
        "unsupported",
        at,
        "Comet cannot compare two variables with each other",
        "compare a variable with a constant value"
      )
    }
    if (left.kind === "variable" && right.kind === "value") return this.#compareVariable(left.variable, op, right, at)
    if (left.kind === "value" && right.kind === "variable") {
      return this.#compareVariable(right.variable, reflected[op] as string, left, at)
    }
    throw new ParseFailure(
      "syntax",
      at,
      `'${op}' needs a query variable on one side`,
      'compare a variable, e.g. Metric("acc") > 0.9'
    )
  }

  #compareVariable(variable: QueryVariable, op: string, item: Item & { kind: "value" }, at: number): Query {
    const value = item.value
    if (op === "==") return variable.eq(value)
    if (op === "!=") return variable.ne(value)
    if (value === null) {
      throw new ParseFailure(
        "type-mismatch",
        item.at,
        `'${op}' cannot compare with None`,
        "test for null with == None or != None"
      )
    }
    if (typeof value === "boolean") {
      throw new ParseFailure(
        "type-mismatch",
        item.at,
        `'${op}' cannot order booleans`,
        "compare booleans with == True or == False"
      )
    }
    switch (op) {
      case "<":
        return variable.lt(value)
      case "<=":
        return variable.le(value)
      case ">":
        return variable.gt(value)
      case ">=":
        return variable.ge(value)
      default:
        throw new ParseFailure("syntax", at, `unknown comparison '${op}'`)
    }
  }

  #parseArith(): Item {
    let left = this.#parseTerm()
    while (this.#isOp("+") || this.#isOp("-")) {
      const op = this.#takeOp()
      const right = this.#parseTerm()
      left = this.#arithmetic(op.value, left, right, op.start)
    }
    return left
  }

  #parseTerm(): Item {
    let left = this.#parseUnary()
    while (this.#isOp("*") || this.#isOp("/") || this.#isOp("//") || this.#isOp("%") || this.#isOp("@")) {
      const op = this.#takeOp()
      if (op.value === "@") throw new ParseFailure("unsupported", op.start, "'@' is not supported")
      const right = this.#parseUnary()
      left = this.#arithmetic(op.value, left, right, op.start)
    }
    return left
  }

  #parseUnary(): Item {
    if (!this.#isOp("-") && !this.#isOp("+")) return this.#parsePower()
    const op = this.#takeOp()
    return this.#nest(op.start, () => {
      const operand = this.#parseUnary()
      if (operand.kind === "timedelta") {
        return { kind: "timedelta", micros: op.value === "-" ? -operand.micros : operand.micros, at: op.start }
      }
      const n = this.#number(operand, op.value, op.start)
      return { kind: "value", value: op.value === "-" ? -n : n, at: op.start }
    })
  }

  #parsePower(): Item {
    const base = this.#parsePrimary()
    if (!this.#isOp("**")) return base
    const op = this.#next()
    return this.#nest(op.start, () => {
      const exponent = this.#parseUnary()
      return this.#arithmetic("**", base, exponent, op.start)
    })
  }

  #number(item: Item, op: string, at: number): number {
    if (item.kind === "value" && typeof item.value === "number") return item.value
    if (item.kind === "variable" || item.kind === "query") {
      throw new ParseFailure(
        "unsupported",
        at,
        `'${op}' does arithmetic on constants only, not on ${describeItem(item)}`,
        'compute the constant first, e.g. Metadata("duration") > (2 * 60)'
      )
    }
    throw new ParseFailure("type-mismatch", at, `'${op}' needs numbers, not ${describeItem(item)}`, null)
  }

  #arithmetic(op: string, left: Item, right: Item, at: number): Item {
    if (
      op === "+" &&
      left.kind === "value" &&
      right.kind === "value" &&
      typeof left.value === "string" &&
      typeof right.value === "string"
    ) {
      return { kind: "value", value: left.value + right.value, at: left.at }
    }
    const a = this.#number(left, op, at)
    const b = this.#number(right, op, at)
    const divides = op === "/" || op === "//" || op === "%"
    if (divides && b === 0) throw new ParseFailure("type-mismatch", at, "division by zero", null)
    let value: number
    switch (op) {
      case "+":
        value = a + b
        break
      case "-":
        value = a - b
        break
      case "*":
        value = a * b
        break
      case "/":
        value = a / b
        break
      case "//":
        value = Math.floor(a / b)
        break
      case "%":
        value = a - b * Math.floor(a / b)
        break
      default: {
        if (a === 0 && b < 0) throw new ParseFailure("type-mismatch", at, "0 cannot be raised to a negative power")
        value = a ** b
        if (Number.isNaN(value) && !Number.isNaN(a) && !Number.isNaN(b)) {
          throw new ParseFailure("type-mismatch", at, "the power is not a real number")
        }
      }
    }
    return { kind: "value", value, at: left.at }
  }

  #parsePrimary(): Item {
    let item = this.#parseAtom()
    while (true) {
      const t = this.#peek()
      if (t.kind !== "op") return item
      if (t.value === ".") {
        this.#next()
        const name = this.#next()
        if (name.kind !== "name") throw this.#unexpected(name, "a method name after '.'")
        item = this.#attribute(item, name.value, name.start)
      } else if (t.value === "(") {
        this.#next()
        const args = this.#parseArguments(t.start)
        item = this.#call(item, args, t.start)
      } else if (t.value === "[") {
        throw this.#unexpected(t, "an operator")
      } else return item
    }
  }

  #attribute(item: Item, name: string, at: number): Item {
    if (item.kind === "variable") {
      if ((methods as ReadonlyArray<string>).includes(name))
        return { kind: "method", variable: item.variable, name, at }
      const alias = entry(methodAliases, name)
      throw new ParseFailure(
        "syntax",
        at,
        `${formatVariable(item.variable)} has no method '${name}'`,
        alias !== undefined
          ? `Python spells it ${alias}()`
          : "variables have the methods between(), contains(), startswith() and endswith()"
      )
    }
    // The datetime module: datetime.datetime, datetime.timezone(.utc), datetime.timedelta, datetime.UTC.
    if (item.kind === "function" && item.name === "datetime") {
      if (name === "datetime" || name === "timezone" || name === "timedelta") return { kind: "function", name, at }
      if (name === "UTC") return { kind: "tz", offsetMicros: 0, at }
    }
    if (item.kind === "function" && item.name === "timezone" && name === "utc")
      return { kind: "tz", offsetMicros: 0, at }
    if (item.kind === "module" && (name === "utc" || name === "UTC")) return { kind: "tz", offsetMicros: 0, at }
    throw new ParseFailure("syntax", at, `${describeItem(item)} has no attribute '${name}'`, null)
  }

  #parseArguments(open: number): {
    readonly positional: ReadonlyArray<Item>
    readonly keywords: ReadonlyMap<string, Item>
  } {
    const positional: Array<Item> = []
    const keywords = new Map<string, Item>()
    while (!this.#isOp(")")) {
      const t = this.#peek()
      const afterName = this.#tokens[this.#index + 1]
      if (t.kind === "name" && afterName?.kind === "op" && afterName.value === "=") {
        this.#next()
        this.#next()
        if (keywords.has(t.value)) {
          throw new ParseFailure("syntax", t.start, `keyword argument '${t.value}' is repeated`)
        }
        keywords.set(t.value, this.#parseOr())
      } else {
        if (keywords.size > 0) {
          throw new ParseFailure("syntax", t.start, "positional argument follows keyword argument")
        }
        if (t.kind === "eof") {
          throw new ParseFailure("syntax", open, "'(' was never closed", "add the missing ')'")
        }
        positional.push(this.#parseOr())
      }
      if (this.#isOp(",")) this.#next()
      else if (!this.#isOp(")")) {
        const u = this.#peek()
        if (u.kind === "eof") throw new ParseFailure("syntax", open, "'(' was never closed", "add the missing ')'")
        throw this.#unexpected(u, "',' or ')'")
      }
    }
    this.#next()
    return { positional, keywords }
  }

  #call(
    item: Item,
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): Item {
    if (item.kind === "function") return this.#callFunction(item.name, args, item.at)
    if (item.kind === "method") return this.#callMethod(item, args, at)
    throw new ParseFailure("syntax", at, `${describeItem(item)} is not callable`, null)
  }

  /** Bind Python-style arguments to parameter names. */
  #bind(
    fn: string,
    params: ReadonlyArray<string>,
    required: number,
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): ReadonlyMap<string, Item> {
    if (args.positional.length > params.length) {
      throw new ParseFailure(
        "syntax",
        at,
        `${fn}() takes at most ${params.length} arguments (${args.positional.length} given)`
      )
    }
    const bound = new Map<string, Item>()
    args.positional.forEach((a, i) => {
      bound.set(params[i] as string, a)
    })
    for (const [k, v] of args.keywords) {
      if (!params.includes(k)) throw new ParseFailure("syntax", v.at, `${fn}() has no argument named '${k}'`)
      if (bound.has(k)) throw new ParseFailure("syntax", v.at, `${fn}() got multiple values for argument '${k}'`)
      bound.set(k, v)
    }
    for (const p of params.slice(0, required)) {
      if (!bound.has(p)) throw new ParseFailure("syntax", at, `${fn}() is missing the argument '${p}'`)
    }
    return bound
  }

  #stringArg(fn: string, item: Item): string {
    if (item.kind === "value" && typeof item.value === "string") return item.value
    throw new ParseFailure("type-mismatch", item.at, `${fn}() needs a string, not ${describeItem(item)}`)
  }

  #integerArg(fn: string, name: string, item: Item | undefined, fallback: number): number {
    if (item === undefined) return fallback
    if (item.kind === "value" && typeof item.value === "number" && Number.isInteger(item.value)) return item.value
    throw new ParseFailure("type-mismatch", item.at, `${fn}() needs an integer ${name}, not ${describeItem(item)}`)
  }

  #callFunction(
    name: FunctionName,
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): Item {
    switch (name) {
      case "Tag": {
        const bound = this.#bind(name, ["name"], 1, args, at)
        return { kind: "query", query: Tag(this.#stringArg(name, bound.get("name") as Item)), at }
      }
      case "Metric":
      case "Parameter":
      case "Other":
      case "Metadata":
      case "Environment": {
        const bound = this.#bind(name, ["name", "qtype"], 1, args, at)
        const column = this.#stringArg(name, bound.get("name") as Item)
        const qtype = bound.get("qtype")
        const make = variableBuilders[name]
        if (qtype === undefined || (qtype.kind === "value" && qtype.value === null)) {
          return { kind: "variable", variable: make(column), at }
        }
        const type = this.#stringArg(name, qtype)
        if (!columnTypes.has(type)) {
          throw new ParseFailure(
            "type-mismatch",
            qtype.at,
            `unknown column type "${type}"`,
            "the types are string, boolean, double, datetime and timenumber"
          )
        }
        return { kind: "variable", variable: make(column, type as ColumnType), at }
      }
      case "datetime":
        return { kind: "value", value: this.#datetime(args, at), at }
      case "timedelta":
        return { kind: "timedelta", micros: this.#timedelta(args, at), at }
      case "timezone": {
        const bound = this.#bind("timezone", ["offset", "name"], 1, args, at)
        const offset = bound.get("offset") as Item
        if (offset.kind !== "timedelta") {
          throw new ParseFailure(
            "type-mismatch",
            offset.at,
            `timezone() needs a timedelta, not ${describeItem(offset)}`
          )
        }
        const name = bound.get("name")
        if (name !== undefined) this.#stringArg("timezone", name)
        const day = 86_400_000_000
        if (!(offset.micros > -day && offset.micros < day)) {
          throw new ParseFailure(
            "type-mismatch",
            offset.at,
            "timezone(): the offset must be strictly between -timedelta(hours=24) and timedelta(hours=24)"
          )
        }
        return { kind: "tz", offsetMicros: offset.micros, at }
      }
      case "ZoneInfo": {
        const bound = this.#bind("ZoneInfo", ["key"], 1, args, at)
        const key = this.#stringArg("ZoneInfo", bound.get("key") as Item)
        if (/^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal|Greenwich)$/.test(key) || key === "Etc/GMT0") {
          return { kind: "tz", offsetMicros: 0, at }
        }
        throw new ParseFailure(
          "unsupported",
          at,
          `ZoneInfo(${JSON.stringify(key)}): time zones with daylight-saving rules are not supported`,
          "write the time in UTC, or use timezone(timedelta(hours=…)) with the offset in force at that time"
        )
      }
      case "float": {
        const bound = this.#bind(name, ["x"], 0, args, at)
        const x = bound.get("x")
        if (x === undefined) return { kind: "value", value: 0, at }
        return { kind: "value", value: this.#toFloat(x), at }
      }
      case "int": {
        const bound = this.#bind(name, ["x"], 0, args, at)
        const x = bound.get("x")
        if (x === undefined) return { kind: "value", value: 0, at }
        return { kind: "value", value: this.#toInt(x), at }
      }
    }
  }

  #toFloat(x: Item): number {
    if (x.kind === "value") {
      if (typeof x.value === "number") return x.value
      if (typeof x.value === "boolean") return x.value ? 1 : 0
      if (typeof x.value === "string") {
        const s = x.value.trim().toLowerCase()
        if (/^[+-]?nan$/.test(s)) return Number.NaN
        if (/^\+?inf(inity)?$/.test(s)) return Number.POSITIVE_INFINITY
        if (/^-inf(inity)?$/.test(s)) return Number.NEGATIVE_INFINITY
        if (/^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/.test(s)) {
          return Number(s.replaceAll("_", ""))
        }
      }
    }
    throw new ParseFailure("type-mismatch", x.at, `float() cannot convert ${describeItem(x)}`)
  }

  #toInt(x: Item): number {
    if (x.kind === "value") {
      if (typeof x.value === "number" && Number.isFinite(x.value)) return Math.trunc(x.value)
      if (typeof x.value === "boolean") return x.value ? 1 : 0
      if (typeof x.value === "string" && /^\s*[+-]?\d(?:_?\d)*\s*$/.test(x.value)) {
        return Number(x.value.trim().replaceAll("_", ""))
      }
    }
    throw new ParseFailure("type-mismatch", x.at, `int() cannot convert ${describeItem(x)}`)
  }

  #datetime(
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): Date {
    const params = ["year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"]
    const bound = this.#bind("datetime", params, 3, args, at)
    const tz = bound.get("tzinfo")
    let offsetMicros = 0
    if (tz !== undefined && !(tz.kind === "value" && tz.value === null)) {
      if (tz.kind !== "tz") {
        throw new ParseFailure(
          "type-mismatch",
          tz.at,
          `datetime(): tzinfo must be a timezone, not ${describeItem(tz)}`,
          "use timezone.utc or timezone(timedelta(hours=…)); a naive datetime is read as UTC"
        )
      }
      if (tz.offsetMicros % 1000 !== 0) {
        throw new ParseFailure(
          "unsupported",
          tz.at,
          "datetime(): JavaScript dates keep milliseconds, so the timezone offset must be a whole number of milliseconds"
        )
      }
      offsetMicros = tz.offsetMicros
    }
    const get = (p: string, fallback: number): number => this.#integerArg("datetime", p, bound.get(p), fallback)
    const year = get("year", 0)
    const month = get("month", 0)
    const day = get("day", 0)
    const hour = get("hour", 0)
    const minute = get("minute", 0)
    const second = get("second", 0)
    const microsecond = get("microsecond", 0)
    const range = (p: string, v: number, lo: number, hi: number): void => {
      if (v < lo || v > hi) {
        const item = bound.get(p)
        throw new ParseFailure("type-mismatch", item?.at ?? at, `datetime(): ${p} ${v} is not in ${lo}..${hi}`)
      }
    }
    range("year", year, MIN_YEAR, MAX_YEAR)
    range("month", month, 1, 12)
    range("day", day, 1, daysInMonth(year, month))
    range("hour", hour, 0, 23)
    range("minute", minute, 0, 59)
    range("second", second, 0, 59)
    range("microsecond", microsecond, 0, 999_999)
    if (microsecond % 1000 !== 0) {
      throw new ParseFailure(
        "unsupported",
        bound.get("microsecond")?.at ?? at,
        "datetime(): JavaScript dates keep milliseconds, so microsecond must be a multiple of 1000",
        `use microsecond=${Math.floor(microsecond / 1000) * 1000}`
      )
    }
    // An aware datetime is the same instant in UTC: local time minus the offset east of UTC.
    const instant = new Date(
      utcMillis(year, month, day, hour, minute, second, microsecond / 1000) - offsetMicros / 1000
    )
    const y = instant.getUTCFullYear()
    if (Number.isNaN(instant.getTime()) || y < MIN_YEAR || y > MAX_YEAR) {
      throw new ParseFailure(
        "type-mismatch",
        at,
        `datetime(): the time in UTC is outside years ${MIN_YEAR}–${MAX_YEAR}`
      )
    }
    return instant
  }

  /** `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)` in microseconds (rounded). */
  #timedelta(
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): number {
    const units: ReadonlyArray<readonly [string, number]> = [
      ["days", 86_400_000_000],
      ["seconds", 1_000_000],
      ["microseconds", 1],
      ["milliseconds", 1000],
      ["minutes", 60_000_000],
      ["hours", 3_600_000_000],
      ["weeks", 604_800_000_000]
    ]
    const bound = this.#bind(
      "timedelta",
      units.map(([u]) => u),
      0,
      args,
      at
    )
    let micros = 0
    for (const [unit, scale] of units) {
      const item = bound.get(unit)
      if (item === undefined) continue
      if (!(item.kind === "value" && typeof item.value === "number" && Number.isFinite(item.value))) {
        throw new ParseFailure(
          "type-mismatch",
          item.at,
          `timedelta() needs a number of ${unit}, not ${describeItem(item)}`
        )
      }
      micros += item.value * scale
    }
    return Math.round(micros)
  }

  #callMethod(
    item: Item & { kind: "method" },
    args: { readonly positional: ReadonlyArray<Item>; readonly keywords: ReadonlyMap<string, Item> },
    at: number
  ): Item {
    const v = item.variable
    const label = `${formatVariable(v)}.${item.name}`
    if (item.name === "between") {
      const bound = this.#bind(label, ["low", "high"], 2, args, at)
      const bounds = ["low", "high"].map((p) => {
        const b = bound.get(p) as Item
        if (b.kind === "value" && typeof b.value === "number") return b.value
        throw new ParseFailure(
          "type-mismatch",
          b.at,
          `between() needs numbers, not ${describeItem(b)}`,
          "between() compares numbers (double and timenumber columns)"
        )
      })
      return {
        kind: "query",
        query: (v as QueryVariable<undefined>).between(bounds[0] as number, bounds[1] as number),
        at: item.at
      }
    }
    const bound = this.#bind(label, ["rhs"], 1, args, at)
    const textItem = bound.get("rhs") as Item
    if (!(textItem.kind === "value" && typeof textItem.value === "string")) {
      throw new ParseFailure(
        "type-mismatch",
        textItem.at,
        `${item.name}() needs a string, not ${describeItem(textItem)}`,
        "string methods take a string argument"
      )
    }
    const text = textItem.value
    const sv = v as QueryVariable<undefined>
    const query =
      item.name === "contains"
        ? sv.contains(text)
        : item.name === "startswith"
          ? sv.startsWith(text)
          : sv.endsWith(text)
    return { kind: "query", query, at: item.at }
  }

  #parseAtom(): Item {
    const t = this.#next()
    switch (t.kind) {
      case "number":
        return { kind: "value", value: t.value, at: t.start }
      case "string": {
        let value = t.value
        while (this.#peek().kind === "string") {
          const more = this.#next() as Token & { kind: "string" }
          if (more.bytes !== t.bytes) {
            throw new ParseFailure("syntax", more.start, "cannot mix bytes and string literals")
          }
          value += more.value
        }
        return { kind: "value", value, at: t.start }
      }
      case "name": {
        switch (t.value) {
          case "True":
            return { kind: "value", value: true, at: t.start }
          case "False":
            return { kind: "value", value: false, at: t.start }
          case "None":
            return { kind: "value", value: null, at: t.start }
          case "UTC":
            return { kind: "tz", offsetMicros: 0, at: t.start }
          case "pytz":
            return { kind: "module", name: "pytz", at: t.start }
        }
        if (functionNames.has(t.value)) return { kind: "function", name: t.value as FunctionName, at: t.start }
        if (entry(keywordHints, t.value) !== undefined || entry(literalHints, t.value.toLowerCase()) !== undefined) {
          throw this.#unexpected(t, "a value or a query")
        }
        const close = [...functionNames].find((f) => f.toLowerCase() === t.value.toLowerCase())
        throw new ParseFailure(
          "syntax",
          t.start,
          `unknown name '${t.value}'`,
          close !== undefined
            ? `did you mean ${close}?`
            : 'inline Python variables (write Metric("loss") where the query says loss); the names known here are Metric, Parameter, Other, Metadata, Environment, Tag, datetime, timezone, timedelta, UTC, float, int, True, False and None'
        )
      }
      case "op": {
        if (t.value === "(") {
          if (this.#isOp(")")) {
            throw new ParseFailure("syntax", t.start, "empty parentheses", "put a query or a value inside")
          }
          const inner = this.#parseOr()
          const close = this.#peek()
          if (close.kind === "op" && close.value === ")") {
            this.#next()
            return inner
          }
          if (close.kind === "eof") {
            throw new ParseFailure("syntax", t.start, "'(' was never closed", "add the missing ')'")
          }
          throw this.#unexpected(close, "')'")
        }
        throw this.#unexpected(t, "a value or a query")
      }
      case "eof":
        throw this.#unexpected(t, "a value or a query")
    }
  }
}
