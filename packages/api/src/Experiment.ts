/**
 * `Experiment`: one Comet experiment as Effect code sees it — the Python `APIExperiment`'s
 * attributes (key, name, workspace, project, archived, url, times) and its read methods, each
 * an `Effect` failing with a typed `CometError`. The Promise facade wraps it as `APIExperiment`.
 *
 * @since 0.1.0
 */
import {
  type Asset,
  type AssetId,
  type ChartExperiment,
  type CometError,
  type Curve,
  type ExperimentKey,
  type ExperimentMetadata,
  type ExperimentModel,
  type ExperimentSummary,
  type GitMetadata,
  type MetricPoint,
  NotFound,
  type ProjectId,
  type Summary,
  type SystemDetails
} from "@comet-ts/core"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { withArguments } from "./internal/arguments.js"
import type { ExperimentReads, ExperimentState } from "./internal/experimentReads.js"
import type { AssetOptions, AssetResult, ChartOptions, ReturnType } from "./internal/options.js"

/**
 * The attributes of one experiment (the Python `APIExperiment`'s), shared by the Effect and
 * Promise flavours.
 *
 * @since 0.1.0
 */
export class ExperimentInfo {
  /** The experiment key (Python `id` / `key`). */
  readonly key: ExperimentKey
  /** The experiment name, or null. */
  readonly name: string | null
  /** The workspace. */
  readonly workspace: string
  /** The project name. */
  readonly projectName: string
  /** The project id. */
  readonly projectId: ProjectId
  /** Whether the experiment is archived. */
  readonly archived: boolean
  /** Start time, epoch ms (Python `start_server_timestamp`). */
  readonly startServerTimestamp: number | null
  /** End time, epoch ms (Python `end_server_timestamp`). */
  readonly endServerTimestamp: number | null
  /** Duration in ms. */
  readonly durationMillis: number | null
  /** The script's path, or null. */
  readonly filePath: string | null
  /** The script's file name, or null. */
  readonly fileName: string | null
  /** The optimizer id, or null. */
  readonly optimizationId: string | null
  /** The experiment's page on the Comet server. */
  readonly url: string
  /** The wire object this experiment was built from, with every field the server sent. */
  readonly metadata: ExperimentSummary | ExperimentMetadata

  constructor(metadata: ExperimentSummary | ExperimentMetadata, url: string) {
    this.metadata = metadata
    this.key = metadata.experimentKey
    this.name = metadata.experimentName
    this.workspace = metadata.workspaceName
    this.projectName = metadata.projectName
    this.projectId = metadata.projectId
    this.archived = metadata.archived
    this.startServerTimestamp = metadata.startTimeMillis
    this.endServerTimestamp = metadata.endTimeMillis
    this.durationMillis = metadata.durationMillis
    this.filePath = metadata.filePath
    this.fileName = metadata.fileName
    this.optimizationId = metadata.optimizationId
    this.url = url
  }

  /** The Python `id` attribute: the experiment key. */
  get id(): ExperimentKey {
    return this.key
  }

  /** A readable one-line description. */
  toString(): string {
    return `Experiment(${this.workspace}/${this.projectName}/${this.key}${this.name === null ? "" : ` "${this.name}"`})`
  }
}

/**
 * One experiment, with the Python `APIExperiment` read methods.
 *
 * @since 0.1.0
 */
export class Experiment extends ExperimentInfo {
  constructor(
    metadata: ExperimentSummary | ExperimentMetadata,
    private readonly api: ExperimentReads,
    baseUrl: string
  ) {
    super(metadata, experimentUrl(baseUrl, metadata))
  }

  /** The full metadata object (`experiment/metadata`). */
  getMetadata(): Effect.Effect<ExperimentMetadata, CometError> {
    return this.api.getExperimentMetadata(this.key)
  }

  /**
   * Metric history: of one metric, or (no name) every point of every metric this experiment
   * logged, in one request and in the server's order (comet_ml 3.58.8's `get_metrics()`).
   */
  getMetrics(metric?: string): Effect.Effect<ReadonlyArray<MetricPoint>, CometError> {
    return this.api.getExperimentMetrics(this.key, metric)
  }

