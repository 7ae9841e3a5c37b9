/**
 * The hostile corporate proxy, over real loopback sockets, through the Node transport as the
 * facade builds it (CometConfig → NodeTransport → CometHttp): every way a proxy can fail a
 * request ends at once in a `TransportError` (or a `ServerError` noting the proxy) that names the
 * proxy as host:port — never its credentials nor the API key — and the setting it came from,
 * with a bounded retry: one connection per attempt, the whole retry for a dropped connection,
 * the short one for an answer no retry changes, none for a 407. No timing assertions: a request
 * that hung would fail the test by its timeout, and the counts say how many tries were made.
 */
import type { Socket } from "node:net"
import { CometConfig, type CometError, type CometOptions } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import {
  answering,
  assertNoSecret as assertNone,
  hostileProxy,
  type Misbehaviour,
  misbehaviours,
  proxiedClient,
  refusingPort,
  tunnelTo
} from "./support/hostileProxy.js"
import { CA_PATH, httpsServer } from "./support/proxy.js"
import { eventually } from "./support/sockets.js"

const KEY = "tk_hostileproxy_7c1e9a0b2d4f6853SECRET"
const USER = "alice.corp"
const PASSWORD = "pr0xy@Pa55:w0rd"
const CREDENTIALS = `${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}`
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64")
const Ok = Schema.Struct({ ok: Schema.Boolean })
const HTTPS_TARGET = "https://comet.example.invalid"
const HTTP_TARGET = "http://comet.example.invalid"
/** Retries allowed: far more than the short retry, so which policy applied shows in the count. */
const MAX_RETRIES = 6
const SHORT = 3

/** CometHttp as the facade builds it in Node, with a timeout no test waits for. */
const client = proxiedClient({ apiKey: KEY, maxRetries: MAX_RETRIES, timeoutMs: 600_000, allowInsecureHttp: true })

/** No secret in any form anywhere in the error: the key, the password, the user, the Basic value. */
const assertNoSecret = (e: CometError) =>
  assertNone(e, [KEY, PASSWORD, encodeURIComponent(PASSWORD), USER, BASIC, "Pa55"])

/** One request through a hostile proxy (with credentials in its URL), its error, and what the proxy saw. */
const through = (
  misbehave: Misbehaviour,
  target: string,
  variable = target.startsWith("https") ? "HTTPS_PROXY" : "HTTP_PROXY"
) =>
  Effect.gen(function* () {
    const proxy = yield* hostileProxy(misbehave)
    const http = yield* client(
      { [variable]: proxy.url.replace("http://", `http://${CREDENTIALS}@`) },
      { baseUrl: target }
    )
    const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
    assertNoSecret(e)
    return { e, proxy }
  })

type Case = {
  readonly name: string
  readonly misbehave: Misbehaviour
  /** What the detail says after `the proxy <url> (from HTTPS_PROXY) `. */
  readonly says: RegExp
  /** Attempts made: the whole retry (1 + MAX_RETRIES), the short one, or one. */
  readonly attempts: number
}

