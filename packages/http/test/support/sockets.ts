/**
 * Hostile servers on real loopback sockets, and CometHttp over each real transport adapter
 * (undici, the global `fetch`, `FetchHttpClient` as a user's `HttpClient`) talking to them.
 */
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net"
import type { ConfigurationError } from "@comet-ts/core"
import { FetchHttpClient } from "@effect/platform"
import { Context, Effect, Layer, type Scope } from "effect"
import { CometHttp, type CometHttpOptions, type CometHttpShape } from "../../src/CometHttp.js"
import { Aborter, type WireRequest } from "../../src/internal/transport.js"
import { undiciTransport } from "../../src/internal/transportUndici.js"
import * as NodeTransport from "../../src/NodeTransport.js"
import { RequestStats, type RequestStatsShape } from "../../src/RequestStats.js"
import * as Transport from "../../src/Transport.js"

/** The real adapters. */
export const REAL = ["undici", "fetch", "http-client"] as const
export type Real = (typeof REAL)[number]

export const KEY = "tk_sockets_5e3c1a9f0b7d2468SECRET"

/** What a test server saw. */
export interface Seen {
  readonly requests: Array<{ readonly n: number; readonly url: string; readonly headers: IncomingMessage["headers"] }>
  /** Connections the server saw closed (by either side). */
  closed: number
  /** Body bytes the server managed to write, in all. */
  written: number
}

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number, seen: Seen) => void

/**
 * `server` listening on `host` (127.0.0.1; `::1` for IPv6), a free port, for the scope: its URL, then at the end every
 * socket in `sockets` destroyed and the server closed. For node:http and raw node:net servers.
 */
export const listening = (
  server: {
    listen(port: number, host: string, callback: () => void): unknown
    address(): unknown
    close(callback: () => void): unknown
  },
  sockets: ReadonlySet<{ destroy(): void }>,
  host = "127.0.0.1"
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<string>((resolve) => {
          server.listen(0, host, () => {
            const { port } = server.address() as AddressInfo
            resolve(`http://${host.includes(":") ? `[${host}]` : host}:${port}`)
          })
        })
    ),
    () =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy()
            server.close(() => resolve())
          })
      )
  )

/**
 * Count a raw server's accepted `socket` in `seen` and hold it in `sockets` until it closes
 * (then counted closed); its errors are the test's to assert, never uncaught.
 */
export const track = (socket: Socket, sockets: Set<Socket>, seen: { connections: number; closed: number }): void => {
  seen.connections++
  sockets.add(socket)
  socket.on("error", () => {})
  socket.on("close", () => {
    sockets.delete(socket)
    seen.closed++
  })
}

/** A node:http server on 127.0.0.1, closed (every socket destroyed) with the scope. */
export const serve = (
  handler: Handler
): Effect.Effect<{ readonly url: string; readonly seen: Seen }, never, Scope.Scope> =>
  Effect.suspend(() => {
    const seen: Seen = { requests: [], closed: 0, written: 0 }
    const sockets = new Set<Socket>()
    const server = createServer((req, res) => {
      const n = seen.requests.length + 1
      seen.requests.push({ n, url: req.url ?? "", headers: req.headers })
      const write = res.write.bind(res)
      res.write = ((chunk: Uint8Array | string, ...rest: Array<unknown>) => {
        seen.written += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length
        return (write as (...a: Array<unknown>) => boolean)(chunk, ...rest)
      }) as typeof res.write
      handler(req, res, n, seen)
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => {
        sockets.delete(socket)
        seen.closed++
      })
    })
    return Effect.map(listening(server, sockets), (url) => ({ url, seen }))
  })

/** What a raw server saw. */
export interface RawSeen {
  requests: number
  connections: number
  closed: number
  written: number
}

/** A raw TCP server on 127.0.0.1: `onRequest` gets the socket of each request head read. */
export const raw = (onRequest: (socket: Socket, n: number, head: string, seen: RawSeen) => void) =>
  Effect.suspend(() => {
    const seen: RawSeen = { requests: 0, connections: 0, closed: 0, written: 0 }
    const sockets = new Set<Socket>()
    const server = createNetServer((socket) => {
      track(socket, sockets, seen)
      let buffer = ""
      socket.on("data", (d: Buffer) => {
        buffer += d.toString("latin1")
        for (let end = buffer.indexOf("\r\n\r\n"); end !== -1; end = buffer.indexOf("\r\n\r\n")) {
          const head = buffer.slice(0, end)
          buffer = buffer.slice(end + 4)
          seen.requests++
          onRequest(socket, seen.requests, head, seen)
        }
      })
    })
    return Effect.map(listening(server, sockets), (url) => ({ url, seen }))
  })

