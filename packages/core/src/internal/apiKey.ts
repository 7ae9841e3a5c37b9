/**
 * Whether an API key can be sent at all: a string of printable ASCII (what Comet issues, and
 * what an HTTP header can carry unchanged), once the white space around it is trimmed. A key
 * pasted with an invisible character (a zero-width space, a byte order mark, a no-break space)
 * or with a line break inside is a `ConfigurationError` naming the character and its position —
 * never the key — before any request is sent.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { ConfigurationError } from "../Errors.js"

const NAMES: Readonly<Record<number, string>> = {
  9: "a tab",
  10: "a line break",
  13: "a carriage return",
  32: "a space",
  127: "a delete control character",
  160: "a no-break space",
  173: "a soft hyphen",
  8203: "a zero-width space",
  8204: "a zero-width non-joiner",
  8205: "a zero-width joiner",
  8206: "a left-to-right mark",
  8207: "a right-to-left mark",
  8232: "a line separator",
  8233: "a paragraph separator",
  8239: "a narrow no-break space",
  8288: "a word joiner",
  65279: "a byte order mark (zero-width no-break space)"
}

const describeChar = (cp: number): string => {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`
  const name = NAMES[cp]
  if (name !== undefined) return `${name} (${code})`
  if (cp < 0x20 || (cp >= 0x80 && cp < 0xa0)) return `a control character (${code})`
  return `a character outside printable ASCII (${code})`
}

const kindOf = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : `a ${typeof u}`

/**
 * The usable key (trimmed of the ASCII white space around it), or the reason it cannot be used
 * (naming the character and its position, never the key).
 *
 * @internal
 */
export const checkKeyText = (raw: unknown): Either.Either<string, string> => {
  if (typeof raw !== "string") return Either.left(`the API key is ${kindOf(raw)}, not a string.`)
  const key = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")
  if (key.length === 0) return Either.left("the API key is empty.")
  let position = 0
  for (const ch of key) {
    position++
    const cp = ch.codePointAt(0) ?? 0
    if (cp > 0x20 && cp < 0x7f) continue
    return Either.left(
      `the API key contains ${describeChar(cp)} at character ${position} of ${[...key].length}; Comet keys are printable ASCII, with no white space or control characters. Check for a stray space or line break, or an invisible character copied along with the key.`
    )
  }
  return Either.right(key)
}

/**
 * {@link checkKeyText} as a `ConfigurationError` of the `apiKey` setting; `source` says where the
 * key came from.
 *
 * @internal
 */
export const checkApiKey = (raw: unknown, source: string): Either.Either<string, ConfigurationError> =>
  Either.mapLeft(
    checkKeyText(raw),
    (reason) => new ConfigurationError({ setting: "apiKey", reason: `${reason} (the key came from ${source})` })
  )
