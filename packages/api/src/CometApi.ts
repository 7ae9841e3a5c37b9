/**
 * `CometApi`: every read method of Comet's Python Panels `API`, as an Effect service whose
 * methods fail with typed `CometError`s. Built from `CometHttp` and the query package; fewer
 * requests than the Python SDK for the same results (queries resolve experiments with one
 * list call, chart fetches are chunked and batched, lookups dedupe).
 *
 * @since 0.1.0
 */
import {
  type Asset,
  type AssetId,
  type ChartExperiment,
  type Column,
  CometConfig,
  type CometError,
  type Curve,
  type ExperimentKey,
  type ExperimentMetadata,
  type ExperimentModel,
  type ExperimentSummary,
  type GitMetadata,
  type MetricPoint,
  type Predicate,
  type Project,
  type Summary,
  type SystemDetails
} from "@comet-ts/core"
import { CometHttp, RequestStats, type StatsSnapshot } from "@comet-ts/http"
import type { Query, QueryVariable } from "@comet-ts/query"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { Experiment } from "./Experiment.js"
import { makeCometApi } from "./internal/api.js"
import type { PanelContext } from "./PanelContext.js"

/**
 * How an asset's bytes are returned: `"binary"` (a `Uint8Array`, the default), `"text"`
 * (UTF-8) or `"json"` (parsed).
 *
 * @since 0.1.0
 */
export type ReturnType = "binary" | "text" | "json"

/**
 * The value an asset read returns for a {@link ReturnType}.
 *
 * @since 0.1.0
 */
export type AssetResult<R extends ReturnType> = R extends "binary" ? Uint8Array : R extends "text" ? string : unknown

/**
 * Options of asset reads.
 *
 * @since 0.1.0
 */
export interface AssetOptions<R extends ReturnType = "binary"> {
  /** How to return the content. Default `"binary"`. */
  readonly returnType?: R | undefined
}

/**
 * Options of `getMetricsForChart`.
 *
 * @since 0.1.0
 */
