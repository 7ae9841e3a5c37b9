/**
 * Python regular expressions (`re`, str patterns) for JavaScript: the patterns a panel ported
 * from Python passes to `get_experiments(ws, proj, pattern)` — `(?P<start>kee)`, `(?i)KEEN`,
 * `\d+$` — matched the way Python matches them. comet_ml 3.58.8 keeps an experiment when
 * `re.match(pattern, key)` or `re.match(pattern, name)` holds (`API._gen_experiments`): the
 * pattern must match at the start of the text, not necessarily to its end; {@link PythonRegex}
 * has `match`, `search` and `fullmatch` with Python's meanings.
 *
 * Python syntax is translated, not passed through: named groups and references, inline flags
 * (global at the start, scoped `(?s:…)`), Python's `$`, `\Z`, `.`, Unicode `\d \s \w \b`,
 * atomic groups and possessive quantifiers, `{,n}`, literal `{`. A pattern Python refuses is an
 * `InvalidArgument` with Python's own message ("bad escape \q at position 3"); a construct
 * JavaScript cannot express (a conditional group `(?(1)…)`, `\N{name}`, a backreference to a
 * group that may not take part) is an `InvalidArgument` naming it.
 *
 * @since 0.1.0
 */

import { InvalidArgument } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { PatternFailure, translate } from "./internal/pyre.js"

/**
 * A compiled Python pattern. `source` and `flags` are the JavaScript equivalent (always with
 * the `u` flag: Python matches code points); `match`, `search` and `fullmatch` are Python's
 * `re.match`, `re.search` and `re.fullmatch` as booleans.
 *
 * @since 0.1.0
 */
export interface PythonRegex {
  /** The Python pattern as given. */
  readonly pattern: string
  /** The JavaScript source, unanchored (`new RegExp(source, flags)` searches like `re.search`). */
  readonly source: string
  /** The JavaScript flags (`u`, plus `i` for `(?i)`). */
  readonly flags: string
  /** `re.match(pattern, text)`: a match starting at the first character. */
  readonly match: (text: string) => boolean
  /** `re.search(pattern, text)`: a match anywhere. */
  readonly search: (text: string) => boolean
  /** `re.fullmatch(pattern, text)`: a match of the whole text. */
  readonly fullmatch: (text: string) => boolean
}

/**
 * Options of {@link pythonRegex}.
 *
 * @since 0.1.0
 */
export interface PythonRegexOptions {
  /** The argument name an `InvalidArgument` reports (default `"pattern"`). */
  readonly argument?: string | undefined
  /**
   * Whether to use JavaScript regexp modifiers (`(?i:…)`, ES2025) for scoped case-insensitivity;
   * default: when this engine has them.
   */
  readonly modifiers?: boolean | undefined
}

/** The runtime types of {@link PythonRegexOptions} (its names are the names known). */
const PythonRegexOptionTypes = Schema.Struct({
  argument: Inputs.optionalOrNull(Schema.String.annotations({ description: "an argument name (a string)" })),
  modifiers: Inputs.optionalOrNull(Schema.Boolean.annotations({ description: "true or false" }))
})

/**
 * Compile a Python `re` pattern (str pattern syntax of Python 3.11+) to a {@link PythonRegex}.
 * Fails with an `InvalidArgument` whose reason is Python's message for a pattern Python refuses,
 * or names the construct JavaScript cannot express; options from JavaScript with an unknown or
 * misspelt name (`modifier`) or a value of the wrong type (`modifiers: "false"`) are an
 * `InvalidArgument` naming the option (`options.modifier`), never dropped.
 *
 * @since 0.1.0
 */
export const pythonRegex = (
  pattern: string,
  options?: PythonRegexOptions
): Either.Either<PythonRegex, InvalidArgument> => {
  const read = Inputs.optionsArgument(options, PythonRegexOptionTypes, "pythonRegex")
  if (Either.isLeft(read)) return Either.left(read.left)
  return compilePattern(pattern, read.right)
}

/** {@link pythonRegex} with checked options. */
const compilePattern = (pattern: string, options: PythonRegexOptions): Either.Either<PythonRegex, InvalidArgument> => {
  const argument = options.argument ?? "pattern"
  const invalid = (reason: string) => Either.left(new InvalidArgument({ argument, value: pattern, reason }))
  if (typeof pattern !== "string") return invalid(`a pattern must be a string, not ${typeof pattern}`)
  let source: string
  let flags: string
  let anchored: RegExp
  let open: RegExp
  let whole: RegExp
  try {
    const t = translate(pattern, options.modifiers === undefined ? undefined : { modifiers: options.modifiers })
    source = t.source
    flags = t.flags
    anchored = new RegExp(`^(?:${source})`, flags)
    open = new RegExp(source, flags)
    whole = new RegExp(`^(?:${source})$`, flags)
  } catch (e) {
    if (e instanceof PatternFailure) {
      return invalid(
        e.kind === "python"
          ? `not a valid Python regular expression: ${e.reason}`
          : `valid in Python, but JavaScript cannot express it: ${e.reason}`
      )
    }
    return invalid(
      `the pattern translated to JavaScript is refused by this engine (${e instanceof Error ? e.message : String(e)}); please report it`
    )
  }
  return Either.right({
    pattern,
    source,
    flags,
    match: (text) => anchored.test(text),
    search: (text) => open.test(text),
    fullmatch: (text) => whole.test(text)
  })
}
