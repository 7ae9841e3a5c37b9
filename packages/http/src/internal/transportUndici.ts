/**
 * The undici adapter: Node's transport. undici's `dispatch()` API with a handler of our own (no
 * `request()`: no Readable body, AbortSignal listener or async-hooks resource per request),
 * over a dispatcher of our own (an `Agent` bounded at `connections` per origin; through a proxy,
 * https targets over a `CONNECT` tunnel of our own, `tunnel.ts`, and http ones through a
 * `ProxyAgent` in absolute-form), never the global one, so `fetch` elsewhere
 * in the process is untouched. undici is imported lazily, the first time a transport is built.
 * Downloads (`encoding: "identity"` GETs not through a proxy) bypass undici: they are read from
 * sockets of our own (`socketBody.ts`: no Readable, no copy into undici's parser, the CPU of a
 * bare socket), with the same TLS settings and connect timeout, and decoded here as undici's are.
 * Compressed bodies are decoded here with `node:zlib` in its strict mode: a gzip, deflate or
 * brotli stream that ends early is an error, never a shorter body; the decoders stop producing
 * while nobody reads, so a small body that inflates to gigabytes is read only as far as the
 * caller's size limit.
 * A replayable request (a GET, a read-only POST) that went out on a reused keep-alive connection
 * the server closed or reset before any byte of the answer is sent once more, at once, on a
 * connection opened for it, on both paths ({@link Exchange} here, `socketBody.ts` for
 * downloads): not a retry, never twice, never after an abort, same origin and route.
 *
 * Node only: reached through the `node` export condition, never from a browser bundle.
 *
 * @internal
 */
import type { Readable } from "node:stream"
import { PushedBody } from "./pushedBody.js"
import { socketDownloads } from "./socketBody.js"
import {
  abortError,
  type Cancel,
  codings,
  emptyBody,
  NetworkFailure,
  ownTransport,
  ProxyFailure,
  UnsupportedEncoding,
  type WireBody,
  type WireRequest,
  type WireResponse,
  type WireTransport
} from "./transport.js"
import { tunnelConnector } from "./tunnel.js"

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
  /** The setting `httpProxy` came from (`HTTP_PROXY`, `proxy`, …), named in messages; default `httpProxy`. */
  readonly httpProxySetting?: string | undefined
  /** The setting `httpsProxy` came from (`HTTPS_PROXY`, `proxy`, …), named in messages; default `httpsProxy`. */
  readonly httpsProxySetting?: string | undefined
  /** Hosts reached directly (`NO_PROXY` syntax: `host`, `.domain`, `*.domain`, `host:port`, `*`). */
  readonly noProxy: string
  /** Certificate authorities (PEM) trusted besides Node's own, or null for Node's defaults. */
  readonly extraCa: ReadonlyArray<string> | null
  /** Check server certificates (false only with COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false). */
  readonly rejectUnauthorized: boolean
  /**
   * How long making a connection may take, in ms: TCP and TLS, to the server or to the proxy,
   * and the proxy's answer to `CONNECT`. Default {@link CONNECT_TIMEOUT_MS} (undici's);
   * NodeTransport sets `timeoutMs`.
   */
  readonly connectTimeoutMs?: number | undefined
}

/** The connect timeout without a setting (ms): undici's own. */
export const CONNECT_TIMEOUT_MS = 10_000

type NoProxyEntry =
  | { readonly hostname: string; readonly port: number }
  /** An IPv4 network (`10.0.0.0/8`), as Python's `requests` reads `NO_PROXY` (comet_ml's client). */
  | { readonly network: number; readonly mask: number }

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 }

/** An IPv4 address as a 32-bit number, or null. */
const ipv4 = (text: string): number | null => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (m === null) return null
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return null
  return parts.reduce((n, p) => n * 256 + p, 0)
}

const maskOf = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0)

