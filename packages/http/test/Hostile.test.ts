/**
 * Hostile servers on real loopback sockets, over every transport adapter (undici, fetch, a
 * user's HttpClient): memory is bounded while reading, not after (endless bodies, decompression
 * bombs: `too-large` as soon as the decoded count passes the limit, the connection closed, no
 * retry); a compressed body cut short is never data (read again, or a typed error); a download
 * that breaks off in the middle resumes (Range, or read again with the delivered bytes
 * skipped) and the consumer gets every byte exactly once.
 */
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { type Chunk, Effect, Schema, Stream } from "effect"
import { assetBytes, eventually, over, REAL, serve } from "./support/sockets.js"

const MiB = 1024 * 1024
const Values = Schema.Struct({ values: Schema.Array(Schema.Number) })
const VALUES = { values: Array.from({ length: 5000 }, (_, i) => i / 7) }
const VALUES_JSON = Buffer.from(JSON.stringify(VALUES))
const ASSET = "experiment/asset/get-asset"
const params = { experimentKey: "e", assetId: "a" }

const concat = (chunks: Chunk.Chunk<Uint8Array>): Buffer => Buffer.concat([...chunks])

/** Write `chunk` for ever (as fast as the client reads) until the connection closes or 256 MiB went out. */
const endless = (res: import("node:http").ServerResponse, seen: { readonly written: number }, chunk: Buffer) => {
  const pump = () => {
    while (res.write(chunk)) {
      if (seen.written > 256 * MiB) return res.destroy()
    }
    res.once("drain", pump)
  }
  res.on("close", () => res.removeAllListeners("drain"))
  pump()
}

/** A gzip stream of `size` zero bytes (a decompression bomb: about size / 1000 bytes). */
const bomb = (size: number, coding: "gzip" | "deflate" | "br"): Buffer => {
  const zeros = Buffer.alloc(size)
  return coding === "gzip" ? gzipSync(zeros) : coding === "deflate" ? deflateSync(zeros) : brotliCompressSync(zeros)
}
const BOMBS = { gzip: bomb(64 * MiB, "gzip"), deflate: bomb(64 * MiB, "deflate"), br: bomb(64 * MiB, "br") }