const CONNECT = "CONNECT comet\\.example\\.invalid:443"
const cases: ReadonlyArray<Case> = [
  {
    name: "closes the connection without a byte",
    misbehave: misbehaviours.close,
    says: new RegExp(`^closed the connection without answering ${CONNECT}$`),
    attempts: 1 + MAX_RETRIES
  },
  {
    name: "resets the connection",
    misbehave: misbehaviours.reset,
    says: new RegExp(`^dropped the connection without answering ${CONNECT}: .*\\(ECONNRESET\\)$`),
    attempts: 1 + MAX_RETRIES
  },
  {
    name: "answers with bytes that are not HTTP, then closes",
    misbehave: misbehaviours.garbage,
    says: new RegExp(`^answered ${CONNECT} with bytes that are not HTTP \\("SSH-2\\.0-OpenSSH_9\\.6`),
    attempts: SHORT
  },
  {
    name: "echoes the request back from its Proxy-Authorization on (not HTTP): no part of the credentials shows",
    misbehave: (socket: Socket, request: string) =>
      socket.end(request.slice(request.toLowerCase().indexOf("proxy-authorization"))),
    says: new RegExp(`^answered ${CONNECT} with bytes that are not HTTP \\("proxy-authorization: <redacted>`),
    attempts: SHORT
  },
  {
    name: "answers with bytes that are not HTTP, and keeps the connection open",
    misbehave: misbehaviours.garbageOpen,
    says: new RegExp(`^answered ${CONNECT} with bytes that are not HTTP`),
    attempts: SHORT
  },
  {
    name: "sends half a status line, then closes",
    misbehave: misbehaviours.partial,
    says: new RegExp(`^closed the connection in the middle of its answer to ${CONNECT} \\(after "HTTP/1\\.1 20"\\)$`),
    attempts: 1 + MAX_RETRIES
  },
  {
    name: "answers 200, then closes before TLS",
    misbehave: misbehaviours.okThenClose,
    says: new RegExp(`^accepted ${CONNECT} \\(200\\), but the tunnel closed before TLS was established`),
    attempts: 1 + MAX_RETRIES
  },
  {
    name: "answers 200, then resets before TLS",
    misbehave: misbehaviours.okThenReset,
    says: new RegExp(`^accepted ${CONNECT} \\(200\\), but the tunnel closed before TLS was established`),
    attempts: 1 + MAX_RETRIES
  },
  {
    name: "answers 200, then bytes that are not TLS",
    misbehave: misbehaviours.okThenGarbage,
    says: new RegExp(`^accepted ${CONNECT} \\(200\\), but what came through the tunnel is not TLS`),
    attempts: SHORT
  },
  {
    name: "answers 200, then (in a later packet) bytes that are not TLS",
    misbehave: (socket: Socket) => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      socket.once("data", () => socket.write("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"))
    },
    says: new RegExp(`^accepted ${CONNECT} \\(200\\), but what came through the tunnel is not TLS \\(.+\\)$`),
    attempts: SHORT
  },
  {
    name: "answers 407 to the credentials, keeping the connection",
    misbehave: answering(407, { headers: 'proxy-authenticate: Basic realm="corp"\r\n', close: false }),
    says: /^refused to forward the request: it answered 407 Proxy Authentication Required$/,
    // credentials it does not accept never heal
    attempts: 1
  },
  ...[403, 502, 504].flatMap(
    (status): ReadonlyArray<Case> => [
      {
        name: `answers ${status} without a body, keeping the connection`,
        misbehave: answering(status, { close: false }),
        says: new RegExp(`^refused to forward the request: it answered ${status}$`),
        attempts: SHORT
      },
      {
        name: `answers ${status} with an HTML body, then closes`,
        misbehave: answering(status, { body: "<html><body>Blocked by corporate policy</body></html>" }),
        says: new RegExp(`^refused to forward the request: it answered ${status}$`),
        attempts: SHORT
      }
    ]
  )
]

describe("a proxy that fails the CONNECT of an https target", () => {
  for (const c of cases) {
    it.live(`${c.name}: a network TransportError naming the proxy and HTTPS_PROXY, ${c.attempts} attempts`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { e, proxy } = yield* through(c.misbehave, HTTPS_TARGET)
          assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
          if (e._tag !== "TransportError") return
          const prefix = `the proxy ${proxy.url} (from HTTPS_PROXY) `
          assert.isTrue(e.detail.startsWith(prefix), e.detail)
          assert.match(e.detail.slice(prefix.length), c.says)
          assert.strictEqual(e.setting, "HTTPS_PROXY")
          assert.include(e.message, "HTTPS_PROXY")
          // bounded: one connection per attempt (no reconnect loop), the policy's number of attempts
          assert.strictEqual(e.attempts, c.attempts, e.message)
          assert.strictEqual(proxy.seen.connections, c.attempts)
          assert.deepStrictEqual(
            proxy.seen.lines,
            Array.from({ length: c.attempts }, () => "CONNECT comet.example.invalid:443 HTTP/1.1")
          )
          // the credentials went to the proxy, as Proxy-Authorization on the CONNECT
          assert.strictEqual(proxy.seen.authorizations[0], `Basic ${BASIC}`)
        })
      )
    )
  }

  it.live("a proxy port where nothing listens: the short retry, naming the proxy and its setting", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const url = yield* refusingPort
        const http = yield* client(
          { HTTPS_PROXY: url.replace("http://", `http://${CREDENTIALS}@`) },
          { baseUrl: HTTPS_TARGET }
        )
        const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
        assertNoSecret(e)
        assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
        if (e._tag !== "TransportError") return
        assert.strictEqual(e.attempts, SHORT)
        assert.match(
          e.detail,
          new RegExp(`^the proxy ${url} \\(from HTTPS_PROXY\\) could not be reached: .*ECONNREFUSED`)
        )
        assert.include(e.message, "Check the proxy set by HTTPS_PROXY")
      })
    )
  )

  const knobs: ReadonlyArray<readonly [string, Record<string, string>, CometOptions, string]> = [
    ["https_proxy (lower case)", { https_proxy: "URL" }, {}, "https_proxy"],
    ["HTTP_PROXY alone (used for https too)", { HTTP_PROXY: "URL" }, {}, "HTTP_PROXY"],
    ["the proxy option over the variables", { HTTPS_PROXY: "http://127.0.0.1:9" }, { proxy: "URL" }, "the proxy option"]
  ]
  for (const [name, env, options, knob] of knobs) {
    it.live(`the setting named is the one the proxy came from: ${name}`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* hostileProxy(misbehaviours.close)
          const fill = (v: string) => (v === "URL" ? proxy.url : v)
          const http = yield* client(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)])), {
            baseUrl: HTTPS_TARGET,
            maxRetries: 0,
            ...(options.proxy === undefined ? {} : { proxy: proxy.url })
          })
          const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
          assert.strictEqual(e._tag, "TransportError")
          if (e._tag !== "TransportError") return
          assert.isTrue(e.detail.startsWith(`the proxy ${proxy.url} (from ${knob}) closed the connection`), e.detail)
          assert.include(e.message, `Check the proxy set by ${knob}`)
        })
      )
    )
  }
})

