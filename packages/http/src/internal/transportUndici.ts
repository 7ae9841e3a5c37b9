/**
 * The undici adapter: Node's transport. undici's `request()` API over a dispatcher of our own
 * (an `Agent` bounded at `connections` per origin, or an `EnvHttpProxyAgent` when a proxy is
 * configured), never the global one, so `fetch` elsewhere in the process is untouched. undici
 * is imported lazily, the first time a transport is built. Compressed bodies are decoded here
 * with `node:zlib` in its strict mode: a gzip, deflate or brotli stream that ends early is an
 * error, never a shorter body; the decoders stop producing while nobody reads, so a small body
 * that inflates to gigabytes is read only as far as the caller's size limit.
 *
 * Node only: reached through the `node` export condition, never from a browser bundle.
 *
 * @internal
 */
import type { Readable } from "node:stream"
import {
  emptyBody,
  NetworkFailure,
  UnsupportedEncoding,
  type WireBody,
  type WireRequest,
  type WireResponse,
  type WireTransport
} from "./transport.js"

type Undici = typeof import("undici")
/** The modules as a dynamic import gives them (the same under every module setting). */
type Zlib = Awaited<ReturnType<typeof importZlib>>
type NodeStream = Awaited<ReturnType<typeof importStream>>
const importZlib = () => import("node:zlib")
const importStream = () => import("node:stream")

/** Network settings of the undici transport. */
export interface UndiciOptions {
  /** Connections per origin at most (`maxConcurrency`). */
  readonly connections: number
  /** The proxy of `http://` URLs (credentials allowed), or null. */
  readonly httpProxy: string | null
  /** The proxy of `https://` URLs, or null. */
  readonly httpsProxy: string | null
  /** Hosts reached directly (`NO_PROXY` syntax: `host`, `.domain`, `*.domain`, `host:port`, `*`). */
  readonly noProxy: string
  /** Certificate authorities (PEM) trusted besides Node's own, or null for Node's defaults. */
  readonly extraCa: ReadonlyArray<string> | null
  /** Check server certificates (false only with COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false). */
  readonly rejectUnauthorized: boolean
}

interface NoProxyEntry {
  readonly hostname: string
  readonly port: number
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 }

