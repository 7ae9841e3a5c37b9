/**
 * The undici adapter (its own `dispatch` handler and chunk queue) against hostile servers and a
 * hostile network over real loopback sockets: resets at every point of a response, 1xx answers,
 * a slow reader of a large body (bounded, byte-exact), timeouts and closes before the connection,
 * with the headers pending and in the middle of a body, stray bodies, odd headers, broken
 * compressed bodies, many calls against a server that resets some, and keep-alive races.
 */
import { createHash } from "node:crypto"
import type { Socket } from "node:net"
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Schema, Scope, Stream } from "effect"
import { CometHttp } from "../src/CometHttp.js"
import { Aborter, type WireRequest, type WireResponse } from "../src/internal/transport.js"
import { undiciTransport } from "../src/internal/transportUndici.js"
import { fullBacklog } from "./support/backlog.js"
import { CA_PEM, httpsServer, recordingProxy } from "./support/proxy.js"
import {
  abortedWhileResent,
  assetBytes,
  closingOnReuse,
  eventually,
  KEY,
  kernelBuffers,
  LOST_SECOND_CALLS,
  layerOver,
  over,
  READER_HOLDS,
  raw,
  secondCallLost,
  wholeBody
} from "./support/sockets.js"

const MiB = 1024 * 1024
const Values = Schema.Struct({ values: Schema.Array(Schema.Number) })
const VALUES = { values: Array.from({ length: 3000 }, (_, i) => i / 7) }
const VALUES_JSON = Buffer.from(JSON.stringify(VALUES))
const SUMMARY = "experiment/metrics/summary"
const ASSET = "experiment/asset/get-asset"
const params = { experimentKey: "e", assetId: "a" }

const head = (status: string, headers: Record<string, string>): string =>
  `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`

/** A whole JSON answer with Content-Length. */
const ok = (body: Buffer = VALUES_JSON, extra: Record<string, string> = {}) =>
  Buffer.concat([
    Buffer.from(
      head("200 OK", { "content-type": "application/json", "content-length": String(body.length), ...extra })
    ),
    body
  ])

const chunked = (body: Buffer) => Buffer.from(`${body.length.toString(16)}\r\n${body.toString("latin1")}\r\n`, "latin1")

/** Process-level failures seen while `self` runs (they must be none). */
const noStrayErrors = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const stray: Array<unknown> = []
      const onError = (e: unknown) => stray.push(e)
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          process.on("uncaughtException", onError)
          process.on("unhandledRejection", onError)
        }),
        () =>
          Effect.sync(() => {
            process.off("uncaughtException", onError)
            process.off("unhandledRejection", onError)
          })
      )
      const a = yield* self
      yield* Effect.sleep("50 millis")
      assert.deepStrictEqual(stray, [])
      return a
    })
  )

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

describe("resets at every point of a response", () => {
  const cases: Record<string, (s: Socket) => void> = {
    "before the headers": (s) => s.destroy(),
    "in the middle of the headers": (s) => s.end("HTTP/1.1 200 OK\r\nContent-Type: appl", () => s.destroy()),
    "in the middle of a Content-Length body": (s) => {
      const whole = ok()
      s.write(whole.subarray(0, whole.length - 100), () => setTimeout(() => s.destroy(), 10))
    },
    "in the middle of a chunked body": (s) => {
      s.write(head("200 OK", { "content-type": "application/json", "transfer-encoding": "chunked" }))
      s.write(chunked(VALUES_JSON.subarray(0, 1000)), () => setTimeout(() => s.destroy(), 10))
    },
    "after the last byte, before the chunked terminator": (s) => {
      s.write(head("200 OK", { "content-type": "application/json", "transfer-encoding": "chunked" }))
      s.write(chunked(VALUES_JSON), () => setTimeout(() => s.destroy(), 10))
    },
    "after a last chunk cut in its middle": (s) => {
      s.write(head("200 OK", { "content-type": "application/json", "transfer-encoding": "chunked" }))
      const c = chunked(VALUES_JSON)
      s.write(c.subarray(0, c.length - 2), () => setTimeout(() => s.destroy(), 10))
    }
  }
  for (const [when, cut] of Object.entries(cases)) {
    it.live(`${when}: a typed network/truncated failure, never data; read again, then the whole value`, () =>
      noStrayErrors(
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* raw((s, n) => (n === 1 ? cut(s) : s.write(ok())))
            yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
              Effect.gen(function* () {
                const e = yield* Effect.flip(http.get(SUMMARY, Values))
                assert.strictEqual(e._tag, "TransportError", e.message)
                if (e._tag === "TransportError") assert.include(["network", "truncated"], e.reason, e.message)
                const value = yield* http.get(SUMMARY, Values)
                assert.deepStrictEqual(value, VALUES)
                assert.strictEqual(seen.requests, 2)
              })
            )
            // the same over a stream: resumed (read again), every byte once
            const { url: url2 } = yield* raw((s, n) => (n === 1 ? cut(s) : s.write(ok())))
            yield* over("undici", url2, {}, ({ http }) =>
              Effect.gen(function* () {
                const got = Buffer.concat([...(yield* Stream.runCollect(http.stream(ASSET, { params })))])
                assert.strictEqual(got.toString(), VALUES_JSON.toString())
              })
            )
          })
        )
      )
    )
  }
})

