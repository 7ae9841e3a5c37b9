/**
 * `@comet-ts/core`: the typed errors, wire Schemas, branded ids and configuration that every
 * other comet-ts package builds on. Depends on `effect` only.
 *
 * @since 0.1.0
 */

export {
  CometConfig,
  type CometOptions,
  type ConfigSources,
  type ResolvedConfig
} from "./CometConfig.js"
/** Decoding bodies with the wire Schemas into typed results or DecodeErrors. @since 0.1.0 */
export * as Decode from "./Decode.js"
export {
  Ambiguous,
  BadRequest,
  CometError,
  ConfigurationError,
  DecodeError,
  InvalidArgument,
  isCometError,
  isRetryable,
  NotFound,
  QueryError,
  QueryErrorReason,
  RateLimited,
  RetryStop,
  ServerError,
  TransportError,
  TransportReason,
  Unauthorized,
  withRetryStop,
  withSetting
} from "./Errors.js"
export { AssetId, ExperimentKey, ExperimentModelId, ProjectId } from "./Ids.js"
/** Values from plain JavaScript checked against a Schema, with messages naming the argument. @since 0.1.0 */
export * as Inputs from "./Inputs.js"
/** The runtime types of `CometConfig.resolve`'s explicit options, as a Schema (for checking options from JavaScript). @since 0.1.0 */
export { OptionTypes as CometOptionTypes } from "./internal/options.js"
export type { ProxyConfig, TlsConfig } from "./Network.js"
/** Proxy, certificate authority and certificate-check settings. @since 0.1.0 */
export * as Network from "./Network.js"
/** The status → error mapping. @since 0.1.0 */
export * as ResponseErrors from "./ResponseErrors.js"
export { errorFromResponse, errorInBody, parseRetryAfter } from "./ResponseErrors.js"
/** The API key as a secret: usable or not, and scrubbed from text in every form. @since 0.1.0 */
export * as Secrets from "./Secrets.js"
export { Asset, AssetIdFromWire, AssetList, Curve, CurveData } from "./wire/Asset.js"
/** Wire schema building blocks. @since 0.1.0 */
export * as WireCommon from "./wire/Common.js"
export { NumericArray, parseNumber, WireNumber, WireString } from "./wire/Common.js"
export { ErrorBody } from "./wire/ErrorBody.js"
export { ExperimentList, ExperimentMetadata, ExperimentSummary } from "./wire/Experiment.js"
export { Code, Graph, Html, InstalledPackages, Output, Tags } from "./wire/ExperimentContent.js"
export { GitMetadata } from "./wire/Git.js"
export { MetricHistory, MetricPoint } from "./wire/MetricHistory.js"
export {
  ChartExperiment,
  ChartMetric,
  ChartParamValue,
  MetricsChartRequest,
  MetricsChartResponse
} from "./wire/MetricsChart.js"
export { ExperimentModel, ExperimentModelList, RegistryRecord } from "./wire/Model.js"
export {
  isRuleGroup,
  Operator,
  Predicate,
  ProjectQueryRequest,
  ProjectQueryResponse,
  Rule,
  RuleGroup,
  type RuleGroupEncoded,
  RuleValue
} from "./wire/Predicate.js"
export {
  Column,
  ColumnList,
  ColumnSource,
  ColumnType,
  isKnownColumn,
  type KnownColumn,
  Project,
  ProjectList,
  ProjectNotes,
  ProjectPage,
  ProjectPageRow
} from "./wire/Project.js"
export { Summary, SummaryList } from "./wire/Summary.js"
export { AdditionalSystemInfo, GpuStaticInfo, SystemDetails } from "./wire/SystemDetails.js"
export { BackendVersion } from "./wire/Version.js"
export { AccountDetails, WorkspaceList } from "./wire/Workspace.js"
