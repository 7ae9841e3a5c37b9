/**
 * The CONNECT tunnel of our own (tunnel.ts) carrying real https requests, over real loopback
 * sockets: a scriptable proxy that answers CONNECT as asked (split byte by byte, with extra
 * headers, HTTP/1.0, an endless head, closing tunnels between requests) and then relays to a
 * real TLS origin. What holds: the origin's certificate is checked for the origin's name (never
 * the proxy's), as without a proxy, and off only with COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false;
 * tunnels are kept alive and reused; IPv6 proxies and origins; Proxy-Authorization reaches the
 * proxy only. No timing assertions: counts, and timeouts that would fail a test by hanging.
 */
import { createHash } from "node:crypto"
import type { AddressInfo, Socket } from "node:net"
import { createServer as createTlsServer } from "node:tls"
import type { CometError } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { ProxyFailure } from "../src/internal/transport.js"
import { undiciTransport } from "../src/internal/transportUndici.js"
import * as NodeTransport from "../src/NodeTransport.js"
import { fullBacklog } from "./support/backlog.js"
import {
  assertNoSecret as assertNone,
  hostileProxy,
  type Misbehaviour,
  proxiedClient,
  type TunnelAnswer,
  tunnelTo
} from "./support/hostileProxy.js"
import { CA_PATH, SERVER_TLS } from "./support/proxy.js"
import { eventually } from "./support/sockets.js"

const KEY = "tk_tunnelreview_3f9a1c7e5b2d8046SECRET"
const USER = "bob+ops@corp"
const PASSWORD = "p%ss w:rd/ü#?&=@x"
const CREDENTIALS = `${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}`
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64")
const Ok = Schema.Struct({ ok: Schema.Boolean })
const TARGET = "https://comet.example.invalid"
const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n"

/** What the origin saw of each request: its head, and the TLS it came over. */
interface OriginSeen {
  readonly requests: Array<{
    readonly headers: Record<string, string | Array<string> | undefined>
    readonly servername: string | false | null
    readonly alpn: string | false | null
  }>
  connections: number
}

/** An HTTPS origin with the test CA's certificate (or `tls`), answering `{ ok: true }` or `body` for `/big`. */
const origin = (
  options: { readonly tls?: { key: Buffer | string; cert: Buffer | string }; readonly big?: Buffer } = {}
) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ port: number; seen: OriginSeen; close: () => Promise<void> }>((resolve) => {
          const seen: OriginSeen = { requests: [], connections: 0 }
          const sockets = new Set<Socket>()
          const server = createTlsServer({ ...(options.tls ?? SERVER_TLS), ALPNProtocols: ["http/1.1"] }, (tls) => {
            tls.on("error", () => {})
            let buffered = ""
            // a minimal keep-alive HTTP/1.1 server (GET only), so the test sees the TLS socket of each request
            tls.on("data", (chunk: Buffer) => {
              buffered += chunk.toString("latin1")
              for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
                const head = buffered.slice(0, end)
                buffered = buffered.slice(end + 4)
                const [line = "", ...rest] = head.split("\r\n")
                const headers: Record<string, string> = {}
                for (const h of rest)
                  headers[h.slice(0, h.indexOf(":")).toLowerCase()] = h.slice(h.indexOf(":") + 1).trim()
                seen.requests.push({ headers, servername: tls.servername, alpn: tls.alpnProtocol })
                const body =
                  line.includes("/big") && options.big !== undefined ? options.big : Buffer.from('{"ok":true}')
                tls.write(
                  `HTTP/1.1 200 OK\r\ncontent-type: ${line.includes("/big") ? "application/octet-stream" : "application/json"}\r\ncontent-length: ${body.length}\r\n\r\n`
                )
                tls.write(body)
              }
            })
          })
          server.on("connection", (s: Socket) => {
            seen.connections++
            sockets.add(s)
            s.on("error", () => {})
            s.on("close", () => sockets.delete(s))
          })
          server.on("tlsClientError", () => {})
          server.listen(0, "127.0.0.1", () =>
            resolve({
              port: (server.address() as AddressInfo).port,
              seen,
              close: () =>
                new Promise((done) => {
                  for (const s of sockets) s.destroy()
                  server.close(() => done())
                })
            })
          )
        })
    ),
    (o) => Effect.promise(o.close)
  )

/**
 * A proxy that relays every CONNECT to `port` on 127.0.0.1 after `answer` (or, given
 * `misbehave`, does that with the connection instead); `dropTunnels` closes the tunnels it
 * relays now (an idle close between requests).
 */
