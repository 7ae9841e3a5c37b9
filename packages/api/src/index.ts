/**
 * `@comet-ts/api`: what users touch. `CometApi` (every read method of Comet's Python Panels
 * `API` as an Effect service), `Experiment` (the Python `APIExperiment`), `PanelContext`, and
 * the Promise facade `API` / `APIExperiment` for plain TypeScript.
 *
 * @since 0.1.0
 */

/**
 * The types the public signatures name, re-exported so that a project depending on
 * `@comet-ts/api` alone can name every method's result (and emit declarations for code that
 * returns them: no TS2742 under pnpm's or npm's linked layout). @since 0.1.0
 */
export type {
  Asset,
  AssetId,
  ChartExperiment,
  ChartMetric,
  Column,
  CometOptions,
  Curve,
  ExperimentKey,
  ExperimentMetadata,
  ExperimentModel,
  ExperimentSummary,
  GitMetadata,
  MetricPoint,
  Predicate,
  Project,
  ProjectId,
  Summary,
  SystemDetails
} from "@comet-ts/core"
/** The typed errors every method fails with, re-exported from @comet-ts/core. @since 0.1.0 */
export {
  Ambiguous,
  BadRequest,
  CometError,
  ConfigurationError,
  DecodeError,
  InvalidArgument,
  isCometError,
  NotFound,
  QueryError,
  RateLimited,
  ServerError,
  TransportError,
  Unauthorized
} from "@comet-ts/core"
export type { CometHttp, CometHttpSettings, Download, RequestStats, StatsSnapshot } from "@comet-ts/http"
export type { Query, QueryVariable } from "@comet-ts/query"
/** The Promise facade. @since 0.1.0 */
export { API, APIExperiment, type APIGetResult, type APIOptions, type CallOptions, type PanelOption } from "./API.js"
/** Dashboard helpers for chart results: series by name, last/min/max, tidy rows, chunked Stream. @since 0.1.0 */
export * as Chart from "./Chart.js"
/** Layers and constructors of the Effect service. @since 0.1.0 */
export * as CometApiLayer from "./CometApi.js"
/** The Effect service. @since 0.1.0 */
export {
  type AssetOptions,
  type AssetResult,
  type ChartOptions,
  CometApi,
  type CometApiSettings,
  type CometApiShape,
  type ExperimentReads,
  type ExperimentState,
  type GetExperimentMethod,
  type GetMethod,
  type GetProjectNotesMethod,
  type GetResult,
  type OrStrategy,
  type ProjectLocation,
  type QueryOptions,
  type ReturnType,
  type SummaryKind
} from "./CometApi.js"
/** The Effect flavour of an experiment. @since 0.1.0 */
export { Experiment, ExperimentInfo, experimentUrl } from "./Experiment.js"
/** The panel context service and its Layers. @since 0.1.0 */
export * as Panel from "./PanelContext.js"
export { PanelContext, type PanelContextShape, type PanelValues } from "./PanelContext.js"
/** Summaries (metrics, parameters, others) read as numbers. @since 0.1.0 */
export * as Summaries from "./Summaries.js"
/** Testing support: CometApi over any HttpClient, method mocks. @since 0.1.0 */
export * as Testing from "./Testing.js"