describe.each(REAL)("over %s", (adapter) => {
  describe("kind 1: memory is bounded while reading", () => {
    it.live("an endless chunked JSON body stops at maxJsonBytes: too-large, one attempt, the connection closed", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url, seen } = yield* serve((_req, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            res.write("[")
            endless(res, seen, Buffer.alloc(64 * 1024, 0x20))
          })
          yield* over(adapter, url, { maxJsonBytes: MiB }, ({ http, stats }) =>
            Effect.gen(function* () {
              const e = yield* Effect.flip(http.get("experiment/metrics/summary", Values))
              assert.strictEqual(e._tag, "TransportError")
              if (e._tag !== "TransportError") return
              assert.strictEqual(e.reason, "too-large")
              assert.include(e.message, "maxJsonBytes")
              const s = yield* stats.snapshot
              assert.deepStrictEqual([s.attempts, s.retries], [1, 0])
              assert.isAtMost(s.bytesReceived, 2 * MiB)
              yield* eventually(() => seen.closed >= 1, "the server saw its connection closed")
              assert.strictEqual(seen.requests.length, 1)
              assert.isBelow(seen.written, 64 * MiB)
            })
          )
        })
      )
    )

    for (const coding of ["gzip", "deflate", "br"] as const) {
      it.live(`a small ${coding} JSON body that inflates to 64 MiB stops at maxJsonBytes (decoded bytes count)`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* serve((_req, res) => {
              res.writeHead(200, { "content-type": "application/json", "content-encoding": coding })
              res.end(BOMBS[coding])
            })
            yield* over(adapter, url, { maxJsonBytes: MiB }, ({ http, stats }) =>
              Effect.gen(function* () {
                const e = yield* Effect.flip(http.get("experiment/metrics/summary", Values))
                assert.strictEqual(e._tag, "TransportError")
                if (e._tag === "TransportError") assert.strictEqual(e.reason, "too-large")
                const s = yield* stats.snapshot
                assert.deepStrictEqual([s.attempts, s.retries], [1, 0])
                assert.isAtMost(s.bytesReceived, 2 * MiB)
                assert.strictEqual(seen.requests.length, 1)
              })
            )
          })
        )
      )
    }

    it.live("a buffered asset over maxBodyBytes stops there, and a Content-Length over it is refused unread", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url, seen } = yield* serve((req, res) => {
            const declared = req.url?.includes("declared") === true
            res.writeHead(200, declared ? { "content-length": String(512 * MiB) } : {})
            endless(res, seen, Buffer.alloc(64 * 1024, 1))
          })
          yield* over(adapter, url, { maxBodyBytes: MiB }, ({ http, stats }) =>
            Effect.gen(function* () {
              for (const which of ["chunked", "declared"]) {
                const e = yield* Effect.flip(http.getBytes(ASSET, { params: { ...params, which } }))
                assert.strictEqual(e._tag, "TransportError")
                if (e._tag !== "TransportError") return
                assert.strictEqual(e.reason, "too-large")
                assert.include(e.message, "maxBodyBytes")
                if (which === "declared") assert.include(e.detail, "nothing was read")
              }
              const s = yield* stats.snapshot
              assert.deepStrictEqual([s.attempts, s.retries], [2, 0])
              assert.isAtMost(s.bytesReceived, 2 * MiB)
              yield* eventually(() => seen.closed >= 2 || adapter !== "undici", "both connections closed")
            })
          )
        })
      )
    )
  })

  describe("kind 2: a compressed body cut short is never data", () => {
    for (const framing of ["content-length", "chunked"] as const) {
      it.live(`a gzip JSON body cut short (${framing}) is read again, then the whole value`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const full = gzipSync(VALUES_JSON)
            const cut = full.subarray(0, full.length >> 1)
            const { url, seen } = yield* serve((_req, res, n) => {
              const body = n === 1 ? cut : full
              res.writeHead(200, {
                "content-type": "application/json",
                "content-encoding": "gzip",
                ...(framing === "content-length" ? { "content-length": String(body.length) } : {})
              })
              res.end(body)
            })
            yield* over(adapter, url, {}, ({ http, stats }) =>
              Effect.gen(function* () {
                const value = yield* http.get("experiment/metrics/summary", Values)
                assert.deepStrictEqual(value, VALUES)
                assert.strictEqual(seen.requests.length, 2)
                assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 1 })
              })
            )
          })
        )
      )
    }

    for (const coding of ["gzip", "br"] as const) {
      it.live(`a ${coding} asset cut short is never a shorter asset, buffered or streamed`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const asset = assetBytes(256 * 1024)
            const full = coding === "gzip" ? gzipSync(asset) : brotliCompressSync(asset)
            const cut = full.subarray(0, full.length - 40)
            const { url, seen } = yield* serve((_req, res, n) => {
              const body = n % 2 === 1 ? cut : full
              res.writeHead(200, { "content-encoding": coding, "content-length": String(body.length) })
              res.end(body)
            })
            yield* over(adapter, url, {}, ({ http }) =>
              Effect.gen(function* () {
                const buffered = yield* Effect.either(http.getBytes(ASSET, { params }))
                const streamed = yield* Effect.either(
                  Stream.runCollect(http.stream(ASSET, { params })).pipe(Effect.map(concat))
                )
                assert.strictEqual(seen.requests[0]!.headers["accept-encoding"], "identity")
                for (const result of [buffered, streamed]) {
                  if (adapter === "undici") {
                    // decoded here, strictly: the cut body fails and is read again
                    assert.isTrue(result._tag === "Right", String(result._tag === "Left" && result.left.message))
                    if (result._tag === "Right") assert.isTrue(Buffer.from(result.right).equals(asset))
                  } else {
                    // fetch decodes it without checking its end: refused, never short bytes
                    assert.isTrue(result._tag === "Left")
                    if (result._tag === "Left") assert.strictEqual(result.left._tag, "DecodeError")
                  }
                }
              })
            )
          })
        )
      )
    }

    it.live("an uncompressed body cut short of its Content-Length is read again, then whole", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const asset = assetBytes(300_000)
          const { url, seen } = yield* serve((_req, res, n) => {
            res.writeHead(200, { "content-length": String(asset.length) })
            if (n === 1) {
              res.write(asset.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 20))
            } else res.end(asset)
          })
          yield* over(adapter, url, {}, ({ http, stats }) =>
            Effect.gen(function* () {
              const bytes = yield* http.getBytes(ASSET, { params })
              assert.isTrue(Buffer.from(bytes).equals(asset))
              assert.strictEqual(seen.requests.length, 2)
              assert.deepStrictEqual((yield* stats.snapshot).retriesByCause, { truncated: 1 })
            })
          )
        })
      )
    )
  })

  describe("a body that trickles (a byte per 50 ms, under any idle timeout) is bounded", () => {
    const trickle = (res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json" })
      res.write("[")
      const timer = setInterval(() => res.write(" "), 50)
      res.on("close", () => clearInterval(timer))
    }

    it.live(
      "a JSON read by its timeout (the whole answer), a buffered download by downloadTimeout, a stream by its callTimeout",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* serve((_req, res) => trickle(res))
            yield* over(
              adapter,
              url,
              { timeout: "400 millis", downloadTimeout: "400 millis", maxRetries: 0 },
              ({ http }) =>
                Effect.gen(function* () {
                  const json = yield* Effect.flip(http.get("experiment/metrics/summary", Values))
                  assert.strictEqual(json._tag === "TransportError" && json.reason, "timeout")
                  assert.include(json.message, "no complete answer within 400ms")
                  const buffered = yield* Effect.flip(http.getBytes(ASSET, { params }))
                  assert.strictEqual(buffered._tag === "TransportError" && buffered.reason, "timeout")
                  assert.include(buffered.message, "downloadTimeoutMs")
                  let received = 0
                  const streamed = yield* Effect.flip(
                    Stream.runForEach(http.stream(ASSET, { params, callTimeout: "600 millis" }), (c) =>
                      Effect.sync(() => {
                        received += c.length
                      })
                    )
                  )
                  assert.strictEqual(streamed._tag === "TransportError" && streamed.reason, "deadline")
                  assert.include(streamed.message, "callTimeout")
                  assert.isAbove(received, 0)
                  yield* eventually(() => seen.closed >= 3, "every trickling connection closed")
                })
            )
          })
        )
    )
  })

  describe("a body the client does not read leaves nothing behind", () => {
    it.live("a Content-Encoding it cannot decode, and a 204: a typed answer, no uncaught error", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const uncaught: Array<unknown> = []
          const onUncaught = (e: unknown) => uncaught.push(e)
          yield* Effect.acquireRelease(
            Effect.sync(() => process.on("uncaughtException", onUncaught)),
            () => Effect.sync(() => process.off("uncaughtException", onUncaught))
          )
          const { url, seen } = yield* serve((req, res) => {
            if (req.url?.includes("empty") === true) {
              res.writeHead(204)
              return res.end()
            }
            res.writeHead(200, { "content-type": "application/json", "content-encoding": "zstdx" })
            // more than one read's worth, still coming when the client gives up on it
            res.write(VALUES_JSON)
            setTimeout(() => res.end(VALUES_JSON), 50)
          })
          yield* over(adapter, url, { maxRetries: 0 }, ({ http }) =>
            Effect.gen(function* () {
              const odd = yield* Effect.either(http.get("experiment/metrics/summary", Values))
              // undici refuses the coding; fetch passes it through undecoded (JSON, then more JSON: refused)
              assert.strictEqual(odd._tag, "Left")
              if (odd._tag === "Left") assert.include(["DecodeError", "TransportError"], odd.left._tag)
              // a 204 is not an asset: a typed error, its body (none) discarded
              const empty = yield* Effect.flip(http.getBytes(ASSET, { params: { ...params, which: "empty" } }))
              assert.strictEqual(empty._tag, "BadRequest")
              yield* Effect.sleep("100 millis")
              assert.deepStrictEqual(uncaught, [])
              assert.strictEqual(seen.requests.length, 2)
            })
          )
        })
      )
    )
  })

  describe("a body that is not the coding its Content-Encoding names is mislabelled, not cut short", () => {
    for (const coding of ["gzip", "br", "deflate"] as const) {
      it.live(
        `plain bytes labelled ${coding}: a DecodeError naming Content-Encoding, one attempt (JSON, buffered, streamed)`,
        () =>
          Effect.scoped(
            Effect.gen(function* () {
              // deflate's first byte decides zlib or raw: a byte no zlib or raw stream starts with
              const plain = coding === "deflate" ? Buffer.concat([Buffer.from([0xff]), VALUES_JSON]) : VALUES_JSON
              const { url, seen } = yield* serve((_req, res) => {
                res.writeHead(200, {
                  "content-type": "application/json",
                  "content-encoding": coding,
                  "content-length": String(plain.length)
                })
                res.end(plain)
              })
              yield* over(adapter, url, {}, ({ http, stats }) =>
                Effect.gen(function* () {
                  const errors = [
                    yield* Effect.flip(http.get("experiment/metrics/summary", Values)),
                    yield* Effect.flip(http.getBytes(ASSET, { params })),
                    yield* Effect.flip(Stream.runDrain(http.stream(ASSET, { params: { ...params, n: "2" } })))
                  ]
                  for (const e of errors) {
                    assert.strictEqual(e._tag, "DecodeError", e.message)
                    assert.include(e.message, "Content-Encoding")
                    assert.notInclude(e.message, "broke off")
                  }
                  // downloads over fetch are refused before reading (fetch would not check them)
                  assert.include(errors[0]?.message, `is not valid ${coding} though its Content-Encoding says so`)
                  if (adapter === "undici") {
                    for (const e of errors) assert.include(e.message, `is not valid ${coding}`)
                  }
                  assert.strictEqual(seen.requests.length, 3)
                  assert.strictEqual((yield* stats.snapshot).retries, 0)
                })
              )
            })
          )
      )
    }
  })

  describe("kind 3: interrupted downloads resume, every byte exactly once", () => {
    const SIZE = 8 * MiB
    const asset = assetBytes(SIZE, 3)
    const etag = '"v1-asset"'

    /** Serve the asset; `cut(n)` says where the n-th response breaks off (null: it does not). */
    const assetServer = (rangeSupport: boolean, cut: (n: number, start: number) => number | null) =>
      serve((req, res, n) => {
        let start = 0
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "")
        const ifRange = req.headers["if-range"]
        if (rangeSupport && range !== null && (ifRange === undefined || ifRange === etag)) {
          start = Number(range[1])
          res.writeHead(206, {
            etag,
            "content-length": String(SIZE - start),
            "content-range": `bytes ${start}-${SIZE - 1}/${SIZE}`
          })
        } else {
          res.writeHead(200, { etag, "content-length": String(SIZE), "accept-ranges": rangeSupport ? "bytes" : "none" })
        }
        const end = cut(n, start)
        if (end === null) return res.end(asset.subarray(start))
        // break off once these bytes are on their way (flushed to the socket), as a reset would
        res.write(asset.subarray(start, end), () => setTimeout(() => res.socket?.destroy(), 20))
      })

    it.live("cut in the middle: resumed with Range (206 from the offset), the stream delivers the asset whole", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url, seen } = yield* assetServer(true, (n) => (n === 1 ? 4 * MiB + 123 : null))
          yield* over(adapter, url, {}, ({ http, stats }) =>
            Effect.gen(function* () {
              const got = concat(yield* Stream.runCollect(http.stream(ASSET, { params })))
              assert.strictEqual(got.length, SIZE)
              assert.isTrue(got.equals(asset))
              assert.strictEqual(seen.requests.length, 2)
              assert.strictEqual(seen.requests[1]!.headers.range, `bytes=${4 * MiB + 123}-`)
              assert.strictEqual(seen.requests[1]!.headers["if-range"], etag)
              const s = yield* stats.snapshot
              assert.deepStrictEqual([s.requests, s.failures, s.inFlight], [1, 0, 0])
              assert.deepStrictEqual(s.retriesByCause, { truncated: 1 })
            })
          )
        })
      )
    )

    for (const answer of [200, 206] as const) {
      it.live(
        `a resume answered ${answer} with another version of the asset (its ETag changed) is refused, no foreign byte delivered`,
        () =>
          Effect.scoped(
            Effect.gen(function* () {
              const other = assetBytes(SIZE, 11)
              const cutAt = 2 * MiB + 5
              const { url, seen } = yield* serve((req, res, n) => {
                if (n === 1) {
                  res.writeHead(200, { etag, "content-length": String(SIZE), "accept-ranges": "bytes" })
                  res.write(asset.subarray(0, cutAt), () => setTimeout(() => res.socket?.destroy(), 20))
                  return
                }
                // a hostile server: ignores If-Range, and the asset is another one now
                const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0)
                if (answer === 206) {
                  res.writeHead(206, {
                    etag: '"v2-asset"',
                    "content-length": String(SIZE - start),
                    "content-range": `bytes ${start}-${SIZE - 1}/${SIZE}`
                  })
                  res.end(other.subarray(start))
                } else {
                  res.writeHead(200, { etag: 'W/"v2-asset"', "content-length": String(SIZE) })
                  res.end(other)
                }
              })
              yield* over(adapter, url, {}, ({ http }) =>
                Effect.gen(function* () {
                  const got: Array<Uint8Array> = []
                  const e = yield* Effect.flip(
                    Stream.runForEach(http.stream(ASSET, { params }), (c) => Effect.sync(() => got.push(c)))
                  )
                  assert.strictEqual(e._tag, "DecodeError")
                  assert.include(e.message, "the asset changed while it was downloaded")
                  assert.include(e.message, "v2-asset")
                  const delivered = Buffer.concat(got)
                  assert.isAtMost(delivered.length, cutAt)
                  assert.isTrue(delivered.equals(asset.subarray(0, delivered.length)))
                  assert.strictEqual(seen.requests.length, 2)
                })
              )
            })
          )
      )
    }

    it.live("a server without Range support: read again from the start, the delivered bytes skipped", () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url, seen } = yield* assetServer(false, (n) => (n === 1 ? 3 * MiB + 7 : null))
          yield* over(adapter, url, {}, ({ http }) =>
            Effect.gen(function* () {
              const got = concat(yield* Stream.runCollect(http.stream(ASSET, { params })))
              assert.isTrue(got.equals(asset))
              assert.strictEqual(seen.requests.length, 2)
            })
          )
        })
      )
    )

    it.live(
      "a download that keeps breaking further on completes past maxRetries resumes (each brought new bytes)",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* assetServer(true, (n, start) => (n <= 5 ? start + MiB : null))
            yield* over(adapter, url, { maxRetries: 1 }, ({ http }) =>
              Effect.gen(function* () {
                const d = yield* http.open(ASSET, { params })
                const chunks: Array<Uint8Array> = []
                while (true) {
                  const c = yield* Effect.promise(() => d.next())
                  if (c === null) break
                  chunks.push(c)
                }
                assert.isTrue(Buffer.concat(chunks).equals(asset))
                assert.strictEqual(seen.requests.length, 6)
                assert.strictEqual(d.length, SIZE)
              })
            )
          })
        )
    )

    it.live(
      "a resume that never brings a new byte fails with truncated within maxRetries; nothing is delivered twice",
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* assetServer(true, (_n, start) => start + (start === 0 ? 2 * MiB : 0))
            yield* over(adapter, url, { maxRetries: 2 }, ({ http, stats }) =>
              Effect.gen(function* () {
                let delivered = 0
                const e = yield* Effect.flip(
                  Stream.runForEach(http.stream(ASSET, { params }), (c) =>
                    Effect.sync(() => {
                      delivered += c.length
                    })
                  )
                )
                assert.strictEqual(delivered, 2 * MiB)
                assert.strictEqual(e._tag, "TransportError")
                if (e._tag === "TransportError") assert.strictEqual(e.reason, "truncated")
                // the first answer, then a resume and its 2 retries
                assert.strictEqual(seen.requests.length, 4)
                assert.strictEqual((yield* stats.snapshot).failures, 1)
              })
            )
          })
        )
    )
  })
})
