/**
 * The network settings a machine set up for comet_ml already has, read as comet_ml (through
 * Python's `requests`) and curl read them: the proxy of `HTTPS_PROXY` / `HTTP_PROXY` (lower
 * case first, as curl), the hosts of `NO_PROXY` reached directly, private certificate
 * authorities from `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE` / `SSL_CERT_FILE` /
 * `NODE_EXTRA_CA_CERTS`, and comet_ml's own `COMET_INTERNAL_CHECK_TLS_CERTIFICATE`
 * (`comet.internal.check_tls_certificate`, parsed as comet_ml's everett parses booleans). An
 * explicit `proxy` option replaces the proxy variables. Used by the Node transport; a browser
 * uses the browser's own settings.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { ConfigurationError } from "./Errors.js"

/**
 * Resolved network settings.
 *
 * @since 0.1.0
 */
export interface NetworkConfig {
  /** The proxy of `http://` URLs (may carry credentials), or null for none. */
  readonly httpProxy: string | null
  /** The proxy of `https://` URLs, or null for none. */
  readonly httpsProxy: string | null
  /** Hosts reached without the proxy, in `NO_PROXY` syntax (`host`, `.domain`, `host:port`, `*`). */
  readonly noProxy: string
  /** PEM text of certificate authorities trusted besides the runtime's own, or null for none. */
  readonly extraCa: ReadonlyArray<string> | null
  /** Where `extraCa` came from (variable names and paths), for messages. */
  readonly caSources: ReadonlyArray<string>
  /** Check server certificates. False only when `COMET_INTERNAL_CHECK_TLS_CERTIFICATE` says so. */
  readonly checkTlsCertificate: boolean
}

/**
 * No proxy, no extra CA, certificates checked.
 *
 * @since 0.1.0
 */
export const defaults: NetworkConfig = {
  httpProxy: null,
  httpsProxy: null,
  noProxy: "",
  extraCa: null,
  caSources: [],
  checkTlsCertificate: true
}

/** The CA bundle variables, in the order they are read (all that are set are trusted). */
export const CA_VARIABLES = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS"] as const

/** comet_ml's boolean parser (everett's `parse_bool`). */
const parseBool = (raw: string): boolean | null => {
  const v = raw.trim().toLowerCase()
  if (["t", "true", "yes", "y", "1", "on"].includes(v)) return true
  if (["f", "false", "no", "n", "0", "off"].includes(v)) return false
  return null
}

const checkProxy = (setting: string, raw: string): Effect.Effect<string | null, ConfigurationError> => {
  const text = raw.trim()
  if (text.length === 0) return Effect.succeed(null)
  // as curl: a proxy without a scheme is an http proxy
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return Effect.fail(
      new ConfigurationError({
        setting,
        reason: "it is not a valid proxy URL. Write it like http://proxy.example.com:3128."
      })
    )
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Effect.fail(
      new ConfigurationError({
        setting,
        reason: `${url.protocol}// proxies are not supported; use an http:// or https:// proxy.`
      })
    )
  }
  return Effect.succeed(withScheme)
}

/**
 * Resolve the network settings. `env` reads the process environment only (as `requests` and
 * curl do for proxies and CA bundles); `get` reads comet_ml's layered configuration (for
 * `COMET_INTERNAL_CHECK_TLS_CERTIFICATE`); `readFile` reads a CA bundle. An explicit `proxy`
 * (a URL, or `false` for none) replaces the proxy variables; `NO_PROXY` still applies.
 *
 * @since 0.1.0
 */
export const resolve = (input: {
  readonly env: (name: string) => string | undefined
  readonly get: (name: string) => string | undefined
  readonly readFile: (path: string) => string | undefined
  readonly proxy?: string | false | undefined
}): Effect.Effect<NetworkConfig, ConfigurationError> =>
  Effect.gen(function* () {
    const { env } = input
    const either = (lower: string, upper: string): { readonly name: string; readonly value: string } | null => {
      const l = env(lower)
      if (l !== undefined && l.trim().length > 0) return { name: lower, value: l }
      const u = env(upper)
      return u !== undefined && u.trim().length > 0 ? { name: upper, value: u } : null
    }
    let httpProxy: string | null = null
    let httpsProxy: string | null = null
    if (input.proxy === false) {
      // explicitly none
    } else if (input.proxy !== undefined) {
      const p = yield* checkProxy("proxy", input.proxy)
      httpProxy = p
      httpsProxy = p
    } else {
      const http = either("http_proxy", "HTTP_PROXY")
      const https = either("https_proxy", "HTTPS_PROXY")
      httpProxy = http === null ? null : yield* checkProxy(http.name, http.value)
      httpsProxy = https === null ? null : yield* checkProxy(https.name, https.value)
    }
    const noProxy = (either("no_proxy", "NO_PROXY")?.value ?? "").trim()

    const extra: Array<string> = []
    const caSources: Array<string> = []
    for (const name of CA_VARIABLES) {
      const path = env(name)?.trim()
      if (path === undefined || path.length === 0) continue
      const text = input.readFile(path)
      if (text === undefined) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: name,
            reason: `the certificate bundle ${JSON.stringify(path)} cannot be read (no such file, or a directory). Point it at a PEM file of the CA certificates to trust.`
          })
        )
      }
      if (!text.includes("-----BEGIN CERTIFICATE-----")) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: name,
            reason: `${JSON.stringify(path)} has no PEM certificate (-----BEGIN CERTIFICATE-----) in it.`
          })
        )
      }
      extra.push(text)
      caSources.push(`${name}=${path}`)
    }

    let checkTlsCertificate = true
    const raw = input.get("COMET_INTERNAL_CHECK_TLS_CERTIFICATE")
    if (raw !== undefined && raw.trim().length > 0) {
      const parsed = parseBool(raw)
      if (parsed === null) {
        return yield* Effect.fail(
          new ConfigurationError({
            setting: "COMET_INTERNAL_CHECK_TLS_CERTIFICATE",
            reason: `${JSON.stringify(raw)} is not a boolean (true/false, yes/no, 1/0, on/off, t/f, y/n).`
          })
        )
      }
      checkTlsCertificate = parsed
    }
    return {
      httpProxy,
      httpsProxy,
      noProxy,
      extraCa: extra.length === 0 ? null : extra,
      caSources,
      checkTlsCertificate
    }
  })
