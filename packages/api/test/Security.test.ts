/**
 * Safe defaults, end to end: the key never follows a redirect to another host (over real
 * sockets, with both platform clients, redirects refused or followed), plain http to a host
 * that is not loopback is refused unless the user allows it, and the emulator binds loopback
 * unless told otherwise.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { CometConfig, isCometError, Secrets } from "@comet-ts/core"
import * as Emulator from "@comet-ts/emulator"
import { HttpServer } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { API } from "../src/index.js"
import { Capture } from "./support/capture.js"
import { emulator, facade, SECRET } from "./support/facade.js"

interface Seen {
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

/** A raw Node server on a loopback port; `handle` answers, `seen` records. */
const serve = (
  host: string,
  handle: (url: string, res: import("node:http").ServerResponse) => void
): Effect.Effect<{ readonly origin: string; readonly seen: Array<Seen> }, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: Server; origin: string; seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const server = createServer((req, res) => {
        seen.push({ url: req.url ?? "", headers: req.headers })
        handle(req.url ?? "", res)
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, origin: `http://${host}:${port}`, seen }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** Server B: the other host. It records what arrives and answers 401 to anything. */
const otherHost = serve("localhost", (_url, res) => {
  res.writeHead(401, { "content-type": "application/json" })
  res.end(JSON.stringify({ code: 401, msg: "who are you?" }))
})

/** Server A: "Comet", redirecting every request to `target` with `status`. */
const redirecting = (target: string, status: number) =>
  serve("127.0.0.1", (url, res) => {
    res.writeHead(status, { location: `${target}${url}` })
    res.end()
  })

const clients = {
  fetch: undefined,
  "node:http": NodeHttpClient.layer
} as const

describe("no Authorization on a redirect to another host", () => {
  for (const status of [301, 302, 307, 308]) {
    for (const [name, client] of Object.entries(clients)) {
      it.live(`${status} with ${name}: refused with TransportError "redirect"; the other host sees nothing`, () =>
        Effect.gen(function* () {
          const b = yield* otherHost
          const a = yield* redirecting(b.origin, status)
          const capture = new Capture()
          const api = new API({
            apiKey: SECRET,
            baseUrl: a.origin,
            panel: false,
            sources: CometConfig.staticSources({}),
            maxRetries: 0,
            httpClient: client === undefined ? capture.client(globalThis.fetch) : Layer.merge(client, capture.layer)
          })
          const error = yield* Effect.promise(() =>
            api.getWorkspaces().then(
              () => undefined,
              (e: unknown) => e
            )
          )
          yield* Effect.promise(() => api.close())
          assert.isTrue(isCometError(error), String(error))
          const e = error as Error & { _tag: string; reason: string }
          assert.strictEqual(e._tag, "TransportError")
          assert.strictEqual(e.reason, "redirect")
          assert.include(e.message, `redirecting to ${b.origin}, which is not followed`, e.message)
          assert.deepStrictEqual(b.seen, [])
          capture.error(error)
          assert.deepStrictEqual(capture.leaks(SECRET, [a.origin]), [])
        }).pipe(Effect.scoped)
      )
    }
  }

  it.live("redirects followed (manualRedirects: false): fetch drops Authorization for the other host", () =>
    Effect.gen(function* () {
      const b = yield* otherHost
      const a = yield* redirecting(b.origin, 302)
      const capture = new Capture()
      const api = facade(globalThis.fetch, capture, {
        baseUrl: a.origin,
        maxRetries: 0,
        http: { manualRedirects: false }
      })
      const error = yield* Effect.promise(() =>
        api.getWorkspaces().then(
          () => undefined,
          (e: unknown) => e
        )
      )
      yield* Effect.promise(() => api.close())
      // the request did reach the other host, without the key
      assert.strictEqual(b.seen.length, 1)
      assert.strictEqual(b.seen[0]?.url, "/api/rest/v2/workspaces")
      assert.isUndefined(b.seen[0]?.headers.authorization)
      assert.notInclude(JSON.stringify(b.seen), SECRET)
      assert.isTrue(isCometError(error))
      assert.strictEqual((error as { _tag: string })._tag, "Unauthorized")
    }).pipe(Effect.scoped)
  )
})

describe("plain http only to loopback unless allowed", () => {
  const emu = emulator({ seed: 1 })
  const refused = [
    "http://comet.example.com",
    "http://10.0.0.5:8080",
    "http://192.168.1.20",
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://[::ffff:127.0.0.1]",
    "http://0.0.0.0:4820"
  ]
  const allowed = [
    "http://127.0.0.1:4820",
    "http://127.9.8.7",
    "http://localhost:4820",
    "http://LOCALHOST",
    "http://comet.localhost",
    "http://[::1]:4820",
    "https://comet.example.com"
  ]

  for (const baseUrl of refused) {
    it.live(`${baseUrl}: ConfigurationError, nothing sent; allowed with allowInsecureHttp`, () =>
      Effect.promise(async () => {
        const capture = new Capture()
        const api = facade(emu.fetch, capture, { baseUrl })
        const error = await api.getWorkspaces().then(
          () => undefined,
          (e: unknown) => e
        )
        await api.close()
        assert.isTrue(isCometError(error), String(error))
        assert.strictEqual((error as { _tag: string })._tag, "ConfigurationError")
        assert.include((error as Error).message, "allowInsecureHttp")
        assert.deepStrictEqual(capture.requests, [])

        for (const opt of [
          { allowInsecureHttp: true },
          { sources: CometConfig.staticSources({ COMET_TS_ALLOW_INSECURE_HTTP: "1" }) }
        ]) {
          const ok = facade(emu.fetch, capture, { baseUrl, ...opt })
          assert.deepStrictEqual(await ok.getWorkspaces(), ["local-dev", "team-vision"])
          await ok.close()
        }
        assert.strictEqual(capture.requests.length, 2)
      })
    )
  }

  for (const baseUrl of allowed) {
    it.live(`${baseUrl}: allowed by default`, () =>
      Effect.promise(async () => {
        const capture = new Capture()
        const api = facade(emu.fetch, capture, { baseUrl })
        assert.deepStrictEqual(await api.getWorkspaces(), ["local-dev", "team-vision"])
        await api.close()
        assert.strictEqual(capture.requests[0]?.headers.authorization, SECRET)
      })
    )
  }
})

describe("the emulator's defaults", () => {
  it.live("binds 127.0.0.1 unless a host is given", () =>
    Effect.gen(function* () {
      const server = yield* HttpServer.HttpServer
      assert.strictEqual(server.address._tag, "TcpAddress")
      if (server.address._tag === "TcpAddress") assert.strictEqual(server.address.hostname, "127.0.0.1")
    }).pipe(Effect.provide(Emulator.layerServer({ port: 0 })))
  )
})

describe("a long-running process serving many keys keeps only the keys in use", () => {
  it.live(
    "200 clients, one per tenant key, each used and closed: each key is scrubbed while its client is open, none kept after",
    () =>
      Effect.promise(async () => {
        const server = emulator()
        for (let i = 0; i < 200; i++) {
          const key = `tenant_${i.toString().padStart(4, "0")}_Zq8LmN3vB6xC1`
          const api = facade(server.fetch, new Capture(), { apiKey: key })
          const error = await api.getWorkspaces().then(
            () => null,
            (e: unknown) => e
          )
          assert.isTrue(isCometError(error) && error._tag === "Unauthorized")
          assert.strictEqual(Secrets.scrub(`echo ${key}`), "echo <redacted>")
          await api.close()
          assert.strictEqual(Secrets.scrub(`echo ${key}`), `echo ${key}`)
        }
      })
  )
})
