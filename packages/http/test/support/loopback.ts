/**
 * Small hostile servers over real loopback sockets (`node:http`), and a CometHttp instance over
 * the platform's `FetchHttpClient` (Node's fetch) talking to one, for tests that must cross a
 * real socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { FetchHttpClient } from "@effect/platform"
import { Context, Effect, Layer, type Scope } from "effect"
import { CometHttp, type CometHttpOptions, type CometHttpShape } from "../../src/CometHttp.js"
import { RequestStats, type RequestStatsShape } from "../../src/RequestStats.js"
import { KEY } from "./harness.js"

/** A server on a random loopback port: what it saw, and its origin. */
export interface Loopback {
  readonly origin: string
  /** Requests received, in order of arrival. */
  readonly requests: Array<{ readonly url: string; readonly at: number }>
  /** Sockets currently open to it. */
  readonly sockets: () => number
}

/** Start `handle` on a loopback port for the life of the Scope (every connection closed at the end). */
export const serve = (
  handle: (req: IncomingMessage, res: ServerResponse, n: number) => void
): Effect.Effect<Loopback, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Server; readonly loopback: Loopback }>((resume) => {
      const requests: Array<{ url: string; at: number }> = []
      let open = 0
      const server = createServer((req, res) => {
        requests.push({ url: req.url ?? "", at: performance.now() })
        handle(req, res, requests.length)
      })
      server.on("connection", (socket) => {
        open++
        socket.on("close", () => open--)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(
          Effect.succeed({ server, loopback: { origin: `http://127.0.0.1:${port}`, requests, sockets: () => open } })
        )
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ loopback }) => loopback))

/** A loopback port nothing listens on (bound, then closed). */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Answer JSON. */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(JSON.stringify(body))
}

/** A CometHttp instance (and its stats) over Node's fetch, for the life of the Scope. */
export const httpTo = (
  baseUrl: string,
  options: Partial<CometHttpOptions> = {}
): Effect.Effect<{ readonly http: CometHttpShape; readonly stats: RequestStatsShape }, unknown, Scope.Scope> =>
  Effect.map(
    Layer.build(CometHttp.layer({ apiKey: KEY, baseUrl, ...options }).pipe(Layer.provide(FetchHttpClient.layer))),
    (ctx) => ({ http: Context.get(ctx, CometHttp), stats: Context.get(ctx, RequestStats) })
  )
