/**
 * The reads of one experiment's data by key, assets and charts aside: metric histories and
 * summaries, parameters, others, the UI name, tags, code, output, HTML, the model graph, system
 * details and git.
 *
 * @internal
 */
import {
  Code,
  ColumnList,
  type CometError,
  GitMetadata,
  Graph,
  Html,
  InvalidArgument,
  MetricHistory,
  Output,
  type Summary,
  SummaryList,
  SystemDetails,
  Tags
} from "@comet-ts/core"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import { type ApiContext, notFound, unique } from "./context.js"
import type { ExperimentReads, ExperimentState } from "./experimentReads.js"
import type { SummaryKind } from "./options.js"
import { required } from "./paths.js"

const GIT_PATCH_NONE = new TextEncoder().encode('{"msg"')

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b)

/** The methods this module gives `CometApi` (and every `Experiment`). */
export type ExperimentDataMethods = Pick<
  ExperimentReads,
  | "getExperimentMetric"
  | "getExperimentMetrics"
  | "getExperimentState"
  | "getExperimentMetricsSummaries"
  | "getExperimentParametersSummaries"
  | "getExperimentOthersSummaries"
  | "getExperimentSummary"
  | "getExperimentName"
  | "getExperimentTags"
  | "getExperimentCode"
  | "getExperimentOutput"
  | "getExperimentHtml"
  | "getExperimentGraph"
  | "getExperimentModelGraph"
  | "getModelGraph"
  | "getExperimentInstalledPackages"
  | "getExperimentOsPackages"
  | "getExperimentSystemDetails"
  | "getExperimentGitMetadata"
  | "getExperimentGitPatch"
>