/**
 * `NO_PROXY` as undici's EnvHttpProxyAgent reads it (`*`, `host`, `.domain`, `*.domain`,
 * `host:port`), and, as Python's `requests` reads them, IPv4 networks (`10.0.0.0/8`) and IPv6
 * addresses bare or in brackets (`::1`, `[::1]:8080`).
 */
const parseNoProxy = (value: string): ReadonlyArray<NoProxyEntry> | "all" => {
  if (value === "*") return "all"
  const entries: Array<NoProxyEntry> = []
  for (const entry of value.split(/[,\s]/)) {
    if (!entry) continue
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(entry)
    const network = cidr === null ? null : ipv4(cidr[1] ?? "")
    const bits = cidr === null ? Number.NaN : Number(cidr[2])
    if (network !== null && bits <= 32) {
      entries.push({ network: (network & maskOf(bits)) >>> 0, mask: maskOf(bits) })
      continue
    }
    // an IPv6 address is written bare (`::1`) or in brackets (`[::1]`, `[::1]:8080`)
    const parsed =
      /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? (entry.split(":").length > 2 ? null : /^(.+):(\d+)$/.exec(entry))
    entries.push({
      hostname: (parsed?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase(),
      port: parsed?.[2] === undefined ? 0 : Number.parseInt(parsed[2], 10)
    })
  }
  return entries
}

/**
 * The proxy setting a request to `target` would use, and the name it came under: `httpsProxy`
 * (else `httpProxy`) for https, `httpProxy` for http.
 */
const proxySettingOf = (
  options: Pick<UndiciOptions, "httpProxy" | "httpsProxy" | "httpProxySetting" | "httpsProxySetting">,
  target: URL
): { readonly proxy: string | null; readonly setting: string } =>
  target.protocol === "https:" && options.httpsProxy !== null
    ? { proxy: options.httpsProxy, setting: options.httpsProxySetting ?? "httpsProxy" }
    : { proxy: options.httpProxy, setting: options.httpProxySetting ?? "httpProxy" }

/** Which proxy (credentials included) a request to `url` goes through: the dispatcher routes by it. */
export const proxyOf = (options: Pick<UndiciOptions, "httpProxy" | "httpsProxy" | "noProxy">, url: string) => {
  const noProxy = parseNoProxy(options.noProxy)
  return (target: URL = new URL(url)): string | null => {
    const proxy = target.protocol === "https:" ? (options.httpsProxy ?? options.httpProxy) : options.httpProxy
    if (proxy === null || proxy === "") return null
    if (noProxy === "all") return null
    const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase()
    const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0
    const address = ipv4(hostname)
    for (const entry of noProxy) {
      if ("network" in entry) {
        if (address !== null && (address & entry.mask) >>> 0 === entry.network) return null
        continue
      }
      if (entry.port !== 0 && entry.port !== port) continue
      if (hostname === entry.hostname || hostname.endsWith(`.${entry.hostname}`)) return null
    }
    return proxy
  }
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

/**
 * Whether undici is handing a connection it just opened to its first request: a request whose
 * `onConnect` comes while `depth > 0` is written on a new connection (undici writes it from the
 * connector's callback); any other went out on a connection that was idle in the pool.
 */
interface Opening {
  depth: number
}

/**
 * undici's connector, with the sockets still connecting kept until they connect or fail: a
 * request aborted before its connection exists stays queued inside undici until then (undici
 * can only abort it once connected), so closing destroys them rather than leave a connect that
 * hangs (a full backlog, a dropped SYN) keeping the process alive until the connect timeout
 * (`connectTimeoutMs`).
 */
const trackedConnector = (
  connector: (...a: Parameters<ReturnType<Undici["buildConnector"]>>) => unknown,
  opening: Opening
) => {
  const connecting = new Set<{ destroy(): void }>()
  const connect = (opts: Parameters<typeof connector>[0], callback: Parameters<typeof connector>[1]): void => {
    let done = false
    const socket = connector(opts, (...args) => {
      done = true
      connecting.delete(socket as { destroy(): void })
      // undici writes the first request on a new connection from this callback, synchronously
      opening.depth++
      try {
        callback(...args)
      } finally {
        opening.depth--
      }
    })
    if (!done) connecting.add(socket as { destroy(): void })
  }
  return {
    connect,
    destroyConnecting: () => {
      for (const s of [...connecting]) s.destroy()
      connecting.clear()
    }
  }
}

/**
 * What the transport's two paths (undici's dispatcher, the socket reader of downloads) share,
 * worked out once: the CAs trusted (null: Node's), the connect timeout (ms), the proxy of a URL
 * (null: direct), and that of an origin remembered per origin.
 */
interface Network {
  readonly ca: ReadonlyArray<string> | null
  readonly connectTimeout: number
  readonly proxyFor: (url: URL) => string | null
  readonly routeOf: (origin: string) => string | null
}

const networkOf = (tls: typeof import("node:tls"), options: UndiciOptions): Network => {
  const proxyFor = proxyOf(options, "")
  const routes = new Map<string, string | null>()
  return {
    ca: options.extraCa === null ? null : [...tls.rootCertificates, ...options.extraCa],
    connectTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    proxyFor,
    routeOf: (origin) => {
      let proxy = routes.get(origin)
      if (proxy === undefined) {
        proxy = proxyFor(new URL(origin))
        if (routes.size >= 64) routes.clear()
        routes.set(origin, proxy)
      }
      return proxy
    }
  }
}

/** The dispatcher for the settings: an Agent, or an EnvHttpProxyAgent with our proxy values. */
const dispatcherFor = (undici: Undici, options: UndiciOptions, network: Network) => {
  const tlsOptions = {
    ...(network.ca === null ? {} : { ca: [...network.ca] }),
    rejectUnauthorized: options.rejectUnauthorized
  }
  const connectTimeout = network.connectTimeout
  // undici's connectors, with the connect timeout (TCP and TLS) of the settings
  const timedTls = { ...tlsOptions, timeout: connectTimeout }
  const connector = () => undici.buildConnector(timedTls)
  const common = {
    connections: options.connections,
    // timeouts are CometHttp's (one timer per attempt, from the client's clock)
    headersTimeout: 0,
    bodyTimeout: 0
  }
  const opening: Opening = { depth: 0 }
  const { connect, destroyConnecting } = trackedConnector(connector(), opening)
  const direct = new undici.Agent({ ...common, connect })
  /**
   * Clients of one request each, for requests sent once more (`resend`): a client of its own is
   * the only way to be sure of a new connection (a pool may hand out another idle one, as stale
   * as the first). Destroyed once that request is over — answered whole (the body is then in
   * our queue), failed, aborted or cancelled: a graceful close of a client whose request was
   * aborted made undici connect again.
   */
  const once = new Set<InstanceType<Undici["Client"]>>()
  const onNewConnection = (
    origin: string,
    connectWith: typeof connect,
    opts: Parameters<Dispatch>[0],
    handler: DispatchHandler
  ): boolean => {
    const client = new undici.Client(origin, { headersTimeout: 0, bodyTimeout: 0, connect: connectWith })
    once.add(client)
    const over = () =>
      queueMicrotask(() => {
        once.delete(client)
        client.destroy().catch(() => {})
      })
    const handlerOnce: DispatchHandler = {
      onConnect: (abort) => handler.onConnect(abort),
      onResponseStarted: () => handler.onResponseStarted?.(),
      onHeaders: (status, headers, resume) => handler.onHeaders(status, headers, resume),
      onData: (chunk) => handler.onData(chunk),
      onComplete: (trailers) => {
        handler.onComplete(trailers)
        over()
      },
      onError: (error) => {
        handler.onError(error)
        over()
      }
    }
    client.dispatch(opts, handlerOnce as unknown as Parameters<Dispatch>[1])
    return true
  }
  const destroyOnce = () => Promise.all([...once].map((c) => c.destroy())).then(() => once.clear())
  const isOpening = () => opening.depth > 0
  if (options.httpProxy === null && options.httpsProxy === null) {
    return {
      dispatch: direct.dispatch.bind(direct),
      opening: isOpening,
      resend: (opts: Parameters<Dispatch>[0], handler: DispatchHandler) =>
        onNewConnection(String(opts.origin), connect, opts, handler),
      destroy: () => {
        destroyConnecting()
        return Promise.all([direct.destroy(), destroyOnce()]).then(() => {})
      }
    }
  }
  // Routed by proxyOf (the same decision names the proxy in messages): direct, or through a
  // proxy — https targets through a CONNECT tunnel of our own (tunnel.ts: undici's ProxyAgent
  // never settles a request whose proxy drops the CONNECT), http targets in absolute-form
  // through a ProxyAgent per proxy URL. Not undici's EnvHttpProxyAgent: it reads NO_PROXY
  // without networks, and sends no Proxy-Authorization for a proxy URL with a user name and no
  // password (a token as the user name), which curl and Python's requests send as `user:`.
  const proxies = new Map<string, { dispatch: Dispatch; destroy(): Promise<void> }>()
  const toProxy = connector()
  const overTunnel = connector()
  const tunnels = new Map<string, ReturnType<typeof trackedConnector>>()
  const through = (uri: string, origin: string) => {
    const https = origin.startsWith("https:")
    const key = `${https ? "tunnel" : "forward"} ${uri}`
    let agent = proxies.get(key)
    if (agent === undefined && https) {
      const tunnel = trackedConnector(
        tunnelConnector(
          { uri, setting: proxySettingOf(options, new URL(origin)).setting },
          toProxy,
          overTunnel,
          connectTimeout
        ),
        opening
      )
      tunnels.set(key, tunnel)
      agent = new undici.Agent({ ...common, connect: tunnel.connect })
      proxies.set(key, agent)
    }
    if (agent === undefined) {
      agent = new undici.ProxyAgent({
        ...common,
        uri,
        ...userOnlyToken(uri),
        connect: timedTls,
        requestTls: timedTls,
        proxyTls: timedTls,
        // plain http targets in absolute-form (as curl does)
        proxyTunnel: false
      })
      proxies.set(key, agent)
    }
    return agent
  }
  return {
    dispatch: (opts: Parameters<InstanceType<Undici["Agent"]>["dispatch"]>[0], handler: DispatchHandler) => {
      const origin = String(opts.origin)
      const proxy = network.routeOf(origin)
      const agent = proxy === null ? direct : through(proxy, origin)
      return agent.dispatch(opts, handler as unknown as Parameters<InstanceType<Undici["Agent"]>["dispatch"]>[1])
    },
    opening: isOpening,
    // direct, or over a CONNECT tunnel of our own (a new tunnel: the same proxy, the same
    // origin behind it); not in absolute-form through undici's ProxyAgent, whose connections
    // are not ours to tell new from reused
    resend: (opts: Parameters<Dispatch>[0], handler: DispatchHandler): boolean => {
      const origin = String(opts.origin)
      const proxy = network.routeOf(origin)
      if (proxy === null) return onNewConnection(origin, connect, opts, handler)
      if (!origin.startsWith("https:")) return false
      through(proxy, origin)
      const tunnel = tunnels.get(`tunnel ${proxy}`)
      return tunnel !== undefined && onNewConnection(origin, tunnel.connect, opts, handler)
    },
    destroy: () => {
      destroyConnecting()
      for (const tunnel of tunnels.values()) tunnel.destroyConnecting()
      return Promise.all([direct.destroy(), destroyOnce(), ...[...proxies.values()].map((a) => a.destroy())]).then(
        () => {}
      )
    }
  }
}

/**
 * The `token` option of a proxy URL with a user name and no password (`http://TOKEN@proxy:3128`):
 * `Proxy-Authorization: Basic base64(user:)`, as curl and Python's requests send it; undici sends
 * nothing for it. Nothing for other URLs (undici reads `user:password` itself).
 */
const userOnlyToken = (uri: string): { readonly token?: string } => {
  try {
    const u = new URL(uri)
    if (u.username === "" || u.password !== "") return {}
    let user = u.username
    try {
      user = decodeURIComponent(user)
    } catch {
      // not valid percent-encoding: as written
    }
    return { token: `Basic ${Buffer.from(`${user}:`, "utf8").toString("base64")}` }
  } catch {
    return {}
  }
}

type Dispatch = InstanceType<Undici["Agent"]>["dispatch"]

/**
 * undici (or a module of Node it needs) could not be imported: the message names the cause and
 * what to do. The usual cause is a bundle for Node in ES module format, where undici's
 * `require("node:…")` calls have no `require` to call.
 */
export class UndiciUnavailable extends Error {
  constructor(cause: unknown) {
    super(
      `undici, the Node transport, could not be loaded (${cause instanceof Error ? cause.message : String(cause)}). ` +
        "A bundle for Node in ES module format cannot require() the Node modules undici (CommonJS) needs: " +
        'bundle with esbuild\'s --packages=external or --external:undici, or give the bundle a require (banner: import { createRequire } from "node:module"; const require = createRequire(import.meta.url)); ' +
        "or send through another client: new API({ httpClient: FetchHttpClient.layer }).",
      { cause }
    )
    this.name = "UndiciUnavailable"
  }
}

/** The modules the adapter uses, imported on first use; a failure is an {@link UndiciUnavailable}. */
const load = () =>
  loadModules().catch((cause: unknown) => {
    throw new UndiciUnavailable(cause)
  })

const loadModules = async () => {
  const [module, zlib, stream, tls, net] = await Promise.all([
    import("undici"),
    importZlib(),
    importStream(),
    import("node:tls"),
    import("node:net")
  ])
  // undici is CommonJS: Node gives its exports as names, a bundler may give them as `default`
  const undici: Undici =
    typeof module.Agent === "function" ? module : (module as unknown as { readonly default: Undici }).default
  return { undici, zlib, stream, tls, net }
}

/** The handler undici's `Dispatcher.dispatch` drives (its callback interface). */
export interface DispatchHandler {
  onConnect(abort: (reason?: unknown) => void): void
  onHeaders(statusCode: number, rawHeaders: ReadonlyArray<Uint8Array | string>, resume: () => void): boolean
  onData(chunk: Uint8Array): boolean
  onComplete(trailers: unknown): void
  onError(error: unknown): void
  /** The first byte of a response was read. */
  onResponseStarted?(): void
}

/**
 * undici's failure as a NetworkFailure. A status code below 100 (`HTTP/1.1 099`) fails one of
 * undici's internal assertions rather than its parser: named as the invalid response it is, as
 * the socket reader names it (socketBody.ts), not as an assertion.
 */
const networkFailureOf = (error: unknown): NetworkFailure => {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof Error && Reflect.get(error, "code") === "ERR_ASSERTION" && /\bstatusCode\b/.test(message))
    return new NetworkFailure("the server's response is not valid HTTP/1.1: a status code below 100", { cause: error })
  return new NetworkFailure(message, { cause: error })
}

/** What the adapter needs of an undici dispatcher (replaceable in tests). */
export interface DispatcherLike {
  dispatch(
    options: {
      readonly origin: string
      readonly path: string
      readonly method: string
      readonly headers: Record<string, string>
      readonly body: string | null
    },
    handler: DispatchHandler
  ): boolean
  /**
   * Whether the request whose `onConnect` is being called goes out on a connection opened for
   * it (else on one reused from the pool). Absent: unknown, no request is sent twice.
   */
  opening?(): boolean
  /**
   * Send the request on a connection opened for it alone (same origin, same route); false when
   * that cannot be done on this route (nothing sent).
   */
  resend?(options: Parameters<DispatcherLike["dispatch"]>[0], handler: DispatchHandler): boolean
  /** Close every connection now (the requests on them were aborted already). */
  destroy(): Promise<void>
}

const latin1 = new TextDecoder("latin1")
const text = (v: Uint8Array | string): string => (typeof v === "string" ? v : latin1.decode(v))

/** A Node Readable over a body (for the zlib decoders of a compressed one). */
const readableOf = (stream: NodeStream, body: WireBody): Readable =>
  new stream.Readable({
    read() {
      body.read().then(
        (chunk) => {
          this.push(chunk)
        },
        (e: unknown) => this.destroy(e instanceof Error ? e : new NetworkFailure(String(e)))
      )
    },
    destroy(error, callback) {
      body.cancel()
      callback(error)
    }
  })

/**
 * Resolve with a response whose raw body is `raw`: as is, or decoded (strictly, with `node:zlib`)
 * when the server applied a Content-Encoding; a coding that cannot be decoded rejects.
 */
const respond = (
  zlib: Zlib,
  stream: NodeStream,
  status: number,
  headers: Record<string, string>,
  raw: WireBody,
  resolve: (response: WireResponse) => void,
  reject: (error: unknown) => void
): void => {
  const codingList = codings(headers)
  if (codingList.length === 0) {
    resolve({ status, headers, body: raw, decodedUnchecked: false, identityIgnored: false })
    return
  }
  decodedBody(zlib, stream, readableOf(stream, raw), codingList).then(
    (decoded) => resolve({ status, headers, body: decoded, decodedUnchecked: false, identityIgnored: false }),
    (e: unknown) => {
      raw.cancel()
      reject(e)
    }
  )
}

/** Origins of the URLs sent (as undici keys its connection pools), parsed once each. */
const originOf = (cache: Map<string, string>, prefix: string): string => {
  let origin = cache.get(prefix)
  if (origin === undefined) {
    origin = new URL(prefix).origin
    if (cache.size > 64) cache.clear()
    cache.set(prefix, origin)
  }
  return origin
}

/** What undici's `dispatch` is given for one request. */
type DispatchOptions = Parameters<DispatcherLike["dispatch"]>[0]

/**
 * A connection lost under a request, as undici reports it: closed by the server ("other side
 * closed", "closed"), reset, or gone while the request was written.
 */
const connectionLost = (error: unknown): boolean => {
  const code = (error as { readonly code?: unknown } | null)?.code
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE"
}

/**
 * One request and its answer, as undici's handler: one object per request instead of a closure
 * per callback. The head resolves `resolve`; a failure before it rejects (with the signal's
 * reason when we aborted); after it, the body fails.
 *
 * A request that may be sent twice (`replayable`) and went out on a reused connection that the
 * server closed or reset before any byte of the answer (it closed the connection as it sat idle,
 * on its own schedule: nginx's `keepalive_timeout`, a load balancer's idle timeout) is sent once
 * more, at once, on a connection opened for it ({@link DispatcherLike.resend}), as Go's net/http
 * and urllib3 do; undici itself fails it (it sends again only requests pipelined behind the one
 * that failed). Not when the signal fired, not twice: a failure of that new connection is the
 * request's failure.
 */
class Exchange implements DispatchHandler {
  private abortRequest: ((reason?: unknown) => void) | null = null
  private body: PushedBody | null = null
  private settled = false
  private finished = false
  /** The request went out on a connection that was idle in undici's pool. */
  private reused = false
  /** A byte of the response was read. */
  private started = false

  constructor(
    private readonly request: WireRequest,
    private readonly signal: Cancel,
    private readonly resolve: (response: WireResponse) => void,
    private readonly reject: (error: unknown) => void,
    private readonly zlib: Zlib,
    private readonly stream: NodeStream,
    private readonly options: DispatchOptions,
    /** The dispatcher that may send it once more, or null (not replayable, or sent once more already). */
    private readonly resender: DispatcherLike | null
  ) {}

  /** Send the request on `dispatcher` (its first sending), or on a new connection (`again`). */
  send(dispatcher: DispatcherLike, again: boolean): boolean {
    this.signal.addEventListener("abort", this.onAbort, { once: true })
    if (!again) return dispatcher.dispatch(this.options, this)
    if (dispatcher.resend?.(this.options, this) === true) return true
    this.signal.removeEventListener("abort", this.onAbort)
    return false
  }

  /**
   * The connection was lost under the request: send it once more on a new connection when it
   * was a reused one closed before any byte of the answer (see the class); true when sent.
   */
  private sentAgain(error: unknown): boolean {
    const dispatcher = this.resender
    if (dispatcher === null || !this.reused || this.started || this.abortRequest === null) return false
    if (this.signal.aborted || !connectionLost(error)) return false
    const again = new Exchange(
      this.request,
      this.signal,
      this.resolve,
      this.reject,
      this.zlib,
      this.stream,
      this.options,
      null
    )
    if (!again.send(dispatcher, true)) return false
    this.request.onResend?.()
    return true
  }

  /** The request is over (answered whole, or failed): the signal no longer concerns it. */
  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.signal.removeEventListener("abort", this.onAbort)
  }

  /** The signal fired: fail what waits (the head, or the body), then abort the request. */
  readonly onAbort = (): void => {
    const reason: unknown = this.signal.reason
    this.finish()
    if (!this.settled) {
      this.settled = true
      this.reject(reason)
    } else this.body?.fail(reason)
    // undici answers the abort with onError (ignored: the failure is already told)
    this.abortRequest?.(reason instanceof Error ? reason : abortError(reason))
  }

  /** The body was cancelled unread: stop listening and abort the request (its connection). */
  cancelled(reason: unknown): void {
    this.finish()
    this.abortRequest?.(reason)
  }

  /**
   * undici is about to write the request on a connection. Aborted while it waited (queued, or for
   * its connection): throw, which undici turns into the request's failure with the connection
   * left as it is — nothing was written on it. Calling `abort` here would destroy that
   * connection, a good keep-alive one, and every request aborted while queued would cost the
   * client a new connection, with the queue (and each aborted request in it) growing behind.
   */
  onConnect(abort: (reason?: unknown) => void): void {
    if (this.signal.aborted) throw abortError(this.signal.reason)
    this.abortRequest = abort
    this.reused = this.resender?.opening?.() === false
  }

  onResponseStarted(): void {
    this.started = true
  }

  onHeaders(statusCode: number, rawHeaders: ReadonlyArray<Uint8Array | string>, resume: () => void): boolean {
    // 1xx informational answers come before the real one
    if (statusCode < 200) return true
    if (this.settled) return false
    this.settled = true
    const headers: Record<string, string> = {}
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = text(rawHeaders[i] as Uint8Array | string).toLowerCase()
      const value = text(rawHeaders[i + 1] as Uint8Array | string)
      const before = headers[name]
      headers[name] = before === undefined ? value : `${before}, ${value}`
    }
    if (statusCode === 204 || statusCode === 304 || this.request.method === ("HEAD" as string)) {
      // nothing to read: what comes is dropped, the connection kept
      this.resolve({ status: statusCode, headers, body: emptyBody, decodedUnchecked: false, identityIgnored: false })
      return true
    }
    const raw = new PushedBody(resume, this)
    this.body = raw
    respond(this.zlib, this.stream, statusCode, headers, raw, this.resolve, this.reject)
    return true
  }

  onData(chunk: Uint8Array): boolean {
    return this.body === null ? true : this.body.push(chunk)
  }

  onComplete(): void {
    this.finish()
    this.body?.end()
  }

  onError(error: unknown): void {
    this.finish()
    const signal = this.signal
    if (!this.settled && this.sentAgain(error)) return
    if (!this.settled) {
      this.settled = true
      if (signal.aborted) this.reject(signal.reason)
      else if (error instanceof ProxyFailure) this.reject(error)
      else this.reject(networkFailureOf(error))
    } else this.body?.fail(signal.aborted ? signal.reason : error)
  }
}