/** `NO_PROXY` as undici's EnvHttpProxyAgent reads it (the same entries, the same matching). */
const parseNoProxy = (value: string): ReadonlyArray<NoProxyEntry> | "all" => {
  if (value === "*") return "all"
  const entries: Array<NoProxyEntry> = []
  for (const entry of value.split(/[,\s]/)) {
    if (!entry) continue
    const parsed = /^(.+):(\d+)$/.exec(entry)
    entries.push({
      hostname: (parsed?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase(),
      port: parsed?.[2] === undefined ? 0 : Number.parseInt(parsed[2], 10)
    })
  }
  return entries
}

/** Which proxy (credentials included) a request to `url` goes through, as EnvHttpProxyAgent decides. */
export const proxyOf = (options: Pick<UndiciOptions, "httpProxy" | "httpsProxy" | "noProxy">, url: string) => {
  const noProxy = parseNoProxy(options.noProxy)
  return (target: URL = new URL(url)): string | null => {
    const proxy = target.protocol === "https:" ? (options.httpsProxy ?? options.httpProxy) : options.httpProxy
    if (proxy === null || proxy === "") return null
    if (noProxy === "all") return null
    const hostname = target.host.replace(/:\d*$/, "").toLowerCase()
    const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0
    for (const entry of noProxy) {
      if (entry.port !== 0 && entry.port !== port) continue
      if (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`)) return null
    }
    return proxy
  }
}

const joinHeaders = (raw: Record<string, string | ReadonlyArray<string> | undefined>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(raw)) {
    const v = raw[name]
    if (v === undefined) continue
    out[name.toLowerCase()] = typeof v === "string" ? v : v.join(", ")
  }
  return out
}

/**
 * Read a Node Readable one chunk at a time (`read()` on `readable` events: no async iterator,
 * one promise per chunk); `destroyAll` on cancel. An end without `end` (destroyed early) is an
 * error, never a quiet end.
 */
const readableBody = (readable: Readable, destroyAll: () => void): WireBody => {
  let failure: unknown = null
  let ended = false
  let done = false
  let waiting: { readonly resolve: (c: Uint8Array | null) => void; readonly reject: (e: unknown) => void } | null = null
  const pump = (w: NonNullable<typeof waiting>) => {
    if (failure !== null) return w.reject(failure)
    const chunk = readable.read() as Uint8Array | null
    if (chunk !== null) return w.resolve(chunk)
    if (ended) return w.resolve(null)
    waiting = w
  }
  const wake = () => {
    const w = waiting
    if (w === null) return
    waiting = null
    pump(w)
  }
  readable.on("readable", wake)
  readable.on("end", () => {
    ended = true
    wake()
  })
  readable.on("error", (e: unknown) => {
    failure ??= e
    wake()
  })
  readable.on("close", () => {
    if (!ended) failure ??= new NetworkFailure("the body was closed before its end")
    wake()
  })
  return {
    read: () => {
      if (done) return Promise.resolve(null)
      return new Promise<Uint8Array | null>((resolve, reject) => {
        pump({
          resolve: (c) => {
            if (c === null) done = true
            resolve(c)
          },
          reject
        })
      })
    },
    cancel: () => {
      if (done) return
      done = true
      destroyAll()
    }
  }
}

/**
 * Destroy a body that will not be read. undici's body, destroyed before its end, emits an
 * "Request aborted" error: with no listener that is an uncaught exception of the process.
 */
const discard = (body: Readable): void => {
  body.on("error", () => {})
  body.destroy()
}

/** Prepend one chunk to what is left of an iterator, as a Readable. */
const prepend = (stream: NodeStream, first: Uint8Array, rest: AsyncIterator<Uint8Array>): Readable =>
  stream.Readable.from(
    (async function* () {
      yield first
      while (true) {
        const r = await rest.next()
        if (r.done === true) return
        yield r.value
      }
    })()
  )

/**
 * The decoded body of a response with the given codings (in the order they were applied), or an
 * error for a coding that cannot be decoded. Strict: a truncated or corrupt stream fails.
 */
const decodedBody = async (
  zlib: Zlib,
  stream: NodeStream,
  body: Readable,
  codingList: ReadonlyArray<string>
): Promise<WireBody> => {
  let source: Readable = body
  const streams: Array<Readable | NodeJS.ReadWriteStream> = [body]
  for (const coding of [...codingList].reverse()) {
    let decoder: NodeJS.ReadWriteStream
    if (coding === "gzip" || coding === "x-gzip") decoder = zlib.createGunzip()
    else if (coding === "br") decoder = zlib.createBrotliDecompress()
    else if (coding === "deflate") {
      // "deflate" is zlib-wrapped by the standard, raw deflate from some servers: tell by the first byte
      const it = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>
      const first = await it.next()
      if (first.done === true) {
        throw new NetworkFailure("the deflate-compressed body is empty", { cause: undefined })
      }
      source = prepend(stream, first.value, it)
      streams.push(source)
      decoder = ((first.value[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw()
    } else {
      discard(body)
      throw new UnsupportedEncoding(coding)
    }
    source = stream.pipeline(source, decoder, () => {}) as unknown as Readable
    streams.push(decoder)
  }
  return readableBody(source, () => {
    for (const s of streams) (s as Readable).destroy()
  })
}

/** The dispatcher for the settings: an Agent, or an EnvHttpProxyAgent with our proxy values. */
const dispatcherFor = (undici: Undici, tls: typeof import("node:tls"), options: UndiciOptions) => {
  const tlsOptions = {
    ...(options.extraCa === null ? {} : { ca: [...tls.rootCertificates, ...options.extraCa] }),
    rejectUnauthorized: options.rejectUnauthorized
  }
  const common = {
    connections: options.connections,
    // timeouts are CometHttp's (one timer per attempt, from the client's clock)
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: tlsOptions
  }
  if (options.httpProxy === null && options.httpsProxy === null) return new undici.Agent(common)
  return new undici.EnvHttpProxyAgent({
    ...common,
    // empty strings, never undefined: undici would read process.env behind our back
    httpProxy: options.httpProxy ?? "",
    httpsProxy: options.httpsProxy ?? options.httpProxy ?? "",
    noProxy: options.noProxy,
    requestTls: tlsOptions,
    proxyTls: tlsOptions,
    // plain http targets in absolute-form (as curl does); https through CONNECT
    proxyTunnel: false
  })
}

/** The modules the adapter uses, imported on first use. */
const load = async () => {
  const [module, zlib, stream, tls] = await Promise.all([
    import("undici"),
    importZlib(),
    importStream(),
    import("node:tls")
  ])
  // undici is CommonJS: Node gives its exports as names, a bundler may give them as `default`
  const undici: Undici =
    typeof module.Agent === "function" ? module : (module as unknown as { readonly default: Undici }).default
  return { undici, zlib, stream, tls }
}

/** undici's `request()`, as the adapter calls it (replaceable in tests). */
export type RequestFunction = (
  url: string,
  options: {
    readonly dispatcher: unknown
    readonly method: string
    readonly headers: Record<string, string>
    readonly body: string | null
    readonly signal: AbortSignal
  }
) => Promise<{
  readonly statusCode: number
  readonly headers: Record<string, string | ReadonlyArray<string> | undefined>
  readonly body: Readable
}>

/** Build an undici transport (imports undici on the first call); `request` replaces undici's in tests. */
export const undiciTransport = async (
  options: UndiciOptions,
  overrides: { readonly request?: RequestFunction | undefined } = {}
): Promise<WireTransport> => {
  const { undici, zlib, stream, tls } = await load()
  const dispatcher = dispatcherFor(undici, tls, options)
  const request: RequestFunction = overrides.request ?? (undici.request as unknown as RequestFunction)
  const proxyFor = proxyOf(options, "")
  const send = async (wireRequest: WireRequest, signal: AbortSignal): Promise<WireResponse> => {
    let response: Awaited<ReturnType<RequestFunction>>
    try {
      response = await request(wireRequest.url, {
        dispatcher,
        method: wireRequest.method,
        headers: {
          ...wireRequest.headers,
          "accept-encoding": wireRequest.encoding === "identity" ? "identity" : "gzip, deflate, br"
        },
        body: wireRequest.body ?? null,
        signal
      })
    } catch (e) {
      // undici names a refused proxy tunnel "AbortError" too: only our signal is an abort
      if (signal.aborted) throw e
      throw new NetworkFailure(e instanceof Error ? e.message : String(e), { cause: e })
    }
    const headers = joinHeaders(response.headers)
    const codingList = (headers["content-encoding"] ?? "")
      .split(",")
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c.length > 0 && c !== "identity")
    const raw = response.body
    let body: WireBody
    if (response.statusCode === 204 || response.statusCode === 304 || wireRequest.method === ("HEAD" as string)) {
      discard(raw)
      body = emptyBody
    } else if (codingList.length === 0) {
      body = readableBody(raw, () => raw.destroy())
    } else {
      body = await decodedBody(zlib, stream, raw, codingList)
    }
    return {
      status: response.statusCode,
      headers,
      // undici destroys the body with the signal's reason itself: a pending read rejects
      body,
      decodedUnchecked: false,
      identityIgnored: false
    }
  }
  return {
    name: "undici",
    send,
    proxyFor: (url) => {
      try {
        const p = proxyFor(new URL(url))
        return p === null ? null : p
      } catch {
        return null
      }
    },
    close: () => dispatcher.close()
  }
}