/** Build the per-experiment data reads. */
export const makeExperimentData = (ctx: ApiContext): ExperimentDataMethods => {
  const { http, get, byKey, getExperimentMetadata } = ctx

  const summaries = (endpoint: string) => (experimentKey: string) =>
    Effect.map(byKey(endpoint, SummaryList, experimentKey), (r) => r.values)

  const getExperimentMetricsSummaries = summaries("experiment/metrics/summary")
  const getExperimentParametersSummaries = summaries("experiment/parameters")
  const getExperimentOthersSummaries = summaries("experiment/log-other")

  const summaryOf: Record<SummaryKind, (key: string) => Effect.Effect<ReadonlyArray<Summary>, CometError>> = {
    metric: getExperimentMetricsSummaries,
    parameter: getExperimentParametersSummaries,
    other: getExperimentOthersSummaries
  }

  const getExperimentSummary = (experimentKey: string, kind: SummaryKind, name: string) =>
    Effect.gen(function* () {
      const list = yield* summaryOf[kind](experimentKey)
      const hit = list.find((s) => s.name === name)
      if (hit === undefined) {
        return yield* notFound(kind, `${name} of experiment ${experimentKey}`, null)
      }
      return hit
    })

  const getExperimentMetric = (experimentKey: string, metric: string) =>
    Effect.gen(function* () {
      const name = yield* required("metric", metric)
      const r = yield* byKey("experiment/metrics/get-metric", MetricHistory, experimentKey, { metricName: name })
      return r.metrics
    })

  /**
   * Every point of every metric in one request (`experiment/metrics/get-all`), in the server's
   * order, as comet_ml 3.58.8's `get_metrics()` does. A server without that endpoint (it answers
   * 404 for an experiment that exists) gets comet_ml's fallback for old backends: one
   * `get-metric` per metric column of the project, in column order, concatenated.
   */
  const getAllMetrics = (experimentKey: string) =>
    byKey("experiment/metrics/get-all", MetricHistory, experimentKey).pipe(
      Effect.map((r) => r.metrics),
      Effect.catchTag("NotFound", (missing) =>
        Effect.gen(function* () {
          const m = yield* Effect.orElseFail(getExperimentMetadata(experimentKey), () => missing)
          const columns = yield* get("project/column-names", ColumnList, {
            workspaceName: m.workspaceName,
            projectName: m.projectName
          })
          const names = unique(columns.columns.filter((c) => c.source === "metrics").map((c) => c.name))
          const histories = yield* Effect.forEach(names, (n) => getExperimentMetric(experimentKey, n), {
            concurrency: "unbounded"
          })
          return histories.flat()
        })
      )
    )

  const getExperimentMetrics = (experimentKey: string, metric?: string) =>
    metric !== undefined ? getExperimentMetric(experimentKey, metric) : getAllMetrics(experimentKey)

  /** comet_ml's `get_state()`: `"running"`, else `"crashed"`, else `"finished"`, from the metadata. */
  const getExperimentState = (experimentKey: string) =>
    Effect.map(
      getExperimentMetadata(experimentKey),
      (m): ExperimentState => (m.running ? "running" : m.hasCrashed ? "crashed" : "finished")
    )

  const getExperimentName = (experimentKey: string, options?: { readonly maxLength?: number | undefined }) =>
    Effect.gen(function* () {
      const max = options?.maxLength
      if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
        return yield* Effect.fail(
          new InvalidArgument({ argument: "maxLength", value: String(max), reason: "must be a non-negative integer." })
        )
      }
      const others = yield* getExperimentOthersSummaries(experimentKey)
      const fromOther = others.find((s) => s.name === "Name")?.valueCurrent ?? null
      const name = fromOther ?? (yield* getExperimentMetadata(experimentKey)).experimentName
      return name === null || max === undefined ? name : name.slice(0, max)
    })

  const single =
    <K extends string, I>(
      endpoint: string,
      schema: Schema.Schema<{ readonly [k in K]: string | null }, I, never>,
      field: K,
      cacheable = false
    ) =>
    (experimentKey: string): Effect.Effect<string | null, CometError> =>
      Effect.map(byKey(endpoint, schema, experimentKey, {}, cacheable), (r) => r[field])

  const getExperimentCode = single("experiment/code", Code, "code")
  const getExperimentOutput = single("experiment/output", Output, "output")
  const getExperimentHtml = single("experiment/html", Html, "html")
  const getExperimentModelGraph = single("experiment/graph", Graph, "graph")

  const getExperimentSystemDetails = (experimentKey: string) =>
    byKey("experiment/system-details", SystemDetails, experimentKey)

  const getExperimentInstalledPackages = (experimentKey: string) =>
    Effect.map(getExperimentSystemDetails(experimentKey), (d) => d.installedPackages ?? [])

  const getExperimentOsPackages = (experimentKey: string) =>
    Effect.map(getExperimentSystemDetails(experimentKey), (d) => d.osPackages ?? [])

  const getExperimentGitMetadata = (experimentKey: string) =>
    byKey("experiment/git/metadata", GitMetadata, experimentKey)

  const getExperimentGitPatch = (experimentKey: string) =>
    Effect.gen(function* () {
      const key = yield* required("experimentKey", experimentKey)
      const bytes = yield* http.getBytes("experiment/git/patch", { params: { experimentKey: key } })
      // Comet answers a JSON message starting with {"msg" when no patch was logged.
      return startsWith(bytes, GIT_PATCH_NONE) ? null : bytes
    })

  return {
    getExperimentMetric,
    getExperimentMetrics,
    getExperimentState,
    getExperimentMetricsSummaries,
    getExperimentParametersSummaries,
    getExperimentOthersSummaries,
    getExperimentSummary,
    getExperimentName,
    getExperimentTags: (experimentKey) => Effect.map(byKey("experiment/tags", Tags, experimentKey), (r) => r.tags),
    getExperimentCode,
    getExperimentOutput,
    getExperimentHtml,
    getExperimentGraph: getExperimentModelGraph,
    getExperimentModelGraph,
    getModelGraph: getExperimentModelGraph,
    getExperimentInstalledPackages,
    getExperimentOsPackages,
    getExperimentSystemDetails,
    getExperimentGitMetadata,
    getExperimentGitPatch
  }
}
