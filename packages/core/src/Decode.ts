/**
 * Decoding of Comet's JSON bodies with the wire Schemas, failing with a {@link DecodeError}
 * that names the endpoint, the path of the first mismatching field and a short excerpt of the
 * body. Unknown fields are kept (`onExcessProperty: "preserve"`): what the wire gives, the user
 * gets. Valid bodies take a compiled fast path that checks every value as the Schema does
 * (internal/fastDecode.ts); anything else goes through the Schema interpreter for its error.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import { DecodeError } from "./Errors.js"
import { fastDecoder, isMiss } from "./internal/fastDecode.js"
import { longestForm, scrubEcho } from "./internal/secrets.js"

const EXCERPT_LENGTH = 200
const DETAIL_LENGTH = 400

/**
 * The first `length` characters of a text, on one line, with the API key (in any form) scrubbed
 * — also a key whose form the cut would split: the window scrubbed reaches past the cut by the
 * longest form a key can take.
 */
/**
 * Control characters (NUL, the ESC of a terminal sequence, NEL) shown as U+FFFD: what a hostile
 * server sent is shown in a message as one line of plain text, never as bytes a terminal obeys.
 */
const printable = (text: string): string => text.replace(/\p{Cc}/gu, "\ufffd")

const clip = (text: string, length: number, apiKey?: string): string => {
  const oneLine = printable(text.replace(/\s+/g, " ")).trim()
  const margin = longestForm(apiKey)
  let window = length + margin
  let scrubbed = scrubEcho(oneLine.slice(0, window), apiKey)
  while (window < oneLine.length && scrubbed.length - margin < length) {
    window *= 2
    scrubbed = scrubEcho(oneLine.slice(0, window), apiKey)
  }
  return scrubEcho(scrubbed.length > length ? `${scrubbed.slice(0, length)}…` : scrubbed, apiKey)
}

/** The UTF-8 length of a text, in bytes (counted, not encoded: a body may be large). */
const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // a surrogate pair: one 4-byte character
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** The names of the white-space characters a text holds, in order of first appearance. */
const WHITE_SPACE_NAMES: Readonly<Record<string, string>> = {
  " ": "spaces",
  "\t": "tabs",
  "\n": "line feeds",
  "\r": "carriage returns",
  "\u00a0": "no-break spaces",
  "\ufeff": "byte order marks"
}

const whiteSpaceKinds = (text: string): string => {
  const seen = new Set<string>()
  for (let i = 0; i < text.length && seen.size < 4; i++) {
    const ch = text[i] as string
    seen.add(WHITE_SPACE_NAMES[ch] ?? `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`)
  }
  return [...seen].join(", ")
}

/**
 * What a body with no JSON value in it holds, in words, when it is empty or only white space:
 * `"empty"`, or `"only white space: 1048576 bytes (spaces, line feeds)"` (the size in bytes:
 * `bytes` when the caller has it, else the text's UTF-8 length); null when it holds anything
 * else. A whitespace-only body is not an empty one: a server or proxy sent those bytes.
 *
 * @since 0.1.0
 */
export const blankBody = (text: string, bytes?: number): string | null => {
  if (text.trim().length > 0) return null
  const length = utf8Length(text)
  const size = bytes ?? length
  if (size === 0) return "empty"
  // a UTF-8 decoder drops a leading byte order mark: 3 bytes the text lacks were that mark
  const kinds = whiteSpaceKinds(size === length + 3 ? `\ufeff${text}` : text)
  return `only white space: ${size} byte${size === 1 ? "" : "s"} (${kinds})`
}

/**
 * The first `EXCERPT_LENGTH` characters of a body, on one line, with the API key scrubbed;
 * `(empty body)` for none, and what a body of only white space holds (its size — `bytes` when
 * the caller has it — and which characters) rather than an empty excerpt.
 *
 * @since 0.1.0
 */
export const excerpt = (body: string, apiKey?: string, bytes?: number): string => {
  const cut = clip(body, EXCERPT_LENGTH, apiKey)
  if (cut.length > 0) return cut
  const blank = blankBody(body, bytes)
  return blank === null || blank === "empty" ? "(empty body)" : `(${blank})`
}

/**
 * A DecodeError's detail for a body JSON.parse refused (`parseError`: what it said): empty,
 * only white space (its size, which characters), or not JSON.
 *
 * @since 0.1.0
 */
