/**
 * The network settings a machine set up for comet_ml has, honoured by the Node transport
 * (undici): `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` in either case and the explicit `proxy`
 * option (a recording proxy sees CONNECT tunnels and absolute-form requests, and nothing for a
 * `NO_PROXY` host); a network failure through a proxy names the proxy, without its password;
 * private CAs from `REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE` / `NODE_EXTRA_CA_CERTS` (a server
 * with a certificate from a test CA is reached with the bundle and refused without it); and
 * `COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false`, with a warning. All on loopback sockets.
 */

import { createServer as createNetServer, type Socket as NetSocket } from "node:net"
import { join } from "node:path"
import { CometConfig, type CometOptions } from "@comet-ts/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Schema } from "effect"
import { CometHttp } from "../src/CometHttp.js"
import * as DefaultTransport from "../src/DefaultTransport.js"
import * as NodeDefault from "../src/DefaultTransport.node.js"
import { proxyOf } from "../src/internal/transportUndici.js"
import * as NodeTransport from "../src/NodeTransport.js"
import { CA_PATH, httpsServer, recordingProxy } from "./support/proxy.js"
import { listening, serve } from "./support/sockets.js"

const KEY = "tk_network_0a1b2c3d4e5f6789SECRET"
const Ok = Schema.Struct({ ok: Schema.Boolean })
const ok = (_req: unknown, res: import("node:http").ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" })
  res.end(JSON.stringify({ ok: true }))
}

/** A proxy that answers every request (and CONNECT) with `status` itself; counts what it saw. */
const refusingProxy = (status: number) =>
  Effect.gen(function* () {
    const seen = { requests: 0 }
    const sockets = new Set<NetSocket>()
    const server = createNetServer((socket) => {
      sockets.add(socket)
      socket.on("error", () => {})
      socket.on("close", () => sockets.delete(socket))
      socket.once("data", () => {
        seen.requests++
        const body = "<html>no</html>"
        socket.end(
          `HTTP/1.1 ${status} ${status === 407 ? "Proxy Authentication Required" : "Bad Gateway"}\r\n` +
            `${status === 407 ? 'proxy-authenticate: Basic realm="corp"\r\n' : ""}content-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`
        )
      })
    })
    const url = yield* listening(server, sockets)
    return { url, seen }
  })

/** CometHttp as the facade builds it in Node: config from `env` and `files`, the undici transport. */
const client = (
  env: Record<string, string>,
  options: CometOptions,
  files: Record<string, string> = {},
  dirs: { readonly home?: string } = {}
) =>
  Effect.gen(function* () {
    const layer = CometHttp.layerConfigTransport({ retryBaseDelay: "5 millis", retryMaxDelay: "20 millis" }).pipe(
      Layer.provide(NodeTransport.layerConfig),
      Layer.provide(
        CometConfig.layer({
          apiKey: KEY,
          maxRetries: 1,
          ...options,
          sources: CometConfig.staticSources(env, files, dirs)
        })
      )
    )
    return Context.get(yield* Layer.build(layer), CometHttp)
  })

describe("the default transport per runtime", () => {
  it("Node resolves @comet-ts/http/DefaultTransport to undici; the fetch variant is what other runtimes get", () => {
    assert.strictEqual(NodeDefault.name, "undici")
    assert.strictEqual(DefaultTransport.name, "fetch")
  })
})

