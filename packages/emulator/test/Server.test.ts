import { createHash } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpServer from "@effect/platform/HttpServer"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, Stream } from "effect"
import { Emulator, layerTest } from "../src/Emulator.js"
import { generate } from "../src/Generator.js"
import { contentBytes } from "../src/internal/content.js"

// The real Node server on a random loopback port (NodeHttpServer.layerTest): real sockets, so
// resets and truncations are real TCP events.
const dataset = generate({ size: "small", seed: 1 })
const first = dataset.workspaces[0]!.projects[0]!.experiments[0]!
const headers = { authorization: "local-dev-key" }
const getPath = (path: string) => Effect.flatMap(HttpClient.HttpClient, (c) => c.get(path, { headers }))

describe("real server", () => {
  it.live("answers over a socket on loopback", () =>
    Effect.gen(function* () {
      const server = yield* HttpServer.HttpServer
      assert.strictEqual(server.address._tag, "TcpAddress")
      const r = yield* getPath("/api/rest/v2/workspaces")
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.headers["content-type"], "application/json")
      assert.deepStrictEqual(yield* r.json, { workspaceNames: ["local-dev", "team-vision"] })
    }).pipe(Effect.provide(layerTest({ dataset })))
  )

  it.live("streams a large asset over the socket, byte for byte", () =>
    Effect.gen(function* () {
      const big = first.assets.find((a) => a.fileName === "checkpoint.bin")!
      const r = yield* getPath(
        `/api/rest/v2/experiment/asset/get-asset?experimentKey=${first.experimentKey}&assetId=${big.assetId}`
      )
      const hash = createHash("sha256")
      let n = 0
      yield* Stream.runForEach(r.stream, (chunk) =>
        Effect.sync(() => {
          hash.update(chunk)
          n += chunk.length
        })
      )
      const expected = contentBytes(big.content)
      assert.strictEqual(n, expected.length)
      assert.strictEqual(hash.digest("hex"), createHash("sha256").update(expected).digest("hex"))
    }).pipe(Effect.provide(layerTest({ dataset })))
  )

  it.live("reset: the connection is dropped before any byte", () =>
    Effect.gen(function* () {
      const r = yield* Effect.either(getPath("/api/rest/v2/workspaces"))
      assert.isTrue(Either.isLeft(r))
      if (Either.isLeft(r)) {
        assert.isTrue(HttpClientError.isHttpClientError(r.left))
        assert.strictEqual(r.left._tag, "RequestError")
      }
      const snap = yield* Effect.flatMap(Emulator, (e) => e.stats.snapshot)
      assert.deepStrictEqual(snap.faults, { reset: 1 })
      // The server goes on serving.
      const v = yield* Effect.flatMap(HttpClient.HttpClient, (c) => c.get("/clientlib/isAlive/ver"))
      assert.strictEqual(v.status, 200)
    }).pipe(Effect.provide(layerTest({ dataset, faults: "reset:1" })))
  )

  it.live("truncate: headers promise the full length, the connection closes half way", () =>
    Effect.gen(function* () {
      const r = yield* getPath(`/api/rest/v2/experiment/code?experimentKey=${first.experimentKey}`)
      assert.strictEqual(r.status, 200)
      const promised = Number(r.headers["content-length"])
      assert.isTrue(promised > 100)
      const body = yield* Effect.either(r.text)
      assert.isTrue(Either.isLeft(body), "the body must not read as complete")
    }).pipe(Effect.provide(layerTest({ dataset, faults: "truncate:1@experiment/code" })))
  )

  it.live("truncate on a streamed asset", () =>
    Effect.gen(function* () {
      const big = first.assets.find((a) => a.fileName === "checkpoint.bin")!
      const r = yield* getPath(
        `/api/rest/v2/experiment/asset/get-asset?experimentKey=${first.experimentKey}&assetId=${big.assetId}`
      )
      let n = 0
      const result = yield* Effect.either(Stream.runForEach(r.stream, (c) => Effect.sync(() => (n += c.length))))
      assert.isTrue(Either.isLeft(result))
      assert.isTrue(n <= 4 * 1024 * 1024, `${n} bytes arrived`)
    }).pipe(Effect.provide(layerTest({ dataset, faults: "truncate:1@experiment/asset/get-asset" })))
  )

  it.live("a client that goes away ends its request on the server (latency interrupted, not waited out)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const inFlight = Effect.map(emulator.stats.snapshot, (s) => s.inFlight)
      const fibers = yield* Effect.forEach(Array.from({ length: 5 }), () =>
        Effect.fork(getPath("/api/rest/v2/workspaces"))
      )
      while ((yield* inFlight) < 5) yield* Effect.sleep(5)
      yield* Effect.forEach(fibers, Fiber.interrupt)
      // bounded by a count, not a time: the latency is ten minutes
      for (let i = 0; i < 500 && (yield* inFlight) > 0; i++) yield* Effect.sleep(5)
      const snap = yield* emulator.stats.snapshot
      assert.strictEqual(snap.inFlight, 0)
      assert.strictEqual(snap.requests, 5)
      assert.deepStrictEqual(
        snap.log.map((e) => e.status),
        [0, 0, 0, 0, 0]
      )
    }).pipe(Effect.provide(layerTest({ dataset, latency: 600_000 })))
  )

  it.live("counts concurrent requests in flight", () =>
    Effect.gen(function* () {
      yield* Effect.forEach(Array.from({ length: 6 }), () => getPath("/api/rest/v2/workspaces"), {
        concurrency: "unbounded"
      })
      const snap = yield* Effect.flatMap(Emulator, (e) => e.stats.snapshot)
      assert.strictEqual(snap.requests, 6)
      assert.isTrue(snap.maxInFlight >= 2, `max in flight ${snap.maxInFlight}`)
      assert.strictEqual(snap.inFlight, 0)
    }).pipe(Effect.provide(layerTest({ dataset, latency: 30 })))
  )
})