describe("1xx informational answers before the real one", () => {
  it.live("a 103 Early Hints (and a 102), then the JSON: the value, the connection kept", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url, seen } = yield* raw((s) => {
          s.write("HTTP/1.1 102 Processing\r\n\r\n")
          s.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
          setTimeout(() => s.write(ok()), 10)
        })
        yield* over("undici", url, { maxRetries: 0 }, ({ http, stats }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            const bytes = yield* http.getBytes(ASSET, { params })
            assert.strictEqual(Buffer.from(bytes).toString(), VALUES_JSON.toString())
            assert.strictEqual(seen.requests, 3)
            assert.strictEqual(seen.closed, 0, "no connection was closed")
            assert.deepStrictEqual([(yield* stats.snapshot).attempts, (yield* stats.snapshot).failures], [3, 0])
          })
        )
      })
    )
  )

  it.live("an unsolicited 100 Continue (undici refuses it: 'bad response'): a typed network failure, retried", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url, seen } = yield* raw((s, n) => {
          if (n === 1) s.write("HTTP/1.1 100 Continue\r\n\r\n")
          setTimeout(() => s.write(ok()), 10)
        })
        yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get(SUMMARY, Values))
            assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            assert.strictEqual(seen.requests, 2)
          })
        )
      })
    )
  )
})

describe("a status code below 100 (undici fails an assertion on it)", () => {
  it.live("a typed network failure naming the invalid response, in one line; read again, then the value", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url, seen } = yield* raw((s, n) =>
          s.write(n === 1 ? "HTTP/1.1 099 Odd\r\ncontent-length: 2\r\n\r\n{}" : ok())
        )
        yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get(SUMMARY, Values))
            assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
            assert.include(e.message, "the server's response is not valid HTTP/1.1: a status code below 100")
            assert.notInclude(e.message, "\n")
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            assert.strictEqual(seen.requests, 2)
          })
        )
      })
    )
  )
})

describe("a slow reader of a body past the high-water mark", () => {
  // What the test proves: the server is held back by what the kernel buffers plus what our
  // reader holds (its queue's 64 KiB high-water mark, a 1 MiB read slab, zlib's buffers: 4 MiB
  // allowed) — not by the body's size. The body is larger than that bound by 32 MiB, so a
  // reader that buffered without limit lets the server get further ahead than the bound
  // (checked by raising HIGH_WATER to Infinity: both codings fail), while kernel buffers alone,
  // however large this host lets them grow, cannot fail it.
  const BOUND = kernelBuffers() + READER_HOLDS
  const SIZE = BOUND + 32 * MiB
  const asset = assetBytes(SIZE, 5)
  for (const coding of ["identity", "gzip"] as const) {
    it.live(`${coding}: the server is held back (bounded memory), every byte once and in order`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const body = coding === "gzip" ? gzipSync(asset, { level: 1 }) : Buffer.from(asset)
          let written = 0
          const { url } = yield* raw((s) => {
            s.write(
              head("200 OK", {
                "content-length": String(body.length),
                ...(coding === "gzip" ? { "content-encoding": "gzip" } : {})
              })
            )
            let at = 0
            const pump = () => {
              while (at < body.length) {
                const piece = body.subarray(at, at + 16 * 1024)
                at += piece.length
                written += piece.length
                if (!s.write(piece)) return s.once("drain", pump)
              }
            }
            pump()
          })
          yield* over("undici", url, {}, ({ http }) =>
            Effect.gen(function* () {
              const d = yield* http.open(ASSET, { params })
              const hash = createHash("sha256")
              let read = 0
              let ahead = 0
              let slept = 0
              while (true) {
                const c = yield* Effect.promise(() => d.next())
                if (c === null) break
                hash.update(c)
                read += c.length
                // a slow reader, by bytes (the chunk sizes differ by path): 5 ms per 256 KiB
                if (read - slept >= 256 * 1024) {
                  slept = read
                  yield* Effect.sleep("5 millis")
                }
                // what the server got out but nobody read yet (socket buffers, our queue)
                const compressedRead = coding === "gzip" ? (read / SIZE) * body.length : read
                ahead = Math.max(ahead, written - compressedRead)
              }
              assert.strictEqual(read, SIZE)
              assert.strictEqual(hash.digest("hex"), sha(asset))
              assert.isBelow(ahead, BOUND, `the server got ${ahead} bytes ahead of the reader (bound ${BOUND})`)
            })
          )
        })
      )
    )
  }
})

