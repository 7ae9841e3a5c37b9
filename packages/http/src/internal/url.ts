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
  const trimmed = endpoint.startsWith("/") && !endpoint.startsWith("//") ? endpoint.slice(1) : endpoint
  if (ENDPOINT.test(trimmed) && !trimmed.split("/").some((s) => s === "." || s === "..")) {
    return Either.right(trimmed)
  }
  return Either.left(
    new InvalidArgument({
      argument: "endpoint",
      value: endpoint,
      reason: "a REST endpoint is a relative path like experiment/metadata (no scheme, host, query, fragment or '..')"
    })
  )
}

/** The text of one parameter value, or undefined when the parameter is left out. */
const paramText = (
  name: string,
  value: string | number | boolean | undefined
): Either.Either<string | undefined, InvalidArgument> => {
  if (value === undefined) return Either.right(undefined)
  if (typeof value === "boolean") return Either.right(value ? "true" : "false")
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? Either.right(String(value))
      : Either.left(
          new InvalidArgument({ argument: name, value: String(value), reason: "a number parameter must be finite" })
        )
  }
  return Either.right(value)
}

const encode = (name: string, text: string): Either.Either<string, InvalidArgument> => {
  try {
    return Either.right(encodeURIComponent(text))
  } catch {
    return Either.left(
      new InvalidArgument({
        argument: name,
        value: text,
        reason: "the text is not well-formed Unicode (it contains a lone surrogate) and cannot be sent in a URL"
      })
    )
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
    if (Either.isLeft(text)) return Either.left(text.left)
    if (text.right !== undefined) out.push([name, text.right])
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
  const parts: Array<string> = []
  for (const [name, text] of entries) {
    const n = encode(name, name)
    if (Either.isLeft(n)) return Either.left(n.left)
    const v = encode(name, text)
    if (Either.isLeft(v)) return Either.left(v.left)
    parts.push(`${n.right}=${v.right}`)
  }
  return Either.right(parts.join("&"))
}

/**
 * A canonical form of the parameters (sorted by name) for cache and coalescing keys.
 *
 * @internal
 */
export const canonicalQuery = (entries: ReadonlyArray<readonly [string, string]>): string =>
  // one parameter (the common read: an experiment key) is already in order: no copy, no sort
  JSON.stringify(entries.length < 2 ? entries : [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
