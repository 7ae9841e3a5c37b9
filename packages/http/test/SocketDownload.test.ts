/**
 * Downloads read from sockets of our own (socketBody.ts, the Node transport's path for
 * `encoding: "identity"` GETs not through a proxy), against real loopback servers: the path is
 * taken (one connection reused, the request's headers as the JSON calls send them), bodies
 * byte-exact in both framings, every truncation point an error, framing and header garbage
 * refused, TLS with a private CA, aborts, pooled connections the server closed, and a proxy
 * configured keeping undici.
 */
import { execFile } from "node:child_process"
import { createServer as createHttpServer } from "node:http"
import type { Socket } from "node:net"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Schema, Stream } from "effect"
import * as fc from "fast-check"
import {
  Aborter,
  NetworkFailure,
  type WireRequest,
  type WireResponse,
  type WireTransport
} from "../src/internal/transport.js"
import { type UndiciOptions, undiciTransport } from "../src/internal/transportUndici.js"
import { fullBacklog } from "./support/backlog.js"
import { CA_PEM, httpsServer, recordingProxy } from "./support/proxy.js"
import {
  abortedWhileResent,
  assetBytes,
  closingOnReuse,
  DIRECT,
  eventually,
  KEY,
  kernelBuffers,
  LOST_SECOND_CALLS,
  listening,
  over,
  READER_HOLDS,
  raw,
  secondCallLost,
  serve
} from "./support/sockets.js"

const ASSET = "experiment/asset/get-asset"
const params = { experimentKey: "e", assetId: "a" }
const SIX_MB = Buffer.from(assetBytes(6 * 1024 * 1024, 11))

/** The Node transport for the scope. */
const transport = (options: Partial<UndiciOptions> = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => undiciTransport({ ...DIRECT, ...options })),
    (t) => Effect.promise(() => t.close())
  )

/** A download request's answer (head only). */
const download = (
  t: WireTransport,
  url: string,
  signal = new Aborter().signal,
  encoding: WireRequest["encoding"] = "identity"
): Promise<WireResponse> =>
  t.send({ method: "GET", url, headers: { authorization: KEY }, body: undefined, encoding }, signal)

/** The whole body, or the error that ended it. */
const readAll = async (r: WireResponse): Promise<Buffer> => {
  const parts: Array<Uint8Array> = []
  for (let c = await r.body.read(); c !== null; c = await r.body.read()) parts.push(c)
  return Buffer.concat(parts)
}

/** The outcome of a download (or of a GET of undici's path, `any` encoding): its body, or the error of its head or body. */
const outcome = (t: WireTransport, url: string, encoding: WireRequest["encoding"] = "identity") =>
  Effect.promise(() =>
    download(t, url, new Aborter().signal, encoding).then(
      async (r) => {
        try {
          return { status: r.status, body: await readAll(r) }
        } catch (e) {
          return { error: e }
        }
      },
      (e: unknown) => ({ error: e })
    )
  )