describe("proxies", () => {
  it.live("HTTPS_PROXY: an https server is reached through a CONNECT tunnel the proxy sees", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* httpsServer(ok)
        const proxy = yield* recordingProxy({ "comet.example.invalid:443": server.port })
        const http = yield* client(
          { HTTPS_PROXY: proxy.url, REQUESTS_CA_BUNDLE: CA_PATH },
          { baseUrl: "https://comet.example.invalid" }
        )
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.deepStrictEqual(proxy.seen.lines, ["CONNECT comet.example.invalid:443"])
        assert.strictEqual(server.requests[0]?.authorization, KEY)
      })
    )
  )

  for (const name of ["HTTP_PROXY", "http_proxy"]) {
    it.live(`${name}: a plain http server is reached in absolute-form through the proxy`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url, seen } = yield* serve(ok)
          const proxy = yield* recordingProxy()
          const http = yield* client({ [name]: proxy.url }, { baseUrl: url })
          assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok, { params: { k: "a b" } }), { ok: true })
          assert.deepStrictEqual(proxy.seen.lines, [`GET ${url}/api/rest/v2/experiment/metadata?k=a%20b`])
          assert.strictEqual(seen.requests.length, 1)
          assert.strictEqual(seen.requests[0]?.headers.authorization, KEY)
        })
      )
    )
  }

  it.live("lower case wins over upper case, as in curl", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url } = yield* serve(ok)
        const used = yield* recordingProxy()
        const unused = yield* recordingProxy()
        const http = yield* client({ http_proxy: used.url, HTTP_PROXY: unused.url }, { baseUrl: url })
        yield* http.get("experiment/metadata", Ok)
        assert.strictEqual(used.seen.lines.length, 1)
        assert.strictEqual(unused.seen.lines.length, 0)
      })
    )
  )

  const direct = ["127.0.0.1", "localhost,127.0.0.1", "*", ".0.0.1", "127.0.0.0/8", "10.0.0.0/8, 127.0.0.1/32"]
  const proxied = ["10.0.0.0/8", "127.0.0.2/32", "128.0.0.0/1"]
  for (const noProxy of [...direct, ...proxied]) {
    const isDirect = direct.includes(noProxy)
    it.live(
      `NO_PROXY=${noProxy}: ${isDirect ? "the host is reached directly and the proxy sees nothing" : "a network without the host: the request goes through the proxy"}`,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const { url, seen } = yield* serve(ok)
            const proxy = yield* recordingProxy()
            const http = yield* client({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy }, { baseUrl: url })
            assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
            assert.deepStrictEqual(proxy.seen.lines, isDirect ? [] : [`GET ${url}/api/rest/v2/experiment/metadata`])
            assert.strictEqual(seen.requests.length, 1)
          })
        )
    )
  }

  it("NO_PROXY entries for IPv6 hosts, bare or in brackets, with or without a port (as requests reads them)", () => {
    const route = (noProxy: string, url: string) =>
      proxyOf({ httpProxy: "http://proxy.corp:3128", httpsProxy: null, noProxy }, url)()
    const direct: ReadonlyArray<readonly [string, string]> = [
      ["::1", "http://[::1]:4820/"],
      ["localhost,127.0.0.1,::1", "http://[::1]:4820/"],
      ["[::1]", "http://[::1]:4820/"],
      ["[::1]:4820", "http://[::1]:4820/"],
      ["2001:DB8::5", "https://[2001:db8::5]/"],
      ["comet.corp:8443", "https://comet.corp:8443/"]
    ]
    for (const [noProxy, url] of direct) assert.isNull(route(noProxy, url), `${noProxy} → ${url}`)
    const proxied: ReadonlyArray<readonly [string, string]> = [
      ["::2", "http://[::1]:4820/"],
      ["[::1]:9999", "http://[::1]:4820/"],
      ["comet.corp:8443", "https://comet.corp/"]
    ]
    for (const [noProxy, url] of proxied)
      assert.strictEqual(route(noProxy, url), "http://proxy.corp:3128", `${noProxy} → ${url}`)
  })

  it.live(
    "proxy credentials: percent-encoded ones are decoded; a user name alone (a token) is sent as 'user:', as curl and requests do",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { url } = yield* serve(ok)
          const server = yield* httpsServer(ok)
          const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`
          for (const [credentials, expected] of [
            ["us%65r:p%40ss%3Aw0rd", basic("user:p@ss:w0rd")],
            ["T0KEN", basic("T0KEN:")],
            ["t%C3%B6ken", basic("töken:")]
          ] as const) {
            const proxy = yield* recordingProxy({ "comet.example.invalid:443": server.port })
            const proxyUrl = proxy.url.replace("http://", `http://${credentials}@`)
            yield* (yield* client({ HTTP_PROXY: proxyUrl }, { baseUrl: url })).get("experiment/metadata", Ok)
            yield* (yield* client(
              { HTTPS_PROXY: proxyUrl, REQUESTS_CA_BUNDLE: CA_PATH },
              { baseUrl: "https://comet.example.invalid" }
            )).get("experiment/metadata", Ok)
            // absolute-form for http, CONNECT for https: both carry the credentials
            assert.deepStrictEqual(proxy.seen.authorizations, [expected, expected], credentials)
          }
        })
      )
  )

  it.live(
    "a proxy or server that echoes the request headers into a body that does not decode: the excerpt shows neither the proxy password nor its Proxy-Authorization",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const echo = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
            res.writeHead(200, { "content-type": "application/json" })
            res.end(JSON.stringify({ ok: 5, headers: req.headers, url: req.url }))
          }
          for (const credentials of ["alice:pr0xy%40Pass", "T0KENsecret"]) {
            const proxy = yield* serve(echo)
            const http = yield* client(
              { HTTP_PROXY: proxy.url.replace("http://", `http://${credentials}@`), COMET_TS_ALLOW_INSECURE_HTTP: "1" },
              { baseUrl: "http://comet.corp.example" }
            )
            const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
            assert.strictEqual(e._tag, "DecodeError", e.message)
            const text = `${e.message} ${JSON.stringify(e)}`
            assert.include(text, "proxy-authorization", "the body is quoted")
            const [user, password] = credentials.split(":").map(decodeURIComponent) as [string, string | undefined]
            const auth = Buffer.from(`${user}:${password ?? ""}`).toString("base64")
            for (const secret of [auth, password ?? user, KEY]) assert.notInclude(text, secret, credentials)
          }
        })
      )
  )

  for (const target of ["http://comet.corp.example", "https://comet.corp.example"]) {
    it.live(
      `a proxy that refuses the credentials (407), for ${target}: one attempt, a message that says so, never the password`,
      () =>
        Effect.scoped(
          Effect.gen(function* () {
            const proxy = yield* refusingProxy(407)
            const http = yield* client(
              { HTTP_PROXY: proxy.url.replace("http://", "http://alice:s3cr%40t@"), COMET_TS_ALLOW_INSECURE_HTTP: "1" },
              { baseUrl: target, maxRetries: 8 }
            )
            const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
            assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
            if (e._tag !== "TransportError") return
            assert.strictEqual(e.attempts, 1)
            assert.strictEqual(proxy.seen.requests, 1)
            assert.include(
              e.message,
              `the proxy ${proxy.url} (from HTTP_PROXY) refused to forward the request: it answered 407 Proxy Authentication Required`
            )
            assert.include(e.message, "Check the user name and password in the proxy URL (HTTP_PROXY)")
            for (const secret of ["alice", "s3cr", "%40t", "s3cr@t"]) assert.notInclude(e.message, secret)
          })
        )
    )
  }

  it.live(
    "a proxy that cannot reach the server (its 502 to CONNECT): a short retry, then a message naming the proxy's answer",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const proxy = yield* refusingProxy(502)
          const http = yield* client(
            { HTTPS_PROXY: proxy.url },
            { baseUrl: "https://comet.corp.example", maxRetries: 8 }
          )
          const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
          assert.strictEqual(e._tag === "TransportError" && e.reason, "network", e.message)
          if (e._tag !== "TransportError") return
          assert.strictEqual(e.attempts, 3)
          assert.include(
            e.message,
            `the proxy ${proxy.url} (from HTTPS_PROXY) refused to forward the request: it answered 502`
          )
          assert.include(e.message, "NO_PROXY")
        })
      )
  )

  it.live("the explicit proxy option replaces the variables; proxy: false turns them off", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url, seen } = yield* serve(ok)
        const env = yield* recordingProxy()
        const explicit = yield* recordingProxy()
        yield* (yield* client({ HTTP_PROXY: env.url }, { baseUrl: url, proxy: explicit.url })).get(
          "experiment/metadata",
          Ok
        )
        yield* (yield* client({ HTTP_PROXY: env.url }, { baseUrl: url, proxy: false })).get("experiment/metadata", Ok)
        assert.strictEqual(explicit.seen.lines.length, 1)
        assert.strictEqual(env.seen.lines.length, 0)
        assert.strictEqual(seen.requests.length, 2)
      })
    )
  )

  it.live("a failure through a proxy names the proxy (never its password), not only the base URL", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const proxy = yield* recordingProxy()
        const withCredentials = proxy.url.replace("http://", "http://alice:pr0xyPa55@")
        const http = yield* client({ HTTPS_PROXY: withCredentials }, { baseUrl: "https://comet.example.invalid" })
        const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
        assert.strictEqual(e._tag, "TransportError")
        if (e._tag !== "TransportError") return
        assert.strictEqual(e.reason, "network")
        // the proxy could not reach the host: its own 502 to the CONNECT, told as the proxy's answer
        assert.include(
          e.message,
          `the proxy ${proxy.url} (from HTTPS_PROXY) refused to forward the request: it answered 502`
        )
        assert.include(e.message, "NO_PROXY")
        assert.notInclude(e.message, "pr0xyPa55")
        assert.notInclude(e.message, "alice")
        // the proxy did see the request (and the credentials, as Proxy-Authorization)
        assert.deepStrictEqual(proxy.seen.lines.slice(0, 1), ["CONNECT comet.example.invalid:443"])
        assert.strictEqual(proxy.seen.authorizations[0], `Basic ${Buffer.from("alice:pr0xyPa55").toString("base64")}`)
      })
    )
  )

  it.effect("a proxy that is not a URL is a ConfigurationError naming the variable", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(
        CometConfig.resolve({ apiKey: KEY, sources: CometConfig.staticSources({ HTTPS_PROXY: "http://[::1" }) })
      )
      assert.strictEqual(e._tag, "ConfigurationError")
      assert.strictEqual(e.setting, "HTTPS_PROXY")
      const socks = yield* Effect.flip(CometConfig.resolve({ apiKey: KEY, proxy: "socks5://127.0.0.1:1080" }))
      assert.strictEqual(socks.setting, "proxy")
    })
  )
})

