/**
 * The `CONNECT` tunnel to an https server through an HTTP(S) proxy, as an undici connector of our
 * own: undici 7's ProxyAgent never settles a request whose proxy drops the `CONNECT` (it
 * reconnects in a tight loop until the caller's timeout: nodejs/undici#3897; the fix,
 * nodejs/undici#5441, is not in 7.30.2, the last 7.x, and undici 8 needs Node 22.19). Here
 * every way a proxy can fail the tunnel — unreachable, closed or reset
 * before or in the middle of its answer, an answer that is not HTTP, a refusal status, a 200 then
 * a close or bytes that are not TLS — ends the connection at once with a `ProxyFailure` naming
 * the proxy (without credentials) and the setting it came from. Interim answers (1xx but 101,
 * RFC 9110 §15.2) before the final one are skipped, each bounded as the final head is.
 *
 * Node only: built by the undici adapter over undici's connectors (to the proxy, and for the
 * server's TLS on the tunnel).
 *
 * @internal
 */

import type { Socket } from "node:net"
import * as Network from "@comet-ts/core/Network"
import * as Secrets from "@comet-ts/core/Secrets"
import type { buildConnector } from "undici"
import { formatMillis } from "./failures.js"
import { ProxyFailure } from "./transport.js"

/** How a proxy failed a tunnel it had accepted (200): it dropped it before TLS, or passed on what is not TLS. */
type TunnelFailure = "dropped" | "not-tls"

type Connector = buildConnector.connector
type ConnectOptions = buildConnector.Options
type ConnectCallback = buildConnector.Callback

/** The longest response head a proxy may send to `CONNECT` (bytes). */
const HEAD_LIMIT = 16 * 1024

/** A proxy, as the tunnel uses it. */
export interface TunnelProxy {
  /** The proxy URL (credentials allowed: sent as Proxy-Authorization). */
  readonly uri: string
  /** The setting it came from (`HTTPS_PROXY`, `proxy`, …), for messages. */
  readonly setting: string
}

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The Proxy-Authorization of a proxy URL with credentials, as curl and Python's requests send
 * it: `Basic base64(user:password)`, percent-decoded, and `user:` for a user name alone (a
 * token); null without credentials.
 */
