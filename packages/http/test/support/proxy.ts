/**
 * A recording HTTP proxy on a loopback port: CONNECT tunnels (for https targets) and
 * absolute-form requests (for http targets), both noted; a name map plays DNS for hosts that do
 * not exist (`comet.example.invalid`), anything else unknown gets a 502. And an HTTPS server with
 * a certificate from the test CA (`fixtures/tls`), valid for localhost, 127.0.0.1 and
 * comet.example.invalid.
 */
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http"
import { createServer as createHttpsServer } from "node:https"
import { type AddressInfo, connect, type Socket } from "node:net"
import { join } from "node:path"
import { Effect, type Scope } from "effect"

const TLS_DIR = join(import.meta.dirname, "..", "fixtures", "tls")
/** The test CA (PEM). */
export const CA_PEM = readFileSync(join(TLS_DIR, "ca.pem"), "utf8")
/** Where the test CA's file is. */
export const CA_PATH = join(TLS_DIR, "ca.pem")
/** The key and certificate (from the test CA) of a server at localhost, 127.0.0.1 or comet.example.invalid. */
export const SERVER_TLS = {
  key: readFileSync(join(TLS_DIR, "server.key")),
  cert: readFileSync(join(TLS_DIR, "server.pem"))
}

/** What the proxy saw: `CONNECT host:port` or `GET http://…` lines, and proxy credentials. */
export interface ProxySeen {
  readonly lines: Array<string>
  readonly authorizations: Array<string | undefined>
}

const closeAll = (server: { close: (cb: () => void) => void }, sockets: Set<Socket>) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  )

/**
 * The proxy, closed with the scope. `names` maps `host:port` targets to a local `port` (the
 * proxy's DNS); other hosts that are not 127.0.0.1 get a 502.
 */
export const recordingProxy = (
  names: Record<string, number> = {}
): Effect.Effect<{ readonly url: string; readonly seen: ProxySeen }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ url: string; seen: ProxySeen; close: Effect.Effect<void> }>((resolve) => {
          const seen: ProxySeen = { lines: [], authorizations: [] }
          const sockets = new Set<Socket>()
          const resolveTarget = (host: string, port: number): number | null =>
            names[`${host}:${port}`] ?? (host === "127.0.0.1" || host === "localhost" ? port : null)
          const server = createServer((req: IncomingMessage, res: ServerResponse) => {
            seen.lines.push(`${req.method} ${req.url}`)
            seen.authorizations.push(req.headers["proxy-authorization"])
            let target: URL
            try {
              target = new URL(req.url ?? "")
            } catch {
              res.writeHead(400).end()
              return
            }
            const port = resolveTarget(target.hostname, Number(target.port || 80))
            if (port === null) {
              res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway: unknown host")
              return
            }
            const headers = { ...req.headers }
            delete headers["proxy-authorization"]
            delete headers["proxy-connection"]
            const up = request(
              { host: "127.0.0.1", port, path: `${target.pathname}${target.search}`, method: req.method, headers },
              (upRes) => {
                res.writeHead(upRes.statusCode ?? 502, upRes.headers)
                upRes.pipe(res)
              }
            )
            up.on("error", () => res.writeHead(502).end())
            req.pipe(up)
          })
          server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
            seen.lines.push(`CONNECT ${req.url}`)
            seen.authorizations.push(req.headers["proxy-authorization"])
            const [host = "", portText = "443"] = (req.url ?? "").split(":")
            const port = resolveTarget(host, Number(portText))
            if (port === null) {
              client.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
              return
            }
            const up = connect(port, "127.0.0.1", () => {
              client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
              up.write(head)
              up.pipe(client)
              client.pipe(up)
            })
            up.on("error", () => client.destroy())
            client.on("error", () => up.destroy())
          })
          server.on("connection", (s) => {
            sockets.add(s)
            s.on("close", () => sockets.delete(s))
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            resolve({ url: `http://127.0.0.1:${port}`, seen, close: closeAll(server, sockets) })
          })
        })
    ),
    (p) => p.close
  )

/**
 * An HTTPS server with the test CA's certificate, answering `handler`; closed with the scope.
 * `connections` counts the TCP connections it accepted.
 */
export const httpsServer = (
  handler: (req: IncomingMessage, res: ServerResponse) => void
): Effect.Effect<
  { readonly port: number; readonly requests: Array<IncomingMessage["headers"]>; readonly connections: () => number },
  never,
  Scope.Scope
> =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{
          port: number
          requests: Array<IncomingMessage["headers"]>
          connections: () => number
          close: Effect.Effect<void>
        }>((resolve) => {
          const requests: Array<IncomingMessage["headers"]> = []
          const sockets = new Set<Socket>()
          let connections = 0
          const server = createHttpsServer(SERVER_TLS, (req, res) => {
            requests.push(req.headers)
            handler(req, res)
          })
          server.on("connection", (s: Socket) => {
            connections++
            sockets.add(s)
            s.on("close", () => sockets.delete(s))
          })
          // a client that refuses the certificate ends the handshake: not the server's failure
          server.on("tlsClientError", () => {})
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo
            resolve({ port, requests, connections: () => connections, close: closeAll(server, sockets) })
          })
        })
    ),
    (s) => s.close
  )