describe("timeouts and aborts fire at every stage, with the typed error", () => {
  it.live("a connect that hangs (full backlog): timeout within its bound, then the layer closes at once", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url } = yield* fullBacklog
        const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length
        const before = sockets()
        const scope = yield* Scope.make()
        const ctx = yield* Layer.buildWithScope(
          layerOver("undici", {
            apiKey: KEY,
            baseUrl: url,
            timeout: "300 millis",
            maxRetries: 0
          }),
          scope
        )
        const http = ctx.unsafeMap.get(CometHttp.key) as typeof CometHttp.Service
        const started = Date.now()
        const e = yield* Effect.flip(http.get(SUMMARY, Values))
        assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout", e.message)
        assert.isBelow(Date.now() - started, 2000)
        const d = yield* Effect.flip(http.get(SUMMARY, Values, { timeout: "10 seconds", callTimeout: "300 millis" }))
        assert.strictEqual(d._tag === "TransportError" && d.reason, "deadline", d.message)
        assert.isBelow(Date.now() - started, 4000)
        const closing = Date.now()
        yield* Scope.close(scope, Exit.void)
        assert.isBelow(Date.now() - closing, 2000, "the layer's scope closed within 2 s")
        // no connect left pending to keep the process alive
        yield* eventually(() => sockets() <= before, "the pending connects were destroyed")
      })
    )
  )

  it.live("a server that accepts and never answers: timeout (JSON), callTimeout deadline, close: 'closed'", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url, seen } = yield* raw(() => {})
        const scope = yield* Scope.make()
        const ctx = yield* Layer.buildWithScope(
          layerOver("undici", { apiKey: KEY, baseUrl: url, timeout: "300 millis", maxRetries: 0 }),
          scope
        )
        const http = ctx.unsafeMap.get(CometHttp.key) as typeof CometHttp.Service
        const e = yield* Effect.flip(http.get(SUMMARY, Values))
        assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout", e.message)
        const d = yield* Effect.flip(Stream.runDrain(http.stream(ASSET, { params, callTimeout: "300 millis" })))
        assert.strictEqual(d._tag === "TransportError" && d.reason, "deadline", d.message)
        const pending = yield* Effect.fork(
          Effect.all(
            [
              Effect.either(http.get(SUMMARY, Values, { timeout: "1 minute" })),
              Effect.either(Stream.runDrain(http.stream(ASSET, { params: { ...params, n: 2 } })))
            ],
            { concurrency: "unbounded" }
          )
        )
        yield* eventually(() => seen.requests >= 4, "both pending requests reached the server")
        const closing = Date.now()
        yield* Scope.close(scope, Exit.void)
        const results = yield* Fiber.join(pending)
        assert.isBelow(Date.now() - closing, 2000)
        for (const r of results) {
          assert.strictEqual(r._tag, "Left")
          if (r._tag === "Left")
            assert.strictEqual(r.left._tag === "TransportError" && r.left.reason, "closed", r.left.message)
        }
        yield* eventually(() => seen.closed === seen.connections, "every connection closed")
      })
    )
  )

  it.live(
    "a body that stalls in its middle: timeout (JSON), downloadTimeout (stream), close while reading: 'closed'",
    () =>
      noStrayErrors(
        Effect.gen(function* () {
          const asset = assetBytes(MiB, 9)
          const { url, seen } = yield* raw((s) => {
            s.write(head("200 OK", { "content-type": "application/json", "content-length": String(2 * asset.length) }))
            s.write(asset)
          })
          const scope = yield* Scope.make()
          const ctx = yield* Layer.buildWithScope(
            layerOver("undici", {
              apiKey: KEY,
              baseUrl: url,
              timeout: "300 millis",
              downloadTimeout: "300 millis",
              maxRetries: 0
            }),
            scope
          )
          const http = ctx.unsafeMap.get(CometHttp.key) as typeof CometHttp.Service
          const e = yield* Effect.flip(http.get(SUMMARY, Values))
          assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout", e.message)
          let got = 0
          const d = yield* Effect.flip(
            Stream.runForEach(http.stream(ASSET, { params }), (c) =>
              Effect.sync(() => {
                got += c.length
              })
            )
          )
          assert.strictEqual(d._tag === "TransportError" && d.reason, "timeout", d.message)
          assert.strictEqual(got, asset.length)
          const download = yield* http.open(ASSET, { params: { ...params, n: 3 } })
          // every byte sent read: the next read waits on the stalled body
          let opened = 0
          while (opened < asset.length) opened += (yield* Effect.promise(() => download.next()))?.length ?? asset.length
          assert.strictEqual(opened, asset.length)
          const next = download.next().then(
            () => null,
            (x: unknown) => x
          )
          // and a Stream in the middle of its body
          let streamed = 0
          const streaming = yield* Effect.fork(
            Effect.either(
              Stream.runForEach(http.stream(ASSET, { params: { ...params, n: 4 } }), (c) =>
                Effect.sync(() => {
                  streamed += c.length
                })
              )
            )
          )
          yield* eventually(() => streamed === asset.length, "the stream got the bytes sent")
          yield* Scope.close(scope, Exit.void)
          const closed = (yield* Effect.promise(() => next)) as { _tag?: string; reason?: string } | null
          assert.strictEqual(closed?._tag === "TransportError" && closed.reason, "closed", String(closed))
          const s = yield* Fiber.join(streaming)
          assert.strictEqual(s._tag, "Left", "a stream cut by the close is never a complete one")
          if (s._tag === "Left")
            assert.strictEqual(s.left._tag === "TransportError" && s.left.reason, "closed", s.left.message)
          yield* eventually(() => seen.closed === seen.connections, "every connection closed")
        })
      )
  )
})

