/**
 * The network settings a machine set up for comet_ml already has, as `CometConfig` reads them
 * (under the names comet_ml, Python's `requests` and curl use): the proxy of `HTTPS_PROXY` /
 * `HTTP_PROXY` (lower case first, as curl) with the hosts of `NO_PROXY` reached directly, or an
 * explicit `proxy` option; private certificate authorities from `REQUESTS_CA_BUNDLE` /
 * `CURL_CA_BUNDLE` / `SSL_CERT_FILE` / `NODE_EXTRA_CA_CERTS`; and comet_ml's own
 * `COMET_INTERNAL_CHECK_TLS_CERTIFICATE` (`comet.internal.check_tls_certificate`, parsed as
 * comet_ml's everett parses booleans). The Node transport applies them; a browser uses its own.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * Where requests go through.
 *
 * @since 0.1.0
 */
export interface ProxyConfig {
  /** The proxy of `http://` URLs (may carry credentials), or null for none. */
  readonly httpProxy: string | null
  /** The proxy of `https://` URLs, or null for none. */
  readonly httpsProxy: string | null
  /** Hosts reached without the proxy, in `NO_PROXY` syntax (`host`, `.domain`, `host:port`, `*`, IPv4 networks such as `10.0.0.0/8`). */
  readonly noProxy: string
  /** The setting `httpProxy` came from (`HTTP_PROXY`, `http_proxy`, `proxy` for the option), for messages. */
  readonly httpProxyFrom?: string | undefined
  /** The setting `httpsProxy` came from (`HTTPS_PROXY`, `https_proxy`, `proxy` for the option), for messages. */
  readonly httpsProxyFrom?: string | undefined
}

/**
 * How server certificates are checked.
 *
 * @since 0.1.0
 */
export interface TlsConfig {
  /** PEM files of certificate authorities trusted besides the runtime's own, with the setting that named each. */
  readonly caFiles: ReadonlyArray<{ readonly setting: string; readonly path: string }>
  /** Check server certificates. False only when `COMET_INTERNAL_CHECK_TLS_CERTIFICATE` says so. */
  readonly checkTlsCertificate: boolean
}

/**
 * No proxy.
 *
 * @since 0.1.0
 */
export const noProxy: ProxyConfig = { httpProxy: null, httpsProxy: null, noProxy: "" }

/**
 * No extra CA, certificates checked.
 *
 * @since 0.1.0
 */
export const defaultTls: TlsConfig = { caFiles: [], checkTlsCertificate: true }

/**
 * The CA bundle variables, in the order they are read (every one that is set is trusted).
 *
 * @since 0.1.0
 */
export const CA_VARIABLES = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"] as const

/** The proxy variables, in pairs read lower case first. */
export const PROXY_VARIABLES = {
  http: ["http_proxy", "HTTP_PROXY"],
  https: ["https_proxy", "HTTPS_PROXY"],
  none: ["no_proxy", "NO_PROXY"]
} as const

/**
 * A proxy URL, checked: an http(s) URL (without a scheme, as curl, `http://`); the reason when
 * it cannot be used.
 *
 * @since 0.1.0
 */
export const checkProxy = (raw: string): Either.Either<string, string> => {
  const text = raw.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return Either.left("it is not a valid proxy URL. Write it like http://proxy.example.com:3128.")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(`${url.protocol}// proxies are not supported; use an http:// or https:// proxy.`)
  }
  return Either.right(withScheme)
}

/**
 * comet_ml's boolean parser (everett's `parse_bool`: t/true/yes/y/1/on, f/false/no/n/0/off).
 *
 * @since 0.1.0
 */
export const parseBool = (raw: string): Either.Either<boolean, string> => {
  const v = raw.trim().toLowerCase()
  if (["t", "true", "yes", "y", "1", "on"].includes(v)) return Either.right(true)
  if (["f", "false", "no", "n", "0", "off"].includes(v)) return Either.right(false)
  return Either.left(`${JSON.stringify(raw)} is not a boolean (true/false, yes/no, 1/0, on/off, t/f, y/n).`)
}

/**
 * How a proxy's setting is named in messages: a variable as it is (`HTTPS_PROXY`), `proxy` as
 * "the proxy option", `httpProxy` / `httpsProxy` as NodeTransport.layer's options.
 *
 * @since 0.1.0
 */
export const proxyKnob = (setting: string): string =>
  setting === "proxy"
    ? "the proxy option"
    : setting === "httpProxy" || setting === "httpsProxy"
      ? `NodeTransport.layer's ${setting}`
      : setting

/**
 * The detail of a `TransportError` for a failure of a proxy: `the proxy <proxy> (from <setting>)
 * <what>`. `proxy` is its URL without credentials; `setting` the setting it came from, when known.
 *
 * @since 0.1.0
 */
export const proxyFailure = (proxy: string, setting: string | null | undefined, what: string): string =>
  `the proxy ${proxy}${setting == null ? "" : ` (from ${proxyKnob(setting)})`} ${what}`

/**
 * The detail of a `TransportError` for a request a proxy refused to forward: the proxy's own
 * answer (407 for credentials it does not accept, or another status to a `CONNECT`), not the
 * server's. `proxy` is its URL without credentials; `setting` the setting it came from.
 *
 * @since 0.1.0
 */
export const proxyRefusal = (proxy: string, status: number, setting?: string | null): string =>
  proxyFailure(
    proxy,
    setting,
    `refused to forward the request: it answered ${status}${status === 407 ? " Proxy Authentication Required" : ""}`
  )

/**
 * The status of a proxy's refusal in a `TransportError`'s detail (as {@link proxyRefusal} writes
 * it), or null when the detail is not one.
 *
 * @since 0.1.0
 */
export const proxyRefusalStatus = (detail: string): number | null => {
  const m = /^the proxy \S+(?: \(from [^)]+\))? refused to forward the request: it answered (\d{3})/.exec(detail)
  return m === null ? null : Number(m[1])
}
