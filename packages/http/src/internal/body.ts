/**
 * Reading response bodies from a transport, in plain code: whole, with the size limit enforced
 * on the decoded bytes as they arrive (the connection is closed the moment it is passed) and the
 * length checked against Content-Length where the bytes are the ones it counts; capped (error
 * bodies); and JSON parsing into a DecodeError on failure.
 *
 * @internal
 */
import { DecodeError } from "@comet-ts/core"
import * as Decode from "@comet-ts/core/Decode"
import * as Either from "effect/Either"
import type { WireBody, WireResponse } from "./transport.js"

/** Why a body could not be read whole. */
export class BodyError {
  constructor(
    /** `corrupt`: the bytes are not what the Content-Encoding names (a DecodeError, not retried). */
    readonly reason: "too-large" | "truncated" | "corrupt",
    readonly detail: string
  ) {}
}

/**
 * When a read failed because the body is not in the coding its Content-Encoding names (zlib's
 * `Z_DATA_ERROR`, brotli's format errors, anywhere in the cause chain) — not because it was cut
 * short (`Z_BUF_ERROR`, "unexpected end of file") — what to say about it; else null.
 */
export const corruptCoding = (
  e: unknown,
  headers: Readonly<Record<string, string>>,
  describe: (e: unknown) => string
): string | null => {
  for (let c: unknown = e, depth = 0; typeof c === "object" && c !== null && depth < 8; depth++) {
    const code: unknown = Reflect.get(c, "code")
    if (typeof code === "string" && (code === "Z_DATA_ERROR" || code.startsWith("ERR__ERROR_FORMAT"))) {
      const coding = headers["content-encoding"] ?? "(none)"
      return `the body is not valid ${coding} though its Content-Encoding says so (${describe(e)}): the server, or a proxy on the way, sent it mislabelled`
    }
    c = Reflect.get(c, "cause")
  }
  return null
}

/** The declared body length, when there is one we can check the bytes against. */
export const declaredLength = (headers: Readonly<Record<string, string>>): number | null => {
  const raw = headers["content-length"]
  if (raw === undefined) return null
  // the usual value, digits only, read without a pattern or a trimmed copy
  if (raw.length > 0 && raw.length < 16 && allDigits(raw)) return Number(raw)
  if (!/^\s*\d+\s*$/.test(raw)) return null
  return Number(raw.trim())
}