const tunnelProxy = (
  port: number,
  answer: Omit<TunnelAnswer, "tunnels"> = {},
  options: { readonly host?: string; readonly misbehave?: Misbehaviour } = {}
) => {
  const tunnels = new Set<Socket>()
  return Effect.map(
    hostileProxy(options.misbehave ?? tunnelTo(port, { ...answer, tunnels }), {
      ...(options.host === undefined ? {} : { host: options.host })
    }),
    (proxy) => ({
      ...proxy,
      dropTunnels: () => {
        for (const t of tunnels) t.destroy()
      }
    })
  )
}

/** CometHttp as the facade builds it in Node, with a timeout no test waits for. */
const client = proxiedClient({ apiKey: KEY, maxRetries: 0, timeoutMs: 600_000 })

const withCredentials = (url: string) => url.replace("http://", `http://${CREDENTIALS}@`)

/** No secret in any form in the error. */
const assertNoSecret = (e: CometError) =>
  assertNone(e, [KEY, PASSWORD, encodeURIComponent(PASSWORD), BASIC, "p%ss w:rd"])

describe("the origin's certificate through the tunnel", () => {
  it.live("is checked for the origin's name, not the proxy's: SNI and identity are the origin's; ALPN http/1.1", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port)
        const http = yield* client(
          { HTTPS_PROXY: withCredentials(proxy.url), REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: TARGET }
        )
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.strictEqual(server.seen.requests[0]?.servername, "comet.example.invalid")
        assert.strictEqual(server.seen.requests[0]?.alpn, "http/1.1")
        // a name the certificate does not hold is refused, though the proxy's address (127.0.0.1) is in it
        const wrong = yield* client(
          { HTTPS_PROXY: withCredentials(proxy.url), REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: "https://wrong.example.invalid" }
        )
        const e = yield* Effect.flip(wrong.get("experiment/metadata", Ok))
        assertNoSecret(e)
        assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
        assert.match(
          e._tag === "TransportError" ? e.detail : "",
          /wrong\.example\.invalid|altnames|ERR_TLS_CERT_ALTNAME_INVALID/
        )
        assert.strictEqual(server.seen.requests.length, 1)
      })
    )
  )

  it.live(
    "an origin whose CA is not trusted is refused by default; trusted with NODE_EXTRA_CA_CERTS or SSL_CERT_FILE",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* origin()
          const proxy = yield* tunnelProxy(server.port)
          const e = yield* Effect.flip(
            (yield* client({ HTTPS_PROXY: proxy.url }, { baseUrl: TARGET })).get("experiment/metadata", Ok)
          )
          assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
          assert.match(e._tag === "TransportError" ? e.detail : "", /certificate/i)
          assert.strictEqual(server.seen.requests.length, 0)
          for (const variable of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"]) {
            const http = yield* client({ HTTPS_PROXY: proxy.url, [variable]: CA_PATH }, { baseUrl: TARGET })
            assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
          }
          assert.strictEqual(server.seen.requests.length, 2)
        })
      )
  )

  it.live("COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false: reached through the proxy, with the warning", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port)
        const logs: Array<string> = []
        const http = yield* client(
          { HTTPS_PROXY: proxy.url, COMET_INTERNAL_CHECK_TLS_CERTIFICATE: "false" },
          { baseUrl: "https://wrong.example.invalid" },
          logs
        )
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.isTrue(
          logs.some((l) => l.includes("TLS certificates are not checked")),
          logs.join("\n")
        )
      })
    )
  )
})

describe("IPv6 literals", () => {
  it.live("an IPv6 origin: CONNECT [::1]:port, and the certificate checked for ::1 (not in it: refused)", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port)
        const e = yield* Effect.flip(
          (yield* client(
            { HTTPS_PROXY: proxy.url, REQUESTS_CA_BUNDLE: CA_PATH },
            { baseUrl: "https://[::1]:8443" }
          )).get("experiment/metadata", Ok)
        )
        assert.deepStrictEqual(proxy.seen.lines, ["CONNECT [::1]:8443 HTTP/1.1"])
        assert.match(e._tag === "TransportError" ? e.detail : e.message, /::1/)
        assert.strictEqual(server.seen.requests.length, 0)
        const off = yield* client(
          { HTTPS_PROXY: proxy.url, COMET_INTERNAL_CHECK_TLS_CERTIFICATE: "false" },
          { baseUrl: "https://[::1]:8443" }
        )
        assert.deepStrictEqual(yield* off.get("experiment/metadata", Ok), { ok: true })
      })
    )
  )

  it.live("an IPv6 proxy (http://[::1]:port) carries the tunnel, with its credentials", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port, {}, { host: "::1" })
        const http = yield* client(
          { HTTPS_PROXY: withCredentials(proxy.url), REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: TARGET }
        )
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.deepStrictEqual(proxy.seen.lines, ["CONNECT comet.example.invalid:443 HTTP/1.1"])
        assert.strictEqual(proxy.seen.authorizations[0], `Basic ${BASIC}`)
      })
    )
  )
})

