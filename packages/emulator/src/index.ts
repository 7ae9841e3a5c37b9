/**
 * `@comet-ts/emulator`: a local Comet REST API v2 server (read side) with realistic generated
 * data, fault injection and server-side request counting, for offline development, tests,
 * demos and benchmarks.
 *
 * @since 0.1.0
 */

export {
  AssetContent,
  AssetData,
  Dataset,
  type DatasetJson,
  datasetJsonSchema,
  decodeDataset,
  ExperimentData,
  ExplicitSeries,
  encodeDataset,
  GitData,
  LoggedValue,
  loadDataset,
  MAX_POINTS_PER_METRIC,
  MetricSeries,
  ModelData,
  ProjectData,
  RegistryRecordData,
  SeriesShape,
  SyntheticSeries,
  SyntheticSeriesSpec,
  SystemDetailsData,
  UserData,
  WorkspaceData
} from "./Dataset.js"
export {
  type ApiKeyGrant,
  DEFAULT_API_KEY,
  DEFAULT_BACKEND_VERSION,
  Emulator,
  type EmulatorOptions,
  type EmulatorShape,
  endpointOf,
  faultConfig,
  layer,
  layerClient,
  layerServer,
  layerTest,
  make,
  /** Alias of {@link make}. @since 0.1.0 */
  make as makeApp,
  type PredicateEvaluator,
  type ServerOptions
} from "./Emulator.js"
export type { FaultConfig, FaultKind, FaultRule, LatencyRule } from "./Faults.js"
/** Fault specs: parse, format, decide. @since 0.1.0 */
export * as Faults from "./Faults.js"
export {
  type DatasetSize,
  describe as describeDataset,
  GENERATED_KEYS,
  type GenerateOptions,
  generate,
  generateEither
} from "./Generator.js"
export type { SeriesPoints } from "./Series.js"
/** Metric series expansion. @since 0.1.0 */
export * as Series from "./Series.js"
export type { EmulatorStats, EmulatorStatsSnapshot, EndpointCounts, RequestLogEntry } from "./Stats.js"
export { LOG_LIMIT } from "./Stats.js"
