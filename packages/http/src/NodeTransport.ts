/**
 * NodeTransport: the Node transport, on undici's `dispatch()` API (a handler of its own) with
 * a dispatcher of its own (never the global one, so `fetch` elsewhere in the process is untouched): connections per
 * origin bounded at `maxConcurrency`; the proxy of `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`
 * (either case) or of the explicit `proxy` option; the certificate authorities of
 * `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE` / `SSL_CERT_FILE` / `NODE_EXTRA_CA_CERTS` besides
 * Node's own; `COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false` as comet_ml reads it. Compressed
 * bodies are decoded with `node:zlib`, strictly. Downloads not through a proxy are read from
 * sockets of the transport's own (the same TLS settings; idle connections kept per origin for
 * the next download). undici is imported when a transport is built.
 *
 * Node only (it imports `node:` modules and undici); `@comet-ts/http/DefaultTransport` picks it
 * in Node and `fetch` elsewhere.
 *
 * @since 0.1.0
 */
import { CometConfig, ConfigurationError, type ResolvedConfig } from "@comet-ts/core"
import * as Inputs from "@comet-ts/core/Inputs"
import * as Secrets from "@comet-ts/core/Secrets"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { type UndiciOptions, UndiciUnavailable, undiciTransport } from "./internal/transportUndici.js"
import { proxyCredentials } from "./internal/tunnel.js"
import { scopedTransport, type Transport } from "./Transport.js"

export type { UndiciOptions } from "./internal/transportUndici.js"

/**
 * Read the CA bundles a configuration names: their PEM text, or a `ConfigurationError` naming
 * the setting of a file that cannot be read or holds no certificate.
 */
const readCaFiles = (
  files: ResolvedConfig["tls"]["caFiles"]
): Effect.Effect<ReadonlyArray<string> | null, ConfigurationError> =>
  files.length === 0
    ? Effect.succeed(null)
    : Effect.flatMap(
        Effect.promise(() => import("node:fs/promises")),
        (fs) =>
          Effect.forEach(files, ({ setting, path }) =>
            Effect.tryPromise({
              try: () => fs.readFile(path, "utf8"),
              catch: () =>
                new ConfigurationError({
                  setting,
                  reason: `the certificate bundle ${JSON.stringify(path)} cannot be read (no such file, or a directory). Point it at a PEM file of the CA certificates to trust.`
                })
            }).pipe(
              Effect.filterOrFail(
                (text) => text.includes("-----BEGIN CERTIFICATE-----"),
                () =>
                  new ConfigurationError({
                    setting,
                    reason: `${JSON.stringify(path)} has no PEM certificate (-----BEGIN CERTIFICATE-----) in it.`
                  })
              )
            )
          )
      )

/**
 * The undici options of a configuration: its proxy, its certificate settings with the CA
 * bundles read, `maxConcurrency` connections per origin, and `timeoutMs` as the connect timeout.
 *
 * @since 0.1.0
 */
export const optionsOf = (config: ResolvedConfig): Effect.Effect<UndiciOptions, ConfigurationError> =>
  Effect.map(readCaFiles(config.tls.caFiles), (extraCa) => ({
    connections: config.maxConcurrency,
    httpProxy: config.proxy.httpProxy,
    httpsProxy: config.proxy.httpsProxy,
    noProxy: config.proxy.noProxy,
    httpProxySetting: config.proxy.httpProxyFrom,
    httpsProxySetting: config.proxy.httpsProxyFrom,
    extraCa,
    rejectUnauthorized: config.tls.checkTlsCertificate,
    // making a connection (TCP, TLS, a proxy's answer to CONNECT) waits no longer than a call
    connectTimeoutMs: Duration.toMillis(config.timeout)
  }))

/**
 * The undici Transport with explicit settings; its connections close with the Layer's scope.
 *
 * @since 0.1.0
 */
