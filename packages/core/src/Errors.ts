/**
 * The typed error family of comet-ts. Every failure a user can meet is one of these
 * `Schema.TaggedError`s: real `Error`s (with `instanceof`, `_tag` and a message that says what
 * to do), serialisable with their Schema, and never carrying the API key.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { scrub, scrubFragments } from "./internal/secrets.js"
import { proxyKnob, proxyRefusalStatus } from "./Network.js"

/** Scrub registered secrets from every string field and string list (a last line of defence: JSON and fields stay clean too). */
const clean = <P>(props: P, scrubbing: (s: string) => string): P => {
  if (typeof props !== "object" || props === null) return props
  const out: Record<string, unknown> = { ...(props as Record<string, unknown>) }
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === "string") out[k] = scrubbing(v)
    else if (Array.isArray(v)) out[k] = v.map((x: unknown) => (typeof x === "string" ? scrubbing(x) : x))
  }
  return out as P
}

/** The scrubbing of a configuration error (built from user-supplied values): any run of 8 characters of a held key too. */
const pieces = (s: string): string => scrubFragments(s)

type MakeOptions = boolean | { readonly disableValidation?: boolean }

/**
 * `Schema.TaggedError<Self>("@comet-ts/core/<tag>")(tag, fields)` whose constructor scrubs
 * registered secrets from the fields ({@link clean}) before Schema validates and stores them
 * (with `scrubbing`: {@link scrub}, or {@link pieces} for errors that quote user-supplied values).
 */
const CometTaggedError =
  <Self>() =>
  <Tag extends string, Fields extends Schema.Struct.Fields>(
    tag: Tag,
    fields: Fields,
    scrubbing: (s: string) => string = scrub
  ): Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> => {
    const Base = Schema.TaggedError<Self>(`@comet-ts/core/${tag}`)(tag, fields) as unknown as new (
      props: unknown,
      options?: MakeOptions
    ) => object
    class Scrubbed extends Base {
      constructor(props: unknown, options?: MakeOptions) {
        super(clean(props, scrubbing), options)
      }
    }
    return Scrubbed as unknown as Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields>
  }

const NullableString = Schema.NullOr(Schema.String)
const NullableNumber = Schema.NullOr(Schema.Number)

/** A wait in words: `250 ms`, `7 s`. */
const waitText = (millis: number): string =>
  millis < 1000 ? `${Math.round(millis)} ms` : `${Math.ceil(millis / 1000)} s`

/**
 * What ended the retries of a retryable failure: the retry count (`maxRetries`), the time
 * budget of one request (the http setting `retryBudget`), or the call's own deadline
 * (`callTimeoutMs` of a facade call, `callTimeout` of a CometHttp request).
 *
 * @since 0.1.0
 */
export const RetryStop = Schema.Literal("maxRetries", "retryBudget", "callTimeout")

/**
 * @since 0.1.0
 */
export type RetryStop = typeof RetryStop.Type

/** What to raise, given what ended the retries. */
const retryAdvice = (stoppedBy: RetryStop | undefined, what: string): string => {
  switch (stoppedBy) {
    case "maxRetries":
      return `The retries maxRetries allows were used up: raise maxRetries (COMET_HTTP_SESSION_RETRY_TOTAL) to try longer.`
    case "retryBudget":
      return `The next retry would have started past the retry budget (the http setting retryBudget, default 2 minutes), so the call failed at once instead of waiting: raise retryBudget to wait longer, or ${what}.`
    case "callTimeout":
      return `The next retry would have started past the call's deadline (callTimeoutMs, or callTimeout of a CometHttp request), so the call failed at once instead of waiting: give the call more time, or ${what}.`
    default:
      return `Raise maxRetries (COMET_HTTP_SESSION_RETRY_TOTAL) or the http setting retryBudget to try longer, or ${what}.`
  }
}