describe("answers to CONNECT a proxy may give", () => {
  const answers: ReadonlyArray<readonly [string, Omit<TunnelAnswer, "tunnels">]> = [
    ["split byte by byte", { byteByByte: true }],
    [
      "HTTP/1.0 200, with headers",
      { text: "HTTP/1.0 200 Connection established\r\nProxy-agent: Squid/6\r\nVia: 1.1 corp\r\n\r\n" }
    ],
    [
      "200 with a reason phrase and a content-length: 0",
      { text: "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n" }
    ],
    ["a bare 200 with no reason phrase", { text: "HTTP/1.1 200\r\n\r\n" }],
    // interim answers are skipped (RFC 9110 §15.2): the final one is the answer
    ["100 Continue, then 200", { text: `${CONTINUE}HTTP/1.1 200 Connection Established\r\n\r\n` }],
    [
      "several interim answers (100, 102, 103 with headers), then 200",
      {
        text: `${CONTINUE}HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\nHTTP/1.1 200 Connection Established\r\n\r\n`
      }
    ],
    // llhttp (undici's proxy agent) skips CR and LF bytes before a status line, one by one
    ["an empty line before the 200", { text: "\r\nHTTP/1.1 200 Connection Established\r\n\r\n" }],
    ["a lone LF before the 200", { text: "\nHTTP/1.1 200 Connection Established\r\n\r\n" }],
    [
      "empty lines before the 200 and after a 100, split byte by byte",
      { text: `\r\n${CONTINUE}\r\nHTTP/1.1 200 Connection Established\r\n\r\n`, byteByByte: true }
    ],
    [
      "100 Continue then 200, split byte by byte",
      { text: `${CONTINUE}HTTP/1.0 200 Connection established\r\nProxy-agent: x\r\n\r\n`, byteByByte: true }
    ]
  ]
  for (const [name, answer] of answers) {
    it.live(`${name}: the tunnel is made, the origin reached`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* origin()
          const proxy = yield* tunnelProxy(server.port, answer)
          const http = yield* client({ HTTPS_PROXY: proxy.url, REQUESTS_CA_BUNDLE: CA_PATH }, { baseUrl: TARGET })
          assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
          assert.strictEqual(proxy.seen.connections, 1)
        })
      )
    )
  }

  it.live("an endless head (a megabyte of headers): refused after 16 KiB as not HTTP, with one connection", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const proxy = yield* tunnelProxy(
          1,
          {},
          {
            misbehave: (socket) => {
              socket.write("HTTP/1.1 200 Connection Established\r\n")
              const line = `x-junk: ${"a".repeat(1000)}\r\n`
              for (let i = 0; i < 1000; i++) socket.write(line)
            }
          }
        )
        const e = yield* Effect.flip(
          (yield* client({ HTTPS_PROXY: withCredentials(proxy.url) }, { baseUrl: TARGET })).get(
            "experiment/metadata",
            Ok
          )
        )
        assertNoSecret(e)
        assert.match(e._tag === "TransportError" ? e.detail : e.message, /with bytes that are not HTTP/)
        yield* eventually(() => proxy.seen.closed === 1, "the connection to the proxy closed")
      })
    )
  )
})