export const notJson = (text: string, parseError: string, bytes?: number): string => {
  const blank = blankBody(text, bytes)
  return blank === null ? `not JSON (${unquoted(parseError)})` : `the body is ${blank}, JSON was expected`
}

/**
 * V8's JSON.parse message without its quote of the body (`Unexpected token 'c', "   ck_live_7H"...
 * is not valid JSON`): the quote is cut mid-word, so an API key the server echoed shows as a
 * prefix no scrubbing recognises, and it carries the body's control characters raw. The excerpt
 * shows the body's start, scrubbed.
 */
const unquoted = (parseError: string): string =>
  printable(parseError.replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, ""))

/**
 * Render a Schema path like `["experiments", 3, "durationMillis"]` as
 * `experiments[3].durationMillis`.
 *
 * @since 0.1.0
 */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out.length === 0 ? key : `.${key}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out
}

/**
 * Turn a Schema `ParseError` into a {@link DecodeError} for `endpoint`.
 *
 * @since 0.1.0
 */
export const toDecodeError = (
  error: ParseResult.ParseError,
  endpoint: string,
  body: string,
  apiKey?: string
): DecodeError => {
  let path: ReadonlyArray<PropertyKey>
  let detail: string
  try {
    const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    path = first?.path ?? []
    detail = first?.message ?? error.message
  } catch {
    // The formatter renders the offending value recursively: a value nested thousands of levels
    // deep overflows the stack. The path comes from the issue tree, which is only as deep as
    // the Schema.
    path = issuePath(error.issue)
    detail = "the value there is not what the wire reference describes, and is nested too deeply to show"
  }
  return new DecodeError({
    endpoint,
    path: formatPath(path),
    detail: clip(detail, DETAIL_LENGTH, apiKey),
    excerpt: excerpt(body, apiKey)
  })
}

/** The path of the first issue of a parse error, walked without rendering any value. */
const issuePath = (root: ParseResult.ParseIssue): ReadonlyArray<PropertyKey> => {
  const path: Array<PropertyKey> = []
  let issue: ParseResult.ParseIssue | undefined = root
  while (issue !== undefined) {
    switch (issue._tag) {
      case "Pointer":
        path.push(...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]))
        issue = issue.issue
        break
      case "Composite":
        issue = Array.isArray(issue.issues) ? issue.issues[0] : (issue.issues as ParseResult.ParseIssue)
        break
      case "Refinement":
      case "Transformation":
        issue = issue.issue
        break
      default:
        issue = undefined
    }
  }
  return path
}

/** The parse options used for every wire decode. */
export const wireParseOptions: ParseOptions = { onExcessProperty: "preserve", errors: "first" }

/**
 * Decode an already-parsed JSON value with a wire Schema.
 *
 * @since 0.1.0
 */
export const decodeWire = <A, I>(schema: Schema.Schema<A, I, never>, endpoint: string) => {
  // A compiled decoder validates every value as the interpreter does, many times faster; on
  // anything it does not accept, the interpreter runs and reports the error with its path.
  const fast = fastDecoder(schema.ast, wireParseOptions)
  const decode = Schema.decodeUnknown(schema, wireParseOptions)
  return (value: unknown, body?: string, apiKey?: string): Effect.Effect<A, DecodeError> => {
    if (fast !== null) {
      const out = fast(value)
      if (!isMiss(out)) return Effect.succeed(out as A)
    }
    return Effect.mapError(decode(value), (e) => toDecodeError(e, endpoint, body ?? safeStringify(value), apiKey))
  }
}

/**
 * Parse a JSON text and decode it with a wire Schema. Bodies that are not JSON (an HTML page
 * from a proxy, an empty body) fail with a DecodeError whose excerpt shows what came instead.
 *
 * @since 0.1.0
 */
export const decodeJsonText = <A, I>(schema: Schema.Schema<A, I, never>, endpoint: string) => {
  const wire = decodeWire(schema, endpoint)
  return (text: string, apiKey?: string): Effect.Effect<A, DecodeError> =>
    Effect.suspend(() => {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (e) {
        return Effect.fail(
          new DecodeError({
            endpoint,
            path: "",
            detail: scrubEcho(notJson(text, String(e)), apiKey),
            excerpt: excerpt(text, apiKey)
          })
        )
      }
      return wire(value, text, apiKey)
    })
}

const safeStringify = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? typeof value
  } catch {
    // too deep, cyclic, or with a BigInt: say what it is, without rendering it
    return Array.isArray(value) ? "(an array that cannot be shown)" : `(a ${typeof value} that cannot be shown)`
  }
}