const withServer = (msg: string | null, code: number | null): string => {
  const parts: Array<string> = []
  if (msg !== null && msg.length > 0) parts.push(`Comet says: "${msg}"`)
  if (code !== null) parts.push(`sdk_error_code ${code}`)
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`
}

/**
 * The API key was missing, invalid (HTTP 401) or has no access to the resource (HTTP 403).
 *
 * @since 0.1.0
 */
export class Unauthorized extends CometTaggedError<Unauthorized>()("Unauthorized", {
  status: Schema.Literal(401, 403),
  endpoint: Schema.String,
  serverMessage: NullableString,
  sdkErrorCode: NullableNumber
}) {
  override get message(): string {
    const server = withServer(this.serverMessage, this.sdkErrorCode)
    return scrub(
      this.status === 401
        ? `Comet rejected the API key on ${this.endpoint} (HTTP 401)${server}. Check COMET_API_KEY (or the apiKey option, or api_key in .comet.config): it must be a valid key for this server.`
        : `The API key has no access to what ${this.endpoint} asked for (HTTP 403)${server}. Check that COMET_API_KEY belongs to a user who can see this workspace or project.`
    )
  }
}

/**
 * The thing asked for does not exist, or is not visible to this API key.
 *
 * @since 0.1.0
 */
export class NotFound extends CometTaggedError<NotFound>()("NotFound", {
  resource: Schema.String,
  id: Schema.String,
  endpoint: NullableString,
  serverMessage: NullableString,
  sdkErrorCode: NullableNumber
}) {
  override get message(): string {
    const where = this.endpoint === null ? "" : ` (${this.endpoint})`
    return scrub(
      `Comet has no ${this.resource} ${JSON.stringify(this.id)}${where}${withServer(this.serverMessage, this.sdkErrorCode)}. Check the spelling and the workspace, and that this API key can see it.`
    )
  }
}

/**
 * Comet answered HTTP 429 and the retries allowed for it ran out.
 *
 * @since 0.1.0
 */
export class RateLimited extends CometTaggedError<RateLimited>()("RateLimited", {
  endpoint: Schema.String,
  /** The server's Retry-After, in milliseconds, when it sent one (or the client-wide wait still due). */
  retryAfterMillis: NullableNumber,
  /** Attempts sent; 0 when the call was not sent because the client was waiting out an earlier 429. */
  attempts: Schema.Number,
  serverMessage: NullableString,
  /** What ended the retries, when they ended on a limit. */
  stoppedBy: Schema.optional(RetryStop)
}) {
  override get message(): string {
    const after = this.retryAfterMillis === null ? "" : ` The server asked to wait ${waitText(this.retryAfterMillis)}.`
    const head =
      this.attempts === 0
        ? `Comet rate-limited this client (HTTP 429), which holds every request for ${waitText(this.retryAfterMillis ?? 0)} more; ${this.endpoint} was not sent.`
        : `Comet rate-limited ${this.endpoint} (HTTP 429) after ${this.attempts} attempt(s).${after}`
    const fewer =
      "lower maxConcurrency or set a client-side rate limit (rateLimit: { limit, intervalMs }) so fewer requests are refused (Comet allows about 15,000 REST requests per hour per key)"
    if (this.stoppedBy === "maxRetries") return scrub(`${head} ${retryAdvice(this.stoppedBy, "")} Or ${fewer}.`)
    return scrub(`${head} ${retryAdvice(this.stoppedBy, fewer)}`)
  }
}

/**
 * Comet failed with a 5xx (or 408) status and the retries allowed for it ran out.
 *
 * @since 0.1.0
 */
export class ServerError extends CometTaggedError<ServerError>()("ServerError", {
  status: Schema.Number,
  endpoint: Schema.String,
  serverMessage: NullableString,
  sdkErrorCode: NullableNumber,
  attempts: Schema.Number,
  /** What ended the retries, when they ended on a limit. */
  stoppedBy: Schema.optional(RetryStop),
  /**
   * The proxy the answer came through (`http://host:port (from HTTP_PROXY)`, never its
   * credentials), when it came through one that did not say the answer was its own.
   */
  via: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const retryable = [408, 500, 502, 503, 504].includes(this.status)
    const advice = retryable
      ? `This is usually temporary. ${retryAdvice(this.stoppedBy, "try again later")}`
      : "Comet cannot answer this request; try again later, and report it if it persists."
    // through a proxy, a gateway status may be the proxy's own: say where it came from, not whose it is
    const via =
      this.via === undefined
        ? ""
        : ` The answer came through the proxy ${this.via}, which did not say whether it is its own (it could not reach the server) or the server's: if it persists, check the proxy, or reach the server without it (NO_PROXY).`
    return scrub(
      `Comet failed on ${this.endpoint} with HTTP ${this.status} after ${this.attempts} attempt(s)${withServer(this.serverMessage, this.sdkErrorCode)}. ${advice}${via}`
    )
  }
}