const response = (status: string, headers: Record<string, string>, body: Uint8Array = new Uint8Array(0)): Buffer =>
  Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${status}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("")}\r\n`,
      "latin1"
    ),
    body
  ])

/** A body in chunked framing, in chunks of `size`. */
const chunkedOf = (body: Buffer, size: number): Buffer => {
  const parts: Array<Buffer> = []
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size)
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"))
  }
  parts.push(Buffer.from("0\r\n\r\n"))
  return Buffer.concat(parts)
}

/** A server answering every request with `answer.bytes` (as set last), then closing. */
const answeringLatest = Effect.suspend(() => {
  const answer = { bytes: Buffer.alloc(0) }
  return Effect.map(
    raw((socket) => {
      socket.end(answer.bytes)
    }),
    ({ url }) => ({ url, answer })
  )
})

/** Write header (or trailer) field lines (or `line`) on `socket` until it closes. */
const fieldsForever = (socket: Socket, line = `x-more: ${"b".repeat(1000)}\r\n`): void => {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer)
    else socket.write(line)
  }, 1)
  socket.on("close", () => clearInterval(timer))
}

/** Whether an outcome is a failure the error mapping reads as a network failure. */
const isNetworkFailure = (o: { readonly error?: unknown }): boolean => o.error instanceof NetworkFailure

describe("downloads take the socket path", () => {
  it.scopedLive("two downloads share one connection the JSON calls do not use, with the headers of today", () =>
    Effect.gen(function* () {
      const heads: Array<{ readonly connection: number; readonly head: string }> = []
      const sockets = new Map<Socket, number>()
      const { url, seen } = yield* raw((socket, _n, head, s) => {
        if (!sockets.has(socket)) sockets.set(socket, s.connections)
        heads.push({ connection: sockets.get(socket) as number, head })
        const json = head.includes("/asset/get-asset") ? SIX_MB.subarray(0, 1000) : Buffer.from('{"values":[1]}')
        socket.write(response("200 OK", { "content-length": String(json.length) }, json))
      })
      yield* over("undici", url, {}, ({ http }) =>
        Effect.gen(function* () {
          yield* http.get("experiment/metrics/summary", Schema.Struct({ values: Schema.Array(Schema.Number) }))
          for (let i = 0; i < 2; i++) {
            const chunks = yield* Stream.runCollect(http.stream(ASSET, { params }))
            assert.deepStrictEqual(Buffer.concat([...chunks]), SIX_MB.subarray(0, 1000))
          }
        })
      )
      assert.strictEqual(seen.requests, 3)
      const [json, first, second] = heads
      const downloads = [first, second].map((h) => h?.connection)
      assert.strictEqual(downloads[0], downloads[1], "both downloads on one connection")
      assert.notStrictEqual(json?.connection, downloads[0], "the JSON call went through undici")
      const headerOf = (head: string, name: string) =>
        new RegExp(`\r\n${name}: ([^\r\n]*)`, "i").exec(head)?.[1] ?? null
      for (const h of [first, second]) {
        const head = h?.head ?? ""
        assert.match(head, /^GET \/api\/rest\/v2\/experiment\/asset\/get-asset\?/)
        assert.strictEqual(headerOf(head, "authorization"), KEY)
        assert.strictEqual(headerOf(head, "accept-encoding"), "identity")
        assert.strictEqual(headerOf(head, "user-agent"), headerOf(json?.head ?? "", "user-agent"))
        assert.match(headerOf(head, "user-agent") ?? "", /^comet-ts\//)
        assert.strictEqual(headerOf(head, "host"), new URL(url).host)
      }
    })
  )

  it.scopedLive("a proxy configured for the URL keeps the download on undici: the proxy sees it", () =>
    Effect.gen(function* () {
      const server = yield* serve((_req, res) => {
        res.setHeader("content-length", "5")
        res.end("hello")
      })
      const proxy = yield* recordingProxy()
      const t = yield* transport({ httpProxy: proxy.url })
      const o = yield* outcome(t, `${server.url}/file`)
      assert.deepStrictEqual(o, { status: 200, body: Buffer.from("hello") })
      assert.deepStrictEqual(proxy.seen.lines, [`GET ${server.url}/file`])
    })
  )
})

describe("bodies, byte-exact", () => {
  it.scopedLive("6 MB with Content-Length and chunked, through node:http", () =>
    Effect.gen(function* () {
      const { url } = yield* serve((req, res) => {
        if (req.url === "/length") res.setHeader("content-length", String(SIX_MB.length))
        for (let i = 0; i < SIX_MB.length; i += 100_000) res.write(SIX_MB.subarray(i, i + 100_000))
        res.end()
      })
      const t = yield* transport()
      for (const path of ["/length", "/chunked", "/length"]) {
        const o = yield* outcome(t, `${url}${path}`)
        assert.strictEqual("body" in o && Buffer.compare(o.body, SIX_MB), 0, path)
      }
    })
  )

  it.scopedLive("a reader that pauses: reading stops past the high-water mark and resumes, byte-exact", () =>
    Effect.gen(function* () {
      // larger than the kernel's loopback buffers could ever hold plus what our reader holds:
      // only a reader that buffers without limit lets the server write it all unread
      const BIG = Buffer.from(assetBytes(kernelBuffers() + READER_HOLDS + 8 * 1024 * 1024, 11))
      const { url, seen } = yield* serve((_req, res) => {
        res.setHeader("content-length", String(BIG.length))
        // written as the socket takes it (seen.written counts what was handed over)
        let at = 0
        const more = () => {
          while (at < BIG.length) {
            const piece = BIG.subarray(at, at + 65_536)
            at += piece.length
            if (!res.write(piece)) return void res.once("drain", more)
          }
          res.end()
        }
        more()
      })
      const t = yield* transport()
      const r = yield* Effect.promise(() => download(t, `${url}/a`))
      const first = yield* Effect.promise(() => r.body.read())
      // the server is held back while nobody reads: it has not managed to write it all
      yield* Effect.sleep("100 millis")
      assert.isBelow(seen.written, BIG.length)
      const rest = yield* Effect.promise(() => readAll(r))
      assert.strictEqual(Buffer.compare(Buffer.concat([first ?? new Uint8Array(0), rest]), BIG), 0)
    })
  )

  it.scopedLive("1xx answers are skipped; a 404's body is read; Connection: close is not reused", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw((socket, n) => {
        if (n === 1)
          socket.write(
            Buffer.concat([
              Buffer.from("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n"),
              response("200 OK", { "content-length": "2", "x-a": "1", "X-A": "2" }, Buffer.from("ok"))
            ])
          )
        else
          socket.write(
            response("404 Not Found", { "content-length": "7", connection: "close" }, Buffer.from("missing"))
          )
      })
      const t = yield* transport()
      const first = yield* Effect.promise(() => download(t, `${url}/a`))
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.headers["x-a"], "1, 2")
      assert.deepStrictEqual(yield* Effect.promise(() => readAll(first)), Buffer.from("ok"))
      assert.deepStrictEqual(yield* outcome(t, `${url}/b`), { status: 404, body: Buffer.from("missing") })
      assert.deepStrictEqual(yield* outcome(t, `${url}/c`), { status: 404, body: Buffer.from("missing") })
      assert.strictEqual(seen.connections, 2)
    })
  )

  // a hostile server sends a body after a 1xx answer and keeps the connection open: the bytes
  // where a status line must begin say so at once (as undici's parser does), never a wait for
  // a head end or the download timeout (before: the test's own timeout, nothing came)
  const interimBodies: ReadonlyArray<readonly [string, string, string]> = [
    [
      "100 Continue with a Content-Length body",
      "HTTP/1.1 100 Continue\r\ncontent-length: 5\r\n\r\nhello",
      '100 informational answer (a 1xx answer has no body, RFC 9110 §15.2): "hello"'
    ],
    [
      "102 Processing, then JSON",
      'HTTP/1.1 102 Processing\r\n\r\n{"a":1}',
      '102 informational answer (a 1xx answer has no body, RFC 9110 §15.2): "{\\"a\\":1}"'
    ],
    [
      "103 Early Hints, then one byte",
      "HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nx",
      '103 informational answer (a 1xx answer has no body, RFC 9110 §15.2): "x"'
    ],
    ["no status line at all, no line end", "hello", 'bad status line "hello"']
  ]
  for (const [what, bytes, says] of interimBodies) {
    it.scopedLive(`${what}, the connection kept open: a network failure at once naming it`, () =>
      Effect.gen(function* () {
        const { url } = yield* raw((socket) => {
          socket.write(bytes)
        })
        const t = yield* transport()
        const o = yield* outcome(t, `${url}/x`)
        assert.isTrue(isNetworkFailure(o), JSON.stringify(o))
        assert.include((o as { error: Error }).error.message, says)
      })
    )
  }

  it.scopedLive("a download whose server sends a body after a 1xx answer fails at once, not at downloadTimeout", () =>
    Effect.gen(function* () {
      const { url } = yield* raw((socket) => {
        socket.write('HTTP/1.1 103 Early Hints\r\n\r\n{"a":1}')
      })
      yield* over("undici", url, { maxRetries: 0, downloadTimeout: "10 minutes" }, ({ http, stats }) =>
        Effect.gen(function* () {
          const e = yield* Effect.flip(Stream.runDrain(http.stream(ASSET, { params })))
          assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
          assert.include(e.message, "a body after the 103 informational answer")
          assert.deepStrictEqual([(yield* stats.snapshot).attempts, (yield* stats.snapshot).failures], [1, 1])
        })
      )
    })
  )

  it.scopedLive("a body compressed although identity was asked is decoded strictly", () =>
    Effect.gen(function* () {
      const zipped = gzipSync(SIX_MB.subarray(0, 200_000))
      const { url } = yield* raw((socket, _n, head) => {
        const body = head.includes("/cut") ? zipped.subarray(0, zipped.length - 100) : zipped
        socket.write(response("200 OK", { "content-length": String(body.length), "content-encoding": "gzip" }, body))
      })
      const t = yield* transport()
      const whole = yield* outcome(t, `${url}/whole`)
      assert.deepStrictEqual(whole, { status: 200, body: SIX_MB.subarray(0, 200_000) })
      const r = yield* Effect.promise(() => download(t, `${url}/whole`))
      assert.strictEqual(r.identityIgnored, false)
      assert.strictEqual(r.decodedUnchecked, false)
      r.body.cancel()
      const cut = yield* outcome(t, `${url}/cut`)
      assert.isTrue("error" in cut, "a truncated gzip stream is an error")
    })
  )
})

describe("hostile framing", () => {
  /** Servers that answer each request with `bytes` then close (FIN, not a reset). */
  const answering = (bytes: Buffer) =>
    raw((socket) => {
      socket.end(bytes)
    })

  const cases: ReadonlyArray<readonly [string, string]> = [
    ["a bad status line", "HTTP/1.1 2OO OK\r\ncontent-length: 2\r\n\r\nok"],
    ["not HTTP", "SSH-2.0-OpenSSH_9.6\r\n\r\n"],
    ["obs-fold", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nx-a: 1\r\n  folded\r\n\r\nok"],
    ["a header without a name", "HTTP/1.1 200 OK\r\n: 2\r\n\r\nok"],
    [
      "Content-Length with Transfer-Encoding",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
    ],
    ["a negative Content-Length", "HTTP/1.1 200 OK\r\ncontent-length: -2\r\n\r\nok"],
    ["conflicting Content-Lengths", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok"],
    ["an unknown Transfer-Encoding", "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nok"],
    ["a chunk size that is not hex", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"],
    [
      "a chunk size too large",
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nfffffffffffffffff\r\nok\r\n0\r\n\r\n"
    ],
    ["a chunk without its CRLF", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n"],
    ["a 101 to a GET", "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n"]
  ]
  for (const [what, bytes] of cases) {
    it.scopedLive(`${what}: a network failure, never a body`, () =>
      Effect.gen(function* () {
        const { url } = yield* answering(Buffer.from(bytes, "latin1"))
        const t = yield* transport()
        const o = yield* outcome(t, `${url}/x`)
        assert.isTrue(isNetworkFailure(o), `${what}: ${JSON.stringify(o)}`)
      })
    )
  }

  it.scopedLive("a duplicated equal Content-Length is accepted", () =>
    Effect.gen(function* () {
      const { url } = yield* answering(Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 2, 2\r\n\r\nok"))
      const t = yield* transport()
      assert.deepStrictEqual(yield* outcome(t, `${url}/x`), { status: 200, body: Buffer.from("ok") })
    })
  )

  it.scopedLive("a head over 16 KiB is refused, also one that never ends (not buffered without bound)", () =>
    Effect.gen(function* () {
      const big = `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(17 * 1024)}\r\ncontent-length: 2\r\n\r\nok`
      const { url } = yield* raw((socket, _n, head) => {
        if (head.includes("/big")) socket.end(big)
        else {
          // header lines forever
          socket.write("HTTP/1.1 200 OK\r\n")
          fieldsForever(socket)
        }
      })
      const t = yield* transport()
      for (const path of ["/big", "/endless"]) {
        const o = yield* outcome(t, `${url}${path}`)
        assert.isTrue(isNetworkFailure(o), path)
        assert.match(String((o as { error: Error }).error.message), /larger than 16384 bytes/)
      }
    })
  )

  it.scopedLive("truncated at any point of either framing: an error, never a shorter body", () =>
    Effect.gen(function* () {
      const body = SIX_MB.subarray(0, 3000)
      // each answer closes its connection, and says so: no request meets a connection closing
      const framed = {
        length: response("200 OK", { connection: "close", "content-length": String(body.length) }, body),
        chunked: response("200 OK", { connection: "close", "transfer-encoding": "chunked" }, chunkedOf(body, 1000))
      }
      let cut = 0
      let framing: keyof typeof framed = "length"
      const { url } = yield* raw((socket) => {
        socket.end(framed[framing].subarray(0, cut))
      })
      const t = yield* transport()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom<keyof typeof framed>("length", "chunked"),
            fc.nat(framed.chunked.length + 10),
            async (f, at) => {
              framing = f
              cut = at
              const o = await Effect.runPromise(outcome(t, `${url}/x`))
              if (at >= framed[f].length) return "body" in o && Buffer.compare(o.body, body) === 0
              return isNetworkFailure(o)
            }
          ),
          { numRuns: 150 }
        )
      )
    })
  )

  it.scopedLive("garbage after a status line: a response or a network failure, never another error", () =>
    Effect.gen(function* () {
      const { url, answer } = yield* answeringLatest
      const t = yield* transport()
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.constantFrom("", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"),
            fc.uint8Array({ maxLength: 300 }),
            async (prefix, tail) => {
              answer.bytes = Buffer.concat([Buffer.from(prefix, "latin1"), tail])
              const o = await Effect.runPromise(outcome(t, `${url}/x`))
              return "body" in o || isNetworkFailure(o)
            }
          ),
          { numRuns: 150 }
        )
      )
    })
  )

  it.scopedLive("bytes after the framed end close the connection instead of reaching the next request", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw((socket) => {
        socket.write(
          Buffer.concat([response("200 OK", { "content-length": "2" }, Buffer.from("ok")), Buffer.from("JUNK")])
        )
      })
      const t = yield* transport()
      assert.deepStrictEqual(yield* outcome(t, `${url}/a`), { status: 200, body: Buffer.from("ok") })
      assert.deepStrictEqual(yield* outcome(t, `${url}/b`), { status: 200, body: Buffer.from("ok") })
      assert.strictEqual(seen.connections, 2)
    })
  )
})

describe("the same verdicts as undici's parser (the path before, still the proxied one)", () => {
  const H = "HTTP/1.1 200 OK\r\n"
  const TE = `${H}transfer-encoding: chunked\r\n\r\n`
  /** Bytes both paths read as the body "ok". */
  const accepted: ReadonlyArray<readonly [string, string]> = [
    ["a status line without a reason", "HTTP/1.1 200\r\ncontent-length: 2\r\n\r\nok"],
    ["HTTP/1.0 read to the close", "HTTP/1.0 200 OK\r\n\r\nok"],
    ["status 600", "HTTP/1.1 600 Odd\r\ncontent-length: 2\r\n\r\nok"],
    ["an empty line before the status line", `\r\n${H}content-length: 2\r\n\r\nok`],
    ["8-bit bytes in a header value", `${H}x-a: \xff\xe9\r\ncontent-length: 2\r\n\r\nok`],
    ["Content-Length with leading zeros", `${H}content-length: 0000000000000002\r\n\r\nok`],
    ["Content-Length with spaces around", `${H}content-length:  2  \r\n\r\nok`],
    ["Transfer-Encoding: identity, read to the close", `${H}transfer-encoding: identity\r\n\r\nok`],
    ["Transfer-Encoding in mixed case", `${H}transfer-encoding: ChUnKeD\r\n\r\n2\r\nok\r\n0\r\n\r\n`],
    ["a chunk size with leading zeros (13+ digits)", `${TE}00000000000000002\r\nok\r\n0\r\n\r\n`],
    ["chunk extensions, quoted", `${TE}2;a="x;y\\"z";b=c\r\nok\r\n0;last\r\n\r\n`],
    ["trailer fields", `${TE}2\r\nok\r\n0\r\nx-t: 1\r\n\r\n`],
    ["an 1xx answer first", `HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n${H}content-length: 2\r\n\r\nok`],
    [
      "an 1xx answer declaring a Content-Length, but no body (a 1xx has none)",
      `HTTP/1.1 103 Early Hints\r\ncontent-length: 5\r\n\r\n${H}content-length: 2\r\n\r\nok`
    ]
  ]
  /** Bytes both paths refuse. */
  const refused: ReadonlyArray<readonly [string, string]> = [
    ["HTTP/2 in the status line", "HTTP/2 200 OK\r\ncontent-length: 2\r\n\r\nok"],
    ["a lower-case protocol name", "http/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"],
    ["two spaces before the status", "HTTP/1.1  200 OK\r\ncontent-length: 2\r\n\r\nok"],
    ["status 099", "HTTP/1.1 099 OK\r\ncontent-length: 2\r\n\r\nok"],
    ["a four-digit status", "HTTP/1.1 2000 OK\r\ncontent-length: 2\r\n\r\nok"],
    ["a control byte in a header value", `${H}x-a: a\x01b\r\ncontent-length: 2\r\n\r\nok`],
    ["DEL in a header value", `${H}x-a: a\x7fb\r\ncontent-length: 2\r\n\r\nok`],
    ["whitespace before the colon", `${H}content-length : 2\r\n\r\nok`],
    ["a non-token byte in a header name", `${H}x-\xe9: 1\r\ncontent-length: 2\r\n\r\nok`],
    ["Content-Length +2", `${H}content-length: +2\r\n\r\nok`],
    ["Content-Length 0x2", `${H}content-length: 0x2\r\n\r\nok`],
    ["Content-Length 2,3", `${H}content-length: 2,3\r\n\r\nok`],
    ["Content-Length followed by NBSP", `${H}content-length: 2\xa0\r\n\r\nok`],
    ["Content-Length beyond 2^53", `${H}content-length: 9007199254740993\r\n\r\nok`],
    ["an empty Content-Length", `${H}content-length: \r\n\r\nok`],
    ["a chunk size with a space after it", `${TE}2 \r\nok\r\n0\r\n\r\n`],
    ["a chunk extension without a name", `${TE}2;\r\nok\r\n0\r\n\r\n`],
    ["a control byte in a chunk extension", `${TE}2;a=\x01\r\nok\r\n0\r\n\r\n`],
    ["a quoted chunk extension holding a CRLF", `${TE}2;a="x\r\ny"\r\nok\r\n0\r\n\r\n`],
    ["a trailer line that is not a field", `${TE}2\r\nok\r\n0\r\nnot a field\r\n\r\n`],
    ["LF line endings in the head", "HTTP/1.1 200 OK\ncontent-length: 2\n\nok"],
    ["a CR alone in the head", "HTTP/1.1 200 OK\rcontent-length: 2\r\n\r\nok"],
    ["a body after an 1xx answer", 'HTTP/1.1 102 Processing\r\n\r\n{"a":1}'],
    ["an 1xx answer with its Content-Length body", "HTTP/1.1 103 Early Hints\r\ncontent-length: 5\r\n\r\nhello"],
    ["bytes that are no status line, without a line end", "hello"]
  ]

  /** A server answering `bytes` and keeping the connection open (a refusal must not wait for a close). */
  const keepingOpen = (bytes: string) =>
    raw((socket) => {
      socket.write(Buffer.from(bytes, "latin1"))
    })

  for (const [what, bytes] of accepted) {
    it.scopedLive(`accepted: ${what}`, () =>
      Effect.gen(function* () {
        const { url } = yield* raw((socket) => {
          socket.end(Buffer.from(bytes, "latin1"))
        })
        const t = yield* transport()
        const o = yield* outcome(t, `${url}/x`)
        assert.deepStrictEqual(o, yield* outcome(t, `${url}/y`, "any"))
        assert.deepStrictEqual("body" in o && o.body.toString(), "ok", what)
      })
    )
  }
  for (const [what, bytes] of refused) {
    it.scopedLive(`refused, the connection still open: ${what}`, () =>
      Effect.gen(function* () {
        const { url } = yield* keepingOpen(bytes)
        const t = yield* transport()
        assert.isTrue(isNetworkFailure(yield* outcome(t, `${url}/x`)), what)
        // undici's verdict, over a connection closed after the bytes (it waits for a body of
        // 2^53 bytes as long as the connection is open; its body fails with its own errors)
        const closing = yield* raw((socket) => {
          socket.end(Buffer.from(bytes, "latin1"))
        })
        assert.isTrue("error" in (yield* outcome(t, `${closing.url}/y`, "any")), `${what} (undici)`)
      })
    )
  }

  it.scopedLive("a chunk size in any spelling (leading zeros, case, extensions): the body byte-exact", () =>
    Effect.gen(function* () {
      const { url, answer } = yield* answeringLatest
      const t = yield* transport()
      const token = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,8}$/)
      const ext = fc
        .tuple(
          token,
          fc.option(
            fc.oneof(
              token,
              token.map((v) => `"${v};\\"x"`)
            )
          )
        )
        .map(([n, v]) => `;${n}${v === null ? "" : `=${v}`}`)
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.nat(20), fc.boolean(), fc.array(ext, { maxLength: 2 })),
              {
                maxLength: 4
              }
            ),
            async (chunks) => {
              const body = SIX_MB.subarray(
                0,
                chunks.reduce((n, [size]) => n + size, 0)
              )
              let at = 0
              const parts: Array<Buffer> = [response("200 OK", { connection: "close", "transfer-encoding": "chunked" })]
              for (const [size, zeros, upper, exts] of chunks) {
                const hex = size.toString(16)
                const line = `${"0".repeat(zeros)}${upper ? hex.toUpperCase() : hex}${exts.join("")}\r\n`
                parts.push(Buffer.from(line, "latin1"), body.subarray(at, at + size), Buffer.from("\r\n"))
                at += size
              }
              parts.push(Buffer.from("0\r\n\r\n"))
              answer.bytes = Buffer.concat(parts)
              const o = await Effect.runPromise(outcome(t, `${url}/x`))
              return "body" in o && Buffer.compare(o.body, body) === 0
            }
          ),
          { numRuns: 100 }
        )
      )
    })
  )

  // llhttp (undici) skips every CR and LF byte before a status line, one by one: a CRLF split
  // across TCP writes, or a lone LF, is no "bad status line" (before: refused as `"\r"`)
  for (const [what, before] of [
    ["a CRLF", "\r\n"],
    ["two CRLFs", "\r\n\r\n"],
    ["a lone LF", "\n"],
    ["a lone CR", "\r"],
    ["LF CR LF", "\n\r\n"]
  ] as const) {
    for (const bytewise of [false, true]) {
      it.scopedLive(
        `${what} before the status line${bytewise ? ", written byte by byte" : ""}: skipped, the body byte-exact`,
        () =>
          Effect.gen(function* () {
            const bytes = Buffer.concat([
              Buffer.from(before),
              response("200 OK", { "content-length": "2" }, Buffer.from("ok"))
            ])
            const { url } = yield* raw((socket) => {
              if (!bytewise) return void socket.write(bytes)
              let i = 0
              const next = (): void => {
                if (i < bytes.length) socket.write(bytes.subarray(i, ++i), () => setTimeout(next, 1))
              }
              next()
            })
            const t = yield* transport()
            assert.deepStrictEqual(yield* outcome(t, `${url}/x`), { status: 200, body: Buffer.from("ok") })
          })
      )
    }
  }

  it.scopedLive("endless empty lines before a status line are refused past 16 KiB, not skipped for ever", () =>
    Effect.gen(function* () {
      const { url } = yield* raw((socket) => fieldsForever(socket, "\r\n".repeat(500)))
      const t = yield* transport()
      const o = yield* outcome(t, `${url}/x`)
      assert.isTrue(isNetworkFailure(o))
      assert.match(String((o as { error: Error }).error.message), /larger than 16384 bytes/)
    })
  )

  it.scopedLive("an endless trailer is refused past 16 KiB, not read for ever", () =>
    Effect.gen(function* () {
      const { url } = yield* raw((socket) => {
        socket.write(response("200 OK", { "transfer-encoding": "chunked" }, Buffer.from("2\r\nok\r\n0\r\n")))
        fieldsForever(socket)
      })
      const t = yield* transport()
      const o = yield* outcome(t, `${url}/x`)
      assert.isTrue(isNetworkFailure(o))
      assert.match(String((o as { error: Error }).error.message), /larger than 16384 bytes/)
    })
  )
})