describe("stray bodies and odd headers", () => {
  it.live("a 204 and a 304 with a stray body on a kept connection: typed answers, and the next call still works", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url } = yield* raw((s, n) => {
          if (n === 1) s.write("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello")
          else if (n === 2) s.write('HTTP/1.1 304 Not Modified\r\nContent-Type: application/json\r\n\r\n{"values":[]}')
          else s.write(ok())
        })
        yield* over("undici", url, { maxRetries: 2 }, ({ http }) =>
          Effect.gen(function* () {
            const first = yield* Effect.either(http.get(SUMMARY, Values))
            assert.strictEqual(first._tag, "Left")
            const second = yield* Effect.either(http.get(SUMMARY, Values))
            for (const r of [first, second]) {
              if (r._tag === "Left")
                assert.include(["BadRequest", "TransportError", "DecodeError", "NotFound", "ServerError"], r.left._tag)
              else assert.deepStrictEqual(r.right, VALUES)
            }
            // whatever the stray bytes did to the connection, the next call gets the value
            for (let i = 0; i < 3; i++) assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
          })
        )
      })
    )
  )

  it.live("header names in odd case, repeated Content-Type, latin1 values: the value, the headers read", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const gz = gzipSync(VALUES_JSON)
        const { url } = yield* raw((s, n) => {
          const body = n === 1 ? VALUES_JSON : gz
          s.write(
            Buffer.concat([
              Buffer.from(
                `HTTP/1.1 200 OK\r\nCONTENT-TYPE: application/json\r\nContent-type: application/json\r\nX-Note: caf\xe9 \xfcber\r\nETag: "\xe9t\xe9"\r\n${n === 1 ? "" : "content-ENCODING: GZIP\r\n"}CoNtEnT-LeNgTh: ${body.length}\r\n\r\n`,
                "latin1"
              ),
              body
            ])
          )
        })
        yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values), VALUES)
            const got = Buffer.concat([...(yield* Stream.runCollect(http.stream(ASSET, { params })))])
            assert.strictEqual(got.toString(), VALUES_JSON.toString())
          })
        )
      })
    )
  )

  it.live("two Content-Length headers that differ: a typed failure, never a body of either length", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url } = yield* raw((s) => {
          s.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: ${VALUES_JSON.length}\r\n\r\n`
          )
          s.write(VALUES_JSON)
        })
        yield* over("undici", url, { maxRetries: 1 }, ({ http }) =>
          Effect.gen(function* () {
            const e = yield* Effect.flip(http.get(SUMMARY, Values))
            assert.strictEqual(e._tag, "TransportError", e.message)
            const b = yield* Effect.flip(http.getBytes(ASSET, { params }))
            assert.strictEqual(b._tag, "TransportError", b.message)
          })
        )
      })
    )
  )
})

describe("compressed bodies truncated or corrupt over a real socket", () => {
  const asset = assetBytes(200_000, 13)
  const encode = {
    gzip: (b: Uint8Array) => gzipSync(b),
    "deflate (zlib)": (b: Uint8Array) => deflateSync(b),
    "deflate (raw)": (b: Uint8Array) => deflateRawSync(b),
    br: (b: Uint8Array) => brotliCompressSync(b)
  }
  for (const [name, enc] of Object.entries(encode)) {
    const coding = name.split(" ")[0] as string
    const full = enc(asset)
    for (const framing of ["content-length", "chunked", "close"] as const) {
      it.live(
        `${name}, ${framing}: cut short is read again (buffered and streamed); corrupt (when checksummed) is a DecodeError`,
        () =>
          noStrayErrors(
            Effect.gen(function* () {
              const corrupt = Buffer.from(full)
              for (let i = 200; i < 260; i++) corrupt[i] = (corrupt[i] as number) ^ 0x5a
              const send = (s: Socket, body: Buffer, cut: boolean) => {
                const sent = cut ? body.subarray(0, body.length >> 1) : body
                const h: Record<string, string> = { "content-encoding": coding }
                if (framing === "content-length") h["content-length"] = String(cut ? body.length : sent.length)
                if (framing === "chunked") h["transfer-encoding"] = "chunked"
                if (framing === "close") h.connection = "close"
                s.write(head("200 OK", h))
                const payload =
                  framing === "chunked"
                    ? Buffer.concat([chunked(sent), ...(cut ? [] : [Buffer.from("0\r\n\r\n")])])
                    : sent
                s.write(payload, () => (cut || framing === "close" ? setTimeout(() => s.destroy(), 10) : undefined))
              }
              const { url, seen } = yield* raw((s, n, h) => {
                if (h.includes("corrupt")) return send(s, corrupt, false)
                send(s, Buffer.from(full), n % 2 === 1)
              })
              yield* over("undici", url, {}, ({ http }) =>
                Effect.gen(function* () {
                  const bytes = yield* http.getBytes(ASSET, { params })
                  assert.strictEqual(sha(bytes), sha(asset))
                  const got = Buffer.concat([...(yield* Stream.runCollect(http.stream(ASSET, { params })))])
                  assert.strictEqual(sha(got), sha(asset))
                  assert.strictEqual(seen.requests, 4)
                  // raw deflate and brotli carry no checksum: flipped bytes in a stored block are
                  // undetectable there; gzip (CRC-32) and zlib (Adler-32) must refuse them
                  if (name === "br" || name === "deflate (raw)") return
                  const e = yield* Effect.flip(http.getBytes(ASSET, { params: { ...params, corrupt: 1 } }))
                  assert.strictEqual(e._tag, "DecodeError", e.message)
                  const es = yield* Effect.flip(
                    Stream.runDrain(http.stream(ASSET, { params: { ...params, corrupt: 2 } }))
                  )
                  assert.strictEqual(es._tag, "DecodeError", es.message)
                })
              )
            })
          )
      )
    }
  }
})

describe("many calls against a server that resets some connections", () => {
  it.live(
    "500 calls at maxConcurrency 16, 10% of answers reset at random points: each a value or a typed error, counts exact",
    () =>
      noStrayErrors(
        Effect.gen(function* () {
          // a seeded generator: the same resets every run
          let x = 12345
          const random = () => {
            x ^= x << 13
            x ^= x >>> 17
            x ^= x << 5
            return (x >>> 0) / 2 ** 32
          }
          const { url, seen } = yield* raw((s) => {
            const whole = ok()
            const r = random()
            if (r < 0.025) return s.destroy()
            if (r < 0.05) return s.write(whole.subarray(0, 30), () => s.destroy())
            if (r < 0.075) return s.write(whole.subarray(0, whole.length - 500), () => s.destroy())
            if (r < 0.1) return setTimeout(() => s.destroy(), 5)
            s.write(whole)
          })
          const CALLS = 500
          yield* over("undici", url, { maxConcurrency: 16, maxRetries: 3 }, ({ http, stats }) =>
            Effect.gen(function* () {
              const results = yield* Effect.forEach(
                Array.from({ length: CALLS }, (_, i) => i),
                (i) =>
                  Effect.either(
                    i % 5 === 0
                      ? Stream.runCollect(http.stream(ASSET, { params: { ...params, i } })).pipe(
                          Effect.map((c) => Buffer.concat([...c]).toString() === VALUES_JSON.toString())
                        )
                      : http
                          .get(SUMMARY, Values, { params: { i } })
                          .pipe(Effect.map((v) => v.values.length === VALUES.values.length))
                  ),
                { concurrency: "unbounded" }
              )
              let good = 0
              let failed = 0
              for (const r of results) {
                if (r._tag === "Right") {
                  assert.isTrue(r.right, "a value is the whole value")
                  good++
                } else {
                  assert.strictEqual(r.left._tag, "TransportError", r.left.message)
                  if (r.left._tag === "TransportError")
                    assert.include(["network", "truncated"], r.left.reason, r.left.message)
                  failed++
                }
              }
              assert.strictEqual(good + failed, CALLS)
              const s = yield* stats.snapshot
              assert.strictEqual(s.requests, CALLS)
              assert.strictEqual(s.failures, failed)
              assert.strictEqual(s.inFlight, 0)
              assert.strictEqual(s.attempts, s.requests + s.retries + s.resent)
              assert.strictEqual(seen.requests, s.attempts)
              assert.isAbove(good, CALLS * 0.95)
            })
          )
        })
      )
  )
})

describe("a keep-alive server that closes idle connections right after a response", () => {
  for (const delay of [0, 1, 5] as const) {
    it.live(
      `closed ${delay} ms after each answer: 200 sequential calls and 200 concurrent ones all get their value`,
      () =>
        noStrayErrors(
          Effect.gen(function* () {
            const { url, seen } = yield* raw((s) => {
              // no Connection: close: the client believes the connection may be reused
              s.write(ok(), () => (delay === 0 ? s.destroy() : setTimeout(() => s.destroy(), delay)))
            })
            yield* over("undici", url, { maxConcurrency: 8 }, ({ http, stats }) =>
              Effect.gen(function* () {
                for (let i = 0; i < 200; i++) {
                  const v = yield* http.get(SUMMARY, Values, { params: { i } })
                  assert.strictEqual(v.values.length, VALUES.values.length)
                }
                const all = yield* Effect.forEach(
                  Array.from({ length: 200 }, (_, i) => i),
                  (i) => http.get(SUMMARY, Values, { params: { j: i } }),
                  { concurrency: "unbounded" }
                )
                assert.strictEqual(all.length, 200)
                const s = yield* stats.snapshot
                assert.deepStrictEqual([s.requests, s.failures, s.inFlight], [400, 0, 0])
                assert.strictEqual(s.attempts, 400 + s.retries + s.resent)
                // a request written on a connection the server had just closed never reached it
                assert.isAtLeast(seen.requests, 400)
                assert.isAtMost(seen.requests, s.attempts)
              })
            )
          })
        )
    )
  }
})

describe("a reused connection the server closes as the next request arrives (undici's path)", () => {
  const QUERY = "project/query"
  for (const how of ["close", "reset"] as const) {
    it.live(`${how}: a GET is sent once more on a new connection, at once; maxRetries 0 still succeeds`, () =>
      noStrayErrors(
        Effect.gen(function* () {
          const { url, seen } = yield* closingOnReuse(() => ok(), how)
          // one connection per origin: each call after the first goes out on the kept one
          yield* over("undici", url, { maxRetries: 0, maxConcurrency: 1 }, ({ http, stats }) =>
            Effect.gen(function* () {
              for (const i of [1, 2, 3, 4]) {
                const v = yield* http.get(SUMMARY, Values, { params: { i } })
                assert.strictEqual(v.values.length, VALUES.values.length)
              }
              const s = yield* stats.snapshot
              // 1 on connection 1; 2 closed under it there, sent again on connection 2 (opened for
              // it alone); 3 on a new pooled connection, 3; 4 closed under it there, again on 4
              assert.deepStrictEqual([seen.connections, seen.requests], [4, 6])
              assert.deepStrictEqual([s.requests, s.attempts, s.retries, s.resent, s.failures], [4, 6, 0, 2, 0])
              assert.strictEqual(s.byEndpoint[SUMMARY]?.attempts, 6)
            })
          )
        })
      )
    )
  }

  it.live("a POST marked readOnly (Comet's query and chart reads) is sent once more; any other POST is not", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const { url, seen } = yield* closingOnReuse(() => ok(), "close")
        yield* over("undici", url, { maxRetries: 0, maxConcurrency: 1 }, ({ http, stats }) =>
          Effect.gen(function* () {
            yield* http.post(QUERY, { q: 1 }, Values, { readOnly: true })
            const read = yield* http.post(QUERY, { q: 2 }, Values, { readOnly: true })
            assert.strictEqual(read.values.length, VALUES.values.length)
            assert.deepStrictEqual([seen.connections, seen.requests], [2, 3])
            // on a new pooled connection (3), then a POST not marked readOnly closed under it there
            yield* http.post(QUERY, { q: 3 }, Values, { readOnly: true })
            const write = yield* Effect.flip(http.post(QUERY, { q: 4 }, Values))
            assert.strictEqual(write._tag, "TransportError")
            if (write._tag === "TransportError") assert.strictEqual(write.reason, "network")
            assert.deepStrictEqual([seen.connections, seen.requests], [3, 5])
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.attempts, s.retries, s.resent, s.failures], [5, 0, 1, 1])
          })
        )
      })
    )
  )

  for (const c of LOST_SECOND_CALLS) {
    it.live(c.title, () =>
      noStrayErrors(
        Effect.gen(function* () {
          const lost = yield* secondCallLost(
            () => ok(),
            c.how,
            c.freshToo,
            (http, i) => http.get(SUMMARY, Values, { params: { i } })
          )
          assert.strictEqual(lost.error._tag, "TransportError")
          if (lost.error._tag === "TransportError") assert.strictEqual(lost.error.reason, "network")
          assert.deepStrictEqual(lost.seen, [...c.seen])
          const s = lost.stats
          assert.deepStrictEqual([s.attempts, s.retries, s.resent, s.failures], [2 + c.resent, 0, c.resent, 1])
        })
      )
    )
  }

  it.live(
    "through a proxy's CONNECT tunnel: once more over a new tunnel to the same origin; the key to the server only",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const served = new WeakMap<object, number>()
          const server = yield* httpsServer((req, res) => {
            const k = (served.get(req.socket) ?? 0) + 1
            served.set(req.socket, k)
            if (k > 1) return void req.socket.destroy()
            res.writeHead(200, { "content-type": "application/json" }).end(VALUES_JSON)
          })
          const proxy = yield* recordingProxy()
          const t = yield* Effect.acquireRelease(
            Effect.promise(() =>
              undiciTransport({
                connections: 1,
                httpProxy: null,
                httpsProxy: proxy.url,
                noProxy: "",
                extraCa: [CA_PEM],
                rejectUnauthorized: true
              })
            ),
            (t) => Effect.promise(() => t.close())
          )
          const target = `127.0.0.1:${server.port}`
          let resent = 0
          for (const i of [1, 2]) {
            const r = yield* Effect.promise(() =>
              t.send(
                {
                  method: "GET",
                  url: `https://${target}/summary?i=${i}`,
                  headers: { authorization: KEY },
                  body: undefined,
                  encoding: "any",
                  replayable: true,
                  onResend: () => resent++
                },
                new Aborter().signal
              )
            )
            const body = yield* Effect.promise(() => wholeBody(r.body))
            assert.strictEqual(body.toString(), VALUES_JSON.toString())
          }
          assert.strictEqual(resent, 1)
          // the second request, closed under it in tunnel 1, went again over tunnel 2 to the same origin
          assert.deepStrictEqual(proxy.seen.lines, [`CONNECT ${target}`, `CONNECT ${target}`])
          assert.deepStrictEqual(
            server.requests.map((h) => h.authorization),
            [KEY, KEY, KEY]
          )
          assert.strictEqual(server.connections(), 2)
        })
      )
  )

  it.live("aborted while sent once more: rejects with the reason, nothing sent after", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const r = yield* abortedWhileResent(ok(), "any")
        assert.strictEqual(r.first.toString(), VALUES_JSON.toString())
        assert.strictEqual(r.rejected, r.reason)
        assert.deepStrictEqual(r.counts, [2, 3, 1])
      })
    )
  )
})