  /** `"running"`, `"crashed"` or `"finished"` (comet_ml's `get_state()`), from the metadata. */
  getState(): Effect.Effect<ExperimentState, CometError> {
    return this.api.getExperimentState(this.key)
  }

  /**
   * Metric summaries; with a name, that metric's summary object, as comet_ml's
   * `get_metrics_summary(name)` returns its dict (NotFound if it was never logged; comet_ml
   * returns `[]`).
   */
  getMetricsSummary(): Effect.Effect<ReadonlyArray<Summary>, CometError>
  getMetricsSummary(metric: string): Effect.Effect<Summary, CometError>
  getMetricsSummary(metric?: string): Effect.Effect<ReadonlyArray<Summary> | Summary, CometError> {
    return metric === undefined
      ? this.api.getExperimentMetricsSummaries(this.key)
      : this.api.getExperimentSummary(this.key, "metric", metric)
  }

  /**
   * Parameter summaries; with a name, that parameter's summary object, as comet_ml's
   * `get_parameters_summary(name)` (NotFound if it was never logged; comet_ml returns `[]`).
   */
  getParametersSummary(): Effect.Effect<ReadonlyArray<Summary>, CometError>
  getParametersSummary(parameter: string): Effect.Effect<Summary, CometError>
  getParametersSummary(parameter?: string): Effect.Effect<ReadonlyArray<Summary> | Summary, CometError> {
    return parameter === undefined
      ? this.api.getExperimentParametersSummaries(this.key)
      : this.api.getExperimentSummary(this.key, "parameter", parameter)
  }

  /**
   * Log-other summaries; with a name, the list of that other's current values (`["mnist"]`), as
   * comet_ml's `get_others_summary(name)` returns (NotFound if it was never logged; comet_ml
   * returns `[]`). The whole summary object of one other: {@link getOthersSummaryEntry}.
   */
  getOthersSummary(): Effect.Effect<ReadonlyArray<Summary>, CometError>
  getOthersSummary(other: string): Effect.Effect<ReadonlyArray<string | null>, CometError>
  getOthersSummary(other?: string): Effect.Effect<ReadonlyArray<Summary> | ReadonlyArray<string | null>, CometError> {
    if (other === undefined) return this.api.getExperimentOthersSummaries(this.key)
    // the name is checked as getExperimentSummary's (a plain-JS caller may pass anything)
    return withArguments("getExperimentSummary", [this.key, "other", other], () =>
      Effect.flatMap(this.api.getExperimentOthersSummaries(this.key), (all) => {
        const values = all.filter((s) => s.name === other).map((s) => s.valueCurrent)
        return values.length > 0
          ? Effect.succeed(values)
          : Effect.fail(
              new NotFound({
                resource: "other",
                id: `${other} of experiment ${this.key}`,
                endpoint: null,
                serverMessage: null,
                sdkErrorCode: null
              })
            )
      })
    )
  }

  /** The whole summary object of one log-other (NotFound if it was never logged). */
  getOthersSummaryEntry(other: string): Effect.Effect<Summary, CometError> {
    return this.api.getExperimentSummary(this.key, "other", other)
  }

  /** The name shown in the UI: the log-other `Name`, else the metadata name, else null. */
  getName(options?: { readonly maxLength?: number | undefined }): Effect.Effect<string | null, CometError> {
    return this.api.getExperimentName(this.key, options)
  }

  /** Tags. */
  getTags(): Effect.Effect<ReadonlyArray<string>, CometError> {
    return this.api.getExperimentTags(this.key)
  }

  /** Asset list entries, optionally of one type (`"image"`, `"curve"`, …). */
  getAssetList(assetType?: string): Effect.Effect<ReadonlyArray<Asset>, CometError> {
    return this.api.getExperimentAssetList(this.key, assetType === undefined ? undefined : { assetType })
  }

  /** An asset's content as bytes (default), text or parsed JSON. */
  getAsset<R extends ReturnType = "binary">(
    assetId: string,
    options?: AssetOptions<R>
  ): Effect.Effect<AssetResult<R>, CometError> {
    return this.api.getExperimentAsset(this.key, assetId, options)
  }

