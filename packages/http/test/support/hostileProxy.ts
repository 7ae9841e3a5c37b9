/**
 * A hostile corporate proxy on a loopback port, as raw `node:net`: each connection's first
 * request (a `CONNECT host:port` for an https target, an absolute-form `GET http://…` for a plain
 * http one) is answered by a chosen misbehaviour — a close with no bytes, a reset, bytes that are
 * not HTTP, an error status, a status line cut short, a 200 then a close or garbage instead of
 * TLS. It counts the connections and the requests it saw. And a port where nothing listens.
 */
import { connect, createServer, type Socket } from "node:net"
import { createServer as createTlsServer } from "node:tls"
import { CometConfig, type CometError, type CometOptions } from "@comet-ts/core"
import { assert } from "@effect/vitest"
import { Context, Effect, Layer, Logger, type Scope } from "effect"
import { CometHttp } from "../../src/CometHttp.js"
import * as NodeTransport from "../../src/NodeTransport.js"
import { SERVER_TLS } from "./proxy.js"
import { listening, track } from "./sockets.js"

/** What the proxy does with a connection once it has read the request's first bytes. */
export type Misbehaviour = (socket: Socket, request: string) => void

/** What the proxy saw. */
export interface HostileSeen {
  /** Connections accepted. */
  connections: number
  /** Connections closed (by either side). */
  closed: number
  /** The SNI name of each TLS connection (an https:// proxy), false or null when none was sent. */
  readonly servernames: Array<string | false | null>
  /** First lines of the requests read (`CONNECT host:port HTTP/1.1`, `GET http://… HTTP/1.1`). */
  readonly lines: Array<string>
  /** The `Proxy-Authorization` of each request, if any. */
  readonly authorizations: Array<string | undefined>
}

/**
 * The proxy, closed with the scope (every socket destroyed): its URL and what it saw. With
 * `tls`, an https:// proxy with the test CA's certificate (valid for 127.0.0.1); with `host`
 * (`::1`), listening there.
 */
export const hostileProxy = (
  misbehave: Misbehaviour,
  options: { readonly tls?: boolean; readonly host?: string } = {}
): Effect.Effect<{ readonly url: string; readonly seen: HostileSeen }, never, Scope.Scope> =>
  Effect.suspend(() => {
    const seen: HostileSeen = { connections: 0, closed: 0, servernames: [], lines: [], authorizations: [] }
    const sockets = new Set<Socket>()
    const onConnection = (socket: Socket) => {
      track(socket, sockets, seen)
      let head = ""
      const onData = (chunk: Buffer) => {
        head += chunk.toString("latin1")
        if (!head.includes("\r\n\r\n")) return
        socket.off("data", onData)
        const lines = head.split("\r\n")
        seen.lines.push(lines[0] ?? "")
        const auth = lines.find((l) => /^proxy-authorization:/i.test(l))
        seen.authorizations.push(auth?.slice(auth.indexOf(":") + 1).trim())
        misbehave(socket, head)
      }
      socket.on("data", onData)
    }
    if (options.tls !== true) {
      return Effect.map(listening(createServer(onConnection), sockets, options.host), (url) => ({ url, seen }))
    }
    const server = createTlsServer(SERVER_TLS, (socket) => {
      seen.servernames.push(socket.servername)
      onConnection(socket)
    })
    server.on("tlsClientError", () => {})
    return Effect.map(listening(server, sockets, options.host), (url) => ({
      url: url.replace("http://", "https://"),
      seen
    }))
  })

/** How {@link tunnelTo} answers a CONNECT, and where it keeps the tunnels it relays. */
export interface TunnelAnswer {
  /** The answer (default `HTTP/1.1 200 Connection Established`, no header). */
  readonly text?: string
  /** Write the answer one byte per write, each once the previous one was flushed. */
  readonly byteByByte?: boolean
  /** The tunnels relaying now (so that a test can close them between requests). */
  readonly tunnels?: Set<Socket>
}

/**
 * Not a misbehaviour: a 200 to CONNECT (as `answer` writes it), then the bytes both ways to
 * `port` on 127.0.0.1, whatever host was asked for.
 */