export interface ChartOptions {
  /** Each metric keeps its own steps (true, the default) or metrics are aligned on shared steps. */
  readonly independentMetrics?: boolean | undefined
  /** All points (up to 15,000 per metric) instead of the server's ~500-point sample. Default false. */
  readonly fetchFull?: boolean | undefined
  /** Called after each chunk with (experiments done, experiments in all). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined
}

/**
 * How a query with OR is sent: `"nested"` (Comet's nested OR predicates, one request, as the
 * newest Python SDK sends) or `"dnf"` (rewritten to AND-only terms, one request per term, keys
 * unioned: works with servers that do not understand nested OR).
 *
 * @since 0.1.0
 */
export type OrStrategy = "nested" | "dnf"

/**
 * Options of `query`.
 *
 * @since 0.1.0
 */
export interface QueryOptions {
  /** Search archived experiments instead. Default false. */
  readonly archived?: boolean | undefined
  /** How OR is sent. Default `"nested"`. */
  readonly orStrategy?: OrStrategy | undefined
}

/**
 * What `get(...)` returns for a path: workspace names, project names, the experiments of a
 * project, or one experiment, depending on how many parts the path has.
 *
 * @since 0.1.0
 */
export type GetResult<P extends string> = string extends P
  ? ReadonlyArray<string> | ReadonlyArray<Experiment> | Experiment
  : P extends `${string}/${infer Rest}`
    ? Rest extends `${string}/${string}`
      ? Experiment
      : ReadonlyArray<Experiment>
    : ReadonlyArray<string>

/**
 * Which summary a named lookup reads.
 *
 * @since 0.1.0
 */
export type SummaryKind = "metric" | "parameter" | "other"

/**
 * Where an experiment is looked up by name.
 *
 * @since 0.1.0
 */
export interface ProjectLocation {
  readonly workspace?: string | undefined
  readonly projectName?: string | undefined
}

/**
 * The `get` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetMethod {
  (): Effect.Effect<ReadonlyArray<string>, CometError>
  <P extends string>(path: P): Effect.Effect<GetResult<P>, CometError>
  (workspace: string, projectName: string): Effect.Effect<ReadonlyArray<Experiment>, CometError>
  (workspace: string, projectName: string, experiment: string): Effect.Effect<Experiment, CometError>
}

/**
 * The `getExperiment` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetExperimentMethod {
  (path: string): Effect.Effect<Experiment, CometError>
  (workspace: string, projectName: string, experimentKey: string): Effect.Effect<Experiment, CometError>
}

/**
 * The `getProjectNotes` method's overloads.
 *
 * @since 0.1.0
 */
export interface GetProjectNotesMethod {
  (projectId: string): Effect.Effect<string, CometError>
  (workspace: string, projectName: string): Effect.Effect<string, CometError>
}

/**
 * Every read method of the Python Panels `API` (camelCase names, Python's argument order,
 * keyword arguments in a trailing options object), plus a few more the REST API offers.
 *
 * @since 0.1.0
 */
export interface CometApiShape {
  /** Workspace names, project names, a project's experiments, or one experiment (also `"ws/proj/exp"`). */
  readonly get: GetMethod
  /** Workspace names of this user. */
  readonly getWorkspaces: () => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Project names of a workspace (the real SDK returns names; see {@link CometApiShape.listProjects} for details). */
  readonly getProjects: (workspace: string) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Project details of every project of a workspace. */
  readonly listProjects: (workspace: string) => Effect.Effect<ReadonlyArray<Project>, CometError>
  /** A project's details, by workspace and name or by id (NotFound when it does not exist). */
  readonly getProject: (
    workspace?: string,
    projectName?: string,
    projectId?: string
  ) => Effect.Effect<Project, CometError>
  /** A project's columns: names, types and sources (what queries are typed against). */
  readonly getProjectColumns: (
    workspace?: string,
    projectName?: string,
    projectId?: string
  ) => Effect.Effect<ReadonlyArray<Column>, CometError>
  /** Experiment keys → metadata of a project's experiments (one request). */
  readonly getProjectExperiments: (
    workspace: string,
    projectName: string
  ) => Effect.Effect<Readonly<Record<string, ExperimentSummary>>, CometError>
  /** A project's notes, by project id (or by workspace and project name). */
  readonly getProjectNotes: GetProjectNotesMethod
  /** Typed query variables from a project's columns (`Metric("loss")`, `Tag("best")`, …). */
  readonly getQueryVariables: (
    workspace?: string,
    projectName?: string,
    projectId?: string
  ) => Effect.Effect<ReadonlyArray<QueryVariable | Query>, CometError>
  /** One experiment by workspace, project and key or name (or `"ws/proj/exp"`). */
  readonly getExperiment: GetExperimentMethod
  /** One experiment by key. */
  readonly getExperimentByKey: (experimentKey: string) => Effect.Effect<Experiment, CometError>
  /** One experiment by key (the Python SDK's deprecated alias). */
  readonly getExperimentById: (experiment: string) => Effect.Effect<Experiment, CometError>
  /** One experiment by name, in the given or default workspace and project. */
  readonly getExperimentByName: (
    experimentName: string,
    location?: ProjectLocation
  ) => Effect.Effect<Experiment, CometError>
  /** Experiments of a workspace (every project), of a project, or of a project matching a regex over key and name. */
  readonly getExperiments: (
    workspace: string,
    projectName?: string,
    pattern?: string
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** Archived experiments, as {@link CometApiShape.getExperiments}. */
  readonly getArchivedExperiments: (
    workspace: string,
    projectName?: string,
    pattern?: string
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** The experiments of a workspace or project as a Stream, one project's list at a time. */
  readonly streamExperiments: (workspace: string, projectName?: string) => Stream.Stream<Experiment, CometError>
  /** An experiment's metadata object. */
  readonly getExperimentMetadata: (experimentKey: string) => Effect.Effect<ExperimentMetadata, CometError>
  /** The history of one metric. */
  readonly getExperimentMetric: (
    experimentKey: string,
    metric: string
  ) => Effect.Effect<ReadonlyArray<MetricPoint>, CometError>
  /** The history of one metric, or of every metric of the experiment (concatenated in name order). */
  readonly getExperimentMetrics: (
    experimentKey: string,
    metric?: string
  ) => Effect.Effect<ReadonlyArray<MetricPoint>, CometError>
  /** Metric summaries (values are strings, as on the wire). */
  readonly getExperimentMetricsSummaries: (experimentKey: string) => Effect.Effect<ReadonlyArray<Summary>, CometError>
  /** Parameter summaries. */
  readonly getExperimentParametersSummaries: (
    experimentKey: string
  ) => Effect.Effect<ReadonlyArray<Summary>, CometError>
  /** Log-other summaries. */
  readonly getExperimentOthersSummaries: (experimentKey: string) => Effect.Effect<ReadonlyArray<Summary>, CometError>
  /** One named summary (NotFound when the experiment never logged it). */
  readonly getExperimentSummary: (
    experimentKey: string,
    kind: SummaryKind,
    name: string
  ) => Effect.Effect<Summary, CometError>
  /** The UI name (log-other `Name`, else metadata name), truncated to `maxLength`; null when unnamed. */
  readonly getExperimentName: (
    experimentKey: string,
    options?: { readonly maxLength?: number | undefined }
  ) => Effect.Effect<string | null, CometError>
  /** The experiment's page on the server. */
  readonly getExperimentUrl: (experimentKey: string) => Effect.Effect<string, CometError>
  /** Tags. */
  readonly getExperimentTags: (experimentKey: string) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Source code, or null. */
  readonly getExperimentCode: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** Standard output, or null. */
  readonly getExperimentOutput: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** HTML, or null. */
  readonly getExperimentHtml: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** The model graph, or null (same as getExperimentModelGraph). */
  readonly getExperimentGraph: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** The model graph, or null. */
  readonly getExperimentModelGraph: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** The model graph, or null (same as getExperimentModelGraph). */
  readonly getModelGraph: (experimentKey: string) => Effect.Effect<string | null, CometError>
  /** Installed Python packages. */
  readonly getExperimentInstalledPackages: (experimentKey: string) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** OS packages. */
  readonly getExperimentOsPackages: (experimentKey: string) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** System details. */
  readonly getExperimentSystemDetails: (experimentKey: string) => Effect.Effect<SystemDetails, CometError>
  /** Git metadata. */
  readonly getExperimentGitMetadata: (experimentKey: string) => Effect.Effect<GitMetadata, CometError>
  /** The git patch bytes, or null when none was logged. */
  readonly getExperimentGitPatch: (experimentKey: string) => Effect.Effect<Uint8Array | null, CometError>
  /** Asset list entries, optionally of one type. */
  readonly getExperimentAssetList: (
    experimentKey: string,
    options?: { readonly assetType?: string | undefined }
  ) => Effect.Effect<ReadonlyArray<Asset>, CometError>
  /** An asset's content as bytes, text or JSON. */
  readonly getExperimentAsset: <R extends ReturnType = "binary">(
    experimentKey: string,
    assetId: string,
    options?: AssetOptions<R>
  ) => Effect.Effect<AssetResult<R>, CometError>
  /** An asset's content, found by file name (NotFound when no asset has it). */
  readonly getExperimentAssetByName: <R extends ReturnType = "binary">(
    experimentKey: string,
    fileName: string,
    options?: AssetOptions<R> & { readonly assetType?: string | undefined }
  ) => Effect.Effect<AssetResult<R>, CometError>
  /** An asset's bytes as a Stream (for large assets). */
  readonly streamExperimentAsset: (
    experimentKey: string,
    assetId: AssetId | string
  ) => Stream.Stream<Uint8Array, CometError>
  /** Image asset entries. */
  readonly getExperimentImages: (experimentKey: string) => Effect.Effect<ReadonlyArray<Asset>, CometError>
  /** Curves with their step and asset id. */
  readonly getExperimentCurves: (experimentKey: string) => Effect.Effect<ReadonlyArray<Curve>, CometError>
  /** Models logged to the experiment. */
  readonly getExperimentModels: (experimentKey: string) => Effect.Effect<ReadonlyArray<ExperimentModel>, CometError>
  /** Distinct names of the models logged to the experiment. */
  readonly getExperimentModelNames: (experimentKey: string) => Effect.Effect<ReadonlyArray<string>, CometError>
  /** Asset entries of one model (NotFound when the experiment logged no model of that name). */
  readonly getExperimentModelAssetList: (
    experimentKey: string,
    modelName: string
  ) => Effect.Effect<ReadonlyArray<Asset>, CometError>
  /**
   * Metrics (and parameters) of many experiments for charting, keyed by experiment key. Long key
   * lists are split into chunks fetched concurrently and merged; no metrics gives `{}`.
   */
  readonly getMetricsForChart: (
    experiments: ReadonlyArray<string | { readonly key: string }>,
    metrics?: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) => Effect.Effect<Readonly<Record<string, ChartExperiment>>, CometError>
  /** One experiment's chart data; calls made together (concurrent fibers, `Promise.all`) are merged into few requests. */
  readonly getExperimentMetricsForChart: (
    experimentKey: string,
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) => Effect.Effect<ChartExperiment | null, CometError>
  /** Experiments matching a query (a Query value or Python-syntax text); OR and NOT are supported. */
  readonly query: (
    workspace: string,
    projectName: string,
    query: Query | string,
    options?: QueryOptions
  ) => Effect.Effect<ReadonlyArray<Experiment>, CometError>
  /** Keys of the experiments matching wire predicates (as Python's `query_project`) or a Query value. */
  readonly queryProject: (
    workspace: string,
    projectName: string,
    predicates: ReadonlyArray<Predicate> | Query,
    options?: { readonly archived?: boolean | undefined }
  ) => Effect.Effect<ReadonlyArray<ExperimentKey>, CometError>
  /** The panel's experiment keys. */
  readonly getPanelExperimentKeys: () => Effect.Effect<ReadonlyArray<string>, CometError, PanelContext>
  /** The panel's experiments. */
  readonly getPanelExperiments: () => Effect.Effect<ReadonlyArray<Experiment>, CometError, PanelContext>
  /** Metric names of the panel's project, without `sys.*` unless `includeSys`. */
  readonly getPanelMetricsNames: (options?: {
    readonly includeSys?: boolean | undefined
  }) => Effect.Effect<ReadonlyArray<string>, CometError, PanelContext>
  /** The panel's options. */
  readonly getPanelOptions: () => Effect.Effect<Readonly<Record<string, unknown>>, CometError, PanelContext>
  /** The panel's project id. */
  readonly getPanelProjectId: () => Effect.Effect<string, CometError, PanelContext>
  /** The panel's project name. */
  readonly getPanelProjectName: () => Effect.Effect<string, CometError, PanelContext>
  /** The panel's workspace. */
  readonly getPanelWorkspace: () => Effect.Effect<string, CometError, PanelContext>
  /** HTTP requests sent to the server so far (attempts, retries included). */
  readonly getPanelRequestCount: () => Effect.Effect<number>
  /** A readable report: requests per server and endpoint, retries and why, bytes and time. */
  readonly getPanelReport: () => Effect.Effect<string>
  /** The raw request counters. */
  readonly getRequestStats: () => Effect.Effect<StatsSnapshot>
  /** Set the request counters back to zero. */
  readonly resetRequestStats: () => Effect.Effect<void>
  /** The user name and default workspace of this API key. */
  readonly getAccountDetails: () => Effect.Effect<
    { readonly userName: string; readonly defaultWorkspaceName: string | null },
    CometError
  >
  /** The default workspace of this API key. */
  readonly getDefaultWorkspace: () => Effect.Effect<string, CometError>
  /** The server's version (`/clientlib/isAlive/ver`). */
  readonly getBackendVersion: () => Effect.Effect<string, CometError>
  /** The server root this client talks to. */
  readonly baseUrl: string
}

/**
 * The Comet read API as an Effect service.
 *
 * @since 0.1.0
 */
export class CometApi extends Context.Tag("@comet-ts/api/CometApi")<CometApi, CometApiShape>() {}

/**
 * Settings of the API layer.
 *
 * @since 0.1.0
 */
export interface CometApiSettings {
  /** Default workspace for lookups by name (`COMET_WORKSPACE`). */
  readonly workspace?: string | null | undefined
  /** Default project for lookups by name (`COMET_PROJECT_NAME`). */
  readonly projectName?: string | null | undefined
  /** Experiments per `multi-metric-chart` request; default adapts to metrics and `fetchFull`. */
  readonly chartChunkSize?: number | undefined
  /** How OR queries are sent by default. */
  readonly orStrategy?: OrStrategy | undefined
  /**
   * How long a project's columns are kept for compiling queries (default 5 minutes, 0 = never);
   * a query naming a column the kept list lacks fetches them again.
   */
  readonly columnsTtlMillis?: number | undefined
}

/**
 * Build the service from `CometHttp` and `RequestStats`; its batching fibers live in the
 * surrounding `Scope`.
 *
 * @since 0.1.0
 */
export const make = (
  settings: CometApiSettings = {}
): Effect.Effect<CometApiShape, never, CometHttp | RequestStats | Scope.Scope> =>
  Effect.gen(function* () {
    const http = yield* CometHttp
    const stats = yield* RequestStats
    return makeCometApi(http, stats, settings, yield* Effect.scope)
  })

/**
 * The service as a Layer, with explicit settings.
 *
 * @since 0.1.0
 */
export const layer = (settings: CometApiSettings = {}): Layer.Layer<CometApi, never, CometHttp | RequestStats> =>
  Layer.scoped(CometApi, make(settings))

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfigWith = (
  settings: Omit<CometApiSettings, "workspace" | "projectName"> = {}
): Layer.Layer<CometApi, never, CometHttp | RequestStats | CometConfig> =>
  Layer.scoped(
    CometApi,
    Effect.gen(function* () {
      const config = yield* CometConfig
      return yield* make({ ...settings, workspace: config.workspace, projectName: config.projectName })
    })
  )

/**
 * The service as a Layer whose defaults (workspace, project) come from `CometConfig`.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<CometApi, never, CometHttp | RequestStats | CometConfig> = layerConfigWith()