export const proxyAuthorization = (url: URL): string | null =>
  url.username === "" && url.password === ""
    ? null
    : `Basic ${Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`, "utf8").toString("base64")}`

/**
 * The credentials of a proxy URL, as no message may show them: `user:password` percent-decoded
 * (what Proxy-Authorization carries, in base64), the password as written and decoded, and a user
 * name without a password (a token); none without credentials.
 */
export const proxyCredentials = (url: URL): ReadonlyArray<string> => {
  if (url.username === "" && url.password === "") return []
  const user = decoded(url.username)
  const password = decoded(url.password)
  return [
    ...new Set([`${user}:${password}`, url.password, password, user.length > 0 && password === "" ? user : ""])
  ].filter((s) => s.length > 0)
}

/**
 * The first bytes of what a proxy sent, printable, for a message (never more than 40): every
 * form of the credentials in them (a proxy echoing them: as written, case-folded, encoded, in
 * base64 — `Secrets.scrub`; case-folded beyond ASCII, the whole excerpt) and any authorization
 * header redacted, read as UTF-8, before anything is replaced or cut, so that no part of them
 * shows.
 */
const excerpt = (bytes: Uint8Array, credentials: ReadonlyArray<string>): string => {
  let text = Buffer.from(bytes.subarray(0, 4096)).toString("utf8")
  for (const secret of credentials) text = Secrets.scrub(text, secret)
  // a form the scrub does not know (a password case-folded beyond ASCII: `Ü` for `ü`): nothing shown
  const folded = text.toLowerCase()
  if (credentials.some((secret) => folded.includes(secret.toLowerCase()))) text = Secrets.REDACTED
  text = text.replace(/(authorization:[ \t]*)[^\r\n]*/gi, "$1<redacted>").replace(/[^\x20-\x7e]/g, ".")
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}

/**
 * An error's message and code, as a message quotes it: `connect ECONNREFUSED 127.0.0.1:9
 * (ECONNREFUSED)`; OpenSSL's (`…:error:0A00010B:SSL routines:…:wrong version number:…`) by its
 * reason and code alone.
 */
const told = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const code: unknown = Reflect.get(error, "code")
  const openssl = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(error.message)
  const text = openssl === null ? (error.message.split("\n")[0] ?? "").trim() : (openssl[1] ?? "")
  return `${text}${typeof code === "string" ? ` (${code})` : ""}`
}

/** What the TLS handshake's failure, after the proxy's 200, says of the tunnel; null when it is the server's (a certificate). */
const tunnelFailureOf = (error: Error): TunnelFailure | null => {
  const code = String(Reflect.get(error, "code") ?? "")
  if (/^ERR_SSL_/.test(code) || /wrong version number|packet length too long|unknown protocol/i.test(error.message))
    return "not-tls"
  if (
    ["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ERR_STREAM_PREMATURE_CLOSE"].includes(code) ||
    /socket disconnected|socket hang up/i.test(error.message)
  )
    return "dropped"
  return null
}

/**
 * The connector of https targets through `proxy`: `toProxy` opens the connection to the proxy
 * (TCP, or TLS for an https proxy), then `CONNECT host:port` is sent and its answer read here,
 * then `overTunnel` runs the server's TLS handshake on the tunnel. A proxy that has not answered
 * (the whole head) `answerTimeoutMs` after the `CONNECT` was sent fails the tunnel: the transport's
 * connect timeout, `timeoutMs` as NodeTransport sets it. Returns the proxy's socket at once, so
 * a closing client can destroy a tunnel still being made.
 */
export const tunnelConnector = (
  proxy: TunnelProxy,
  toProxy: Connector,
  overTunnel: Connector,
  answerTimeoutMs: number
) => {
  const url = new URL(proxy.uri)
  const shown = `${url.protocol}//${url.host}`
  const authorization = proxyAuthorization(url)
  const credentials = authorization === null ? [] : [authorization, ...proxyCredentials(url)]
  const proxyPort = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port
  // an IPv6 proxy (`http://[::1]:3128`) is connected to at `::1`, as undici strips the brackets of its targets
  const proxyHostname = url.hostname.replace(/^\[(.*)\]$/, "$1")
  return (opts: ConnectOptions, callback: ConnectCallback): unknown => {
    // undici gives the target's hostname without the brackets of an IPv6 address (`::1`): the
    // CONNECT authority puts them back (`[::1]:443`), as RFC 9110 writes it
    const host = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname
    const target = `${host}:${opts.port === "" ? "443" : opts.port}`
    let settled = false
    const failure = (detail: string, cause?: unknown) => new ProxyFailure(proxy.setting, detail, { cause })
    const fail = (socket: Socket | null, error: ProxyFailure) => {
      if (settled) return
      settled = true
      socket?.destroy()
      callback(error, null)
    }
    const say = (what: string) => Network.proxyFailure(shown, proxy.setting, what)

    const answer = (socket: Socket) => {
      let head = Buffer.alloc(0)
      /** Interim (1xx) answers skipped so far. */
      let interim = 0
      /** The interim answers the proxy sent before it failed, for a message. */
      const after = () => (interim === 0 ? "" : ` (after ${interim} interim 1xx answer(s))`)
      const stop = () => {
        socket.off("data", onData)
        socket.off("end", onEnd)
        socket.off("close", onEnd)
        socket.off("error", onError)
        clearTimeout(deadline)
      }
      /** The tunnel failed before it was made: stop reading, close, tell undici. */
      const end = (detail: string, cause?: unknown) => {
        stop()
        fail(socket, failure(detail, cause))
      }
      // a deadline for the whole answer, not an idle timer: a proxy dripping a byte at a time
      // cannot hold the tunnel (and the request waiting for it) open past it
      const deadline = setTimeout(
        () =>
          end(
            say(
              `did not answer CONNECT ${target}${interim === 0 ? "" : ` but with ${interim} interim 1xx answer(s)`} within ${formatMillis(answerTimeoutMs)} (the connect timeout, timeoutMs)`
            )
          ),
        answerTimeoutMs
      )
      const notHttp = () =>
        end(
          say(
            `answered CONNECT ${target} with bytes that are not HTTP (${excerpt(head, credentials)}), not as an HTTP proxy answers`
          )
        )
      const accepted = (status: number, what: string) => say(`accepted CONNECT ${target} (${status}), but ${what}`)
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk])
        let status: number
        let headEnd: number
        // interim answers (1xx but 101: RFC 9110 §15.2) are skipped, each bounded as the final one
        // is; the deadline bounds a proxy that sends them forever
        while (true) {
          // CR and LF bytes before a status line are skipped one by one, as llhttp (undici's
          // proxy agent) skips them — a CRLF split across writes too
          let blank = 0
          while (blank < head.length && (head[blank] === 13 || head[blank] === 10)) blank++
          if (blank > 0) head = head.subarray(blank)
          if (head.length === 0) return
          if (!"HTTP/".startsWith(head.subarray(0, 5).toString("latin1"))) return notHttp()
          headEnd = head.indexOf("\r\n\r\n")
          if (headEnd === -1 || headEnd > HEAD_LIMIT) {
            if (head.length > HEAD_LIMIT) notHttp()
            return
          }
          const m = /^HTTP\/1\.[01] (\d{3})(?: |\r)/.exec(head.subarray(0, headEnd + 2).toString("latin1"))
          if (m === null) return notHttp()
          status = Number(m[1])
          if (status < 100 || status > 199 || status === 101) break
          interim++
          head = head.subarray(headEnd + 4)
          if (head.length === 0) return
        }
        // a 101 (Switching Protocols) is no success to CONNECT: a refusal, as any status but 2xx
        if (status < 200 || status > 299) return end(Network.proxyRefusal(shown, status, proxy.setting))
        if (head.length > headEnd + 4) {
          // the server speaks second in TLS: bytes before our ClientHello are the proxy's own
          const early = excerpt(head.subarray(headEnd + 4), credentials)
          return end(accepted(status, `what came through the tunnel is not TLS: it sent ${early} before the handshake`))
        }
        stop()
        settled = true
        socket.on("error", () => {})
        overTunnel({ ...opts, httpSocket: socket }, (...args) => {
          const [error] = args
          if (error === null) return callback(...args)
          const kind = tunnelFailureOf(error)
          if (kind === null) return callback(error, null)
          socket.destroy()
          const what =
            kind === "not-tls"
              ? `what came through the tunnel is not TLS (${told(error)})`
              : `the tunnel closed before TLS was established (${told(error)})`
          callback(failure(accepted(status, what), error), null)
        })
      }
      const onEnd = () =>
        end(
          say(
            head.length === 0
              ? interim === 0
                ? `closed the connection without answering CONNECT ${target}`
                : `closed the connection after ${interim} interim 1xx answer(s) to CONNECT ${target}, before its final answer`
              : `closed the connection in the middle of its answer to CONNECT ${target} (after ${interim === 0 ? "" : `${interim} interim 1xx answer(s) and `}${excerpt(head, credentials)})`
          )
        )
      const onError = (error: Error) =>
        end(
          say(
            `dropped the connection ${head.length === 0 ? "without answering" : "in the middle of its answer to"} CONNECT ${target}${after()}: ${told(error)}`
          ),
          error
        )
      socket.on("data", onData)
      socket.on("end", onEnd)
      socket.on("close", onEnd)
      socket.on("error", onError)
      socket.write(
        `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n` +
          `${authorization === null ? "" : `proxy-authorization: ${authorization}\r\n`}` +
          "proxy-connection: keep-alive\r\n\r\n"
      )
    }

    return (toProxy as (o: ConnectOptions, c: ConnectCallback) => unknown)(
      // `host` gives an https proxy's TLS its SNI name (none for an address), as undici derives it
      { hostname: proxyHostname, host: url.host, protocol: url.protocol, port: proxyPort },
      (error, socket) => {
        if (error !== null || socket === null) {
          return fail(null, failure(say(`could not be reached: ${told(error)}`), error ?? undefined))
        }
        if (settled) {
          socket.destroy()
          return
        }
        answer(socket)
      }
    )
  }
}