/**
 * Comet refused the request with a 4xx status other than 401, 403, 404 or 429 (a malformed or
 * missing parameter, a wrong method, a payment requirement); also an answer with a status below
 * 400 other than 200 (201, 204, 304: a proxy or a server that is not Comet), told as such.
 *
 * @since 0.1.0
 */
export class BadRequest extends CometTaggedError<BadRequest>()("BadRequest", {
  status: Schema.Number,
  endpoint: Schema.String,
  serverMessage: NullableString,
  sdkErrorCode: NullableNumber
}) {
  override get message(): string {
    // a status below 400 (201, 204, 304, …) is not a refusal: Comet answers its reads with 200
    return scrub(
      this.status < 400
        ? `Comet's answer to ${this.endpoint} was HTTP ${this.status}${withServer(this.serverMessage, this.sdkErrorCode)}, where Comet answers 200 with a body: the server, or a proxy on the way, answered something this client does not read. Check baseUrl and any proxy between this client and Comet.`
        : `Comet refused ${this.endpoint} with HTTP ${this.status}${withServer(this.serverMessage, this.sdkErrorCode)}. Check the arguments of the call; if they are right, this server may not support the request.`
    )
  }
}

/**
 * Why a request never produced a complete response. `"browser-network"` is a browser's `fetch`
 * failing without saying why ("Failed to fetch"): a CORS refusal or a connection that could not
 * be made, which a page cannot tell apart. `"deadline"`: the call's own time limit
 * (`callTimeoutMs`) passed. `"closed"`: the client was closed (`API.close()`, or the end of the
 * CometHttp layer's scope) while the call was pending.
 *
 * @since 0.1.0
 */
export const TransportReason = Schema.Literal(
  "network",
  "browser-network",
  "timeout",
  "aborted",
  "truncated",
  "redirect",
  "too-large",
  "deadline",
  "closed"
)

/** The setting behind a timeout, with where else it is set. */
const SETTINGS: Readonly<Record<string, string>> = {
  timeoutMs: "timeoutMs (COMET_TIMEOUT_API in seconds; timeout in CometHttp.layer)",
  downloadTimeoutMs: "downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD in seconds; downloadTimeout in CometHttp.layer)",
  timeout: "the timeout option of this request"
}

/**
 * The request did not complete: a network failure (in a browser, one whose cause the browser
 * hides: CORS or a refused connection), a timeout, an abort, a body cut off before its end, a
 * redirect (never followed), a body too large to hold in memory, the call's deadline, or the
 * client being closed.
 *
 * @since 0.1.0
 */
