/**
 * DefaultTransport in Node (the `node` export condition): undici's `dispatch()` with the
 * machine's proxy and CA settings (see `NodeTransport`). Same names as `DefaultTransport.ts`.
 *
 * @since 0.1.0
 */
import type { CometConfig, ConfigurationError } from "@comet-ts/core"
import type * as Layer from "effect/Layer"
import { layerConfig as nodeLayerConfig } from "./NodeTransport.js"
import type { Transport } from "./Transport.js"

/**
 * The default Transport of this runtime: undici, configured from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<Transport, ConfigurationError, CometConfig> = nodeLayerConfig

/**
 * Which transport this runtime gets by default: `"undici"` here, `"fetch"` elsewhere.
 *
 * @since 0.1.0
 */
export const name: "fetch" | "undici" = "undici"
