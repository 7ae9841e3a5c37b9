/**
 * NodeTransport: the Node transport, on undici's `request()` API with a dispatcher of its own
 * (never the global one, so `fetch` elsewhere in the process is untouched): connections per
 * origin bounded at `maxConcurrency`; the proxy of `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`
 * (either case) or of the explicit `proxy` option; the certificate authorities of
 * `REQUESTS_CA_BUNDLE` / `SSL_CERT_FILE` / `CURL_CA_BUNDLE` / `NODE_EXTRA_CA_CERTS` besides
 * Node's own; `COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false` as comet_ml reads it. Compressed
 * bodies are decoded with `node:zlib`, strictly. undici is imported when a transport is built.
 *
 * Node only (it imports `node:` modules and undici); `@comet-ts/http/DefaultTransport` picks it
 * in Node and `fetch` elsewhere.
 *
 * @since 0.1.0
 */
import { CometConfig, type NetworkConfig } from "@comet-ts/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type UndiciOptions, undiciTransport } from "./internal/transportUndici.js"
import { scopedTransport, type Transport } from "./Transport.js"

export type { UndiciOptions } from "./internal/transportUndici.js"

/** The undici options of a configuration's network settings. @internal */
export const optionsOf = (network: NetworkConfig, maxConcurrency: number): UndiciOptions => ({
  connections: maxConcurrency,
  httpProxy: network.httpProxy,
  httpsProxy: network.httpsProxy,
  noProxy: network.noProxy,
  extraCa: network.extraCa,
  rejectUnauthorized: network.checkTlsCertificate
})

/**
 * The undici Transport with explicit settings; its connections close with the Layer's scope.
 *
 * @since 0.1.0
 */
export const layer = (options: UndiciOptions): Layer.Layer<Transport> =>
  scopedTransport(Effect.promise(() => undiciTransport(options)))

/**
 * The undici Transport configured from `CometConfig` (its network settings and
 * `maxConcurrency`). With certificate checks turned off it logs a warning once.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<Transport, never, CometConfig> = Layer.unwrapEffect(
  Effect.map(CometConfig, (config) => {
    const options = optionsOf(config.network, config.maxConcurrency)
    const warn = options.rejectUnauthorized
      ? Effect.void
      : Effect.logWarning(
          "comet-ts: TLS certificates are not checked (COMET_INTERNAL_CHECK_TLS_CERTIFICATE=false): anyone on the network path can read the API key and the data. Use it only to diagnose, then install the server's CA (REQUESTS_CA_BUNDLE)."
        )
    return scopedTransport(
      Effect.zipRight(
        warn,
        Effect.promise(() => undiciTransport(options))
      )
    )
  })
)