describe("a proxy that fails a plain http request it forwards (absolute-form)", () => {
  for (const [name, misbehave] of [
    ["closes the connection without a byte", misbehaviours.close],
    ["resets the connection", misbehaviours.reset],
    ["sends half a status line, then closes", misbehaviours.partial],
    ["answers with bytes that are not HTTP", misbehaviours.garbage]
  ] as const) {
    it.live(`${name}: a network TransportError through the proxy, naming HTTP_PROXY, the whole retry`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { e, proxy } = yield* through(misbehave, HTTP_TARGET)
          assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
          if (e._tag !== "TransportError") return
          assert.include(e.detail, ` through the proxy ${proxy.url} (from HTTP_PROXY)`)
          assert.strictEqual(e.setting, "HTTP_PROXY")
          assert.include(e.message, "Check the proxy set by HTTP_PROXY")
          assert.strictEqual(e.attempts, 1 + MAX_RETRIES)
          assert.strictEqual(proxy.seen.lines[0], `GET ${HTTP_TARGET}/api/rest/v2/experiment/metadata HTTP/1.1`)
        })
      )
    )
  }

  for (const [name, headers] of [
    ["Proxy-Status with an error (RFC 9209)", "proxy-status: corp-proxy; error=connection_refused\r\n"],
    ["Squid's X-Squid-Error", "x-squid-error: ERR_CONNECT_FAIL 111\r\n"]
  ] as const) {
    for (const status of [403, 502, 504]) {
      it.live(`a ${status} the proxy says is its own (${name}): the proxy's refusal, the short retry`, () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { e, proxy } = yield* through(
              answering(status, { headers, body: "<html>The requested URL could not be retrieved</html>" }),
              HTTP_TARGET
            )
            assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
            if (e._tag !== "TransportError") return
            assert.isTrue(
              e.detail.startsWith(
                `the proxy ${proxy.url} (from HTTP_PROXY) refused to forward the request: it answered ${status} (`
              ),
              e.detail
            )
            assert.include(e.message, "The proxy answered for itself, not for the server")
            assert.strictEqual(e.attempts, SHORT)
            assert.strictEqual(proxy.seen.lines.length, SHORT)
          })
        )
      )
    }
  }

  for (const [name, headers] of [
    ["no header saying whose it is", ""],
    ["a Proxy-Status that only relays the server's status", "proxy-status: corp-proxy; received-status=502\r\n"]
  ] as const) {
    it.live(`a 502 with ${name}: the server's ServerError, noting the proxy it came through, the whole retry`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { e, proxy } = yield* through(
            answering(502, { headers, body: "<html>bad gateway</html>" }),
            HTTP_TARGET
          )
          assert.strictEqual(e._tag, "ServerError", e.message)
          if (e._tag !== "ServerError") return
          assert.strictEqual(e.status, 502)
          assert.strictEqual(e.via, `${proxy.url} (from HTTP_PROXY)`)
          assert.include(e.message, `The answer came through the proxy ${proxy.url} (from HTTP_PROXY)`)
          assert.strictEqual(e.attempts, 1 + MAX_RETRIES)
        })
      )
    )
  }
})

