/**
 * The one place where an HTTP status and body from Comet become a {@link CometError}
 * (comet-rest-v2.md §5). Pure: the transport calls it with what it saw.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { BadRequest, type CometError, NotFound, RateLimited, ServerError, Unauthorized } from "./Errors.js"
import { scrub, scrubEcho } from "./internal/secrets.js"
import { ErrorBody } from "./wire/ErrorBody.js"

/**
 * What the transport saw of a non-200 response.
 *
 * @since 0.1.0
 */
export interface FailedResponse {
  /** HTTP status. */
  readonly status: number
  /** The REST path, like `experiment/metadata`. */
  readonly endpoint: string
  /** The query parameters of the request (used to say what was not found). */
  readonly params?: Readonly<Record<string, string | undefined>>
  /** The body as text (may be empty, HTML from a proxy, or Comet's JSON error body). */
  readonly body: string
  /** The raw `Retry-After` header, if any. */
  readonly retryAfter?: string | undefined
  /** Current time in ms since the epoch (for HTTP-date Retry-After). */
  readonly nowMillis: number
  /** Attempts made so far, this one included. */
  readonly attempts: number
  /** The API key in use, scrubbed from everything the error carries. */
  readonly apiKey?: string | undefined
  /** The proxy the answer came through (`http://host:port (from HTTP_PROXY)`), noted on a `ServerError`. */
  readonly via?: string | undefined
}

/**
 * Comet's error body fields, when the body is Comet's JSON error body.
 *
 * @since 0.1.0
 */
export const parseErrorBody = (body: string): { readonly msg: string | null; readonly sdkErrorCode: number | null } => {
  const trimmed = body.trim()
  if (!trimmed.startsWith("{")) return { msg: null, sdkErrorCode: null }
  try {
    const parsed = Schema.decodeUnknownOption(ErrorBody)(JSON.parse(trimmed))
    return Option.match(parsed, {
      onNone: () => ({ msg: null, sdkErrorCode: null }),
      onSome: (b) => ({ msg: b.msg ?? null, sdkErrorCode: b.sdk_error_code ?? null })
    })
  } catch {
    return { msg: null, sdkErrorCode: null }
  }
}

/**
 * Parse a `Retry-After` header (delta-seconds or an HTTP-date) into milliseconds from now.
 * Returns `null` when absent or unreadable; never negative.
 *
 * @since 0.1.0
 */
export const parseRetryAfter = (header: string | undefined, nowMillis: number): number | null => {
  if (header === undefined) return null
  const value = header.trim()
  if (value.length === 0) return null
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  if (Number.isNaN(date)) return null
  return Math.max(0, date - nowMillis)
}

/** sdk_error_code values that mean "does not exist" (comet-rest-v2.md §5.1). */
const NOT_FOUND_CODES: Readonly<Record<number, string>> = {
  90211: "experiment",
  90219: "workspace",
  624522: "artifact",
  624523: "artifact version",
  42008: "registry model"
}

/**
 * Which resource a request was about, from its endpoint and parameters: used to say what was
 * not found.
 *
 * @since 0.1.0
 */
export const subjectOf = (
  endpoint: string,
  params: Readonly<Record<string, string | undefined>> = {}
): { readonly resource: string; readonly id: string } => {
  const p = (k: string) => params[k]
  if (p("assetId") !== undefined) return { resource: "asset", id: p("assetId") ?? "" }
  if (p("modelName") !== undefined && p("experimentKey") !== undefined)
    return { resource: "model", id: `${p("modelName")} of experiment ${p("experimentKey")}` }
  if (p("experimentKey") !== undefined) return { resource: "experiment", id: p("experimentKey") ?? "" }
  if (p("projectId") !== undefined) return { resource: "project", id: p("projectId") ?? "" }
  if (p("projectName") !== undefined)
    return { resource: "project", id: `${p("workspaceName") ?? "?"}/${p("projectName")}` }
  if (p("workspaceName") !== undefined) return { resource: "workspace", id: p("workspaceName") ?? "" }
  return { resource: "endpoint", id: endpoint }
}

