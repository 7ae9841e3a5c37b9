/**
 * Tokens of the Python expression syntax that Comet's queries are written in: numbers (all of
 * Python's literal forms), strings (quotes, triple quotes, `r`/`b`/`u` prefixes, escapes), names,
 * operators, comments. No `eval`: this reads characters.
 *
 * @internal
 */
import type { QueryError } from "@comet-ts/core"

/** A failure at a text offset; turned into a `QueryError` with line and column by `parse`. */
export class ParseFailure extends Error {
  readonly reason: QueryError["reason"]
  readonly offset: number | null
  readonly detail: string
  readonly hint: string | null
  constructor(reason: QueryError["reason"], offset: number | null, detail: string, hint: string | null = null) {
    super(detail)
    this.reason = reason
    this.offset = offset
    this.detail = detail
    this.hint = hint
  }
}

/** One token; `start`/`end` are offsets into the text. */
export type Token =
  | { readonly kind: "number"; readonly value: number; readonly start: number; readonly end: number }
  | {
      readonly kind: "string"
      readonly value: string
      readonly bytes: boolean
      readonly start: number
      readonly end: number
    }
  | { readonly kind: "name"; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: "op"; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: "eof"; readonly start: number; readonly end: number }

// longest first, so that `**` is read before `*`
const OPERATORS =
  "=== !== ** // == != <= >= << >> && || -> := <> ( ) [ ] { } , . : ; = < > & | ~ + - * / % ^ @ !".split(" ")

const identifier = /[\p{ID_Start}_][\p{ID_Continue}]*/uy
const numberLiteral =
  /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.?(?:[eE][+-]?\d(?:_?\d)*)?/y
const identifierPart = /[\p{ID_Continue}]/u
const stringPrefixes = new Set(["r", "u", "b", "br", "rb", "f", "fr", "rf"])
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9"
const hexDigits = /^[0-9a-fA-F]+$/

const simpleEscapes: Readonly<Record<string, number>> = {
  "\\": 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b
}

const describeChar = (c: string): string => {
  const cp = c.codePointAt(0) ?? 0
  return `'${c}' (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`
}

/** Read all tokens of `text`. */
export const tokenize = (text: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  const n = text.length
  while (true) {
    // whitespace, comments, line continuations
    while (i < n) {
      const c = text[i] as string
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") i++
      else if (c === "#") {
        while (i < n && text[i] !== "\n") i++
      } else if (c === "\\" && (text[i + 1] === "\n" || (text[i + 1] === "\r" && text[i + 2] === "\n"))) {
        i += text[i + 1] === "\n" ? 2 : 3
      } else if (/\p{Zs}/u.test(c) || c === "\u200b" || c === "\ufeff") i++
      else break
    }
    if (i >= n) {
      tokens.push({ kind: "eof", start: n, end: n })
      return tokens
    }
    const c = text[i] as string
    identifier.lastIndex = i
    const ident = identifier.exec(text)
    if (ident !== null) {
      const word = ident[0]
      const after = i + word.length
      const quote = text[after]
      if ((quote === '"' || quote === "'") && stringPrefixes.has(word.toLowerCase())) {
        const token = readString(text, i, after, word.toLowerCase())
        tokens.push(token)
        i = token.end
        continue
      }
      tokens.push({ kind: "name", value: word, start: i, end: after })
      i = after
      continue
    }
    if (isDigit(c) || (c === "." && isDigit(text[i + 1]))) {
      const token = readNumber(text, i)
      tokens.push(token)
      i = token.end
      continue
    }
    if (c === '"' || c === "'") {
      const token = readString(text, i, i, "")
      tokens.push(token)
      i = token.end
      continue
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i))
    if (op !== undefined) {
      tokens.push({ kind: "op", value: op, start: i, end: i + op.length })
      i += op.length
      continue
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0)
    const curly = "\u201c\u201d\u2018\u2019\u00ab\u00bb".includes(ch)
    throw new ParseFailure(
      "syntax",
      i,
      `invalid character ${describeChar(ch)}`,
      curly ? "use straight quotes (\" or ') around strings" : null
    )
  }
}

const readNumber = (text: string, start: number): Token => {
  numberLiteral.lastIndex = start
  const m = numberLiteral.exec(text)
  const literal = m === null ? "" : m[0]
  const end = start + literal.length
  const next = text[end]
  if (next === "j" || next === "J") {
    throw new ParseFailure("unsupported", start, "complex numbers are not supported", "compare with a real number")
  }
  if (next !== undefined && identifierPart.test(next)) {
    throw new ParseFailure("syntax", start, `invalid number literal '${literal}${next}'`)
  }
  const plain = !/[.eExXoObB]/.test(literal)
  if (plain && literal.length > 1 && literal.startsWith("0") && /[1-9]/.test(literal)) {
    throw new ParseFailure(
      "syntax",
      start,
      "leading zeros in decimal integer literals are not permitted",
      "write the number without leading zeros (0o17 for octal)"
    )
  }
  return { kind: "number", value: Number(literal.replaceAll("_", "")), start, end }
}

