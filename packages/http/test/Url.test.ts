/**
 * What goes on the wire: URLs (odd names round-trip exactly), headers (raw key, User-Agent, no
 * trace propagation), JSON bodies, the unauthenticated version probe, endpoint validation.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Schema } from "effect"
import packageJson from "../package.json" with { type: "json" }
import { VERSION } from "../src/internal/version.js"
import { ADAPTERS, BASE, json, KEY, withHttpOver } from "./support/harness.js"

const Echo = Schema.Struct({ ok: Schema.Boolean })

const ODD_NAMES = [
  "my workspace",
  "a/b",
  "R&D",
  "team #1",
  "100% done",
  "a+b=c?d",
  "ünïcödé-名前-🚀",
  "  leading and trailing  ",
  "semi;colon,comma'quote\"",
  "percent %20 literal",
  "tab\tand\nnewline",
  "~!*()'"
]

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("URLs", () => {
    it.effect("requests go to <root>/api/rest/v2/<endpoint> with the parameters", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        { baseUrl: "https://comet.test/clientlib/" },
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* http.get("experiment/metadata", Echo, { params: { experimentKey: "abc123" } })
            assert.strictEqual(
              server.requests[0]!.url.toString(),
              "https://comet.test/api/rest/v2/experiment/metadata?experimentKey=abc123"
            )
            assert.strictEqual(http.baseUrl, "https://comet.test")
            assert.strictEqual(http.restUrl, "https://comet.test/api/rest/v2/")
          })
      )
    )

    it.effect("odd workspace and project names round-trip through the URL exactly", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            for (const name of ODD_NAMES) {
              yield* http.get("projects", Echo, { params: { workspaceName: name, projectName: `${name}/p` } })
            }
            assert.strictEqual(server.count, ODD_NAMES.length)
            server.requests.forEach((req, i) => {
              assert.strictEqual(req.url.pathname, "/api/rest/v2/projects")
              assert.strictEqual(req.url.searchParams.get("workspaceName"), ODD_NAMES[i])
              assert.strictEqual(req.url.searchParams.get("projectName"), `${ODD_NAMES[i]}/p`)
              assert.deepStrictEqual([...req.url.searchParams.keys()], ["workspaceName", "projectName"])
              // a space is %20 (never '+', which some servers keep as a plus)
              assert.notInclude(req.url.search, "+")
            })
          })
      )
    )

    it.effect.prop(
      "any well-formed parameter name and value round-trips exactly",
      { name: fc.string({ unit: "grapheme", minLength: 1 }), value: fc.string({ unit: "grapheme" }) },
      ({ name, value }) =>
        withHttp(
          () => Effect.succeed(json({ ok: true })),
          {},
          ({ http, server }) =>
            Effect.gen(function* () {
              yield* http.get("projects", Echo, { params: { [name]: value } })
              const url = server.requests[0]!.url
              assert.deepStrictEqual([...url.searchParams.entries()], [[name, value]])
            })
        ),
      { fastCheck: { numRuns: 60 } }
    )

    it.effect("numbers and booleans are written plainly; undefined parameters are left out", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* http.get("experiments", Echo, {
              params: { projectId: "p", archived: false, n: 1.5, skip: undefined }
            })
            assert.strictEqual(server.requests[0]!.url.search, "?projectId=p&archived=false&n=1.5")
          })
      )
    )

    it.effect("a value with a lone surrogate or a non-finite number is an InvalidArgument and sends nothing", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const e1 = yield* Effect.flip(http.get("projects", Echo, { params: { workspaceName: "bad\uD800" } }))
            const e2 = yield* Effect.flip(http.get("projects", Echo, { params: { n: Number.NaN } }))
            assert.strictEqual(e1._tag, "InvalidArgument")
            assert.strictEqual(e2._tag, "InvalidArgument")
            assert.strictEqual(server.count, 0)
          })
      )
    )

    it.effect("an endpoint that is not a relative REST path is refused before anything is sent", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            for (const bad of [
              "https://evil.example/x",
              "//evil.example/x",
              "../admin",
              "a/../../b",
              "a?b=1",
              "a#b",
              "",
              "a b",
              "a//b"
            ]) {
              const e = yield* Effect.flip(http.get(bad, Echo))
              assert.strictEqual(e._tag, "InvalidArgument", bad)
            }
            assert.strictEqual(server.count, 0)
            yield* http.get("/experiment/metadata", Echo)
            assert.strictEqual(server.requests[0]!.url.pathname, "/api/rest/v2/experiment/metadata")
          })
      )
    )
  })

  describe("laziness", () => {
    it.effect("a call is a description: nothing is sent until it runs, and each run sends again", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const body = { n: 1 }
            const get = http.get("workspaces", Echo)
            const post = http.post("project/query", body, Echo)
            assert.strictEqual(server.count, 0)
            body.n = 2
            yield* get
            yield* get
            yield* post
            assert.strictEqual(server.count, 3)
            assert.deepStrictEqual(JSON.parse(server.requests[2]!.body), { n: 2 })
          })
      )
    )
  })

  describe("headers and bodies", () => {
    it.effect("Authorization carries the raw key; User-Agent names comet-ts and its version; no trace headers", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            yield* http.get("workspaces", Echo).pipe(Effect.withSpan("user span"))
            const h = server.requests[0]!.headers
            assert.strictEqual(h.authorization, KEY)
            assert.strictEqual(h["user-agent"], `comet-ts/${VERSION}`)
            assert.strictEqual(h.accept, "application/json")
            for (const name of Object.keys(h)) assert.notMatch(name, /^(traceparent|tracestate|b3|x-b3-.*)$/)
          })
      )
    )

    it("the User-Agent version is the package version", () => {
      assert.strictEqual(VERSION, packageJson.version)
    })

    it.effect("POST sends the body as JSON with Content-Type application/json", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const body = { targets: ["a", "b"], metrics: ["loss"], independent: true, full: null }
            yield* http.post("experiments/multi-metric-chart", body, Echo)
            const req = server.requests[0]!
            assert.strictEqual(req.method, "POST")
            assert.strictEqual(req.url.pathname, "/api/rest/v2/experiments/multi-metric-chart")
            assert.match(req.headers["content-type"] ?? "", /^application\/json/)
            assert.deepStrictEqual(JSON.parse(req.body), body)
          })
      )
    )

    it.effect("a body that cannot be JSON is an InvalidArgument and sends nothing", () =>
      withHttp(
        () => Effect.succeed(json({ ok: true })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const cyclic: Record<string, unknown> = {}
            cyclic.self = cyclic
            const e1 = yield* Effect.flip(http.post("project/query", cyclic, Echo))
            const e2 = yield* Effect.flip(http.post("project/query", 10n, Echo))
            assert.strictEqual(e1._tag, "InvalidArgument")
            assert.strictEqual(e2._tag, "InvalidArgument")
            assert.strictEqual(server.count, 0)
          })
      )
    )

    it.effect("backendVersion probes <root>/clientlib/isAlive/ver without the key", () =>
      withHttp(
        () => Effect.succeed(json({ version: "3.5.1" })),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const v = yield* http.backendVersion
            assert.deepStrictEqual(v, { version: "3.5.1" })
            const req = server.requests[0]!
            assert.strictEqual(req.url.toString(), `${BASE}/clientlib/isAlive/ver`)
            assert.strictEqual(req.headers.authorization, undefined)
            assert.strictEqual((yield* stats.snapshot).byEndpoint["clientlib/isAlive/ver"]?.requests, 1)
          })
      )
    )

    it.effect("getBytes returns the exact bytes (binary, not text-decoded) and asks for any type", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response(new Uint8Array([0, 255, 128, 10, 13, 0xc3]), {
              headers: { "content-type": "application/octet-stream" }
            })
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const body = yield* http.getBytes("experiment/asset/get-asset", {
              params: { experimentKey: "e", assetId: "a" }
            })
            assert.deepStrictEqual([...body], [0, 255, 128, 10, 13, 0xc3])
            assert.strictEqual(server.requests[0]!.headers.accept, "*/*")
            assert.strictEqual((yield* stats.snapshot).bytesReceived, 6)
          })
      )
    )
  })
})
