/**
 * The Promise facade over its default Node transport (undici, dispatched with the adapter's own
 * handler) against a hostile network on real loopback sockets: a server that accepts and never
 * answers, a connect that hangs (a full listen backlog). `callTimeoutMs`, `timeoutMs` and an
 * AbortSignal end a call with the typed error within their bound; `close()` rejects every call
 * and stream pending with "closed" and leaves no socket behind (the process can exit).
 */
import { createServer, type Socket } from "node:net"
import { CometConfig } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { fullBacklog } from "../../http/test/support/backlog.js"
import { listening } from "../../http/test/support/sockets.js"
import { API } from "../src/index.js"
import { eventually } from "./support/sockets.js"

const KEY = "ck_hostile_dispatch_5b8e1f0c9a7d3264"

const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length

/** A loopback server that accepts every connection and never answers. */
const silent = Effect.suspend(() => {
  const held = new Set<Socket>()
  const seen = { requests: 0 }
  const server = createServer((s) => {
    held.add(s)
    s.on("error", () => {})
    s.on("close", () => held.delete(s))
    s.on("data", (d: Buffer) => {
      seen.requests += d.toString("latin1").split("\r\n\r\n").length - 1
    })
  })
  return Effect.map(listening(server, held), (url) => ({ url, seen }))
})

const facade = (baseUrl: string, options: Partial<ConstructorParameters<typeof API>[0]> = {}) =>
  new API({
    apiKey: KEY,
    baseUrl,
    panel: false,
    sources: CometConfig.staticSources({}),
    maxRetries: 0,
    ...options
  })

const tagAndReason = (e: unknown) => {
  const x = e as { _tag?: string; reason?: string; message?: string }
  return `${x._tag}:${x.reason}`
}

describe("the facade over undici against a hostile network", () => {
  for (const server of ["silent", "full backlog"] as const) {
    it.live(
      `${server}: timeoutMs, callTimeoutMs and a signal end calls in time; close() rejects the rest with 'closed', no socket left`,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const before = sockets()
            const { url, release } =
              server === "silent" ? { ...(yield* silent), release: () => {} } : yield* fullBacklog
            const api = facade(url, { timeoutMs: 300 })
            const started = Date.now()
            const timedOut = yield* Effect.promise(() =>
              api.getWorkspaces().then(
                () => null,
                (e: unknown) => e
              )
            )
            assert.strictEqual(tagAndReason(timedOut), "TransportError:timeout")
            const deadline = yield* Effect.promise(() =>
              api.getProjects("w", { callTimeoutMs: 200 }).then(
                () => null,
                (e: unknown) => e
              )
            )
            assert.strictEqual(tagAndReason(deadline), "TransportError:deadline")
            const controller = new AbortController()
            const aborted = api.getProjects("w2", { signal: controller.signal }).then(
              () => null,
              (e: unknown) => e
            )
            setTimeout(() => controller.abort(), 100)
            assert.strictEqual(tagAndReason(yield* Effect.promise(() => aborted)), "TransportError:aborted")
            assert.isBelow(Date.now() - started, 3000)

            // calls and streams still pending when the client closes
            const slow = facade(url, { timeoutMs: 60_000, maxConcurrency: 32 })
            const pending: Array<Promise<unknown>> = []
            for (let i = 0; i < 20; i++)
              pending.push(
                slow.getProjects(`w${i}`).then(
                  () => null,
                  (e: unknown) => e
                )
              )
            for (let i = 0; i < 3; i++) {
              pending.push(
                (async () => {
                  for await (const _ of slow.streamExperimentAsset(`e${i}`, "a")) {
                    // never reached
                  }
                  return null
                })().catch((e: unknown) => e)
              )
            }
            yield* Effect.sleep("200 millis")
            const closing = Date.now()
            yield* Effect.promise(() => Promise.all([slow.close(), api.close()]))
            const outcomes = yield* Effect.promise(() => Promise.all(pending))
            assert.isBelow(Date.now() - closing, 2000)
            for (const o of outcomes) assert.strictEqual(tagAndReason(o), "TransportError:closed")
            // the backlog's own sockets go; then none of the clients' may be left (a connect
            // still pending would stay until undici's 10 s connect timeout)
            release()
            yield* eventually(
              () => sockets() <= before,
              () => `${sockets()} TCP sockets open, ${before} before`
            )
          })
        )
    )
  }
})