describe("tunnels over time", () => {
  it.live(
    "kept alive: 24 requests at maxConcurrency 3 make at most 3 CONNECTs, and the origin sees no proxy header",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* origin()
          const proxy = yield* tunnelProxy(server.port)
          const all = yield* Effect.scoped(
            Effect.gen(function* () {
              const http = yield* client(
                { HTTPS_PROXY: withCredentials(proxy.url), REQUESTS_CA_BUNDLE: CA_PATH },
                { baseUrl: TARGET, maxConcurrency: 3 }
              )
              return yield* Effect.forEach(
                Array.from({ length: 24 }, (_, i) => i),
                (i) => http.get("experiment/metadata", Ok, { params: { n: String(i) } }),
                { concurrency: "unbounded" }
              )
            })
          )
          // the client closed: every kept tunnel is closed with it
          yield* eventually(
            () => proxy.seen.closed === proxy.seen.connections,
            "the kept tunnels closed with the client"
          )
          assert.strictEqual(all.length, 24)
          assert.strictEqual(server.seen.requests.length, 24)
          assert.isAtMost(proxy.seen.connections, 3)
          assert.isAtLeast(proxy.seen.connections, 1)
          assert.strictEqual(server.seen.connections, proxy.seen.connections)
          for (const r of server.seen.requests) {
            assert.isUndefined(r.headers["proxy-authorization"])
            assert.isUndefined(r.headers["proxy-connection"])
            assert.strictEqual(r.headers.authorization, KEY)
            assert.strictEqual(r.headers.host, "comet.example.invalid")
          }
          assert.strictEqual(proxy.seen.authorizations[0], `Basic ${BASIC}`)
        })
      )
  )

  it.live("a proxy that closes each tunnel between requests: every next request still succeeds", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port)
        const http = yield* client(
          { HTTPS_PROXY: proxy.url, REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: TARGET, maxRetries: 2 }
        )
        for (let i = 0; i < 12; i++) {
          assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok, { params: { n: String(i) } }), { ok: true })
          proxy.dropTunnels()
        }
        assert.isAtLeast(server.seen.requests.length, 12)
        assert.isAtLeast(proxy.seen.connections, 12)
      })
    )
  )

  it.live("NO_PROXY still bypasses the proxy for an https server", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* origin()
        const proxy = yield* tunnelProxy(server.port)
        const http = yield* client(
          { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost", REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: `https://localhost:${server.port}` }
        )
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.strictEqual(proxy.seen.connections, 0)
        assert.strictEqual(server.seen.requests.length, 1)
      })
    )
  )

  it.live("a multi-megabyte body streams through the tunnel with the right bytes", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const big = Buffer.alloc(6 * 1024 * 1024 + 123)
        for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24
        const server = yield* origin({ big })
        const proxy = yield* tunnelProxy(server.port)
        const http = yield* client({ HTTPS_PROXY: proxy.url, REQUESTS_CA_BUNDLE: CA_PATH }, { baseUrl: TARGET })
        const bytes = yield* http.getBytes("big")
        assert.strictEqual(bytes.length, big.length)
        assert.strictEqual(
          createHash("sha256").update(bytes).digest("hex"),
          createHash("sha256").update(big).digest("hex")
        )
      })
    )
  )
})

/** The undici transport through `httpsProxy`, its CONNECT answer bounded by `connectTimeoutMs`. */
const transport = (options: { readonly httpsProxy: string | null; readonly connectTimeoutMs: number }) =>
  Effect.promise(() =>
    undiciTransport({
      connections: 1,
      httpProxy: null,
      httpsProxySetting: "HTTPS_PROXY",
      noProxy: "",
      extraCa: null,
      rejectUnauthorized: true,
      ...options
    })
  )
/** One GET that nothing aborts: what the transport itself ends it with. */
/** What sending a request through `t` failed with. */
const sent = (t: Effect.Effect.Success<ReturnType<typeof transport>>, url: string) =>
  Effect.flip(
    Effect.tryPromise({
      try: () =>
        t.send({ method: "GET", url, headers: {}, body: undefined, encoding: "any" }, new AbortController().signal),
      catch: (e) => e
    })
  )

