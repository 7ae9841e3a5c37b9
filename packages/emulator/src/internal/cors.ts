/**
 * Cross-origin access for browser pages (`--cors ORIGIN`): the allowed origins, the answer to a
 * preflight (given without the API key, which a browser never sends on one), and the headers
 * every other answer to an allowed origin carries. An origin is echoed, never `*`: requests
 * carry the key in `Authorization`, which a wildcard does not cover.
 *
 * @internal
 */
import { InvalidArgument } from "@comet-ts/core"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Either from "effect/Either"

/** The methods the emulator serves. */
const METHODS = "GET, HEAD, POST"

/**
 * The request headers a page may send: the key (`Authorization`, or the Python SDK's
 * `Comet-Sdk-Api`), a JSON body, and `Accept` / `User-Agent`, which comet-ts sets (Chromium
 * drops `User-Agent`; Firefox sends it and so asks for it in the preflight).
 */
const ALLOWED_HEADERS = "Authorization, Comet-Sdk-Api, Content-Type, Accept, User-Agent"

/** The response headers a page may read: what a client needs for retries, sizes and redirects. */
const EXPOSED_HEADERS =
  "Retry-After, Content-Length, Content-Range, Content-Type, Content-Encoding, Content-Disposition, Location, Allow"

/** How long a browser may reuse a preflight answer, in seconds. */
const MAX_AGE = "600"

const invalid = (value: string, reason: string) => new InvalidArgument({ argument: "--cors", value, reason })

/** One origin as a browser sends it in `Origin`: `scheme://host[:port]`, lower case, no default port. */
const parseOrigin = (raw: string): Either.Either<string, InvalidArgument> => {
  const text = raw.trim()
  if (text === "*")
    return Either.left(
      invalid(
        text,
        "a wildcard is not allowed: requests carry the API key in Authorization, so name the page's origin, like http://localhost:5173"
      )
    )
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(invalid(text, "must be an origin like http://localhost:5173 (scheme, host and port only)"))
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return Either.left(invalid(text, "must be an http:// or https:// origin"))
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "")
    return Either.left(invalid(text, "must be an origin only (scheme, host and port), with no path, query or user"))
  return Either.right(url.origin)
}

/**
 * Parse allowed origins: each entry may itself be a comma list. Returns them normalised the way
 * browsers write `Origin`, without duplicates.
 */
export const parseOrigins = (
  raw: string | ReadonlyArray<string> | undefined
): Either.Either<ReadonlyArray<string>, InvalidArgument> => {
  const entries = (raw === undefined ? [] : typeof raw === "string" ? [raw] : raw).flatMap((e) => e.split(","))
  const out: Array<string> = []
  for (const entry of entries) {
    if (entry.trim() === "") return Either.left(invalid(entry, "must not be empty"))
    const origin = parseOrigin(entry)
    if (Either.isLeft(origin)) return Either.left(origin.left)
    if (!out.includes(origin.right)) out.push(origin.right)
  }
  return Either.right(out)
}

/** Whether a request is a CORS preflight (and not a plain OPTIONS request). */
const isPreflight = (request: HttpServerRequest.HttpServerRequest): boolean =>
  request.method === "OPTIONS" &&
  request.headers.origin !== undefined &&
  request.headers["access-control-request-method"] !== undefined

/** Cross-origin handling for a set of allowed origins (none: every cross-origin page is refused). */
export interface Cors {
  /** The answer to a preflight, or null when the request is not one. */
  readonly preflight: (request: HttpServerRequest.HttpServerRequest) => HttpServerResponse.HttpServerResponse | null
  /** Add the CORS headers an answer to this request needs. */
  readonly decorate: (
    request: HttpServerRequest.HttpServerRequest,
    response: HttpServerResponse.HttpServerResponse
  ) => HttpServerResponse.HttpServerResponse
}

const refusal = (status: number, msg: string) =>
  HttpServerResponse.text(JSON.stringify({ code: status, msg }), {
    status,
    contentType: "application/json",
    headers: { vary: "Origin" }
  })

/** Build the CORS handling of the emulator. */
export const makeCors = (origins: ReadonlyArray<string>): Cors => {
  const allowed = new Set(origins)
  return {
    preflight: (request) => {
      if (!isPreflight(request)) return null
      const origin = request.headers.origin ?? ""
      if (!allowed.has(origin))
        return refusal(
          403,
          allowed.size === 0
            ? `Cross-origin requests are off: start the emulator with --cors ${origin} to let this page call it`
            : `Origin ${origin} is not allowed (allowed: ${[...allowed].join(", ")}); add it with --cors ${origin}`
        )
      return HttpServerResponse.empty({
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-credentials": "true",
          "access-control-allow-methods": METHODS,
          "access-control-allow-headers": ALLOWED_HEADERS,
          "access-control-max-age": MAX_AGE,
          vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        }
      })
    },
    decorate: (request, response) => {
      if (allowed.size === 0) return response
      const origin = request.headers.origin
      if (origin === undefined || !allowed.has(origin)) return HttpServerResponse.setHeader(response, "vary", "Origin")
      return HttpServerResponse.setHeaders(response, {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": EXPOSED_HEADERS,
        vary: "Origin"
      })
    }
  }
}
