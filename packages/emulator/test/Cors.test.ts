import { request } from "node:http"
import * as HttpServer from "@effect/platform/HttpServer"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, type Layer } from "effect"
import { Emulator, layerServer, make, type ServerOptions } from "../src/Emulator.js"

// `cors` over real loopback sockets, with raw node:http requests: a browser's Origin and
// preflight headers are sent exactly as a browser sends them, and every header of the answer is
// seen as the browser sees it.
const PAGE = "http://127.0.0.1:5173"
const OTHER = "http://localhost:3000"
const KEY = "local-dev-key"

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly body: string
}

const send = (method: string, path: string, headers: Record<string, string>) =>
  Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    const address = server.address
    if (address._tag !== "TcpAddress") return yield* Effect.dieMessage("not a TCP server")
    return yield* Effect.async<Answer>((resume) => {
      const req = request({ host: "127.0.0.1", port: address.port, method, path, headers }, (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (d: string) => {
          body += d
        })
        res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body })))
      })
      req.on("error", (e) => resume(Effect.die(e)))
      req.end()
    })
  })

const preflight = (origin: string, method = "GET", requestHeaders = "authorization") =>
  send("OPTIONS", "/api/rest/v2/workspaces", {
    origin,
    "access-control-request-method": method,
    "access-control-request-headers": requestHeaders
  })

const list = (value: string | Array<string> | undefined): Array<string> =>
  (Array.isArray(value) ? value.join(",") : (value ?? ""))
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0)

const server = (options: ServerOptions): Layer.Layer<Emulator | HttpServer.HttpServer, unknown> =>
  layerServer({ port: 0, ...options })

/** No header of the answer allows every origin. */
const noWildcard = (a: Answer) => {
  for (const [name, value] of Object.entries(a.headers))
    if (name.startsWith("access-control-")) assert.notInclude(list(value), "*", `${name}: ${String(value)}`)
}

describe("--cors: preflights", () => {
  it.live("an allowed origin's preflight is answered without the key, echoing the origin", () =>
    Effect.gen(function* () {
      const a = yield* preflight(PAGE, "GET", "authorization,user-agent")
      assert.strictEqual(a.status, 204)
      assert.strictEqual(a.headers["access-control-allow-origin"], PAGE)
      assert.strictEqual(a.headers["access-control-allow-credentials"], "true")
      assert.includeMembers(list(a.headers["access-control-allow-methods"]), ["get", "post", "head"])
      assert.includeMembers(list(a.headers["access-control-allow-headers"]), [
        "authorization",
        "comet-sdk-api",
        "content-type",
        "user-agent"
      ])
      assert.include(list(a.headers.vary), "origin")
      assert.isTrue(Number(a.headers["access-control-max-age"]) > 0)
      noWildcard(a)
    }).pipe(Effect.provide(server({ cors: PAGE })))
  )

  it.live("POST endpoints too (multi-metric-chart, project/query send JSON)", () =>
    Effect.gen(function* () {
      const a = yield* send("OPTIONS", "/api/rest/v2/experiments/multi-metric-chart", {
        origin: PAGE,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type"
      })
      assert.strictEqual(a.status, 204)
      assert.strictEqual(a.headers["access-control-allow-origin"], PAGE)
      assert.includeMembers(list(a.headers["access-control-allow-headers"]), ["authorization", "content-type"])
    }).pipe(Effect.provide(server({ cors: PAGE })))
  )

  it.live("another origin's preflight is refused (403, no Allow-Origin) with the flag that fixes it", () =>
    Effect.gen(function* () {
      const a = yield* preflight(OTHER)
      assert.strictEqual(a.status, 403)
      assert.isUndefined(a.headers["access-control-allow-origin"])
      assert.include(list(a.headers.vary), "origin")
      const body = JSON.parse(a.body) as { code: number; msg: string }
      assert.strictEqual(body.code, 403)
      assert.include(body.msg, `--cors ${OTHER}`)
      assert.include(body.msg, PAGE)
    }).pipe(Effect.provide(server({ cors: PAGE })))
  )

  it.live("without --cors every preflight is refused, saying how to turn it on", () =>
    Effect.gen(function* () {
      const a = yield* preflight(PAGE)
      assert.strictEqual(a.status, 403)
      assert.isUndefined(a.headers["access-control-allow-origin"])
      assert.include((JSON.parse(a.body) as { msg: string }).msg, `--cors ${PAGE}`)
      // A plain OPTIONS (no preflight headers) is still a request like any other.
      const plain = yield* send("OPTIONS", "/api/rest/v2/workspaces", { authorization: KEY })
      assert.strictEqual(plain.status, 405)
    }).pipe(Effect.provide(server({})))
  )

  it.live("preflights see no latency, no faults and are not counted", () =>
    Effect.gen(function* () {
      const a = yield* preflight(PAGE)
      assert.strictEqual(a.status, 204)
      const snap = yield* Effect.flatMap(Emulator, (e) => e.stats.snapshot)
      assert.strictEqual(snap.requests, 0)
      assert.deepStrictEqual(snap.faults, {})
      const r = yield* send("GET", "/api/rest/v2/workspaces", { origin: PAGE, authorization: KEY })
      assert.strictEqual(r.status, 503)
      assert.strictEqual(r.headers["access-control-allow-origin"], PAGE)
    }).pipe(Effect.provide(server({ cors: PAGE, faults: "503:1" })))
  )
})