describe("a proxy setting that cannot be used", () => {
  const bad: ReadonlyArray<readonly [string, Record<string, string>, string | undefined, string, RegExp]> = [
    ["not a URL", { HTTPS_PROXY: `http://${CREDENTIALS}@[::1` }, undefined, "HTTPS_PROXY", /not a valid proxy URL/],
    ["a port out of range", { http_proxy: `http://${CREDENTIALS}@proxy:99999` }, undefined, "http_proxy", /valid/],
    ["no host", { HTTPS_PROXY: "http://" }, undefined, "HTTPS_PROXY", /not a valid proxy URL/],
    ["socks5://", { HTTPS_PROXY: `socks5://${CREDENTIALS}@127.0.0.1:1080` }, undefined, "HTTPS_PROXY", /socks5:/],
    [
      "socks5h:// as the option",
      {},
      `socks5h://${CREDENTIALS}@p:1080`,
      "proxy",
      /socks5h:\/\/ proxies are not supported/
    ]
  ]
  for (const [name, env, proxy, setting, says] of bad) {
    it.effect(`${name}: a ConfigurationError naming ${setting}, without the credentials`, () =>
      Effect.gen(function* () {
        const e = yield* Effect.flip(
          CometConfig.resolve({
            apiKey: KEY,
            ...(proxy === undefined ? {} : { proxy }),
            sources: CometConfig.staticSources(env)
          })
        )
        assert.strictEqual(e._tag, "ConfigurationError")
        assert.strictEqual(e.setting, setting)
        assert.match(e.message, says)
        assertNoSecret(e)
      })
    )
  }
})

describe("a proxy that says nothing, and an https:// proxy", () => {
  it.live(
    "a proxy that reads the CONNECT and says nothing: the timeout names the proxy; closing the client closes the tunnel being made",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* hostileProxy(misbehaviours.silent)
          const e = yield* Effect.scoped(
            Effect.gen(function* () {
              const http = yield* client(
                { HTTPS_PROXY: proxy.url },
                { baseUrl: HTTPS_TARGET, maxRetries: 0, timeoutMs: 200 }
              )
              return yield* Effect.flip(http.get("experiment/metadata", Ok))
            })
          )
          assert.strictEqual(e._tag === "TransportError" && e.reason, "timeout", e.message)
          if (e._tag !== "TransportError") return
          assert.include(e.detail, `no answer through the proxy ${proxy.url} (from HTTPS_PROXY) within 200ms`)
          // the client's scope closed: the connection to the proxy, still waiting for its answer, is closed
          yield* eventually(() => proxy.seen.closed === 1, "the tunnel being made closed with the client")
          assert.strictEqual(proxy.seen.connections, 1)
        })
      )
  )

  it.live("an https:// proxy: the tunnel runs inside TLS to the proxy, and its failures name it as https://", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* httpsServer((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ ok: true }))
        })
        const proxied = yield* hostileProxy(tunnelTo(server.port), { tls: true })
        // by name, as a proxy is usually written: its certificate checked for it, SNI sent
        const good = { ...proxied, url: proxied.url.replace("127.0.0.1", "localhost") }
        const env = (url: string) => ({
          HTTPS_PROXY: url.replace("https://", `https://${CREDENTIALS}@`),
          REQUESTS_CA_BUNDLE: CA_PATH
        })
        const http = yield* client(env(good.url), { baseUrl: HTTPS_TARGET })
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.deepStrictEqual(good.seen.lines, ["CONNECT comet.example.invalid:443 HTTP/1.1"])
        assert.strictEqual(good.seen.authorizations[0], `Basic ${BASIC}`)
        assert.deepStrictEqual(good.seen.servernames, ["localhost"])
        assert.strictEqual(server.requests[0]?.authorization, KEY)

        const bad = yield* hostileProxy(misbehaviours.close, { tls: true })
        const e = yield* Effect.flip(
          (yield* client(env(bad.url), { baseUrl: HTTPS_TARGET })).get("experiment/metadata", Ok)
        )
        assertNoSecret(e)
        assert.strictEqual(
          e._tag === "TransportError" && e.detail,
          `the proxy ${bad.url} (from HTTPS_PROXY) closed the connection without answering CONNECT comet.example.invalid:443`,
          e.message
        )
        assert.strictEqual(bad.seen.connections, 1 + MAX_RETRIES)
      })
    )
  )
})