describe("the connect timeout is the user's timeoutMs", () => {
  it.effect("NodeTransport.layer refuses a connectTimeoutMs that is not a positive number", () =>
    Effect.gen(function* () {
      for (const connectTimeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const e = yield* Effect.flip(
          Effect.scoped(
            Layer.build(
              NodeTransport.layer({
                connections: 1,
                httpProxy: null,
                httpsProxy: null,
                noProxy: "",
                extraCa: null,
                rejectUnauthorized: true,
                connectTimeoutMs
              })
            )
          )
        )
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.strictEqual(e.setting, "connectTimeoutMs")
      }
    })
  )

  // a proxy silent for longer than the test may run (undici's 10 s): ended by connectTimeoutMs alone
  it.live(
    "a proxy that says nothing to CONNECT: the tunnel fails at connectTimeoutMs, naming it",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* tunnelProxy(1, {}, { misbehave: () => {} })
          const t = yield* transport({ httpsProxy: proxy.url, connectTimeoutMs: 150 })
          const e = yield* sent(t, `${TARGET}/api/rest/v2/experiment/metadata`)
          yield* Effect.promise(() => t.close())
          assert.instanceOf(e, ProxyFailure)
          if (!(e instanceof ProxyFailure)) return
          assert.strictEqual(
            e.detail,
            `the proxy ${proxy.url} (from HTTPS_PROXY) did not answer CONNECT comet.example.invalid:443 within 150ms (the connect timeout, timeoutMs)`
          )
          assert.strictEqual(proxy.seen.connections, 1)
          yield* eventually(() => proxy.seen.closed === 1, "the connection to the proxy closed")
        })
      ),
    5_000
  )

  it.live(
    "a direct connection that cannot be made (a full backlog): undici's connect timeout is connectTimeoutMs",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url } = yield* fullBacklog
          const t = yield* transport({ httpsProxy: null, connectTimeoutMs: 150 })
          const e = yield* sent(t, `${url}/api/rest/v2/experiment/metadata`)
          yield* Effect.promise(() => t.close())
          assert.match(String(e instanceof Error ? `${e.message} ${String(e.cause)}` : e), /timeout: 150ms/)
        })
      ),
    5_000
  )

  for (const [name, misbehave] of [
    ["says nothing", () => {}],
    // the 200, then nothing: our ClientHello goes into the void, the handshake never ends
    [
      "answers 200, then says nothing (a TLS handshake that never ends)",
      (socket: Socket) => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      }
    ],
    [
      "drips its answer a byte at a time",
      (socket: Socket) => {
        const drip = setInterval(() => socket.write("x"), 20)
        socket.write("HTTP/1.1 200 Connection Established\r\n")
        socket.on("close", () => clearInterval(drip))
      }
    ]
  ] as const) {
    it.live(
      `a proxy that ${name}: once the call timed out, the tunnel being made is closed, the client still open`,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const proxy = yield* tunnelProxy(1, {}, { misbehave })
            const http = yield* client({ HTTPS_PROXY: withCredentials(proxy.url) }, { baseUrl: TARGET, timeoutMs: 300 })
            const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
            assertNoSecret(e)
            assert.include(e.message, proxy.url)
            // the client's scope is still open: the tunnel's own deadline (timeoutMs) closed it
            yield* eventually(() => proxy.seen.closed === proxy.seen.connections, "the connection to the proxy closed")
            assert.strictEqual(proxy.seen.connections, 1)
          })
        )
    )
  }
})

describe("a silent proxy and retries", () => {
  it.live("every attempt times out; no more tunnels than attempts, each closed at its deadline, the client open", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const proxy = yield* tunnelProxy(1, {}, { misbehave: () => {} })
        const http = yield* client(
          { HTTPS_PROXY: withCredentials(proxy.url) },
          { baseUrl: TARGET, timeoutMs: 200, maxRetries: 2, maxConcurrency: 4 }
        )
        const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
        assertNoSecret(e)
        assert.strictEqual(e._tag === "TransportError" && e.attempts, 3, e.message)
        assert.include(e.message, proxy.url)
        assert.isAtMost(proxy.seen.connections, 3)
        yield* eventually(() => proxy.seen.closed === proxy.seen.connections, "every tunnel being made closed")
      })
    )
  )
})

describe("a hostile proxy echoing the credentials", () => {
  const echoes: ReadonlyArray<readonly [string, string]> = [
    ["user:password as the first bytes (not HTTP)", `${USER}:${PASSWORD}\r\n`],
    ["the password, percent-encoded (not HTTP)", `${encodeURIComponent(PASSWORD)}\r\n`],
    ["the password in JSON (not HTTP)", JSON.stringify({ password: PASSWORD })],
    ["the password after its 200 (not TLS)", `HTTP/1.1 200 OK\r\n\r\n${PASSWORD}`],
    ["the password upper-cased after its 200 (not TLS)", `HTTP/1.1 200 OK\r\n\r\n${PASSWORD.toUpperCase()}`],
    ["the password cut by the excerpt's length (not TLS)", `HTTP/1.1 200 OK\r\n\r\n${"y".repeat(30)}${PASSWORD}`]
  ]
  for (const [name, echo] of echoes) {
    it.live(`${name}: no part of it in the error`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* tunnelProxy(1, {}, { misbehave: (socket) => socket.end(echo) })
          const e = yield* Effect.flip(
            (yield* client({ HTTPS_PROXY: withCredentials(proxy.url) }, { baseUrl: TARGET })).get(
              "experiment/metadata",
              Ok
            )
          )
          assertNoSecret(e)
          const text = `${e.message}\n${JSON.stringify(e)}`.toLowerCase()
          for (const part of ["p%ss w", "ss w:rd", "w:rd/", "p%25ss", "rd%2f"]) assert.notInclude(text, part, text)
          assert.include(e.message, proxy.url)
        })
      )
    )
  }
})

