/**
 * The one interface CometHttp sends requests through, in plain Promise-returning code, and what
 * every adapter (undici in Node, `fetch`, any `@effect/platform` `HttpClient`) must give back: a
 * status, lower-case headers, and a body read one chunk at a time. Retries, permits, coalescing,
 * stats, timeouts, size limits, integrity checks and decoding all sit above it, once.
 *
 * @internal
 */

/** One request on the wire. */
export interface WireRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  /**
   * How the body may be compressed: `"any"` lets the transport negotiate (and decode) what it
   * can decode with integrity checks; `"identity"` asks the server for the bytes as stored
   * (downloads, so Content-Length and Range count the bytes the caller gets).
   */
  readonly encoding: "any" | "identity"
  /**
   * Safe to send twice: a GET, or a POST that only reads (`readOnly`: Comet's query and chart
   * POSTs). The Node transport sends such a request once more, at once, on a connection it opens
   * for it, when a reused keep-alive connection closes or resets under it before any byte of its
   * response (the server closed the connection as it sat idle). Absent: never sent twice.
   */
  readonly replayable?: boolean | undefined
  /**
   * Called when the transport sends the request once more that way (an HTTP request on the wire:
   * counted in `attempts` and `resent`, not a retry).
   */
  readonly onResend?: (() => void) | undefined
}

/** A response body, read one chunk at a time. */
export interface WireBody {
  /**
   * The next chunk (never empty), or `null` at the end. Rejects when the body breaks off (a
   * reset, a truncated or corrupt compressed stream, a framing error) or the signal fired.
   */
  readonly read: () => Promise<Uint8Array | null>
  /**
   * The next chunk if it has arrived already (null at the end), without a promise; undefined
   * when there is none yet or the body failed (then `read`). Optional: a body may not know.
   */
  readonly readNow?: (() => Uint8Array | null | undefined) | undefined
  /** Stop reading: the rest is discarded and the connection closed if bytes remain unread. */
  readonly cancel: () => void
}

/** A response's head and its body. */
export interface WireResponse {
  readonly status: number
  /** Lower-case names; repeated headers joined with `", "`. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: WireBody
  /**
   * The transport removed a `Content-Encoding` itself without telling whether the compressed
   * stream was complete (`fetch` does this, as browsers do): the bytes are not what
   * Content-Length counts, and their completeness cannot be checked here.
   */
  readonly decodedUnchecked: boolean
  /**
   * The request asked for the stored bytes (`Accept-Encoding: identity`), the runtime let it
   * say so, and the server compressed the body anyway: with `decodedUnchecked`, a download that
   * cannot be checked for completeness although it could have been.
   */
  readonly identityIgnored: boolean
}

/**
 * What tells a transport to stop: the part of `AbortSignal` the adapters use. An `AbortSignal`
 * is one; inside CometHttp each attempt uses an {@link Aborter}, which costs a small object
 * instead of an EventTarget (an AbortController per request was a measured part of the
 * per-request CPU and garbage).
 */
export interface Cancel {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void
  removeEventListener(type: "abort", listener: () => void): void
}

/** A {@link Cancel} with its `abort`: listeners are called once, in order, on the first abort. */
export class Aborter implements Cancel {
  aborted = false
  reason: unknown = undefined
  private listeners: Array<() => void> | null = null

  /** This, as the Cancel handed to a transport (as an AbortController's `signal`). */
  get signal(): Cancel {
    return this
  }

  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const listeners = this.listeners
    this.listeners = null
    if (listeners !== null) for (const f of listeners) f()
  }

  addEventListener(_type: "abort", listener: () => void): void {
    if (this.aborted) return
    if (this.listeners === null) this.listeners = [listener]
    else this.listeners.push(listener)
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const listeners = this.listeners
    if (listeners === null) return
    const i = listeners.indexOf(listener)
    if (i !== -1) listeners.splice(i, 1)
  }
}

/** An `AbortSignal` that fires with `cancel` (`cancel` itself when it is one): for `fetch` and user transports. */
export const toAbortSignal = (cancel: Cancel): AbortSignal => {
  if (cancel instanceof AbortSignal) return cancel
  const controller = new AbortController()
  if (cancel.aborted) controller.abort(cancel.reason)
  else cancel.addEventListener("abort", () => controller.abort(cancel.reason), { once: true })
  return controller.signal
}

/**
 * A transport: sends one request and resolves with its response head once it arrives. Rejects
 * (with the underlying error as is) when no response came; aborting `signal` aborts the request
 * and any body read in progress. The public `TransportShape` is the same with an `AbortSignal`
 * ({@link fromShape}).
 */
export interface WireTransport {
  /** What it is, for diagnostics: `undici`, `fetch`, `http-client`. */
  readonly name: string
  readonly send: (request: WireRequest, signal: Cancel) => Promise<WireResponse>
  /** The proxy a request to `url` goes through (credentials removed), or null when none. */
  readonly proxyFor: (url: string) => string | null
  /** The setting that proxy came from (`HTTPS_PROXY`, `proxy`, …), when the transport knows it. */
  readonly proxySettingFor?: ((url: string) => string | null) | undefined
  /** Release connections (the layer's scope closes). */
  readonly close: () => Promise<void>
}

/** The transports of this package, which take any {@link Cancel}. */
const ours = new WeakSet<object>()

/** Mark a transport of this package (its `send` takes any Cancel). */
export const ownTransport = <T extends WireTransport>(transport: T): T => {
  ours.add(transport)
  return transport
}

/**
 * The transport CometHttp uses for a `Transport` service: ours as they are; another (a user's
 * own, written against `AbortSignal`) given a real AbortSignal per request — and held to it: an
 * abort (a timeout, an interruption, the client closing) ends the request and any body read
 * here, even if that transport ignores its signal.
 */