const readString = (text: string, start: number, quoteAt: number, prefix: string): Token => {
  if (prefix.includes("f")) {
    throw new ParseFailure("unsupported", start, "f-strings are not supported", "write the string out in full")
  }
  const raw = prefix.includes("r")
  const bytes = prefix.includes("b")
  const quote = text[quoteAt] as string
  const triple = text.startsWith(quote.repeat(3), quoteAt)
  const closing = triple ? quote.repeat(3) : quote
  if (!triple && !bytes) {
    // fast path: no escapes, no line breaks
    let j = quoteAt + 1
    while (j < text.length) {
      const c = text.charCodeAt(j)
      if (c === 0x5c || c === 0x0a || c === 0x0d || c === quote.charCodeAt(0)) break
      j++
    }
    if (j < text.length && text[j] === quote) {
      return { kind: "string", value: text.slice(quoteAt + 1, j), bytes, start, end: j + 1 }
    }
  }
  const units: Array<number> = []
  let i = quoteAt + closing.length
  const n = text.length
  const unterminated = (): never => {
    throw new ParseFailure(
      "syntax",
      start,
      triple ? "unterminated triple-quoted string literal" : "unterminated string literal",
      `close the string with ${closing}`
    )
  }
  const push = (code: number, at: number): void => {
    if (bytes && code > 0xff) {
      throw new ParseFailure("syntax", at, "bytes can only contain ASCII literal characters")
    }
    if (code > 0xffff) {
      const s = String.fromCodePoint(code)
      units.push(s.charCodeAt(0), s.charCodeAt(1))
    } else units.push(code)
  }
  while (true) {
    if (i >= n) unterminated()
    if (text.startsWith(closing, i)) {
      i += closing.length
      break
    }
    const c = text[i] as string
    if (!triple && (c === "\n" || c === "\r")) unterminated()
    if (c !== "\\") {
      const code = text.codePointAt(i) ?? 0
      if (bytes && code > 0x7f) throw new ParseFailure("syntax", i, "bytes can only contain ASCII literal characters")
      push(code, i)
      i += code > 0xffff ? 2 : 1
      continue
    }
    // a backslash
    const e = text[i + 1]
    if (e === undefined) unterminated()
    if (raw) {
      // raw strings keep the backslash, and an escaped quote does not end them
      push(0x5c, i)
      push(text.codePointAt(i + 1) ?? 0, i + 1)
      i += (text.codePointAt(i + 1) ?? 0) > 0xffff ? 3 : 2
      continue
    }
    const esc = e as string
    if (esc === "\n") {
      i += 2
      continue
    }
    if (esc === "\r") {
      i += text[i + 2] === "\n" ? 3 : 2
      continue
    }
    const simple = simpleEscapes[esc]
    if (simple !== undefined) {
      push(simple, i)
      i += 2
      continue
    }
    if (esc >= "0" && esc <= "7") {
      let j = i + 1
      let digits = ""
      while (j < n && digits.length < 3 && (text[j] as string) >= "0" && (text[j] as string) <= "7") {
        digits += text[j]
        j++
      }
      const code = Number.parseInt(digits, 8)
      if (bytes && code > 0xff) throw new ParseFailure("syntax", i, `invalid octal escape sequence '\\${digits}'`)
      push(code, i)
      i = j
      continue
    }
    const fixed = esc === "x" ? 2 : !bytes && esc === "u" ? 4 : !bytes && esc === "U" ? 8 : 0
    if (fixed > 0) {
      const digits = text.slice(i + 2, i + 2 + fixed)
      if (digits.length < fixed || !hexDigits.test(digits)) {
        throw new ParseFailure("syntax", i, `truncated \\${esc}${"X".repeat(fixed)} escape`)
      }
      const code = Number.parseInt(digits, 16)
      if (code > 0x10ffff) throw new ParseFailure("syntax", i, `illegal Unicode character \\${esc}${digits}`)
      push(code, i)
      i += 2 + fixed
      continue
    }
    if (!bytes && esc === "N") {
      throw new ParseFailure("unsupported", i, "\\N{...} escapes are not supported", "write the character itself")
    }
    // Python keeps unknown escapes as they are (with a warning)
    push(0x5c, i)
    i += 1
  }
  let value: string
  if (bytes) {
    try {
      value = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(units))
    } catch {
      throw new ParseFailure("type-mismatch", start, "the bytes value is not valid UTF-8", null)
    }
  } else {
    let s = ""
    for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096))
    value = s
  }
  return { kind: "string", value, bytes, start, end: i }
}