describe("--cors: answers", () => {
  it.live("an allowed origin gets its origin back and the headers a client reads exposed", () =>
    Effect.gen(function* () {
      const a = yield* send("GET", "/api/rest/v2/workspaces", { origin: PAGE, authorization: KEY })
      assert.strictEqual(a.status, 200)
      assert.deepStrictEqual(JSON.parse(a.body), { workspaceNames: ["local-dev", "team-vision"] })
      assert.strictEqual(a.headers["access-control-allow-origin"], PAGE)
      assert.strictEqual(a.headers["access-control-allow-credentials"], "true")
      assert.includeMembers(list(a.headers["access-control-expose-headers"]), [
        "retry-after",
        "content-length",
        "content-range",
        "content-type",
        "content-encoding",
        "location"
      ])
      assert.include(list(a.headers.vary), "origin")
      noWildcard(a)
    }).pipe(Effect.provide(server({ cors: PAGE })))
  )

  it.live("errors carry the headers too, so the page can read a 401 or a 429's Retry-After", () =>
    Effect.gen(function* () {
      const unauthorized = yield* send("GET", "/api/rest/v2/projects?workspaceName=local-dev", { origin: PAGE })
      assert.strictEqual(unauthorized.status, 401)
      assert.strictEqual(unauthorized.headers["access-control-allow-origin"], PAGE)
      const limited = yield* send("GET", "/api/rest/v2/workspaces", { origin: PAGE, authorization: KEY })
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "3")
      assert.strictEqual(limited.headers["access-control-allow-origin"], PAGE)
      assert.include(list(limited.headers["access-control-expose-headers"]), "retry-after")
      const missing = yield* send("GET", "/api/rest/v2/no/such/endpoint", { origin: PAGE, authorization: KEY })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.headers["access-control-allow-origin"], PAGE)
    }).pipe(Effect.provide(server({ cors: PAGE, faults: "429:1@workspaces,retry-after=3" })))
  )

  it.live("another origin is answered (the browser, not the server, withholds it) without Allow-Origin", () =>
    Effect.gen(function* () {
      const a = yield* send("GET", "/api/rest/v2/workspaces", { origin: OTHER, authorization: KEY })
      assert.strictEqual(a.status, 200)
      assert.isUndefined(a.headers["access-control-allow-origin"])
      assert.isUndefined(a.headers["access-control-allow-credentials"])
      assert.include(list(a.headers.vary), "origin")
      const noOrigin = yield* send("GET", "/api/rest/v2/workspaces", { authorization: KEY })
      assert.strictEqual(noOrigin.status, 200)
      assert.isUndefined(noOrigin.headers["access-control-allow-origin"])
      assert.include(list(noOrigin.headers.vary), "origin")
    }).pipe(Effect.provide(server({ cors: PAGE })))
  )

  it.live("several origins: each gets only its own origin back", () =>
    Effect.gen(function* () {
      for (const origin of [PAGE, OTHER]) {
        const p = yield* preflight(origin)
        assert.strictEqual(p.headers["access-control-allow-origin"], origin)
        const a = yield* send("GET", "/api/rest/v2/workspaces", { origin, authorization: KEY })
        assert.strictEqual(a.headers["access-control-allow-origin"], origin)
      }
      const third = yield* preflight("http://127.0.0.1:9999")
      assert.strictEqual(third.status, 403)
    }).pipe(Effect.provide(server({ cors: [PAGE, `${OTHER}/`] })))
  )

  it.live("without cors nothing cross-origin is added", () =>
    Effect.gen(function* () {
      const a = yield* send("GET", "/api/rest/v2/workspaces", { origin: PAGE, authorization: KEY })
      assert.strictEqual(a.status, 200)
      for (const name of Object.keys(a.headers)) assert.isFalse(name.startsWith("access-control-"), name)
    }).pipe(Effect.provide(server({})))
  )
})

describe("cors option", () => {
  it.effect("origins are normalised as browsers send Origin; a wildcard or a path is refused", () =>
    Effect.gen(function* () {
      const e = yield* make({ cors: ["HTTP://LocalHost:80/", "https://a.test:443,http://b.test:8080"] })
      assert.deepStrictEqual(e.corsOrigins, ["http://localhost", "https://a.test", "http://b.test:8080"])
      for (const bad of ["*", "null", "http://a.test/app", "ws://a.test", "http://user@a.test", ""]) {
        const r = yield* Effect.either(make({ cors: bad }))
        assert.isTrue(Either.isLeft(r), bad)
        if (Either.isLeft(r)) {
          assert.strictEqual(r.left._tag, "InvalidArgument")
          assert.strictEqual(r.left.argument, "--cors")
        }
      }
    })
  )
})