export const fromShape = (transport: {
  readonly name: string
  readonly send: (request: WireRequest, signal: AbortSignal) => Promise<WireResponse>
  readonly proxyFor: (url: string) => string | null
  readonly close: () => Promise<void>
}): WireTransport =>
  ours.has(transport)
    ? (transport as unknown as WireTransport)
    : {
        name: transport.name,
        proxyFor: (url) => transport.proxyFor(url),
        close: () => transport.close(),
        send: (request, signal) =>
          new Promise<WireResponse>((resolve, reject) => {
            const onAbort = () => reject(signal.reason)
            if (signal.aborted) return onAbort()
            signal.addEventListener("abort", onAbort, { once: true })
            transport.send(request, toAbortSignal(signal)).then(
              (response) => {
                signal.removeEventListener("abort", onAbort)
                resolve({ ...response, body: abortable(response.body, signal) })
              },
              (e: unknown) => {
                signal.removeEventListener("abort", onAbort)
                reject(e)
              }
            )
          })
      }

/**
 * Whether this runtime lets a request carry its own `Accept-Encoding` (Node, Deno, Bun: yes;
 * browsers: no, it is a forbidden header they set themselves).
 */
export const canAskIdentity: boolean = (() => {
  try {
    return new Request("http://localhost/", { headers: { "accept-encoding": "identity" } }).headers.has(
      "accept-encoding"
    )
  } catch {
    return false
  }
})()

/** Whether a response's body was compressed although the request asked for identity (see `identityIgnored`). */
export const ignoredIdentity = (request: WireRequest, headers: Readonly<Record<string, string>>): boolean =>
  request.encoding === "identity" && canAskIdentity && codings(headers).length > 0

/** A body with nothing in it. */
export const emptyBody: WireBody = { read: () => Promise.resolve(null), cancel: () => {} }

/** A body read from a web stream's reader (fetch's body, a platform response's stream). */
export const readerBody = (reader: ReadableStreamDefaultReader<Uint8Array>): WireBody => {
  let done = false
  return {
    read: async () => {
      while (!done) {
        const r = await reader.read()
        if (r.done) {
          done = true
          return null
        }
        if (r.value.length > 0) return r.value
      }
      return null
    },
    cancel: () => {
      if (done) return
      done = true
      reader.cancel().catch(() => {})
    }
  }
}

/** A header table from a `Headers` object (fetch), names already lower-case. */
export const fromHeaders = (headers: Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = value
  })
  return out
}

/** The Content-Encoding codings in the order they were applied, lower-case, `identity` left out. */
export const codings = (headers: Readonly<Record<string, string>>): ReadonlyArray<string> => {
  const raw = headers["content-encoding"]
  if (raw === undefined) return []
  return raw
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c.length > 0 && c !== "identity")
}

/** A URL without its user name and password (for messages about a proxy). */
export const withoutCredentials = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return "(an unreadable proxy URL)"
  }
}

/** The error a read gets once its request was aborted. */
export const abortError = (cause?: unknown): Error => {
  const e = new Error("the request was aborted", cause === undefined ? undefined : { cause })
  e.name = "AbortError"
  return e
}

/**
 * Tie a body to its request's signal: aborting cancels the body, and a read pending or started
 * after the abort rejects (never a quiet end that would look like a complete body) — also when
 * the body ignores its cancel and its pending read never settles (a user's transport).
 */
export const abortable = (body: WireBody, signal: Cancel): WireBody => {
  /** The pending read's reject, called by the abort. */
  let rejectPending: ((e: Error) => void) | null = null
  const onAbort = () => {
    body.cancel()
    const reject = rejectPending
    rejectPending = null
    reject?.(abortError())
  }
  if (signal.aborted) body.cancel()
  else signal.addEventListener("abort", onAbort, { once: true })
  return {
    read: () => {
      if (signal.aborted) return Promise.reject(abortError())
      return new Promise<Uint8Array | null>((resolve, reject) => {
        rejectPending = reject
        body.read().then(
          (chunk) => {
            rejectPending = null
            if (signal.aborted) return reject(abortError())
            if (chunk === null) signal.removeEventListener("abort", onAbort)
            resolve(chunk)
          },
          (e: unknown) => {
            rejectPending = null
            reject(signal.aborted ? abortError(e) : e)
          }
        )
      })
    },
    cancel: () => {
      signal.removeEventListener("abort", onAbort)
      body.cancel()
    }
  }
}

/** A request the client refused before sending it (a bad URL or body): not a network failure. */
export class RequestRefused {
  constructor(
    readonly reason: "InvalidUrl" | "Encode",
    readonly cause: unknown
  ) {}
}

/** A failure before or while reading a response that is not our own abort. */
export class NetworkFailure extends Error {
  override readonly name = "NetworkFailure"
}

/**
 * A request a proxy failed, as the Node transport saw it on the proxy's connection: `detail`
 * says what the proxy did, naming it (without credentials) and `setting`, the setting it came from.
 */
export class ProxyFailure extends Error {
  override readonly name = "ProxyFailure"
  constructor(
    readonly setting: string,
    readonly detail: string,
    options?: { readonly cause?: unknown }
  ) {
    super(detail, options)
  }
}

/** A Content-Encoding this client cannot decode. */
export class UnsupportedEncoding extends Error {
  override readonly name = "UnsupportedEncoding"
  constructor(readonly coding: string) {
    super(`the server sent the body with Content-Encoding ${JSON.stringify(coding)}, which this client cannot decode`)
  }
}
