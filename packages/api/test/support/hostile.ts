/**
 * A small hostile Comet on a loopback port: a raw `node:http` server whose answers the test
 * writes per path (wrong experiments, fields missing, the key echoed in any form), recording
 * every request it sees. Closed with its connections when the test's scope ends, so a test is
 * bounded by its own timeout and leaves nothing behind.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { CometConfig, isCometError } from "@comet-ts/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert } from "@effect/vitest"
import { Effect, Layer, type Scope } from "effect"
import { API, type APIOptions } from "../../src/index.js"
import { Capture } from "./capture.js"
import { SECRET } from "./facade.js"

/** One request as the hostile server saw it. */
export interface Seen {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** An answer: a JSON value (sent as `application/json`), or status, headers and raw body. */
export type Answer =
  | { readonly json: unknown; readonly status?: number }
  | {
      readonly status: number
      readonly headers?: Readonly<Record<string, string>>
      readonly body?: string | Uint8Array
    }

/** Answer a request (the REST path without `/api/rest/v2/`), or undefined for 404. */
export type Handler = (request: Seen) => Answer | undefined

const write = (res: import("node:http").ServerResponse, answer: Answer | undefined) => {
  if (answer === undefined) {
    res.writeHead(404, { "content-type": "application/json" })
    res.end(JSON.stringify({ code: 404, msg: "not here", sdk_error_code: 90211 }))
  } else if ("json" in answer) {
    res.writeHead(answer.status ?? 200, { "content-type": "application/json" })
    res.end(JSON.stringify(answer.json))
  } else {
    res.writeHead(answer.status, answer.headers ?? {})
    res.end(answer.body ?? "")
  }
}

/** Serve `handle` on a loopback port for the scope; `seen` records every request. */
export const hostileServer = (
  handle: Handler
): Effect.Effect<{ readonly origin: string; readonly seen: ReadonlyArray<Seen> }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Server; origin: string; seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://x")
          const request: Seen = {
            method: req.method ?? "GET",
            path: url.pathname.replace(/^\/api\/rest\/v2\//, ""),
            query: url.searchParams,
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8")
          }
          seen.push(request)
          try {
            write(res, handle(request))
          } catch (e) {
            res.writeHead(500)
            res.end(String(e))
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, origin: `http://127.0.0.1:${port}`, seen }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** The transport adapters every guarantee must hold over. */
export const adapters = {
  fetch: (capture: Capture) => capture.client(globalThis.fetch),
  "node:http": (capture: Capture) => Layer.merge(NodeHttpClient.layer, capture.layer)
} as const

/** A facade on `origin` over an adapter, fast to fail (no retries, short timeout), captured. */
export const hostileApi = (
  origin: string,
  adapter: keyof typeof adapters,
  capture: Capture,
  options: Partial<APIOptions> = {}
): API =>
  new API({
    apiKey: SECRET,
    baseUrl: origin,
    panel: false,
    sources: CometConfig.staticSources({}),
    maxRetries: 0,
    timeoutMs: 5_000,
    httpClient: adapters[adapter](capture),
    ...options
  })

/** The typed error a promise rejects with; fails when it resolves or rejects with anything else. */
export const rejection = async (p: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  const result = await p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error })
  )
  if (result.ok) assert.fail(`resolved with ${JSON.stringify(result.value)?.slice(0, 300)}`)
  assert.instanceOf(result.error, Error)
  assert.isTrue(isCometError(result.error), `not a CometError: ${String(result.error)}`)
  return result.error as Error & Record<string, unknown>
}

export { Capture }