export class TransportError extends CometTaggedError<TransportError>()("TransportError", {
  endpoint: Schema.String,
  reason: TransportReason,
  detail: Schema.String,
  /** Attempts sent; 0 when the call ended before any was. */
  attempts: Schema.Number,
  /** What ended the retries, when they ended on a limit. */
  stoppedBy: Schema.optional(RetryStop),
  /**
   * The setting that bounded what failed, when known: `timeoutMs` or `downloadTimeoutMs` for a
   * timeout, `timeout` for a request's own timeout option; for a network failure through a proxy,
   * the setting that proxy came from (`HTTPS_PROXY`, `http_proxy`, `proxy` for the option).
   */
  setting: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const after = this.attempts > 0 ? ` after ${this.attempts} attempt(s)` : ""
    switch (this.reason) {
      case "aborted":
        return scrub(
          `${this.endpoint} was cancelled by its caller (aborted)${after}: ${this.detail}. A cancelled call is not retried.`
        )
      case "closed":
        return scrub(
          `${this.endpoint} was cancelled because the client was closed${after}: ${this.detail}. Calls made after close() fail at once; create a new client to go on.`
        )
      case "deadline":
        return scrub(
          `${this.endpoint} did not complete within its deadline${after}: ${this.detail}. Give the call more time (callTimeoutMs of a facade call, callTimeout of a CometHttp request) if it may take longer.`
        )
    }
    const retry = this.stoppedBy === undefined ? "" : ` ${retryAdvice(this.stoppedBy, "try again later")}`
    const setting = this.setting === undefined ? undefined : (SETTINGS[this.setting] ?? this.setting)
    const advice: Record<Exclude<typeof this.reason, "aborted" | "closed" | "deadline">, string> = {
      network:
        "Check that the server is running at the base URL (COMET_URL_OVERRIDE), that its host name resolves, and the network (a proxy?).",
      "browser-network":
        "The browser does not say why; it is one of two things. (1) CORS: the server did not allow this page's origin, and Comet does not allow arbitrary pages; serve the page and the API from one origin through a same-origin proxy that adds the Authorization header server-side (the API key never belongs in a page), or for the emulator start it with --cors <the page's origin>. (2) The connection was refused or could not be made: is the server running at the base URL, and does the host resolve? The browser's console says which.",
      timeout:
        setting === undefined
          ? this.detail.includes("(raise ")
            ? `Raise the timeout named above, or try again.${retry}`
            : `Raise the timeout that applies — timeoutMs (COMET_TIMEOUT_API in seconds) for JSON calls, downloadTimeoutMs (COMET_TIMEOUT_FILE_DOWNLOAD in seconds) for asset downloads — or try again.${retry}`
          : `Raise ${setting}, or try again.${retry}`,
      truncated: `The body ended before it was complete; nothing partial was returned.${retry === "" ? " Try again." : retry}`,
      redirect:
        "Redirects are never followed, so the API key is only ever sent to the base URL; if the server moved, set the base URL (COMET_URL_OVERRIDE) to where it redirects.",
      "too-large":
        "Read large assets with a streaming call (streamExperimentAsset), or, if the size is expected, raise the http settings maxBodyBytes (maxJsonBytes for JSON): new API({ http: { maxBodyBytes } }) or CometHttp.layerConfigWith({ maxBodyBytes })."
    }
    const refused = this.reason === "network" ? proxyRefusalStatus(this.detail) : null
    // a network failure through a proxy carries the proxy's setting (HTTPS_PROXY, proxy, …)
    const proxySetting =
      this.reason === "network" && this.setting !== undefined && SETTINGS[this.setting] === undefined
        ? proxyKnob(this.setting)
        : null
    const knob = proxySetting ?? "HTTPS_PROXY / HTTP_PROXY, or the proxy option"
    if (refused !== null) {
      const fix =
        refused === 407
          ? `Check the user name and password in the proxy URL (${knob}); an @, : or / in them is written percent-encoded (%40, %3A, %2F). It is not retried.`
          : `The proxy answered for itself, not for the server: check the base URL (COMET_URL_OVERRIDE), whether the server should be reached without the proxy (NO_PROXY), and the proxy's own rules (the proxy is set by ${knob}).`
      return scrub(`Request to ${this.endpoint} failed (${this.reason})${after}: ${this.detail}. ${fix}${retry}`)
    }
    if (proxySetting !== null) {
      return scrub(
        `Request to ${this.endpoint} failed (${this.reason})${after}: ${this.detail}. Check the proxy set by ${proxySetting}: that a proxy runs at that address and port, that it is an HTTP proxy (http:// or https://, not SOCKS), and its own rules; or reach the server without it (NO_PROXY).${retry}`
      )
    }
    return scrub(
      `Request to ${this.endpoint} failed (${this.reason})${after}: ${this.detail}. ${this.reason === "network" && retry !== "" ? `${advice.network}${retry}` : advice[this.reason]}`
    )
  }
}

/**
 * The same error, saying what ended its retries (`maxRetries`, the retry budget, or the call's
 * deadline), so its message names the setting to raise. Errors without retries are returned
 * as they are.
 *
 * @since 0.1.0
 */