describe("a compressed body that stalls, and a paused body given up", () => {
  for (const coding of ["deflate", "gzip"] as const) {
    it.live(`${coding} headers, then nothing (or half the body): timeout, then close: 'closed'`, () =>
      noStrayErrors(
        Effect.gen(function* () {
          const full = coding === "gzip" ? gzipSync(VALUES_JSON) : deflateSync(VALUES_JSON)
          const { url, seen } = yield* raw((s, _n, h) => {
            s.write(
              head("200 OK", {
                "content-type": "application/json",
                "content-encoding": coding,
                "content-length": String(full.length)
              })
            )
            if (h.includes("half")) s.write(full.subarray(0, full.length >> 1))
          })
          const scope = yield* Scope.make()
          const ctx = yield* Layer.buildWithScope(
            layerOver("undici", { apiKey: KEY, baseUrl: url, timeout: "300 millis", maxRetries: 0 }),
            scope
          )
          const http = ctx.unsafeMap.get(CometHttp.key) as typeof CometHttp.Service
          for (const which of ["none", "half"]) {
            const e = yield* Effect.flip(http.get(SUMMARY, Values, { params: { which } }))
            assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout", e.message)
          }
          const pending = yield* Effect.fork(
            Effect.all(
              ["none", "half"].map((which) =>
                Effect.flip(http.get(SUMMARY, Values, { params: { which }, timeout: "1 minute" }))
              ),
              { concurrency: "unbounded" }
            )
          )
          yield* eventually(() => seen.requests === 4, "both requests reached the server")
          yield* Effect.sleep("50 millis")
          yield* Scope.close(scope, Exit.void)
          for (const e of yield* Fiber.join(pending)) {
            assert.strictEqual(e._tag === "TransportError" && e.reason, "closed", e.message)
          }
          yield* eventually(() => seen.closed === seen.connections, "every connection closed")
        })
      )
    )
  }

  it.live("a download paused by its slow reader, given up in the middle: the connection closed, the permit free", () =>
    noStrayErrors(
      Effect.gen(function* () {
        const asset = assetBytes(16 * MiB, 21)
        const { url, seen } = yield* raw((s, _n, h) => {
          if (h.includes("small")) return s.write(ok())
          s.write(head("200 OK", { "content-length": String(asset.length) }))
          s.write(asset)
        })
        yield* over("undici", url, { maxConcurrency: 1 }, ({ http, stats }) =>
          Effect.gen(function* () {
            const d = yield* http.open(ASSET, { params })
            let read = 0
            while (read < 2 * MiB) read += (yield* Effect.promise(() => d.next()))?.length ?? 0
            // the socket is paused now (the reader stopped); give up on it
            yield* Effect.sleep("50 millis")
            d.cancel()
            assert.strictEqual(yield* Effect.promise(() => d.next()), null)
            yield* eventually(() => seen.closed >= 1, "the download's connection closed")
            // with maxConcurrency 1, the next call gets the permit back
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values, { params: { small: 1 } }), VALUES)
            const taken = yield* Stream.runCollect(Stream.take(http.stream(ASSET, { params: { n: 2 } }), 3))
            assert.strictEqual(taken.length, 3)
            assert.deepStrictEqual(yield* http.get(SUMMARY, Values, { params: { small: 2 } }), VALUES)
            const s = yield* stats.snapshot
            assert.deepStrictEqual([s.inFlight, s.failures], [0, 0])
          })
        )
      })
    )
  )
})

