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
  DecodeError,
  errorInBody,
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
import * as Decode from "@comet-ts/core/Decode"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import { type ApiContext, catchNotFound, notFound, unique } from "./context.js"
import type { ExperimentReads, ExperimentState } from "./experimentReads.js"
import type { SummaryKind } from "./options.js"
import { required } from "./paths.js"
import { textDecoder } from "./values.js"

/** Answers this small that start with `{` may be JSON instead of a patch (a zip or a diff never is). */
const JSON_ANSWER_MAX = 1024 * 1024

/** The JSON object a patch answer holds instead of a patch, or null when it is patch bytes. */
const jsonInstead = (bytes: Uint8Array): { readonly value: Record<string, unknown>; readonly text: string } | null => {
  let i = 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  if (bytes[i] !== 0x7b || bytes.length > JSON_ANSWER_MAX) return null
  const text = textDecoder.decode(bytes)
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? { value: value as Record<string, unknown>, text }
      : null
  } catch {
    return null
  }
}

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

  const valuesOf = (r: SummaryList): ReadonlyArray<Summary> => r.values
  const summaries = (endpoint: string) => (experimentKey: string) =>
    byKey(endpoint, SummaryList, experimentKey, undefined, false, valuesOf)

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
      catchNotFound((missing) =>
        Effect.gen(function* () {
          const m = yield* Effect.mapError(getExperimentMetadata(experimentKey), () => missing)
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
      const endpoint = "experiment/git/patch"
      const bytes = yield* http.getBytes(endpoint, { params: { experimentKey: key } })
      const json = jsonInstead(bytes)
      if (json === null) return bytes
      // Comet's error JSON with a 200 is that error, not patch bytes …
      const error = errorInBody({
        endpoint,
        params: { experimentKey: key },
        value: json.value,
        body: json.text,
        nowMillis: yield* Clock.currentTimeMillis
      })
      if (error !== null) return yield* Effect.fail(error)
      // … a message is Comet saying no patch was logged (the SDK returns None for {"msg" …) …
      if (typeof json.value.msg === "string") return null
      // … and any other JSON is not a patch either.
      return yield* Effect.fail(
        new DecodeError({
          endpoint,
          path: "",
          detail: "the answer is a JSON object, neither a patch (a zip or a diff) nor Comet's no-patch message",
          excerpt: Decode.excerpt(json.text)
        })
      )
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