/**
 * Map a non-200 response to its {@link CometError} (comet-rest-v2.md §5.2): 401/403 →
 * Unauthorized, 404 (and the 400 old servers send for an unknown experiment key) → NotFound,
 * 429 → RateLimited with its Retry-After, 5xx and 408 → ServerError, other 4xx → BadRequest.
 * Any 2xx other than 200 is also an error, as in the Python SDK. The API key is scrubbed from
 * everything the error carries.
 *
 * @since 0.1.0
 */
export const errorFromResponse = (r: FailedResponse): CometError => {
  const clean = (s: string) => scrub(s, r.apiKey)
  const { msg: rawMsg, sdkErrorCode } = parseErrorBody(r.body)
  const serverMessage = rawMsg === null ? null : scrubEcho(rawMsg, r.apiKey)
  const endpoint = clean(r.endpoint)
  const notFound = (resource?: string) => {
    const subject = subjectOf(r.endpoint, r.params)
    return new NotFound({
      resource: resource ?? subject.resource,
      id: clean(subject.id),
      endpoint,
      serverMessage,
      sdkErrorCode
    })
  }
  if (sdkErrorCode !== null && NOT_FOUND_CODES[sdkErrorCode] !== undefined && r.status >= 400 && r.status < 500) {
    return notFound(NOT_FOUND_CODES[sdkErrorCode])
  }
  switch (r.status) {
    case 401:
    case 403:
      return new Unauthorized({ status: r.status, endpoint, serverMessage, sdkErrorCode })
    case 404:
      return notFound()
    case 429:
      return new RateLimited({
        endpoint,
        retryAfterMillis: parseRetryAfter(r.retryAfter, r.nowMillis),
        attempts: r.attempts,
        serverMessage
      })
    case 408:
      return new ServerError({ status: 408, endpoint, serverMessage, sdkErrorCode, attempts: r.attempts })
  }
  // Older backends answer 400 for an unknown experiment key on experiment reads (§2.9, §2.10).
  if (r.status === 400 && r.endpoint === "experiment/metadata" && r.params?.experimentKey !== undefined) {
    return notFound()
  }
  if (r.status >= 500) {
    return new ServerError({
      status: r.status,
      endpoint,
      serverMessage,
      sdkErrorCode,
      attempts: r.attempts,
      ...(r.via === undefined ? {} : { via: clean(r.via) })
    })
  }
  return new BadRequest({ status: r.status, endpoint, serverMessage, sdkErrorCode })
}

/**
 * What a 200 whose body is Comet's error JSON stands for: `{ msg, code }` or
 * `{ msg, sdk_error_code }` where data (or a patch's bytes) was expected. The error its `code`
 * names (a 4xx or 5xx), or `NotFound` for a not-found `sdk_error_code`, else a `BadRequest`
 * reporting the 200; null when the value is not Comet's error body.
 *
 * @since 0.1.0
 */
export const errorInBody = (r: {
  readonly endpoint: string
  readonly params?: Readonly<Record<string, string | undefined>>
  readonly value: unknown
  readonly body: string
  readonly nowMillis: number
  readonly apiKey?: string | undefined
}): CometError | null => {
  const decoded = Schema.decodeUnknownOption(ErrorBody)(r.value)
  if (Option.isNone(decoded) || decoded.value.msg === undefined) return null
  const { code, sdk_error_code: sdk } = decoded.value
  // a message with no error code (or a success code) is a message, not an error
  if (sdk === undefined && (code === undefined || code < 400)) return null
  const status =
    code !== undefined && code >= 400 && code < 600
      ? code
      : sdk !== undefined && NOT_FOUND_CODES[sdk] !== undefined
        ? 404
        : 200
  return errorFromResponse({
    status,
    endpoint: r.endpoint,
    body: r.body,
    nowMillis: r.nowMillis,
    attempts: 1,
    ...(r.params === undefined ? {} : { params: r.params }),
    ...(r.apiKey === undefined ? {} : { apiKey: r.apiKey })
  })
}