describe("the transport's proxyFor", () => {
  it.effect("names the proxy without its credentials, as TransportShape promises", () =>
    Effect.gen(function* () {
      const proxy = `http://${CREDENTIALS}@proxy.corp:3128`
      const t = yield* Effect.promise(() =>
        undiciTransport({
          connections: 1,
          httpProxy: proxy,
          httpsProxy: proxy.replace("3128", "3129"),
          noProxy: "",
          extraCa: null,
          rejectUnauthorized: true
        })
      )
      assert.strictEqual(t.proxyFor(`${TARGET}/api/rest/v2/experiment/metadata`), "http://proxy.corp:3129")
      assert.strictEqual(t.proxyFor("http://comet.example.invalid/api"), "http://proxy.corp:3128")
      yield* Effect.promise(() => t.close())
    })
  )
})

describe("interim (1xx) answers to CONNECT, and what is not one", () => {
  const through = (misbehave: Misbehaviour) =>
    Effect.gen(function* () {
      const proxy = yield* tunnelProxy(1, {}, { misbehave })
      const t = yield* transport({ httpsProxy: withCredentials(proxy.url), connectTimeoutMs: 300 })
      const e = yield* sent(t, `${TARGET}/api/rest/v2/experiment/metadata`)
      yield* Effect.promise(() => t.close())
      assert.instanceOf(e, ProxyFailure)
      const detail = e instanceof ProxyFailure ? e.detail : ""
      for (const secret of [PASSWORD, BASIC]) assert.notInclude(detail, secret)
      return { detail: detail.replace(`the proxy ${proxy.url} (from HTTPS_PROXY) `, ""), proxy }
    })

  const cases: ReadonlyArray<readonly [string, Misbehaviour, RegExp]> = [
    [
      "101 Switching Protocols is no success to CONNECT: a refusal",
      (socket) => socket.write("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n"),
      /^refused to forward the request: it answered 101$/
    ],
    [
      "100, then 407: the final answer is the refusal",
      (socket) => socket.write(`${CONTINUE}HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n`),
      /^refused to forward the request: it answered 407 Proxy Authentication Required$/
    ],
    [
      "100, then a close: said so",
      (socket) => socket.end(CONTINUE),
      /^closed the connection after 1 interim 1xx answer\(s\) to CONNECT comet\.example\.invalid:443, before its final answer$/
    ],
    [
      "100, then bytes that are not HTTP",
      (socket) => socket.write(`${CONTINUE}SSH-2.0-OpenSSH_9.6\r\n\r\n`),
      /^answered CONNECT comet\.example\.invalid:443 with bytes that are not HTTP \("SSH-2\.0/
    ],
    [
      "an endless interim head (a megabyte of headers): refused after 16 KiB as not HTTP",
      (socket) => {
        socket.write(`${CONTINUE}HTTP/1.1 103 Early Hints\r\n`)
        const line = `link: <${"a".repeat(1000)}>\r\n`
        for (let i = 0; i < 1000; i++) socket.write(line)
      },
      /^answered CONNECT comet\.example\.invalid:443 with bytes that are not HTTP/
    ],
    [
      "interim answers forever: the tunnel fails at the connect deadline, naming them",
      (socket) => {
        const flood = setInterval(() => socket.write(CONTINUE.repeat(50)), 5)
        socket.on("close", () => clearInterval(flood))
      },
      /^did not answer CONNECT comet\.example\.invalid:443 but with \d+ interim 1xx answer\(s\) within 300ms \(the connect timeout, timeoutMs\)$/
    ]
  ]
  for (const [name, misbehave, says] of cases) {
    it.live(
      name,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { detail, proxy } = yield* through(misbehave)
            assert.match(detail, says)
            assert.strictEqual(proxy.seen.connections, 1)
            yield* eventually(() => proxy.seen.closed === 1, "the connection to the proxy closed")
          })
        ),
      10_000
    )
  }
})