export const withRetryStop = <E extends CometError>(error: E, stoppedBy: RetryStop): E => {
  switch (error._tag) {
    case "RateLimited":
      return new RateLimited({
        endpoint: error.endpoint,
        retryAfterMillis: error.retryAfterMillis,
        attempts: error.attempts,
        serverMessage: error.serverMessage,
        stoppedBy
      }) as E
    case "ServerError":
      return new ServerError({
        status: error.status,
        endpoint: error.endpoint,
        serverMessage: error.serverMessage,
        sdkErrorCode: error.sdkErrorCode,
        attempts: error.attempts,
        stoppedBy,
        ...(error.via === undefined ? {} : { via: error.via })
      }) as E
    case "TransportError":
      return new TransportError({
        endpoint: error.endpoint,
        reason: error.reason,
        detail: error.detail,
        attempts: error.attempts,
        stoppedBy,
        ...(error.setting === undefined ? {} : { setting: error.setting })
      }) as E
    default:
      return error
  }
}

/**
 * The same TransportError, naming the setting that bounded it (`timeoutMs`,
 * `downloadTimeoutMs`, …), so its message names the knob to raise.
 *
 * @since 0.1.0
 */
export const withSetting = (error: TransportError, setting: string): TransportError =>
  new TransportError({
    endpoint: error.endpoint,
    reason: error.reason,
    detail: error.detail,
    attempts: error.attempts,
    setting,
    ...(error.stoppedBy === undefined ? {} : { stoppedBy: error.stoppedBy })
  })

/**
 * Comet's answer did not have the shape the wire reference describes.
 *
 * @since 0.1.0
 */
export class DecodeError extends CometTaggedError<DecodeError>()("DecodeError", {
  endpoint: Schema.String,
  /** The path of the first mismatching field, like `experiments[3].durationMillis`. */
  path: Schema.String,
  detail: Schema.String,
  /** A short excerpt of the body. */
  excerpt: Schema.String
}) {
  override get message(): string {
    const at = this.path.length === 0 ? "the body" : `field ${this.path}`
    return scrub(
      `Comet's answer to ${this.endpoint} did not decode at ${at}: ${this.detail}. Body starts: ${this.excerpt}. The server may be newer or older than this client, or a proxy answered instead of Comet; please report it with this message.`
    )
  }
}

/**
 * An argument given by the caller cannot be used (an empty name, a malformed `"ws/proj/exp"`
 * path, an unknown option value).
 *
 * @since 0.1.0
 */
export class InvalidArgument extends CometTaggedError<InvalidArgument>()("InvalidArgument", {
  argument: Schema.String,
  value: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return scrub(`Invalid ${this.argument} ${JSON.stringify(this.value)}: ${this.reason}`)
  }
}

/**
 * A name matched more than one thing where the caller needed one: experiment names repeat inside
 * a project (Comet ships a tool to rename duplicates), so a name is not a key. The error names
 * every match, so the caller can pick by key. comet_ml 3.58.8 silently returns the last match.
 *
 * @since 0.1.0
 */
export class Ambiguous extends CometTaggedError<Ambiguous>()("Ambiguous", {
  /** What was looked up by name, e.g. `"experiment"`. */
  resource: Schema.String,
  /** The name given. */
  name: Schema.String,
  /** Where it was looked up, e.g. `"my-workspace/my-project"`. */
  scope: Schema.String,
  /** The key of every match, in the server's order. */
  matches: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const listed = this.matches.slice(0, 20).join(", ")
    const more = this.matches.length > 20 ? ` and ${this.matches.length - 20} more` : ""
    return scrub(
      `The ${this.resource} name ${JSON.stringify(this.name)} in ${this.scope} matches ${this.matches.length} ${this.resource}s: ${listed}${more}. Names are not keys in Comet: use the key of the one you mean (e.g. "${this.scope}/${this.matches[0] ?? "KEY"}").`
    )
  }
}

/**
 * What kind of problem a query has: `syntax` (with line and column), `unknown-column`,
 * `type-mismatch` (a value or method that does not fit the column's type), `too-long` (text
 * longer than `maxLength`, more DNF terms than `maxTerms`), `too-deep` (nesting deeper than
 * `maxDepth`), `unsupported` (valid Python the query language has no meaning for), or
 * `invalid-argument` (an argument of `parse`, `compile` or `compileTerms` of the wrong runtime
 * type — a text that is no string, a query that is no `Query`, columns that are no columns — or
 * an options object with an unknown or misspelt name or a value of the wrong type:
 * `{ maxdepth: 5 }`, `{ maxDepth: "100" }`).
 *
 * @since 0.1.0
 */
