/**
 * Endpoint validation and query-string encoding.
 *
 * @internal
 */
import { InvalidArgument } from "@comet-ts/core"
import * as Either from "effect/Either"
import type { Params } from "./contract.js"

const ENDPOINT = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/

/**
 * An endpoint is a relative REST path like `experiment/metadata`: letters, digits, `.`, `_`,
 * `-` and single slashes. No scheme, host, query, fragment, `..` or leading slash, so a path can
 * never send the key anywhere but the configured server.
 *
 * @internal
 */
export const validateEndpoint = (endpoint: string): Either.Either<string, InvalidArgument> => {
  const known = validEndpoints.get(endpoint)
  if (known !== undefined) return known
  const trimmed = endpoint.startsWith("/") && !endpoint.startsWith("//") ? endpoint.slice(1) : endpoint
  if (ENDPOINT.test(trimmed) && !trimmed.split("/").some((s) => s === "." || s === "..")) {
    const valid = Either.right(trimmed)
    if (validEndpoints.size < KNOWN_ENDPOINTS) validEndpoints.set(endpoint, valid)
    return valid
  }
  return Either.left(
    new InvalidArgument({
      argument: "endpoint",
      value: endpoint,
      reason: "a REST endpoint is a relative path like experiment/metadata (no scheme, host, query, fragment or '..')"
    })
  )
}

/**
 * Endpoints found valid, with their path (a pure function of the text: the service's endpoints
 * are a few constants, checked once each instead of on every request). Bounded: past
 * {@link KNOWN_ENDPOINTS} texts (endpoints a caller builds), the rest are checked every time.
 */
const validEndpoints = new Map<string, Either.Either<string, InvalidArgument>>()
const KNOWN_ENDPOINTS = 512

/** The text of one parameter value, undefined when the parameter is left out, or why it cannot be sent. */
const paramText = (
  name: string,
  value: string | number | boolean | undefined
): string | undefined | InvalidArgument => {
  if (value === undefined || typeof value === "string") return value
  if (typeof value === "boolean") return value ? "true" : "false"
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? String(value)
      : new InvalidArgument({ argument: name, value: String(value), reason: "a number parameter must be finite" })
  }
  return value
}

/** `encodeURIComponent(text)`, or the InvalidArgument of text that is not well-formed Unicode. */
const encode = (name: string, text: string): string | InvalidArgument => {
  try {
    return encodeURIComponent(text)
  } catch {
    return new InvalidArgument({
      argument: name,
      value: text,
      reason: "the text is not well-formed Unicode (it contains a lone surrogate) and cannot be sent in a URL"
    })
  }
}

/**
 * The defined parameters as `[name, text]` pairs, in the order given.
 *
 * @internal
 */
export const paramEntries = (
  params: Params | undefined
): Either.Either<ReadonlyArray<readonly [string, string]>, InvalidArgument> => {
  const out: Array<readonly [string, string]> = []
  if (params === undefined) return Either.right(out)
  for (const name of Object.keys(params)) {
    const text = paramText(name, params[name])
    if (text instanceof InvalidArgument) return Either.left(text)
    if (text !== undefined) out.push([name, text])
  }
  return Either.right(out)
}

/**
 * `name=value&…` with every name and value percent-encoded (`encodeURIComponent`: a space is
 * `%20`, and `/ & # % + = ?` and non-ASCII characters are escaped), so any workspace or project
 * name arrives at the server exactly as given.
 *
 * @internal
 */
export const encodeQuery = (
  entries: ReadonlyArray<readonly [string, string]>
): Either.Either<string, InvalidArgument> => {
  let query = ""
  for (const [name, text] of entries) {
    const n = encode(name, name)
    if (typeof n !== "string") return Either.left(n)
    const v = encode(name, text)
    if (typeof v !== "string") return Either.left(v)
    query = query.length === 0 ? `${n}=${v}` : `${query}&${n}=${v}`
  }
  return Either.right(query)
}

/**
 * A canonical form of the parameters (sorted by name) for cache and coalescing keys.
 *
 * @internal
 */
export const canonicalQuery = (entries: ReadonlyArray<readonly [string, string]>): string =>
  // one parameter (the common read: an experiment key) is already in order: no copy, no sort
  JSON.stringify(entries.length < 2 ? entries : [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
