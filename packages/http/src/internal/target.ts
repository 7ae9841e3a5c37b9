/**
 * What one logical request is sent to: the validated endpoint, the encoded URL, the body, the
 * headers it needs, and the cache and coalescing key (which never contains the API key itself).
 *
 * @internal
 */
import type { InvalidArgument, ResolvedConfig } from "@comet-ts/core"
import * as Either from "effect/Either"
import * as Hash from "effect/Hash"
import * as Redacted from "effect/Redacted"
import type { Params } from "./contract.js"
import { canonicalQuery, encodeQuery, paramEntries, validateEndpoint } from "./url.js"

/** The endpoint label of the backend version probe. */
export const VERSION_ENDPOINT = "clientlib/isAlive/ver"

/** How a body is kept: parsed JSON (`get`, `post`) or raw bytes (`getBytes`, `stream`). */
export type Kind = "json" | "bytes"

/** One request, ready to be attempted. */
export interface Target {
  readonly method: "GET" | "POST"
  /** The label used in errors, stats and spans: `experiment/metadata`. */
  readonly endpoint: string
  readonly url: string
  readonly params: Readonly<Record<string, string>>
  readonly body: string | undefined
  readonly auth: boolean
  readonly accept: string
  /** How the body is kept: parsed JSON, or bytes (downloads: asked uncompressed). */
  readonly kind: Kind
  /** Cache and coalescing key (never contains the key itself). */
  readonly key: string
  /** A POST that only reads (`readOnly`): safe to send twice, as a GET is. */
  readonly readOnly?: boolean | undefined
}

/** The targets of one client instance: REST endpoints, and the backend version probe. */
export interface Targets {
  readonly target: (
    method: "GET" | "POST",
    endpoint: string,
    params: Params | undefined,
    body: string | undefined,
    accept: string,
    kind: Kind
  ) => Either.Either<Target, InvalidArgument>
  readonly version: Target
}

/** Targets against the configured server; keys carry a fingerprint of server and API key. */
export const makeTargets = (cfg: ResolvedConfig): Targets => {
  const fingerprint = Hash.string(`${cfg.baseUrl}\u0000${Redacted.value(cfg.apiKey)}`).toString(36)

  // the key's first fields, the same for every request of this instance
  const prefix = `${fingerprint}\u0000${cfg.baseUrl}\u0000`

  const target: Targets["target"] = (method, endpoint, params, body, accept, kind) => {
    const path = validateEndpoint(endpoint)
    if (Either.isLeft(path)) return Either.left(path.left)
    const entries = paramEntries(params)
    if (Either.isLeft(entries)) return Either.left(entries.left)
    const query = encodeQuery(entries.right)
    if (Either.isLeft(query)) return Either.left(query.left)
    return Either.right({
      method,
      endpoint: path.right,
      url: `${cfg.restUrl}${path.right}${query.right.length === 0 ? "" : `?${query.right}`}`,
      params: Object.fromEntries(entries.right),
      body,
      auth: true,
      accept,
      kind,
      key: `${prefix}${kind}\u0000${method}\u0000${path.right}\u0000${canonicalQuery(entries.right)}\u0000${body ?? ""}`
    })
  }

  const version: Target = {
    method: "GET",
    endpoint: VERSION_ENDPOINT,
    url: `${cfg.baseUrl}/${VERSION_ENDPOINT}`,
    params: {},
    body: undefined,
    auth: false,
    accept: "application/json",
    kind: "json",
    key: [fingerprint, cfg.baseUrl, "json", "GET", VERSION_ENDPOINT].join("\u0000")
  }

  return { target, version }
}