export const tunnelTo =
  (port: number, answer: TunnelAnswer = {}): Misbehaviour =>
  (socket) => {
    const relay = () => {
      answer.tunnels?.add(socket)
      socket.on("close", () => answer.tunnels?.delete(socket))
      up.pipe(socket)
      socket.pipe(up)
    }
    const bytes = Buffer.from(answer.text ?? "HTTP/1.1 200 Connection Established\r\n\r\n", "latin1")
    const next = (i: number): void => {
      if (i === bytes.length) {
        relay()
        return
      }
      socket.write(bytes.subarray(i, i + 1), () => setImmediate(() => next(i + 1)))
    }
    const up = connect(port, "127.0.0.1", () => {
      if (answer.byteByByte === true) next(0)
      else {
        socket.write(bytes)
        relay()
      }
    })
    up.on("error", () => socket.destroy())
    socket.on("close", () => up.destroy())
  }

/** A loopback URL where nothing listens (a port bound, then released). */
export const refusingPort: Effect.Effect<string> = Effect.promise(
  () =>
    new Promise<string>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        server.close(() => resolve(`http://127.0.0.1:${port}`))
      })
    })
)

/** The misbehaviours, by name. */
export const misbehaviours = {
  /** Close the connection without a byte (a FIN). */
  close: (socket) => socket.end(),
  /** Reset the connection (an RST). */
  reset: (socket) => socket.resetAndDestroy(),
  /** Answer with bytes that are not HTTP, then close. */
  garbage: (socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001\u0002 not http at all\r\n\r\n"),
  /** Answer with bytes that are not HTTP, and keep the connection open. */
  garbageOpen: (socket) => socket.write("\u0016\u0003\u0001\u0000\u00a5 binary junk\r\n\r\n"),
  /** Half a status line, then close. */
  partial: (socket) => socket.end("HTTP/1.1 20"),
  /** A 200 to CONNECT, then close before any TLS. */
  okThenClose: (socket) => socket.end("HTTP/1.1 200 Connection Established\r\n\r\n"),
  /** A 200 to CONNECT, then bytes that are not TLS. */
  okThenGarbage: (socket) =>
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\nnot tls\r\n"),
  /** Read the request, then say nothing (the connection kept open). */
  silent: () => {},
  /** A 200 to CONNECT, then a reset. */
  okThenReset: (socket) => socket.write("HTTP/1.1 200 Connection Established\r\n\r\n", () => socket.resetAndDestroy())
} satisfies Record<string, Misbehaviour>

/** Answer with `status` (and a body, if given), closing or keeping the connection. */
export const answering =
  (status: number, options: { readonly body?: string; readonly close?: boolean; readonly headers?: string } = {}) =>
  (socket: Socket): void => {
    const body = options.body ?? ""
    const text =
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n${options.headers ?? ""}` +
      `${body === "" ? "content-length: 0\r\n" : `content-type: text/html\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`}` +
      `${options.close === false ? "" : "connection: close\r\n"}\r\n${body}`
    if (options.close === false) socket.write(text)
    else socket.end(text)
  }

const STATUS_TEXT: Record<number, string> = {
  403: "Forbidden",
  407: "Proxy Authentication Required",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/**
 * CometHttp as the facade builds it in Node (CometConfig from `env` → NodeTransport →
 * CometHttp, fast retries), with `defaults` under each call's `options`, its log lines in `logs`.
 */
export const proxiedClient =
  (defaults: CometOptions) =>
  (env: Record<string, string>, options: CometOptions, logs: Array<string> = []) =>
    Effect.gen(function* () {
      const layer = CometHttp.layerConfigTransport({ retryBaseDelay: "2 millis", retryMaxDelay: "5 millis" }).pipe(
        Layer.provide(NodeTransport.layerConfig),
        Layer.provide(CometConfig.layer({ ...defaults, ...options, sources: CometConfig.staticSources(env) })),
        Layer.provide(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => logs.push(String(message)))
          )
        )
      )
      return Context.get(yield* Layer.build(layer), CometHttp)
    })

/** No secret of `secrets` in the error: its message, its JSON and its string. */
export const assertNoSecret = (e: CometError, secrets: ReadonlyArray<string>): void => {
  const text = `${e.message}\n${JSON.stringify(e)}\n${String(e)}`
  for (const secret of secrets) assert.notInclude(text, secret, `the error shows ${secret}`)
}