const allDigits = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * The length the bytes we read must have: Content-Length, unless the transport removed a
 * Content-Encoding itself (then Content-Length counts the compressed bytes), or the body is
 * compressed (then the decoder checks the compressed stream's own end).
 */
export const checkableLength = (response: WireResponse): number | null => {
  if (response.decodedUnchecked) return null
  const encoding = response.headers["content-encoding"]
  const plain = encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"
  return plain ? declaredLength(response.headers) : null
}

/**
 * Concatenate chunks into one plain `Uint8Array` that owns its whole buffer (a chunk may be a
 * Node `Buffer` viewing a shared pool: never handed out as is).
 */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const only = chunks.length === 1 ? chunks[0] : undefined
  if (
    only !== undefined &&
    only.length === size &&
    only.byteOffset === 0 &&
    only.byteLength === only.buffer.byteLength &&
    Object.getPrototypeOf(only) === Uint8Array.prototype
  ) {
    return only
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

const decoder = new TextDecoder("utf-8")

/** Bytes to text (UTF-8, BOM dropped, invalid sequences replaced). */
export const utf8 = (bytes: Uint8Array): string => decoder.decode(bytes)

/**
 * Read at most `cap` bytes of a body as text (for error pages and excerpts); a read error ends
 * the read with what arrived. The rest of the body is cancelled.
 */
export const readCapped = async (body: WireBody, cap: number, onBytes: (n: number) => void): Promise<string> => {
  const chunks: Array<Uint8Array> = []
  let size = 0
  try {
    while (size < cap) {
      const chunk = await body.read()
      if (chunk === null) break
      onBytes(chunk.length)
      const room = cap - size
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk
      chunks.push(part)
      size += part.length
    }
  } catch {
    // what arrived is all there is
  } finally {
    body.cancel()
  }
  return utf8(concat(chunks, size))
}

/** What {@link readAll} is given. */
export interface ReadAllOptions {
  readonly response: WireResponse
  readonly limit: number
  readonly limitName: string
  readonly onBytes: (n: number) => void
  readonly describeError: (e: unknown) => string
  /** Only read as text (JSON): one chunk is returned as it came, not copied into a buffer of its own. */
  readonly textOnly?: boolean | undefined
}

/**
 * Read a whole body into memory. The limit is checked on every chunk as it arrives (decoded
 * bytes: a small compressed body that inflates past it stops there), and the body is cancelled
 * at once, closing the connection: `too-large`. A read error after the headers (a reset, a
 * truncated compressed stream) and a body shorter than its checkable length are `truncated`.
 * `limitName` names the setting in the message. A body that has arrived whole already (the
 * usual small answer) is read without a promise: the bytes are returned as they are.
 */
export const readAll = (options: ReadAllOptions): Uint8Array | Promise<Uint8Array> => {
  const body = options.response.body
  const declared = checkableLength(options.response)
  const chunks: Array<Uint8Array> = []
  let size = 0
  let ended = false
  try {
    // what has arrived already is taken without a promise
    for (let chunk = body.readNow?.(); chunk !== undefined; chunk = body.readNow?.()) {
      if (chunk === null) {
        ended = true
        break
      }
      size = take(options, chunks, size, chunk)
    }
  } catch (e) {
    body.cancel()
    throw e
  }
  if (!ended) return readRest(options, chunks, size, declared)
  body.cancel()
  return whole(options, chunks, size, declared)
}

/** {@link readAll} from the first chunk that has not arrived yet. */
const readRest = async (
  options: ReadAllOptions,
  chunks: Array<Uint8Array>,
  read: number,
  declared: number | null
): Promise<Uint8Array> => {
  const body = options.response.body
  let size = read
  try {
    while (true) {
      // what has arrived already is taken without a promise
      let chunk: Uint8Array | null | undefined = body.readNow?.()
      try {
        if (chunk === undefined) chunk = await body.read()
      } catch (e) {
        const corrupt = corruptCoding(e, options.response.headers, options.describeError)
        if (corrupt !== null) throw new BodyError("corrupt", corrupt)
        throw new BodyError(
          "truncated",
          `the body broke off after ${size} bytes${declared === null ? "" : ` of ${declared}`} (${options.describeError(e)})`
        )
      }
      if (chunk === null) break
      size = take(options, chunks, size, chunk)
    }
  } finally {
    body.cancel()
  }
  return whole(options, chunks, size, declared)
}

/** Keep one chunk of a body being read whole: the size read so far, or `too-large` past the limit. */
const take = (options: ReadAllOptions, chunks: Array<Uint8Array>, read: number, chunk: Uint8Array): number => {
  options.onBytes(chunk.length)
  const size = read + chunk.length
  if (size > options.limit) {
    throw new BodyError(
      "too-large",
      `the body passed the ${options.limit} bytes this client reads into memory (${options.limitName}); reading stopped there and the connection was closed`
    )
  }
  chunks.push(chunk)
  return size
}

/** The bytes of a body read to its end, or `truncated` when it is shorter than its checkable length. */
const whole = (
  options: ReadAllOptions,
  chunks: ReadonlyArray<Uint8Array>,
  size: number,
  declared: number | null
): Uint8Array => {
  if (declared !== null && size < declared) {
    throw new BodyError(
      "truncated",
      `the body ended after ${size} of the ${declared} bytes announced by Content-Length`
    )
  }
  const only = chunks.length === 1 ? chunks[0] : undefined
  return options.textOnly === true && only !== undefined ? only : concat(chunks, size)
}

/**
 * Parse a JSON body. An empty body, one of only white space (its size named) or text that is not
 * JSON is a DecodeError showing what came.
 */
export const parseJson = (
  endpoint: string,
  bytes: Uint8Array,
  apiKey: string
): Either.Either<{ readonly value: unknown; readonly text: string }, DecodeError> => {
  let text: string
  try {
    text = utf8(bytes)
  } catch (e) {
    // a body too large for a JavaScript string (only with maxJsonBytes raised near 512 MiB)
    return Either.left(
      new DecodeError({
        endpoint,
        path: "",
        detail: `the ${bytes.length}-byte body cannot be read as text (${e instanceof Error ? e.message : String(e)})`,
        excerpt: "(not shown)"
      })
    )
  }
  try {
    return Either.right({ value: JSON.parse(text) as unknown, text })
  } catch (e) {
    // an empty body, or one of only white space (named with its size), or text that is not JSON
    return Either.left(
      new DecodeError({
        endpoint,
        path: "",
        detail: Decode.notJson(text, e instanceof Error ? e.message : String(e), bytes.length),
        excerpt: Decode.excerpt(text, apiKey, bytes.length)
      })
    )
  }
}

/**
 * The media type of a Content-Type, lower-case. A header sent twice arrives joined with ", "
 * (`application/json, application/json`, as a proxy adding its own does): the last media type
 * wins, as fetch's "extract a MIME type" reads it (commas inside quoted parameters are kept).
 */
const mediaType = (contentType: string): string => {
  // the usual case, one media type: no list to split
  if (!contentType.includes(",")) return (contentType.split(";")[0] ?? "").trim().toLowerCase()
  let media = ""
  for (const part of contentType.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
    const m = (part.split(";")[0] ?? "").trim().toLowerCase()
    if (/^[^\s/]+\/[^\s/]+$/.test(m)) media = m
  }
  return media
}

/** The last Content-Type {@link isJsonContentType} read, and its answer. */
let lastContentType: string | undefined
let lastIsJson = false

/** Media types accepted as JSON (the Python SDK accepts exactly these two, without parameters). */
export const isJsonContentType = (contentType: string): boolean => {
  // a server sends the same Content-Type on every answer: the last one's answer is kept
  if (contentType === lastContentType) return lastIsJson
  const media = mediaType(contentType)
  const json =
    media === "application/json" ||
    media === "application/octet-stream" ||
    media === "text/json" ||
    /^application\/[a-z0-9.+-]+\+json$/.test(media)
  lastContentType = contentType
  lastIsJson = json
  return json
}

/**
 * A 200 whose body is Comet's error JSON (`{"code":..,"msg":..}`) where data was expected: the
 * fields of that body, when the value has that shape.
 */
export const errorBodyShape = (value: unknown): { readonly code: number | null } | null => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const msg: unknown = Reflect.get(value, "msg")
  const code: unknown = Reflect.get(value, "code")
  const sdk: unknown = Reflect.get(value, "sdk_error_code")
  if (typeof msg !== "string") return null
  const codeNumber =
    typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : null
  if (codeNumber === null && typeof sdk !== "number" && typeof sdk !== "string") return null
  return { code: codeNumber }
}

/** A short, key-free description of a transport failure's cause chain. */
export const describe = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code: unknown = Reflect.get(current, "code")
      // one line: a multi-line message (an assertion's source excerpt) folded; a message that is
      // not a string (an odd library under a user's HttpClient) as its text
      const message = String(current.message).replace(/\s+/g, " ").trim()
      const text = `${current.name}: ${message}${typeof code === "string" ? ` (${code})` : ""}`
      if (!parts.includes(text)) parts.push(text)
      current = Reflect.get(current, "cause")
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.length === 0 ? "unknown cause" : parts.join(" <- ")
}

/** Whether a cause chain is an abort (an AbortSignal we did not fire ourselves). */
export const isAbort = (cause: unknown): boolean =>
  cause instanceof Error && (cause.name === "AbortError" || Reflect.get(cause, "code") === "ABORT_ERR")
