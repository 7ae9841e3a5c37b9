/**
 * Reading response bodies: whole (with Content-Length and size checks), capped (error bodies),
 * and JSON parsing into a DecodeError on failure.
 *
 * @internal
 */
import { Decode, DecodeError, TransportError } from "@comet-ts/core"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"

/** The declared body length, when there is one we can check the bytes against. */
export const declaredLength = (headers: Headers.Headers): number | null => {
  const raw = headers["content-length"]
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return null
  return Number(raw.trim())
}

/**
 * Whether the bytes we read are the bytes Content-Length counts: not so when the client
 * decompressed a `Content-Encoding` for us.
 */
export const lengthIsCheckable = (headers: Headers.Headers): boolean => {
  const encoding = headers["content-encoding"]
  return encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"
}

/** Concatenate chunks into one array. */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1 && chunks[0] !== undefined && chunks[0].length === size) return chunks[0]
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
export const readCapped = (
  response: HttpClientResponse.HttpClientResponse,
  cap: number,
  onBytes: (n: number) => void
): Effect.Effect<string> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return response.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          onBytes(chunk.length)
          const room = cap - size
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk
          chunks.push(part)
          size += part.length
          return size < cap
        })
      ),
      Effect.ignore,
      Effect.map(() => utf8(concat(chunks, size)))
    )
  })

/**
 * Read a whole body into memory. A read error after the headers (a connection reset, a body cut
 * off) is a retryable `truncated`; so is a body shorter than its Content-Length. A body over
 * `limit` bytes fails with `too-large` (a Content-Length over the limit is refused before this is
 * called; this catches bodies without one).
 */
export const readAll = (options: {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly endpoint: string
  readonly attempt: number
  readonly limit: number
  readonly onBytes: (n: number) => void
  readonly scrub: (s: string) => string
}): Effect.Effect<Uint8Array, TransportError> =>
  Effect.suspend(() => {
    const { response, endpoint, attempt, limit, onBytes, scrub } = options
    const declared = lengthIsCheckable(response.headers) ? declaredLength(response.headers) : null
    const tooLarge = (size: string) =>
      new TransportError({
        endpoint,
        reason: "too-large",
        detail: `the body (${size}) is over the ${limit} bytes this client reads into memory`,
        attempts: attempt
      })
    return response.arrayBuffer.pipe(
      Effect.map((buffer) => new Uint8Array(buffer)),
      Effect.catchAll((e): Effect.Effect<Uint8Array, TransportError> => {
        if (e.reason === "EmptyBody") return Effect.succeed(new Uint8Array(0))
        if (e.cause instanceof RangeError) return Effect.fail(tooLarge("too large for an ArrayBuffer"))
        return Effect.fail(
          new TransportError({
            endpoint,
            reason: "truncated",
            detail: scrub(`the body broke off before its end (${describe(e.cause)})`),
            attempts: attempt
          })
        )
      }),
      Effect.tap((body) => Effect.sync(() => onBytes(body.length))),
      Effect.filterOrFail(
        (body) => body.length <= limit,
        (body) => tooLarge(`${body.length} bytes`)
      ),
      Effect.filterOrFail(
        (body) => declared === null || body.length >= declared,
        (body) =>
          new TransportError({
            endpoint,
            reason: "truncated",
            detail: `the body ended after ${body.length} of the ${declared} bytes announced by Content-Length`,
            attempts: attempt
          })
      )
    )
  })

/**
 * Parse a JSON body. An empty body or text that is not JSON is a DecodeError showing what came.
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
  if (text.trim().length === 0) {
    return Either.left(
      new DecodeError({ endpoint, path: "", detail: "the body is empty, JSON was expected", excerpt: "(empty body)" })
    )
  }
  try {
    return Either.right({ value: JSON.parse(text) as unknown, text })
  } catch (e) {
    return Either.left(
      new DecodeError({
        endpoint,
        path: "",
        detail: `not JSON (${e instanceof Error ? e.message : String(e)})`,
        excerpt: Decode.excerpt(text, apiKey)
      })
    )
  }
}

/** Media types accepted as JSON (the Python SDK accepts exactly these two, without parameters). */
export const isJsonContentType = (contentType: string): boolean => {
  const media = (contentType.split(";")[0] ?? "").trim().toLowerCase()
  return (
    media === "application/json" ||
    media === "application/octet-stream" ||
    media === "text/json" ||
    /^application\/[a-z0-9.+-]+\+json$/.test(media)
  )
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
      const text = `${current.name}: ${current.message}${typeof code === "string" ? ` (${code})` : ""}`
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
