/**
 * Over the Promise facade, what a failed call says about its retries is true: a proxy's 407 (one
 * attempt, never retried) says "It is not retried." and nothing of maxRetries, whatever
 * maxRetries is; a 401/403/404/400 or a body that does not decode says nothing of retries; a 503
 * says "used up" only when maxRetries stopped its retries. Real loopback sockets.
 */
import { createServer, type Socket } from "node:net"
import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { API } from "../src/index.js"
import { SECRET } from "./support/facade.js"
import { type Answer, hostileServer, rejection } from "./support/hostile.js"

/** A proxy on a loopback port answering every request with 407, counting the requests; closed with the scope. */
const refusingProxy = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly seen: { requests: number }; readonly close: () => void }>((resume) => {
    const seen = { requests: 0 }
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.on("error", () => {})
      socket.once("data", () => {
        seen.requests++
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="corp"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'
        )
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(
        Effect.succeed({
          url: `http://127.0.0.1:${port}`,
          seen,
          close: () => {
            for (const s of sockets) s.destroy()
            server.close()
          }
        })
      )
    })
  }),
  (proxy) => Effect.sync(proxy.close)
)

const say = (message: string, usedUp: boolean) => {
  assert.strictEqual(/used up/.test(message), usedUp, message)
  assert.strictEqual(/raise maxRetries/i.test(message), usedUp, message)
}

describe("the facade's retry wording", () => {
  for (const maxRetries of [0, 2]) {
    for (const target of ["https://comet.example.invalid", "http://comet.example.invalid"]) {
      it.live(`a proxy's 407 to ${target.split(":")[0]}, maxRetries ${maxRetries}: not retried, no "used up"`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const proxy = yield* refusingProxy
            const api = new API({
              apiKey: SECRET,
              baseUrl: target,
              allowInsecureHttp: true,
              proxy: proxy.url,
              panel: false,
              sources: CometConfig.staticSources({}),
              maxRetries
            })
            const e = yield* Effect.promise(() => rejection(api.getWorkspaces()))
            yield* Effect.promise(() => api.close())
            assert.strictEqual(e._tag, "TransportError", e.message)
            assert.strictEqual(proxy.seen.requests, 1)
            assert.include(e.message, "It is not retried.")
            say(e.message, false)
          })
        )
      )
    }
  }

  const answers: ReadonlyArray<readonly [string, Answer, string, boolean]> = [
    ["401", { json: { msg: "bad key" }, status: 401 }, "Unauthorized", false],
    ["403", { json: { msg: "no" }, status: 403 }, "Unauthorized", false],
    ["404", { json: { msg: "none" }, status: 404 }, "NotFound", false],
    ["400", { json: { msg: "bad" }, status: 400 }, "BadRequest", false],
    [
      "a body that does not decode",
      { status: 200, headers: { "content-type": "application/json" }, body: "{no" },
      "DecodeError",
      false
    ],
    ["503", { json: { msg: "later" }, status: 503 }, "ServerError", true]
  ]
  for (const [name, answer, tag, retried] of answers) {
    for (const maxRetries of [0, 1]) {
      it.live(`${name}, maxRetries ${maxRetries}: "used up" ${retried}`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const server = yield* hostileServer(() => answer)
            const api = new API({
              apiKey: SECRET,
              baseUrl: server.origin,
              panel: false,
              sources: CometConfig.staticSources({}),
              maxRetries,
              http: { retryBaseDelay: "1 millis", retryMaxDelay: "2 millis" }
            })
            const e = yield* Effect.promise(() => rejection(api.getWorkspaces()))
            yield* Effect.promise(() => api.close())
            assert.strictEqual(e._tag, tag, e.message)
            assert.strictEqual(server.seen.length, retried ? 1 + maxRetries : 1)
            say(e.message, retried)
          })
        )
      )
    }
  }
})
