/**
 * DefaultTransport: the transport for the runtime this module is loaded in, chosen by export
 * conditions: this file (`fetch`) for browsers, Deno, Bun, workers and anything else;
 * `DefaultTransport.node.ts` (undici, with the machine's proxy and CA settings) under the `node`
 * condition. Both export the same names.
 *
 * @since 0.1.0
 */
import type { CometConfig, ConfigurationError } from "@comet-ts/core"
import type * as Layer from "effect/Layer"
import { layerFetch, type Transport } from "./Transport.js"

/**
 * The default Transport of this runtime: `fetch` (the global one).
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<Transport, ConfigurationError, CometConfig> = layerFetch()

/**
 * Which transport this runtime gets by default: `"fetch"` here, `"undici"` in Node.
 *
 * @since 0.1.0
 */
export const name: "fetch" | "undici" = "fetch"