describe("the API key a hostile server echoes", () => {
  /** Every 8-character piece of the key, as written and in base64 (any alignment), lower-cased. */
  const pieces = (() => {
    const forms = [KEY, encodeURIComponent(KEY)]
    for (let pad = 0; pad < 3; pad++)
      forms.push(
        Buffer.from(`${"\0".repeat(pad)}${KEY}`)
          .toString("base64")
          .slice(4)
      )
    const out = new Set<string>()
    for (const f of forms) for (let i = 0; i + 8 <= f.length; i++) out.add(f.slice(i, i + 8).toLowerCase())
    return [...out]
  })()
  const b64 = Buffer.from(KEY).toString("base64")
  /** Where the echo goes: a status line, a header line, a header value, a chunk-size line; `pad` shifts it. */
  const placements: Record<string, (pad: string, echo: string) => string> = {
    "status line": (pad, echo) => `HTTP/1.1 2x0 ${pad}${echo}\r\ncontent-length: 2\r\n\r\nok`,
    "header line": (pad, echo) => `HTTP/1.1 200 OK\r\n${pad}${echo}\r\ncontent-length: 2\r\n\r\nok`,
    "header name": (pad, echo) => `HTTP/1.1 200 OK\r\n${pad}${echo} : x\r\ncontent-length: 2\r\n\r\nok`,
    "Content-Length value": (pad, echo) => `HTTP/1.1 200 OK\r\ncontent-length: ${pad}${echo}\r\n\r\nok`,
    "Transfer-Encoding value": (pad, echo) => `HTTP/1.1 200 OK\r\ntransfer-encoding: ${pad}${echo}\r\n\r\nok`,
    "chunk-size line": (pad, echo) =>
      `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\nz${pad}${echo}\r\n0\r\n\r\n`,
    "Content-Encoding value": (pad, echo) =>
      `HTTP/1.1 200 OK\r\ncontent-encoding: gzip, x${pad}${echo}\r\ncontent-length: 2\r\n\r\nok`,
    "redirect Location": (pad, echo) =>
      `HTTP/1.1 302 Found\r\nlocation: http://x${pad}${echo}.invalid/${echo}\r\ncontent-length: 0\r\n\r\n`,
    "Retry-After of a 503": (pad, echo) =>
      `HTTP/1.1 503 Busy\r\nretry-after: ${pad}${echo}\r\ncontent-length: 2\r\n\r\nok`,
    "error status with a body": (pad, echo) =>
      `HTTP/1.1 400 Bad\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"msg":"${pad}${echo}"}`,
    "trailer line": (pad, echo) =>
      `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n${pad}${echo}\r\n\r\n`
  }

  it.scopedLive("no piece of it (8+ characters, raw, percent-encoded, base64) in any failure of a download", () =>
    Effect.gen(function* () {
      let bytes = ""
      const { url } = yield* raw((socket, _n, head) => {
        const auth = /\r\nauthorization: ([^\r\n]*)/i.exec(head)?.[1] ?? ""
        socket.end(Buffer.from(bytes.replaceAll("{KEY}", auth).replaceAll("{B64}", b64), "latin1"))
      })
      yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
        Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.constantFrom(...Object.keys(placements)),
              fc.nat(90),
              fc.constantFrom("{KEY}", "{B64}", "Bearer {KEY}"),
              async (where, pad, echo) => {
                bytes = (placements[where] as (pad: string, echo: string) => string)("a".repeat(pad), echo)
                const exit = await Effect.runPromiseExit(Stream.runCollect(http.stream(ASSET, { params })))
                if (exit._tag === "Success") return true
                const error = exit.cause
                const text = [String(error), JSON.stringify(error), Cause.pretty(error)].join("\n").toLowerCase()
                const leaked = pieces.find((p) => text.includes(p))
                if (leaked !== undefined) throw new Error(`${where}: "${leaked}" in ${text.slice(0, 600)}`)
                return true
              }
            ),
            { numRuns: 300 }
          )
        )
      )
    })
  )

  it.scopedLive("a cut piece of it in a JSON answer (Content-Type, Comet's msg, the body excerpt) is not shown", () =>
    Effect.gen(function* () {
      const cut = KEY.slice(3, 15)
      const answers = [
        `HTTP/1.1 200 OK\r\ncontent-type: text/${cut}\r\ncontent-length: 2\r\n\r\nok`,
        `HTTP/1.1 400 Bad\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"msg":"bad ${cut}"}`,
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"values":["${cut}"]}`
      ]
      let n = 0
      const { url } = yield* raw((socket) => {
        socket.end(answers[n++ % answers.length] ?? "")
      })
      yield* over("undici", url, { maxRetries: 0 }, ({ http }) =>
        Effect.gen(function* () {
          for (let i = 0; i < answers.length; i++) {
            const exit = yield* Effect.exit(
              http.get("experiment/metrics/summary", Schema.Struct({ values: Schema.Array(Schema.Number) }))
            )
            assert.strictEqual(exit._tag, "Failure")
            if (exit._tag === "Failure") {
              const text = [String(exit.cause), Cause.pretty(exit.cause)].join("\n").toLowerCase()
              assert.isUndefined(
                pieces.find((p) => text.includes(p)),
                text.slice(0, 400)
              )
            }
          }
        })
      )
    })
  )
})

describe("memory a caller pins by keeping chunks", () => {
  /** Run test/support/keptChunks.ts in a child with `--expose-gc`: what it measured. */
  const measure = (load: "drip" | "small") =>
    Effect.promise(
      () =>
        new Promise<{ readonly socket: number; readonly undici: number; readonly kept: number }>((resolve, reject) => {
          execFile(
            process.execPath,
            [
              "--expose-gc",
              "--import",
              "tsx",
              fileURLToPath(new URL("./support/keptChunks.ts", import.meta.url)),
              load
            ],
            { cwd: fileURLToPath(new URL("..", import.meta.url)) },
            (error, stdout) => (error === null ? resolve(JSON.parse(stdout)) : reject(error))
          )
        })
    )

  it.scopedLive("every chunk is a Buffer, short reads copied out included (as undici's chunks were)", () =>
    Effect.gen(function* () {
      const { url } = yield* raw((socket) => {
        socket.write(response("200 OK", { "content-length": String(2 + SIX_MB.length) }))
        socket.write("ab", () => setTimeout(() => socket.write(SIX_MB), 5))
      })
      const t = yield* transport()
      const r = yield* Effect.promise(() => download(t, `${url}/x`))
      const chunks: Array<Uint8Array> = []
      for (
        let c = yield* Effect.promise(() => r.body.read());
        c !== null;
        c = yield* Effect.promise(() => r.body.read())
      )
        chunks.push(c)
      assert.deepStrictEqual(Buffer.concat(chunks), Buffer.concat([Buffer.from("ab"), SIX_MB]))
      assert.isAbove(chunks.length, 2)
      assert.deepStrictEqual(
        chunks.filter((c) => !Buffer.isBuffer(c)).map((c) => c.length),
        []
      )
    })
  )

  for (const load of ["drip", "small"] as const) {
    it.live(
      `${load === "drip" ? "a body a byte per read" : "200 small answers, a connection each"}: about what undici's reads pinned, never a slab per read or per connection`,
      () =>
        Effect.gen(function* () {
          const m = yield* measure(load)
          assert.strictEqual(m.kept, load === "drip" ? 2000 : 20_000)
          // before: 1 MiB (drip) or 64 KiB per connection (13 MB) pinned by the bytes kept
          assert.isAtMost(m.socket, 2 * m.undici + 128 * 1024, JSON.stringify(m))
        }),
      60_000
    )
  }
})