describe("requests aborted while they wait for a connection", () => {
  const options = {
    connections: 1,
    httpProxy: null,
    httpsProxy: null,
    noProxy: "",
    extraCa: null,
    rejectUnauthorized: true
  }
  const get = (url: string): WireRequest => ({ method: "GET", url, headers: {}, body: undefined, encoding: "any" })
  const drain = async (response: WireResponse) => {
    let n = 0
    for (let chunk = await response.body.read(); chunk !== null; chunk = await response.body.read()) n += chunk.length
    return n
  }

  it.live("are dropped without costing the connection: 20 aborted behind a busy one, then one more served on it", () =>
    noStrayErrors(
      Effect.gen(function* () {
        let answerFirst: () => void = () => {}
        const { url, seen } = yield* raw((s, n) => {
          if (n === 1) answerFirst = () => s.write(ok())
          else s.write(ok())
        })
        const transport = yield* Effect.acquireRelease(
          Effect.promise(() => undiciTransport(options)),
          (t) => Effect.promise(() => t.close())
        )
        const first = transport.send(get(`${url}/first`), new Aborter())
        // its head is on the wire: the one connection is busy until the server answers it
        yield* eventually(() => seen.requests === 1, "the first request reached the server")
        const outcomes = yield* Effect.promise(async () => {
          // queued inside undici behind it, each aborted before undici gets to it
          const aborted = Array.from({ length: 20 }, (_, i) => {
            const aborter = new Aborter()
            const sent = transport.send(get(`${url}/queued/${i}`), aborter).then(
              () => "answered",
              (e: unknown) => (e instanceof Error ? e.name : String(e))
            )
            aborter.abort(Object.assign(new Error("aborted by the caller"), { name: "AbortError" }))
            return sent
          })
          answerFirst()
          const firstBytes = await drain(await first)
          const reasons = await Promise.all(aborted)
          const lastBytes = await drain(await transport.send(get(`${url}/last`), new Aborter()))
          return { firstBytes, reasons, lastBytes }
        })
        assert.strictEqual(outcomes.firstBytes, VALUES_JSON.length)
        assert.deepStrictEqual(new Set(outcomes.reasons), new Set(["AbortError"]))
        assert.strictEqual(outcomes.lastBytes, VALUES_JSON.length)
        // none of the aborted requests was written, and none cost the keep-alive connection
        assert.strictEqual(seen.requests, 2)
        assert.strictEqual(seen.connections, 1)
        assert.strictEqual(seen.closed, 0)
      })
    )
  )
})