export const layer = (options: UndiciOptions): Layer.Layer<Transport, ConfigurationError> => {
  // a misspelt setting (`httpsproxy`) would be dropped: refused, as every layer's options are;
  // the options are read once: a throwing getter, or a value of the wrong type from JavaScript
  // (`connections: "8"`, no `extraCa`, a `connectTimeoutMs` of 0), is the ConfigurationError
  // naming it, never an exception in the transport
  const read = Either.flatMap(Inputs.settingsOf(options, UNDICI_OPTION_NAMES, "NodeTransport.layer"), (given) =>
    Either.mapLeft(
      Inputs.check(UndiciTypes, given),
      (p) =>
        new ConfigurationError({
          setting: p.path.length === 0 ? "options" : p.path,
          reason:
            p.actual === Inputs.describeValue(undefined)
              ? "is missing: NodeTransport.layer needs every one of connections, httpProxy, httpsProxy, noProxy, extraCa and rejectUnauthorized (NodeTransport.optionsOf(config) builds them from a CometConfig)."
              : Inputs.reason(p)
        })
    )
  )
  if (Either.isLeft(read)) return Layer.fail(read.left)
  const checked: UndiciOptions = read.right
  return Layer.merge(
    scopedTransport(
      Effect.tryPromise({ try: () => undiciTransport(checked), catch: (e) => e }).pipe(
        // undici that cannot be loaded (a bundle without `require`) is a ConfigurationError
        // naming the fix; anything else is a defect, as before
        Effect.catchAll((e) =>
          e instanceof UndiciUnavailable
            ? Effect.fail(new ConfigurationError({ setting: "transport", reason: e.message }))
            : Effect.die(e)
        )
      )
    ),
    Layer.scopedDiscard(holdProxyCredentials(checked))
  )
}

const isTextOrNull = (u: unknown): u is string | null => u === null || typeof u === "string"

/** The runtime types of {@link UndiciOptions}. */
const UndiciTypes = Schema.Struct({
  connections: Inputs.refined(
    (u): u is number => typeof u === "number" && Number.isInteger(u) && u > 0,
    "a positive integer"
  ),
  httpProxy: Inputs.refined(isTextOrNull, "a proxy URL or null"),
  httpsProxy: Inputs.refined(isTextOrNull, "a proxy URL or null"),
  httpProxySetting: Schema.optional(Schema.String),
  httpsProxySetting: Schema.optional(Schema.String),
  noProxy: Inputs.refined((u): u is string => typeof u === "string", 'a NO_PROXY list (a string, "" for none)'),
  extraCa: Inputs.refined(
    (u): u is ReadonlyArray<string> | null =>
      u === null || (Array.isArray(u) && u.every((c: unknown) => typeof c === "string")),
    "an array of PEM certificates, or null"
  ),
  rejectUnauthorized: Inputs.refined((u): u is boolean => typeof u === "boolean", "a boolean"),
  connectTimeoutMs: Schema.optional(
    Inputs.refined(
      (u): u is number => typeof u === "number" && Number.isFinite(u) && u > 0,
      "a positive number of milliseconds"
    )
  )
})

/** The names of {@link UndiciOptions}, complete by type. */
const UNDICI_OPTION_NAMES: ReadonlyArray<string> = Object.keys({
  connections: true,
  httpProxy: true,
  httpsProxy: true,
  noProxy: true,
  extraCa: true,
  rejectUnauthorized: true,
  connectTimeoutMs: true,
  httpProxySetting: true,
  httpsProxySetting: true
} satisfies Record<keyof UndiciOptions, true>)

/**
 * The credentials of the proxy URLs, held for scrubbing while the transport is open
 * (Secrets.hold): `user:password` — whose base64 is the Proxy-Authorization a proxy or server
 * may echo into a body a DecodeError quotes — and the password, as written and percent-decoded.
 */
const holdProxyCredentials = (options: UndiciOptions): Effect.Effect<void, never, Scope.Scope> =>
  Effect.forEach(
    [options.httpProxy, options.httpsProxy].flatMap((uri) => (uri === null ? [] : credentialsOf(uri))),
    (secret) => Secrets.hold(secret),
    { discard: true }
  )

/** The credentials of a proxy URL (tunnel.ts's `proxyCredentials`); none for what is not a URL. */
const credentialsOf = (uri: string): ReadonlyArray<string> => {
  try {
    return proxyCredentials(new URL(uri))
  } catch {
    return []
  }
}

/**
 * The undici Transport configured from `CometConfig` (its proxy and TLS settings and
 * `maxConcurrency`). A CA bundle that cannot be read fails it with a `ConfigurationError`; with
 * certificate checks turned off it logs a warning once.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<Transport, ConfigurationError, CometConfig> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const options = yield* optionsOf(yield* CometConfig)
    if (!options.rejectUnauthorized) {
      yield* Effect.logWarning(
        "comet-ts: TLS certificates are not checked (COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false): anyone on the network path can read the API key and the data. Use it only to diagnose, then install the server's CA (REQUESTS_CA_BUNDLE)."
      )
    }
    return layer(options)
  })
)
