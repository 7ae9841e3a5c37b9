/**
 * Status → error mapping (one place: core's errorFromResponse) and typed bad responses, with the
 * exact number of attempts each takes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schema, TestClock } from "effect"
import { ADAPTERS, bytes, chunked, json, KEY, text, withHttpOver } from "./support/harness.js"

const Meta = Schema.Struct({ experimentKey: Schema.String, durationMillis: Schema.Number })
const META = { experimentKey: "abc", durationMillis: 12 }
const params = { experimentKey: "abc" }

/** Run a get that must fail, advancing the TestClock through any backoff. */
const failingGet = (http: import("../src/CometHttp.js").CometHttpShape, endpoint = "experiment/metadata") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.flip(http.get(endpoint, Meta, { params })))
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  })

describe.each(ADAPTERS)("over %s", (adapter) => {
  const withHttp = withHttpOver(adapter)

  describe("status mapping", () => {
    const nonRetryable: ReadonlyArray<readonly [number, string]> = [
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [402, "BadRequest"],
      [403, "Unauthorized"],
      [404, "NotFound"],
      [405, "BadRequest"],
      [409, "BadRequest"],
      [501, "ServerError"],
      [201, "BadRequest"],
      [204, "BadRequest"]
    ]
    for (const [status, tag] of nonRetryable) {
      it.effect(`HTTP ${status} fails with ${tag} after exactly one attempt`, () =>
        withHttp(
          () =>
            Effect.succeed(
              status === 204 ? new Response(null, { status }) : json({ code: status, msg: `status ${status}` }, status)
            ),
          {},
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              // (experiment/metadata would turn a 400 into NotFound: the old-server rule, tested below)
              const error = yield* failingGet(http, "experiment/tags")
              assert.strictEqual(error._tag, tag)
              assert.strictEqual(server.count, 1)
              const s = yield* stats.snapshot
              assert.deepStrictEqual(
                { requests: s.requests, attempts: s.attempts, retries: s.retries, failures: s.failures },
                { requests: 1, attempts: 1, retries: 0, failures: 1 }
              )
            })
        )
      )
    }

    const retryable: ReadonlyArray<readonly [number, string]> = [
      [408, "ServerError"],
      [429, "RateLimited"],
      [500, "ServerError"],
      [502, "ServerError"],
      [503, "ServerError"],
      [504, "ServerError"]
    ]
    for (const [status, tag] of retryable) {
      it.effect(`HTTP ${status} is retried and succeeds after two transient failures`, () =>
        withHttp(
          (req) => Effect.succeed(req.n <= 2 ? json({ code: status, msg: "busy" }, status) : json(META)),
          {},
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const fiber = yield* Effect.fork(http.get("experiment/metadata", Meta, { params }))
              yield* TestClock.adjust("1 minute")
              assert.deepStrictEqual(yield* Fiber.join(fiber), META)
              assert.strictEqual(server.count, 3)
              const s = yield* stats.snapshot
              assert.deepStrictEqual(
                {
                  requests: s.requests,
                  attempts: s.attempts,
                  retries: s.retries,
                  failures: s.failures,
                  byCause: s.retriesByCause
                },
                { requests: 1, attempts: 3, retries: 2, failures: 0, byCause: { [String(status)]: 2 } }
              )
            })
        )
      )

      it.effect(`HTTP ${status} forever fails with ${tag} after 1 + maxRetries attempts`, () =>
        withHttp(
          () => Effect.succeed(json({ code: status, msg: "down" }, status)),
          { maxRetries: 3 },
          ({ http, server, stats }) =>
            Effect.gen(function* () {
              const error = yield* failingGet(http)
              assert.strictEqual(error._tag, tag)
              assert.strictEqual(server.count, 4)
              if (error._tag === "ServerError" || error._tag === "RateLimited") assert.strictEqual(error.attempts, 4)
              const s = yield* stats.snapshot
              assert.deepStrictEqual(
                { attempts: s.attempts, retries: s.retries, failures: s.failures, byCause: s.retriesByCause },
                { attempts: 4, retries: 3, failures: 1, byCause: { [String(status)]: 3 } }
              )
            })
        )
      )
    }

    it.effect("the default maxRetries is 8: nine attempts in all", () =>
      withHttp(
        () => Effect.succeed(json({ msg: "down" }, 503)),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "ServerError")
            assert.strictEqual(server.count, 9)
          })
      )
    )

    it.effect("Comet's error body surfaces in the message: msg and sdk_error_code", () =>
      withHttp(
        () => Effect.succeed(json({ code: 404, msg: "Experiment not found", sdk_error_code: 90211 }, 404)),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "NotFound")
            if (error._tag !== "NotFound") return
            assert.strictEqual(error.resource, "experiment")
            assert.strictEqual(error.id, "abc")
            assert.strictEqual(error.serverMessage, "Experiment not found")
            assert.strictEqual(error.sdkErrorCode, 90211)
            assert.include(error.message, 'Comet says: "Experiment not found"')
            assert.include(error.message, "sdk_error_code 90211")
          })
      )
    )

    it.effect("an old server's 400 for an unknown experiment key is NotFound", () =>
      withHttp(
        () => Effect.succeed(json({ code: 400, msg: "Experiment key not found" }, 400)),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "NotFound")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("a 401 whose body echoes the key never shows the key", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            json({ code: 401, msg: `Invalid API key ${req.headers.authorization}`, sdk_error_code: 90212 }, 401)
          ),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "Unauthorized")
            assert.include(error.message, "Invalid API key <redacted>")
          })
      )
    )

    it.effect("a 502 HTML page from a proxy is a ServerError without a server message", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response("<html><body>Bad gateway</body></html>", {
              status: 502,
              headers: { "content-type": "text/html" }
            })
          ),
        { maxRetries: 1 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "ServerError")
            if (error._tag === "ServerError") assert.strictEqual(error.serverMessage, null)
            assert.strictEqual(server.count, 2)
          })
      )
    )
  })

  describe("bad 200 responses are typed errors, never garbage", () => {
    it.effect("an HTML page with status 200 is a DecodeError naming the Content-Type (one attempt)", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response("<html>Please log in</html>", { headers: { "content-type": "text/html; charset=utf-8" } })
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "DecodeError")
            if (error._tag !== "DecodeError") return
            assert.include(error.detail, "text/html")
            assert.include(error.excerpt, "Please log in")
            assert.strictEqual(server.count, 1)
            assert.strictEqual((yield* stats.snapshot).failures, 1)
          })
      )
    )

    it.effect("an empty 200 body is a DecodeError saying so", () =>
      withHttp(
        () => Effect.succeed(new Response("", { headers: { "content-type": "application/json" } })),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "DecodeError")
            if (error._tag === "DecodeError") assert.include(error.detail, "empty")
          })
      )
    )

    it.effect("a JSON body of the wrong shape is a DecodeError naming the field (one attempt)", () =>
      withHttp(
        () => Effect.succeed(json({ experimentKey: "abc", durationMillis: "soon" })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "DecodeError")
            if (error._tag === "DecodeError") assert.strictEqual(error.path, "durationMillis")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("a 200 carrying Comet's error JSON is the error it describes, not a decode of garbage", () =>
      withHttp(
        () => Effect.succeed(json({ code: 404, msg: "Experiment not found", sdk_error_code: 90211 })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "NotFound")
            if (error._tag === "NotFound") assert.strictEqual(error.serverMessage, "Experiment not found")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("a 200 carrying an error JSON without a status code is a BadRequest with the message", () =>
      withHttp(
        () => Effect.succeed(json({ msg: "something went wrong", sdk_error_code: 12345 })),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const error = yield* failingGet(http)
            assert.strictEqual(error._tag, "BadRequest")
            if (error._tag === "BadRequest") assert.strictEqual(error.serverMessage, "something went wrong")
          })
      )
    )

    it.effect("a schema that expects code/msg fields still decodes them as data", () =>
      withHttp(
        () => Effect.succeed(json({ code: 7, msg: "hello" })),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const r = yield* http.get("x", Schema.Struct({ code: Schema.Number, msg: Schema.String }))
            assert.deepStrictEqual(r, { code: 7, msg: "hello" })
          })
      )
    )

    it.effect("Content-Length over the in-memory limit fails with too-large before reading (get and getBytes)", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response("{}", {
              headers: { "content-type": "application/json", "content-length": String(3 * 1024 ** 3) }
            })
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const e1 = yield* failingGet(http)
            const e2 = yield* Effect.flip(http.getBytes("experiment/asset/get-asset", { params: { assetId: "a1" } }))
            for (const e of [e1, e2]) {
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag === "TransportError") assert.strictEqual(e.reason, "too-large")
            }
            assert.strictEqual(server.count, 2)
            assert.strictEqual((yield* stats.snapshot).attempts, 2)
          })
      )
    )

    it.effect("a 2 GB Content-Length on a JSON call is refused before reading (JSON limit 256 MiB by default)", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response("{}", { headers: { "content-type": "application/json", "content-length": "2000000000" } })
          ),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* failingGet(http)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") {
              assert.strictEqual(e.reason, "too-large")
              assert.include(e.detail, "maxJsonBytes")
              assert.include(e.detail, String(256 * 1024 * 1024))
            }
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("maxJsonBytes limits get and post, not getBytes", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response(bytes('{"experimentKey":"abc","durationMillis":12}'), {
              headers: { "content-type": "application/json", "content-length": "43" }
            })
          ),
        { maxJsonBytes: 40 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const e1 = yield* failingGet(http)
            const e2 = yield* Effect.flip(http.post("experiments/multi-metric-chart", {}, Meta))
            for (const e of [e1, e2]) {
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag === "TransportError") assert.strictEqual(e.reason, "too-large")
            }
            const raw = yield* http.getBytes("experiment/asset/get-asset", { params: { assetId: "a1" } })
            assert.strictEqual(raw.length, 43)
            assert.strictEqual(server.count, 3)
          })
      )
    )

    it.effect("a body without Content-Length that grows past maxBodyBytes fails with too-large", () =>
      withHttp(
        () => Effect.succeed(chunked([bytes("0123456789"), bytes("0123456789")], "close")),
        { maxBodyBytes: 15 },
        ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.getBytes("experiment/asset/get-asset", { params: { assetId: "a1" } }))
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") assert.strictEqual(e.reason, "too-large")
          })
      )
    )

    it.effect("a JSON body shorter than its Content-Length is a retried 'truncated', never a DecodeError", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            req.n === 1
              ? new Response('{"experimentKey":"ab', {
                  headers: { "content-type": "application/json", "content-length": "40" }
                })
              : json(META)
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.get("experiment/metadata", Meta, { params }))
            yield* TestClock.adjust("1 minute")
            assert.deepStrictEqual(yield* Fiber.join(fiber), META)
            assert.strictEqual(server.count, 2)
            assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 1 })
          })
      )
    )

    it.effect("a connection reset in the middle of a JSON body is 'truncated' and retried until the budget ends", () =>
      withHttp(
        () =>
          Effect.succeed(
            chunked([bytes('{"experimentKey":')], "error", { headers: { "content-type": "application/json" } })
          ),
        { maxRetries: 2 },
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            const e = yield* failingGet(http)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") {
              assert.strictEqual(e.reason, "truncated")
              assert.strictEqual(e.attempts, 3)
            }
            assert.strictEqual(server.count, 3)
            assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 2 })
          })
      )
    )

    it.effect("getBytes checks the length against Content-Length", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            req.n === 1
              ? new Response(bytes("12345"), { headers: { "content-length": "10" } })
              : new Response(bytes("1234567890"), { headers: { "content-length": "10" } })
          ),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(http.getBytes("experiment/asset/get-asset", { params: { assetId: "a" } }))
            yield* TestClock.adjust("1 minute")
            const body = yield* Fiber.join(fiber)
            assert.strictEqual(new TextDecoder().decode(body), "1234567890")
            assert.strictEqual(server.count, 2)
          })
      )
    )

    it.effect(
      "a download compressed although asked uncompressed: decoded and checked by undici, refused where the transport cannot check it",
      () =>
        withHttp(
          () =>
            Effect.succeed(
              new Response(bytes("a longer decompressed body"), {
                headers: { "content-length": "5", "content-encoding": "gzip" }
              })
            ),
          {},
          ({ http, server }) =>
            Effect.gen(function* () {
              const result = yield* Effect.either(
                http.getBytes("experiment/asset/get-asset", { params: { assetId: "a" } })
              )
              assert.strictEqual(server.requests[0]!.headers["accept-encoding"], "identity")
              if (adapter === "undici") {
                assert.isTrue(result._tag === "Right")
                if (result._tag === "Right")
                  assert.strictEqual(new TextDecoder().decode(result.right), "a longer decompressed body")
                return
              }
              assert.isTrue(result._tag === "Left")
              if (result._tag !== "Left") return
              assert.strictEqual(result.left._tag, "DecodeError")
              assert.include(result.left.message, "Accept-Encoding: identity")
              assert.strictEqual(server.count, 1)
            })
        )
    )

    it.effect("a complete gzip-encoded JSON body is decoded (Content-Length counts the compressed bytes)", () =>
      withHttp(
        () =>
          Effect.succeed(
            new Response(JSON.stringify(META), {
              headers: { "content-type": "application/json", "content-length": "7", "content-encoding": "gzip" }
            })
          ),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get("experiment/metadata", Meta, { params }), META)
          })
      )
    )

    it.effect("application/octet-stream and a charset suffix are accepted as JSON", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            new Response(JSON.stringify(META), {
              headers: { "content-type": req.n === 1 ? "application/octet-stream" : "application/json; charset=utf-8" }
            })
          ),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get("experiment/metadata", Meta, { params }), META)
            assert.deepStrictEqual(
              yield* http.get("experiment/metadata", Meta, { params: { experimentKey: "b" } }),
              META
            )
          })
      )
    )
  })

  describe("redirects: followed within the configured server only", () => {
    it.effect("a 302 to another host fails with TransportError 'redirect' after one attempt", () =>
      withHttp(
        () =>
          Effect.succeed(new Response(null, { status: 302, headers: { location: "https://evil.example/steal?x=1" } })),
        {},
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* failingGet(http)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag !== "TransportError") return
            assert.strictEqual(e.reason, "redirect")
            assert.include(e.detail, "https://evil.example")
            assert.notInclude(e.detail, "steal")
            assert.strictEqual(server.count, 1)
          })
      )
    )

    it.effect("a 307 on the same host is followed, with the key, in the same attempt", () =>
      withHttp(
        (req) =>
          Effect.succeed(
            req.url.pathname.endsWith("/moved")
              ? json(META)
              : new Response(null, { status: 307, headers: { location: "/api/rest/v2/moved" } })
          ),
        {},
        ({ http, server, stats }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get("experiment/metadata", Meta, { params }), META)
            assert.deepStrictEqual(
              server.requests.map((r) => [r.url.pathname, r.headers.authorization === KEY]),
              [
                ["/api/rest/v2/experiment/metadata", true],
                ["/api/rest/v2/moved", true]
              ]
            )
            assert.strictEqual((yield* stats.snapshot).attempts, 1)
          })
      )
    )

    it.effect("a same-host redirect loop fails as a loop, not as a redirect to another host", () =>
      withHttp(
        () => Effect.succeed(new Response(null, { status: 307, headers: { location: "/api/rest/v2/other" } })),
        { maxRetries: 0 },
        ({ http, server }) =>
          Effect.gen(function* () {
            const e = yield* failingGet(http)
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag !== "TransportError") return
            assert.strictEqual(e.reason, "redirect")
            assert.include(e.detail, "redirect loop")
            assert.notInclude(e.message, "another host")
            assert.strictEqual(server.count, 6)
          })
      )
    )

    it.effect("a POST redirected with 302 within the host is refused (it cannot be repeated as it was)", () =>
      withHttp(
        () => Effect.succeed(new Response(null, { status: 302, headers: { location: "/api/rest/v2/other" } })),
        { maxRetries: 0 },
        ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.post("experiments/multi-metric-chart", { a: 1 }, Meta))
            assert.strictEqual(e._tag, "TransportError")
            if (e._tag === "TransportError") assert.include(e.detail, "cannot be repeated")
          })
      )
    )
  })

  describe("text helper", () => {
    it.effect("a text/plain 200 to a JSON get is a DecodeError", () =>
      withHttp(
        () => Effect.succeed(text("hello")),
        {},
        ({ http }) =>
          Effect.gen(function* () {
            const e = yield* failingGet(http)
            assert.strictEqual(e._tag, "DecodeError")
          })
      )
    )
  })
})
