/**
 * `@comet-ts/http`: the Comet REST v2 transport. `CometHttp` (typed JSON GET/POST, bytes and
 * byte streams against `<root>/api/rest/v2/`) with retries, Retry-After, bounded concurrency,
 * a client-wide rate gate (a 429 pauses the whole client, which then paces itself), call
 * deadlines, request coalescing, an optional cache and exact `RequestStats`.
 * Sends through a `Transport`: undici in Node (`@comet-ts/http/NodeTransport`), `fetch`, or any
 * `HttpClient` from @effect/platform; `@comet-ts/http/DefaultTransport` picks one per runtime.
 *
 * @since 0.1.0
 */

export {
  CometHttp,
  type CometHttpOptions,
  type CometHttpSettings,
  type CometHttpShape,
  type Download,
  layer,
  layerConfig,
  layerConfigTransport,
  layerConfigWith,
  layerTransport,
  make,
  type Params,
  type RequestOptions,
  streamWithCallEnd,
  streamWithCallTimeout,
  withCallEnd,
  withCallTimeout
} from "./CometHttp.js"
export { type EndpointStats, RequestStats, type RequestStatsShape, type StatsSnapshot } from "./RequestStats.js"
/** What CometHttp sends through: fetch, any HttpClient (undici: `@comet-ts/http/NodeTransport`). @since 0.1.0 */
export * as Transport from "./Transport.js"