describe("connections", () => {
  it.scopedLive("an idle pooled connection the server closed: the next download opens another", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw((socket) => {
        socket.write(response("200 OK", { "content-length": "2" }, Buffer.from("ok")), () => {
          setTimeout(() => socket.end(), 20)
        })
      })
      const t = yield* transport()
      assert.deepStrictEqual(yield* outcome(t, `${url}/a`), { status: 200, body: Buffer.from("ok") })
      yield* eventually(() => seen.closed === 1, "the server closed the idle connection")
      assert.deepStrictEqual(yield* outcome(t, `${url}/b`), { status: 200, body: Buffer.from("ok") })
      assert.strictEqual(seen.connections, 2)
    })
  )

  it.scopedLive(
    "a server closing right after each answer, without saying so: no download is sent on the closed connection",
    () =>
      Effect.gen(function* () {
        const { url, seen } = yield* raw((socket) => {
          socket.end(response("200 OK", { "content-length": "10" }, Buffer.from("0123456789")))
        })
        const t = yield* transport()
        const outcomes = []
        // one after another at once, as a caller's loop makes them (no retries at this level)
        for (let i = 0; i < 20; i++) outcomes.push(yield* outcome(t, `${url}/${i}`))
        assert.deepStrictEqual(
          outcomes.filter((o) => !("body" in o) || o.body.toString() !== "0123456789"),
          []
        )
        assert.strictEqual(seen.requests, 20)
      })
  )

  for (const how of ["close", "reset"] as const) {
    it.scopedLive(
      `a pooled connection the server ${how}s as the next download arrives: sent once more on a new connection, maxRetries 0 still succeeds`,
      () =>
        Effect.gen(function* () {
          const { url, seen } = yield* closingOnReuse(
            () => response("200 OK", { "content-length": "2" }, Buffer.from("ok")),
            how
          )
          yield* over("undici", url, { maxRetries: 0 }, ({ http, stats }) =>
            Effect.gen(function* () {
              for (const i of [1, 2, 3]) {
                const bytes = yield* http.getBytes(ASSET, { params: { ...params, i } })
                assert.strictEqual(Buffer.from(bytes).toString(), "ok")
              }
              const s = yield* stats.snapshot
              // 1 on connection 1; 2 closed under it there, sent again on a new one (2), kept;
              // 3 closed under it on 2, sent again on 3
              assert.deepStrictEqual([seen.connections, seen.requests], [3, 5])
              assert.deepStrictEqual([s.requests, s.attempts, s.retries, s.resent, s.failures], [3, 5, 0, 2, 0])
            })
          )
        })
    )
  }

  for (const c of LOST_SECOND_CALLS) {
    it.scopedLive(c.title, () =>
      Effect.gen(function* () {
        const lost = yield* secondCallLost(
          () => response("200 OK", { "content-length": "2" }, Buffer.from("ok")),
          c.how,
          c.freshToo,
          (http, i) => http.getBytes(ASSET, { params: { ...params, i } })
        )
        assert.strictEqual(lost.error._tag, "TransportError")
        if (lost.error._tag === "TransportError") assert.strictEqual(lost.error.reason, "network")
        assert.deepStrictEqual(lost.seen, [...c.seen])
        const s = lost.stats
        assert.deepStrictEqual([s.attempts, s.retries, s.resent, s.failures], [2 + c.resent, 0, c.resent, 1])
      })
    )
  }

  it.scopedLive("aborted while sent once more: rejects with the reason, nothing sent after", () =>
    Effect.gen(function* () {
      const r = yield* abortedWhileResent(response("200 OK", { "content-length": "2" }, Buffer.from("ok")), "identity")
      assert.strictEqual(r.first.toString(), "ok")
      assert.strictEqual(r.rejected, r.reason)
      assert.deepStrictEqual(r.counts, [2, 3, 1])
    })
  )

  it.scopedLive("a request not marked replayable is not sent twice: the loss is its failure", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* closingOnReuse(
        () => response("200 OK", { "content-length": "2" }, Buffer.from("ok")),
        "close"
      )
      const t = yield* transport()
      const request: WireRequest = {
        method: "GET",
        url: `${url}/a`,
        headers: { authorization: KEY },
        body: undefined,
        encoding: "identity"
      }
      assert.deepStrictEqual(yield* outcome(t, `${url}/a`), { status: 200, body: Buffer.from("ok") })
      const error = yield* Effect.promise(() =>
        t.send(request, new Aborter().signal).then(
          () => null,
          (e: unknown) => e
        )
      )
      assert.instanceOf(error, NetworkFailure)
      assert.deepStrictEqual([seen.connections, seen.requests], [1, 2])
    })
  )

  it.scopedLive("abort mid-body: the read rejects with the reason and the connection is closed", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw((socket) => {
        socket.write(response("200 OK", { "content-length": String(SIX_MB.length) }, SIX_MB.subarray(0, 100_000)))
      })
      const t = yield* transport()
      const aborter = new Aborter()
      const r = yield* Effect.promise(() => download(t, `${url}/a`, aborter.signal))
      const first = yield* Effect.promise(() => r.body.read())
      assert.isTrue(first !== null && first.length > 0)
      const reason = new Error("stop")
      const pending = r.body.read()
      aborter.abort(reason)
      assert.strictEqual(
        yield* Effect.promise(() =>
          pending.then(
            () => null,
            (e: unknown) => e
          )
        ),
        reason
      )
      yield* eventually(() => seen.closed === 1, "the connection closed")
    })
  )

  it.scopedLive("abort while connecting or waiting for the head rejects with the reason", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw(() => {})
      const t = yield* transport()
      const aborter = new Aborter()
      const pending = download(t, `${url}/a`, aborter.signal)
      yield* eventually(() => seen.requests === 1, "the request arrived")
      const reason = new Error("give up")
      aborter.abort(reason)
      const error = yield* Effect.promise(() =>
        pending.then(
          () => null,
          (e: unknown) => e
        )
      )
      assert.strictEqual(error, reason)
      yield* eventually(() => seen.closed === 1, "the connection closed")
      const before = new Aborter()
      before.abort(reason)
      assert.strictEqual(
        yield* Effect.promise(() =>
          download(t, `${url}/b`, before.signal).then(
            () => null,
            (e: unknown) => e
          )
        ),
        reason
      )
    })
  )

  it.scopedLive("cancel() destroys the socket; a reset mid-body is a network failure", () =>
    Effect.gen(function* () {
      const { url, seen } = yield* raw((socket, n) => {
        socket.write(response("200 OK", { "content-length": String(SIX_MB.length) }, SIX_MB.subarray(0, 50_000)))
        if (n === 2) setTimeout(() => socket.resetAndDestroy(), 10)
      })
      const t = yield* transport()
      const r = yield* Effect.promise(() => download(t, `${url}/a`))
      yield* Effect.promise(() => r.body.read())
      r.body.cancel()
      yield* eventually(() => seen.closed === 1, "the cancelled body's connection closed")
      const o = yield* outcome(t, `${url}/b`)
      assert.isTrue(isNetworkFailure(o), JSON.stringify(o))
    })
  )

  it.scopedLive("TLS: a private CA given is trusted (SNI, ALPN http/1.1); without it the certificate is refused", () =>
    Effect.gen(function* () {
      const server = yield* httpsServer((_req, res) => {
        res.setHeader("content-length", String(SIX_MB.length))
        res.end(SIX_MB)
      })
      const trusting = yield* transport({ extraCa: [CA_PEM] })
      for (const host of ["localhost", "127.0.0.1"]) {
        const o = yield* outcome(trusting, `https://${host}:${server.port}/a`)
        assert.strictEqual("body" in o && Buffer.compare(o.body, SIX_MB), 0, host)
      }
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(server.requests[0]?.["accept-encoding"], "identity")
      // a connection per host name (localhost, 127.0.0.1); a third download reuses the first
      assert.strictEqual(server.connections(), 2)
      const again = yield* outcome(trusting, `https://localhost:${server.port}/a`)
      assert.strictEqual("body" in again && again.body.length, SIX_MB.length)
      assert.strictEqual(server.connections(), 2)
      const strict = yield* transport()
      const refused = yield* outcome(strict, `https://localhost:${server.port}/a`)
      assert.isTrue(isNetworkFailure(refused))
      assert.match(String((refused as { error: Error }).error.message), /certificate/)
      const lax = yield* transport({ rejectUnauthorized: false })
      const o = yield* outcome(lax, `https://localhost:${server.port}/a`)
      assert.strictEqual("body" in o && o.body.length, SIX_MB.length)
    })
  )

  it.scopedLive(
    "a connect that hangs fails at connectTimeoutMs as undici's connect timeout; close() ends every socket",
    () =>
      Effect.gen(function* () {
        const { url } = yield* fullBacklog
        const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length
        const before = sockets()
        const t = yield* Effect.promise(() => undiciTransport({ ...DIRECT, connectTimeoutMs: 200 }))
        const o = yield* outcome(t, `${url}/a`)
        assert.isTrue(isNetworkFailure(o))
        assert.strictEqual(((o as { error: Error }).error.cause as { code?: string }).code, "UND_ERR_CONNECT_TIMEOUT")
        const aborter = new Aborter()
        const aborted = download(t, `${url}/c`, aborter.signal).then(
          () => null,
          (e: unknown) => e
        )
        const reason = new Error("no longer wanted")
        aborter.abort(reason)
        assert.strictEqual(yield* Effect.promise(() => aborted), reason)
        const hanging = download(t, `${url}/b`).then(
          () => null,
          (e: unknown) => e
        )
        yield* Effect.promise(() => t.close())
        assert.instanceOf(yield* Effect.promise(() => hanging), NetworkFailure)
        yield* eventually(() => sockets() <= before, "no socket left")
      })
  )

  it.scopedLive("a connection refused is a network failure naming ECONNREFUSED", () =>
    Effect.gen(function* () {
      const server = createHttpServer()
      const url = yield* listening(server, new Set())
      yield* Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
      const t = yield* transport()
      const o = yield* outcome(t, `${url}/a`)
      assert.isTrue(isNetworkFailure(o))
      assert.strictEqual(((o as { error: Error }).error.cause as { code?: string }).code, "ECONNREFUSED")
    })
  )
})