  /** An asset's content, found by file name. */
  getAssetByName<R extends ReturnType = "binary">(
    fileName: string,
    options?: AssetOptions<R>
  ): Effect.Effect<AssetResult<R>, CometError> {
    return this.api.getExperimentAssetByName(this.key, fileName, options)
  }

  /** An asset's bytes as a Stream, never held whole in memory. */
  streamAsset(assetId: AssetId | string): Stream.Stream<Uint8Array, CometError> {
    return this.api.streamExperimentAsset(this.key, assetId)
  }

  /** Image assets. */
  getImages(): Effect.Effect<ReadonlyArray<Asset>, CometError> {
    return this.api.getExperimentImages(this.key)
  }

  /** Curves (`{ name, x, y, step, assetId }`). */
  getCurves(): Effect.Effect<ReadonlyArray<Curve>, CometError> {
    return this.api.getExperimentCurves(this.key)
  }

  /** Source code logged with the experiment, or null. */
  getCode(): Effect.Effect<string | null, CometError> {
    return this.api.getExperimentCode(this.key)
  }

  /** Standard output and error, or null. */
  getOutput(): Effect.Effect<string | null, CometError> {
    return this.api.getExperimentOutput(this.key)
  }

  /** HTML logged with the experiment, or null. */
  getHtml(): Effect.Effect<string | null, CometError> {
    return this.api.getExperimentHtml(this.key)
  }

  /** The model graph (as logged, usually JSON text), or null. */
  getModelGraph(): Effect.Effect<string | null, CometError> {
    return this.api.getExperimentModelGraph(this.key)
  }

  /** Installed Python packages (`pip freeze` lines). */
  getInstalledPackages(): Effect.Effect<ReadonlyArray<string>, CometError> {
    return this.api.getExperimentInstalledPackages(this.key)
  }

  /** OS packages. */
  getOsPackages(): Effect.Effect<ReadonlyArray<string>, CometError> {
    return this.api.getExperimentOsPackages(this.key)
  }

  /** System details (OS, Python, GPUs, command, …). */
  getSystemDetails(): Effect.Effect<SystemDetails, CometError> {
    return this.api.getExperimentSystemDetails(this.key)
  }

  /** Git metadata. */
  getGitMetadata(): Effect.Effect<GitMetadata, CometError> {
    return this.api.getExperimentGitMetadata(this.key)
  }

  /** The git patch bytes, or null when none was logged. */
  getGitPatch(): Effect.Effect<Uint8Array | null, CometError> {
    return this.api.getExperimentGitPatch(this.key)
  }

  /** Models logged to the experiment. */
  getModels(): Effect.Effect<ReadonlyArray<ExperimentModel>, CometError> {
    return this.api.getExperimentModels(this.key)
  }

  /** Names of the models logged to the experiment (distinct). */
  getModelNames(): Effect.Effect<ReadonlyArray<string>, CometError> {
    return this.api.getExperimentModelNames(this.key)
  }

  /** Assets of one logged model. */
  getModelAssetList(modelName: string): Effect.Effect<ReadonlyArray<Asset>, CometError> {
    return this.api.getExperimentModelAssetList(this.key, modelName)
  }

  /**
   * This experiment's metrics (and parameters) for charting. Calls for many experiments made
   * together (concurrent fibers, or `Promise.all` over the facade) are merged into few
   * `multi-metric-chart` requests.
   */
  getMetricsForChart(
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ): Effect.Effect<ChartExperiment | null, CometError> {
    return this.api.getExperimentMetricsForChart(this.key, metrics, parameters, options)
  }
}

/**
 * The experiment's page: `<server>/<workspace>/<project>/<key>`, with `/archive/` before the
 * key for archived experiments, as the Python SDK builds it.
 *
 * @since 0.1.0
 */
export const experimentUrl = (
  baseUrl: string,
  m: {
    readonly workspaceName: string
    readonly projectName: string
    readonly experimentKey: string
    readonly archived: boolean
  }
): string => {
  const seg = encodeURIComponent
  const parts = [baseUrl, seg(m.workspaceName), seg(m.projectName)]
  if (m.archived) parts.push("archive")
  parts.push(seg(m.experimentKey))
  return parts.join("/")
}