export const QueryErrorReason = Schema.Literal(
  "syntax",
  "unknown-column",
  "type-mismatch",
  "too-long",
  "too-deep",
  "unsupported",
  "invalid-argument"
)

/**
 * A query could not be parsed or compiled: a syntax error (with line and column), an unknown
 * column, a value or operator that does not fit the column's type, or options that are not
 * the entry's (see {@link QueryErrorReason}).
 *
 * @since 0.1.0
 */
export class QueryError extends CometTaggedError<QueryError>()("QueryError", {
  reason: QueryErrorReason,
  detail: Schema.String,
  /** 1-based line of a syntax error. */
  line: NullableNumber,
  /** 1-based column of a syntax error. */
  column: NullableNumber,
  hint: NullableString
}) {
  override get message(): string {
    const at = this.line === null ? "" : ` at line ${this.line}, column ${this.column ?? 1}`
    const hint = this.hint === null ? "" : ` Hint: ${this.hint}`
    return scrub(`Query ${this.reason} error${at}: ${this.detail}.${hint}`)
  }
}

/**
 * The client is not configured well enough to run: no API key, a base URL without a scheme,
 * plain http to a remote host, an unreadable config file, a missing panel context.
 *
 * @since 0.1.0
 */
export class ConfigurationError extends CometTaggedError<ConfigurationError>()(
  "ConfigurationError",
  {
    setting: Schema.String,
    reason: Schema.String
  },
  pieces
) {
  override get message(): string {
    return pieces(`Configuration problem with ${this.setting}: ${this.reason}`)
  }
}

/**
 * Every error comet-ts can fail with.
 *
 * @since 0.1.0
 */
export type CometError =
  | Unauthorized
  | NotFound
  | RateLimited
  | ServerError
  | BadRequest
  | TransportError
  | DecodeError
  | InvalidArgument
  | Ambiguous
  | QueryError
  | ConfigurationError

/**
 * The Schema of {@link CometError}, to serialise errors across process boundaries.
 *
 * @since 0.1.0
 */
export const CometError: Schema.Union<
  [
    typeof Unauthorized,
    typeof NotFound,
    typeof RateLimited,
    typeof ServerError,
    typeof BadRequest,
    typeof TransportError,
    typeof DecodeError,
    typeof InvalidArgument,
    typeof Ambiguous,
    typeof QueryError,
    typeof ConfigurationError
  ]
> = /* @__PURE__ */ Schema.Union(
  Unauthorized,
  NotFound,
  RateLimited,
  ServerError,
  BadRequest,
  TransportError,
  DecodeError,
  InvalidArgument,
  Ambiguous,
  QueryError,
  ConfigurationError
)

const tags = new Set<string>([
  "Unauthorized",
  "NotFound",
  "RateLimited",
  "ServerError",
  "BadRequest",
  "TransportError",
  "DecodeError",
  "InvalidArgument",
  "Ambiguous",
  "QueryError",
  "ConfigurationError"
])

/**
 * True for any value that is one of the {@link CometError} classes.
 *
 * @since 0.1.0
 */
export const isCometError = (u: unknown): u is CometError =>
  u instanceof Error && "_tag" in u && typeof u._tag === "string" && tags.has(u._tag)

/**
 * Whether retrying the same request can succeed: rate limits, 5xx/408 server errors, and
 * network failures, timeouts and truncated bodies. Never 4xx, decode errors or user errors. (A
 * browser's opaque network failure is retryable, but the transport gives it only a short retry.)
 *
 * @since 0.1.0
 */
export const isRetryable = (e: CometError): boolean => {
  switch (e._tag) {
    case "RateLimited":
      return true
    case "ServerError":
      return e.status === 408 || e.status === 500 || e.status === 502 || e.status === 503 || e.status === 504
    case "TransportError":
      return (
        e.reason === "network" || e.reason === "browser-network" || e.reason === "timeout" || e.reason === "truncated"
      )
    default:
      return false
  }
}