/** The Node transport's settings for a direct connection: no proxy, Node's CAs, 4 connections per origin. */
export const DIRECT: NodeTransport.UndiciOptions = {
  connections: 4,
  httpProxy: null,
  httpsProxy: null,
  noProxy: "",
  extraCa: null,
  rejectUnauthorized: true
}

/** CometHttp over a real adapter, against `url`. */
export const layerOver = (
  adapter: Real,
  options: CometHttpOptions
): Layer.Layer<CometHttp | RequestStats, ConfigurationError> => {
  switch (adapter) {
    case "undici":
      return CometHttp.layerTransport(options).pipe(
        Layer.provide(
          NodeTransport.layer({
            connections: options.maxConcurrency ?? 8,
            httpProxy: null,
            httpsProxy: null,
            noProxy: "",
            extraCa: null,
            rejectUnauthorized: true
          })
        )
      )
    case "fetch":
      return CometHttp.layerTransport(options).pipe(Layer.provide(Transport.layerFetch()))
    case "http-client":
      return CometHttp.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
  }
}

/** Run a scenario with CometHttp over `adapter` talking to `url`. */
export const over = <A, E>(
  adapter: Real,
  url: string,
  options: Partial<CometHttpOptions>,
  scenario: (env: {
    readonly http: CometHttpShape
    readonly stats: RequestStatsShape
  }) => Effect.Effect<A, E, Scope.Scope>
): Effect.Effect<A, E | ConfigurationError, Scope.Scope> =>
  Effect.flatMap(
    Layer.build(
      layerOver(adapter, {
        apiKey: KEY,
        baseUrl: url,
        retryBaseDelay: "5 millis",
        retryMaxDelay: "20 millis",
        ...options
      })
    ),
    (ctx) => scenario({ http: Context.get(ctx, CometHttp), stats: Context.get(ctx, RequestStats) })
  )

/**
 * The most a loopback connection's kernel buffers may hold between the server's writes and our
 * reads: the receive buffer's autotuning maximum (tcp_rmem's third value; 32 MiB on some hosts)
 * plus the send buffer's (tcp_wmem's). Read from Linux's /proc; elsewhere 16 MiB each (above
 * macOS's and Windows' defaults).
 */
export const kernelBuffers = (): number => {
  const max = (file: string): number => {
    try {
      const v = Number(readFileSync(file, "utf8").trim().split(/\s+/)[2])
      return Number.isSafeInteger(v) && v > 0 ? v : 16 * 1024 * 1024
    } catch {
      return 16 * 1024 * 1024
    }
  }
  return max("/proc/sys/net/ipv4/tcp_rmem") + max("/proc/sys/net/ipv4/tcp_wmem")
}

/** The most our socket reader holds unread: its queue's 64 KiB high-water mark, a 1 MiB read slab, zlib's buffers (4 MiB allowed). */
export const READER_HOLDS = 4 * 1024 * 1024

/** Wait (polling, bounded by a count of turns) until `condition` holds. */
export const eventually = (condition: () => boolean, what: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 500; i++) {
      if (condition()) return
      yield* Effect.sleep("10 millis")
    }
    return yield* Effect.dieMessage(`never: ${what}`)
  })