describe("certificate authorities", () => {
  for (const variable of ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"]) {
    it.live(`a server with a private CA's certificate is reached with ${variable}`, () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* httpsServer(ok)
          const http = yield* client({ [variable]: CA_PATH }, { baseUrl: `https://localhost:${server.port}` })
          assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        })
      )
    )
  }

  it.live("without the bundle it is refused: a network error that says why, and the server saw no request", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* httpsServer(ok)
        const http = yield* client({}, { baseUrl: `https://localhost:${server.port}` })
        const e = yield* Effect.flip(http.get("experiment/metadata", Ok))
        assert.strictEqual(e._tag, "TransportError")
        if (e._tag !== "TransportError") return
        assert.strictEqual(e.reason, "network")
        assert.match(e.detail, /certificate/i)
        assert.strictEqual(server.requests.length, 0)
      })
    )
  )

  it.live(
    "COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false (as comet_ml reads it, env or .comet.config) reaches it, with a warning",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* httpsServer(ok)
          const baseUrl = `https://localhost:${server.port}`
          const logs: Array<string> = []
          const capture = Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => logs.push(String(message)))
          )
          const fromEnv = yield* client({ COMET_INTERNAL_CHECK_TLS_CERTIFICATE: "False" }, { baseUrl }).pipe(
            Effect.provide(capture)
          )
          assert.deepStrictEqual(yield* fromEnv.get("experiment/metadata", Ok), { ok: true })
          assert.isTrue(
            logs.some((l) => l.includes("TLS certificates are not checked")),
            logs.join("\n")
          )
          const fromFile = yield* client(
            {},
            { baseUrl },
            { "/home/u/.comet.config": "[comet_internal]\ncheck_tls_certificate = no\n" },
            { home: "/home/u" }
          )
          assert.deepStrictEqual(yield* fromFile.get("experiment/metadata", Ok), { ok: true })
          assert.strictEqual(server.requests.length, 2)
        })
      )
  )

  it.effect("a bundle that cannot be read, or holds no certificate, is a ConfigurationError naming the variable", () =>
    Effect.gen(function* () {
      const build = (env: Record<string, string>) =>
        Effect.flip(
          Effect.scoped(
            Layer.build(
              NodeTransport.layerConfig.pipe(
                Layer.provide(CometConfig.layer({ apiKey: KEY, sources: CometConfig.staticSources(env) }))
              )
            )
          )
        )
      const missing = yield* build({ REQUESTS_CA_BUNDLE: "/nowhere/ca.pem" })
      assert.strictEqual(missing.setting, "REQUESTS_CA_BUNDLE")
      assert.include(missing.message, "cannot be read")
      const notPem = yield* build({ SSL_CERT_FILE: join(import.meta.dirname, "..", "package.json") })
      assert.strictEqual(notPem.setting, "SSL_CERT_FILE")
      assert.include(notPem.message, "no PEM certificate")
      const bad = yield* Effect.flip(
        CometConfig.resolve({
          apiKey: KEY,
          sources: CometConfig.staticSources({ COMET_INTERNAL_CHECK_TLS_CERTIFICATE: "maybe" })
        })
      )
      assert.strictEqual(bad.setting, "COMET_INTERNAL_CHECK_TLS_CERTIFICATE")
    })
  )
})

describe("a self-hosted smart key", () => {
  it.live("with no URL configured, requests go to the server the key names, carrying the whole key", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url, seen } = yield* serve(ok)
        const smartKey = `${KEY}*${Buffer.from(JSON.stringify({ baseUrl: url })).toString("base64")}`
        const layer = CometHttp.layerConfigTransport().pipe(
          Layer.provide(NodeTransport.layerConfig),
          Layer.provide(CometConfig.layer({ sources: CometConfig.staticSources({ COMET_API_KEY: smartKey }) }))
        )
        const http = Context.get(yield* Layer.build(layer), CometHttp)
        assert.strictEqual(http.baseUrl, url)
        assert.deepStrictEqual(yield* http.get("experiment/metadata", Ok), { ok: true })
        assert.strictEqual(seen.requests[0]?.headers.authorization, smartKey)
      })
    )
  )
})