/** Build an undici transport (imports undici on the first call); `dispatcher` replaces undici's in tests. */
export const undiciTransport = async (
  options: UndiciOptions,
  overrides: { readonly dispatcher?: DispatcherLike | undefined } = {}
): Promise<WireTransport> => {
  const { undici, zlib, stream, tls, net } = await load()
  const network = networkOf(tls, options)
  const dispatcher: DispatcherLike =
    overrides.dispatcher ?? (dispatcherFor(undici, options, network) as unknown as DispatcherLike)
  const origins = new Map<string, string>()
  // downloads not through a proxy are read from sockets of our own (socketBody.ts); a dispatcher
  // given in tests takes every request
  const sockets =
    overrides.dispatcher === undefined
      ? socketDownloads(net, tls, {
          connections: options.connections,
          ca: network.ca,
          rejectUnauthorized: options.rejectUnauthorized,
          connectTimeoutMs: network.connectTimeout
        })
      : null

  /**
   * A download (`encoding: "identity"`, GET, no proxy) over a socket of our own: the head
   * resolves, the body is read from the socket's reads as they come (decoded if the server
   * compressed it anyway).
   */
  const download = (
    reader: NonNullable<typeof sockets>,
    wireRequest: WireRequest,
    origin: string,
    path: string,
    signal: Cancel
  ): Promise<WireResponse> =>
    reader
      .get(new URL(origin), path, { ...wireRequest.headers, "accept-encoding": "identity" }, signal, wireRequest)
      .then(
        (r) =>
          new Promise<WireResponse>((resolve, reject) =>
            respond(zlib, stream, r.status, r.headers, r.body, resolve, reject)
          )
      )

  /**
   * Send with undici's `dispatch` and a handler of our own ({@link Exchange}): the response's
   * head resolves the promise, its chunks go to a {@link DispatchBody} (no Readable, no
   * AbortSignal inside undici, no async-hooks resource per request). The signal aborts the
   * request, or the body being read.
   */
  const send = (wireRequest: WireRequest, signal: Cancel): Promise<WireResponse> => {
    if (signal.aborted) return Promise.reject(signal.reason)
    const url = wireRequest.url
    // scheme://authority, then the path and query (URLs are built by url.ts: absolute, encoded)
    const slash = url.indexOf("/", url.indexOf("//") + 2)
    const origin = originOf(origins, slash === -1 ? url : url.slice(0, slash))
    const path = slash === -1 ? "/" : url.slice(slash)
    if (
      sockets !== null &&
      wireRequest.encoding === "identity" &&
      wireRequest.method === "GET" &&
      (origin.startsWith("http:") || origin.startsWith("https:")) &&
      network.routeOf(origin) === null
    ) {
      return download(sockets, wireRequest, origin, path, signal)
    }
    return new Promise<WireResponse>((resolve, reject) => {
      const options: DispatchOptions = {
        origin,
        path,
        method: wireRequest.method,
        headers: {
          ...wireRequest.headers,
          "accept-encoding": wireRequest.encoding === "identity" ? "identity" : "gzip, deflate, br"
        },
        body: wireRequest.body ?? null
      }
      const resender = wireRequest.replayable === true && dispatcher.resend !== undefined ? dispatcher : null
      new Exchange(wireRequest, signal, resolve, reject, zlib, stream, options, resender).send(dispatcher, false)
    })
  }
  return ownTransport({
    name: "undici",
    send,
    // the proxy as messages name it: scheme and host, never its credentials (TransportShape's promise)
    proxyFor: (url) => {
      try {
        const p = network.proxyFor(new URL(url))
        if (p === null) return null
        const u = new URL(p)
        return `${u.protocol}//${u.host}`
      } catch {
        return null
      }
    },
    proxySettingFor: (url) => {
      try {
        const target = new URL(url)
        return network.proxyFor(target) === null ? null : proxySettingOf(options, target).setting
      } catch {
        return null
      }
    },
    // the closing aborted every request first: nothing is waited for (a graceful close would
    // wait for requests aborted before their connection was made, up to undici's connect timeout)
    close: () => {
      sockets?.close()
      return dispatcher.destroy()
    }
  })
}