/** Deterministic pseudo-random bytes (an asset whose every byte position is checkable). */
export const assetBytes = (size: number, seed = 7): Uint8Array => {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/**
 * A keep-alive server that closes idle connections on its own schedule, caught at the worst
 * moment: the first request of each connection is answered with `answer(head)` (no
 * `Connection: close`, no `Keep-Alive: timeout=`), and the connection is closed as soon as the
 * bytes of its next request arrive, unanswered — `"close"` with a FIN, `"reset"` with an RST,
 * `"partial"` with a FIN after the first line of an answer (a byte of a response did arrive).
 * With `freshToo`, every connection after the first is closed so at its first request (a server
 * that is really down).
 */
export const closingOnReuse = (
  answer: (head: string) => Buffer | null,
  how: "close" | "reset" | "partial",
  freshToo = false
) => {
  const served = new WeakMap<Socket, number>()
  return raw((socket, _n, head, seen) => {
    const k = (served.get(socket) ?? 0) + 1
    served.set(socket, k)
    if (k === 1 && !(freshToo && seen.connections > 1)) {
      const bytes = answer(head)
      if (bytes !== null) socket.write(bytes)
      return
    }
    if (how === "reset") socket.resetAndDestroy()
    else if (how === "partial") socket.end("HTTP/1.1 200 OK\r\n")
    else socket.destroy()
  })
}

/**
 * `call` made twice through CometHttp over undici (`maxRetries: 0`, one connection per origin)
 * against {@link closingOnReuse}: the first answered, the second lost as `how` says. The second
 * call's error, the server's `[connections, requests]`, and the client's counts.
 */
export const secondCallLost = <A, E>(
  answer: (head: string) => Buffer,
  how: "close" | "reset" | "partial",
  freshToo: boolean,
  call: (http: CometHttpShape, i: number) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    const { url, seen } = yield* closingOnReuse(answer, how, freshToo)
    return yield* over("undici", url, { maxRetries: 0, maxConcurrency: 1 }, ({ http, stats }) =>
      Effect.gen(function* () {
        yield* call(http, 1)
        const error = yield* Effect.flip(call(http, 2))
        return { error, seen: [seen.connections, seen.requests], stats: yield* stats.snapshot }
      })
    )
  })

/**
 * The lost second calls of {@link secondCallLost} and what each must come to: a new connection
 * that fails too (a server really down) is the call's failure after one sending more; a byte of
 * the answer before the close means no sending more.
 */
export const LOST_SECOND_CALLS = [
  {
    title: "the new connection reset too (a server really down): the typed error as before, sent once more only",
    how: "reset",
    freshToo: true,
    seen: [2, 3],
    resent: 1
  },
  {
    title: "a byte of the answer arrived before the close: not sent twice, the typed error",
    how: "partial",
    freshToo: false,
    seen: [1, 2],
    resent: 0
  }
] as const

/** A transport response's whole body (as one Buffer), or the error that ended it. */
export const wholeBody = async (body: { read(): Promise<Uint8Array | null> }): Promise<Buffer> => {
  const parts: Array<Uint8Array> = []
  for (let c = await body.read(); c !== null; c = await body.read()) parts.push(c)
  return Buffer.concat(parts)
}

/**
 * The Node transport (one connection per origin) against {@link closingOnReuse} answering only
 * its first request with `answer`: a replayable request read whole, then the same request, lost
 * on the kept connection and sent once more on a new one, aborted there. The first body, what
 * the abort rejected with and the reason given, and `[connections, requests, resends]` after.
 */
export const abortedWhileResent = (answer: Buffer, encoding: WireRequest["encoding"]) =>
  Effect.gen(function* () {
    let answers = 0
    const { url, seen } = yield* closingOnReuse(() => (++answers === 1 ? answer : null), "close")
    const t = yield* Effect.acquireRelease(
      Effect.promise(() => undiciTransport({ ...DIRECT, connections: 1 })),
      (t) => Effect.promise(() => t.close())
    )
    let resent = 0
    const request: WireRequest = {
      method: "GET",
      url: `${url}/a`,
      headers: { authorization: KEY },
      body: undefined,
      encoding,
      replayable: true,
      onResend: () => resent++
    }
    const first = yield* Effect.promise(() => t.send(request, new Aborter().signal).then((r) => wholeBody(r.body)))
    const aborter = new Aborter()
    const pending = t.send(request, aborter.signal).then(
      () => null,
      (e: unknown) => e
    )
    yield* eventually(() => seen.requests === 3, "the request sent once more arrived")
    const reason = new Error("give up")
    aborter.abort(reason)
    const rejected = yield* Effect.promise(() => pending)
    yield* eventually(() => seen.closed === 2, `both connections closed ${JSON.stringify(seen)}`)
    return { first, rejected, reason, counts: [seen.connections, seen.requests, resent] }
  })
