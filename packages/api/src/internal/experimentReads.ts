/**
 * `ExperimentReads`: the reads of one experiment's data by key — what an `Experiment` calls.
 * `CometApiShape` extends it; kept apart so `Experiment.ts` needs nothing that names `Experiment`.
 *
 * @internal
 */
import type {
  Asset,
  AssetId,
  ChartExperiment,
  CometError,
  Curve,
  ExperimentMetadata,
  ExperimentModel,
  GitMetadata,
  MetricPoint,
  Summary,
  SystemDetails
} from "@comet-ts/core"
import type { Download } from "@comet-ts/http"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { AssetOptions, AssetResult, ChartOptions, ReturnType, SummaryKind } from "./options.js"

/**
 * An experiment's state, as comet_ml 3.58.8's `APIExperiment.get_state()` reports it.
 *
 * @since 0.1.0
 */
export type ExperimentState = "running" | "finished" | "crashed"

/**
 * The per-experiment read methods of `CometApiShape` (what `Experiment` calls): each takes the
 * experiment key first.
 *
 * @since 0.1.0
 */
export interface ExperimentReads {
  /** An experiment's metadata object. */
  readonly getExperimentMetadata: (experimentKey: string) => Effect.Effect<ExperimentMetadata, CometError>
  /** The history of one metric. */
  readonly getExperimentMetric: (
    experimentKey: string,
    metric: string
  ) => Effect.Effect<ReadonlyArray<MetricPoint>, CometError>
  /**
   * The history of one metric, or (no name) every point of every metric in one request
   * (`experiment/metrics/get-all`), in the server's order, as comet_ml 3.58.8's `get_metrics()`.
   */
  readonly getExperimentMetrics: (
    experimentKey: string,
    metric?: string
  ) => Effect.Effect<ReadonlyArray<MetricPoint>, CometError>
  /** `"running"`, `"crashed"` or `"finished"`, from the metadata (comet_ml's `get_state()`). */
  readonly getExperimentState: (experimentKey: string) => Effect.Effect<ExperimentState, CometError>
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
  /**
   * The same download opened for reading in plain code (`download.next()` until null; what the
   * Promise facade iterates with no Effect step per chunk). Resumes a body that breaks off, as
   * the Stream does.
   */
  readonly openExperimentAsset: (
    experimentKey: string,
    assetId: AssetId | string
  ) => Effect.Effect<Download, CometError>
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
  /** One experiment's chart data; calls made together (concurrent fibers, `Promise.all`) are merged into few requests. */
  readonly getExperimentMetricsForChart: (
    experimentKey: string,
    metrics: ReadonlyArray<string>,
    parameters?: ReadonlyArray<string>,
    options?: ChartOptions
  ) => Effect.Effect<ChartExperiment | null, CometError>
}
