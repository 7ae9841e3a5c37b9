/**
 * Read queries written in the Python syntax of Comet's SDK — every example of the Python
 * documentation, verbatim, once its Python variables are inlined — plus `|` for OR. A real
 * parser, not `eval`: constants are computed, nothing is executed, input length and nesting are
 * bounded, and every problem is a `QueryError` with line, column and a hint.
 *
 * @since 0.1.0
 */
import { QueryError } from "@comet-ts/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { formatQuery } from "./internal/format.js"
import { ParseFailure } from "./internal/lexer.js"
import { Limit, readOptions, wrongArgument } from "./internal/options.js"
import { Parser } from "./internal/parser.js"
import { Query } from "./Query.js"

/**
 * Limits of {@link parse}.
 *
 * @since 0.1.0
 */
export interface ParseOptions {
  /** Longest text accepted, in UTF-16 code units (default 65,536). */
  readonly maxLength?: number | undefined
  /** Deepest nesting of parentheses, `~`, unary signs and calls accepted (default 200). */
  readonly maxDepth?: number | undefined
}

const DEFAULT_MAX_LENGTH = 65_536
const DEFAULT_MAX_DEPTH = 200

/** The runtime types of {@link ParseOptions} (its names are the names known). */
const ParseOptionTypes = Schema.Struct({ maxLength: Limit, maxDepth: Limit })

const position = (text: string, offset: number): { readonly line: number; readonly column: number } => {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

const toQueryError = (text: string, f: ParseFailure): QueryError => {
  const at = f.offset === null ? null : position(text, f.offset)
  return new QueryError({
    reason: f.reason,
    detail: f.detail,
    line: at === null ? null : at.line,
    column: at === null ? null : at.column,
    hint: f.hint
  })
}

/**
 * Parse a query written in Python syntax: `Metric("acc") > .98`,
 * `(Metric("loss") < .1) & (Parameter("learning_rate") >= 0.3)`, `Tag("My simple tag")`,
 * `Metadata("start_server_timestamp") < datetime(2019, 9, 24, 5)`,
 * `Metadata("duration") > (2 * 60)`, `~Parameter("x").between(2, 3)`, `Other("note") == None`,
 * `Tag("a") | Tag("b")`.
 *
 * Differences from Python, all in the direction of accepting what users mean: comparisons bind
 * tighter than `&` and `|` (`Metric("a") > 1 & Tag("b")` works without parentheses), `~`
 * negates a whole comparison, a constant may be on the left (`0.9 < Metric("acc")`), and `|` and
 * `~` over groups are accepted. Python's `and`, `or`, `not`, `is`, `in` are errors with a hint.
 *
 * Options from JavaScript are checked: an unknown or misspelt name (`maxdepth`) or a value that
 * is no whole number ≥ 0 (`"100"`) is a `QueryError` of reason `invalid-argument`.
 *
 * @since 0.1.0
 */
export const parse = (text: string, options?: ParseOptions): Either.Either<Query, QueryError> => {
  if (typeof text !== "string") return Either.left(wrongArgument("parse", "text", "a string", text))
  const read = readOptions(options, ParseOptionTypes, "parse")
  if (Either.isLeft(read)) return Either.left(read.left)
  return parseChecked(text, read.right)
}

const parseChecked = (text: string, options: ParseOptions): Either.Either<Query, QueryError> => {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  if (text.length > maxLength) {
    return Either.left(
      new QueryError({
        reason: "too-long",
        detail: `the query text is ${text.length} characters long; the limit is ${maxLength}`,
        line: null,
        column: null,
        hint: "shorten the query (the maxLength option of parse raises the limit)"
      })
    )
  }
  try {
    return Either.right(new Parser(text, options.maxDepth ?? DEFAULT_MAX_DEPTH).parseQuery())
  } catch (e) {
    if (e instanceof ParseFailure) return Either.left(toQueryError(text, e))
    // A stack overflow can only come from a maxDepth raised far above the default.
    if (e instanceof RangeError) {
      return Either.left(
        new QueryError({
          reason: "too-deep",
          detail: "the query nests too deeply for the JavaScript stack",
          line: null,
          column: null,
          hint: "nest the query less, or lower the maxDepth option of parse"
        })
      )
    }
    throw e
  }
}

/**
 * {@link parse} for code that does not use `Either`: the query, or a thrown {@link QueryError} —
 * the typed error itself (`instanceof QueryError`, `_tag`, `reason`, `line`, `column`, `hint`).
 *
 * @since 0.1.0
 */
export const parseOrThrow = (text: string, options?: ParseOptions): Query => {
  const parsed = parse(text, options)
  if (Either.isLeft(parsed)) throw parsed.left
  return parsed.right
}

/**
 * A Schema from the Python text form to a {@link Query} (decoding parses, encoding formats), for
 * queries stored in configuration or sent between processes.
 *
 * @since 0.1.0
 */
export const QueryFromString: Schema.Schema<Query, string> = /* @__PURE__ */ Schema.transformOrFail(
  Schema.String,
  Query,
  {
    strict: true,
    decode: (text, _, ast) =>
      Either.match(parse(text), {
        onLeft: (e) => ParseResult.fail(new ParseResult.Type(ast, text, e.message)),
        onRight: (q) => ParseResult.succeed(q)
      }),
    encode: (q) => ParseResult.succeed(formatQuery(q))
  }
).annotations({ identifier: "QueryFromString" })
