/**
 * `@comet-ts/emulator`: a local Comet REST API v2 server (read side) with realistic generated
 * data, fault injection and server-side request counting, for offline development, tests,
 * demos and benchmarks.
 *
 * @since 0.1.0
 */

/** The dataset format, its Schema and loader. @since 0.1.0 */
export * as Dataset from "./Dataset.js"
export { type Dataset as DatasetType, decodeDataset, encodeDataset, loadDataset } from "./Dataset.js"
/** The emulator app, its service and Layers. @since 0.1.0 */
export * as Emulator from "./Emulator.js"
export {
  type ApiKeyGrant,
  DEFAULT_API_KEY,
  DEFAULT_BACKEND_VERSION,
  Emulator as EmulatorService,
  type EmulatorOptions,
  type EmulatorShape,
  layer,
  layerClient,
  layerServer,
  layerTest,
  make as makeApp,
  type ServerOptions
} from "./Emulator.js"
/** Fault specs. @since 0.1.0 */
export * as Faults from "./Faults.js"
/** The deterministic dataset generator. @since 0.1.0 */
export * as Generator from "./Generator.js"
export { type DatasetSize, GENERATED_KEYS, type GenerateOptions, generate } from "./Generator.js"
/** Metric series expansion. @since 0.1.0 */
export * as Series from "./Series.js"
export type { EmulatorStats, EmulatorStatsSnapshot, RequestLogEntry } from "./Stats.js"
/** Server-side request counting. @since 0.1.0 */
export * as Stats from "./Stats.js"
