/**
 * A hostile corporate proxy on a loopback port, as raw `node:net`: each connection's first
 * request (a `CONNECT host:port` for an https target, an absolute-form `GET http://…` for a plain
 * http one) is answered by a chosen misbehaviour — a close with no bytes, a reset, bytes that are
 * not HTTP, an error status, a status line cut short, a 200 then a close or garbage instead of
 * TLS. It counts the connections and the requests it saw. And a port where nothing listens.
 */
import { connect, createServer, type Socket } from "node:net"
import { createServer as createTlsServer } from "node:tls"
import { Effect, type Scope } from "effect"
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
 * `tls`, an https:// proxy with the test CA's certificate (valid for 127.0.0.1).
 */
export const hostileProxy = (
  misbehave: Misbehaviour,
  options: { readonly tls?: boolean } = {}
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
      return Effect.map(listening(createServer(onConnection), sockets), (url) => ({ url, seen }))
    }
    const server = createTlsServer(SERVER_TLS, (socket) => {
      seen.servernames.push(socket.servername)
      onConnection(socket)
    })
    server.on("tlsClientError", () => {})
    return Effect.map(listening(server, sockets), (url) => ({ url: url.replace("http://", "https://"), seen }))
  })

/** Not a misbehaviour: a 200 to CONNECT, then the bytes both ways to `port` on 127.0.0.1. */
export const tunnelTo =
  (port: number): Misbehaviour =>
  (socket) => {
    const up = connect(port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      up.pipe(socket)
      socket.pipe(up)
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
